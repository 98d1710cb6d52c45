/**
 * What a block noted at a step of a call (`TraceStep.events`, `ctx.note(kind, ...)` on the server), said in the
 * interface language, as graph_engine/story.py tells it in English: a Schedule's local time and whether it was
 * open, the number a Transfer dialed and how it went, the rows an SQL block found, a callback scheduled or refused,
 * the fallback taken... So an analyst tracing a call sees why it went where it went, not only where.
 *
 * Values come from the call (a caller's number, a query's rows, a plugin's fields): they are returned as plain text
 * for React to escape, and long ones are cut. An event this module has no words for (a plugin's) or one missing a
 * field its words need (an older record) is told generically, its kind and fields, never hidden.
 */
import { formatDateTime, formatDuration } from "./format";
import type { Language } from "./i18n";

export type TraceEvent = Record<string, unknown>;

/** How the step's block and exits are named on the canvas, for the events that name them. */
export interface EventNames {
  language: Language;
  /** A block of the scenario by its id (a fallback's target), named as the canvas names it. */
  blockName(id: string): string;
  /** An exit of the step's block (a Transfer's outcome, a Switch's case), labelled as the canvas labels it. */
  exitName(exit: string): string;
}

/** The longest value shown whole; longer ones are cut with "…" (the trace keeps them whole). */
export const MAX_VALUE = 40;

/** `text` cut to `max` characters (code points, so no emoji is split in two), with "…" when cut. */
export function cut(text: string, max = MAX_VALUE): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/**
 * A value as the analyst reads it in `name = value`: text quoted (JSON's quoting, so a newline or a quote in a
 * caller's entry shows as `\n`, `\"`, not as a broken line), numbers and booleans as they are, lists and objects as
 * JSON; cut when long.
 */
export function valueText(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(cut(value));
  if (value === undefined) return "";
  if (value === null || typeof value === "number" || typeof value === "boolean") return String(value);
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    json = String(value);
  }
  return cut(json);
}

/** Raised by `Fields` when an event lacks what its words need: the event is then told generically. */
class MissingField extends Error {}

/** An event's fields, read for its words. */
class Fields {
  constructor(
    private readonly event: TraceEvent,
    readonly names: EventNames,
  ) {}

  /** A field as text, cut when long; missing, the event is told generically. */
  text(name: string, max = MAX_VALUE): string {
    const value = this.event[name];
    if (value === undefined || value === null || typeof value === "object") throw new MissingField(name);
    return cut(String(value), max);
  }

  number(name: string): number {
    const value = this.event[name];
    if (typeof value !== "number" || !Number.isFinite(value)) throw new MissingField(name);
    return value;
  }

  flag(name: string): boolean {
    const value = this.event[name];
    if (typeof value !== "boolean") throw new MissingField(name);
    return value;
  }

  has(name: string): boolean {
    return this.event[name] !== undefined && this.event[name] !== null;
  }

  /** A block of the scenario named by a field holding its id, as the canvas names it. */
  block(name: string): string {
    return cut(this.names.blockName(this.text(name, 200)));
  }

  /** A moment the block noted, on the clock it used (the Schedule's or the Callback's time zone). */
  moment(name: string): string {
    return wallClock(this.text(name, 64), this.names.language);
  }

  /** `name = value, ...` for a field holding an object (a Condition's variables read). */
  pairs(name: string): string {
    const value = this.event[name];
    if (!value || typeof value !== "object" || Array.isArray(value)) return "";
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${cut(key)} = ${valueText(inner)}`)
      .join(", ");
  }
}

const ISO_LOCAL = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?$/;

/**
 * A moment as the block saw it: the wall clock written in the ISO string (a Schedule notes its own zone's time,
 * `2026-12-05T09:30+03:00`), not converted to the browser's zone, with its weekday (opening hours go by weekday).
 * What is not an ISO moment is shown as it came.
 */
export function wallClock(iso: string, language: Language): string {
  const match = ISO_LOCAL.exec(iso);
  if (!match) return iso;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as number[];
  const wall = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  if (Number.isNaN(wall.getTime())) return iso;
  return `${formatDateTime(wall, language, "weekday", "UTC")}, ${formatDateTime(wall, language, "dateTime", "UTC")}`;
}

/** "1 row", "3 rows"; Russian's three forms. */
function plural(language: Language, n: number, forms: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }): string {
  const form = forms[new Intl.PluralRules(language).select(n)] ?? forms.other;
  return form.replace("{n}", n.toLocaleString(language));
}

const ROWS: Record<Language, { one: string; few?: string; many?: string; other: string }> = {
  en: { one: "{n} row", other: "{n} rows" },
  es: { one: "{n} fila", other: "{n} filas" },
  ru: { one: "{n} строка", few: "{n} строки", many: "{n} строк", other: "{n} строки" },
};

/** Why a callback was refused, as graph_engine's Callback block says it, or the host's scheduler (CallbackRefused). */
const CALLBACK_REASONS: Record<Language, Record<string, string>> = {
  en: {
    "emergency number": "an emergency number, never called",
    "impossible number (too_short)": "no phone has a number this short",
    "impossible number (too_long)": "no phone has a number this long",
    "impossible number (invalid_length)": "no phone has a number of this length",
    "impossible number (unknown_country_code)": "no country has this code",
    "invalid number": "not a phone number",
    "no allowed time in the next two weeks": "no allowed time in the next two weeks",
    "outside the allowed hours": "outside the allowed hours",
  },
  es: {
    "emergency number": "es un número de emergencias, nunca se llama",
    "impossible number (too_short)": "ningún teléfono tiene un número tan corto",
    "impossible number (too_long)": "ningún teléfono tiene un número tan largo",
    "impossible number (invalid_length)": "ningún teléfono tiene un número de esta longitud",
    "impossible number (unknown_country_code)": "ningún país tiene este prefijo",
    "invalid number": "no es un número de teléfono",
    "no allowed time in the next two weeks": "no hay ninguna hora permitida en las próximas dos semanas",
    "outside the allowed hours": "fuera del horario permitido",
  },
  ru: {
    "emergency number": "это номер экстренной службы, на него не звонят",
    "impossible number (too_short)": "такого короткого номера нет ни у одного телефона",
    "impossible number (too_long)": "такого длинного номера нет ни у одного телефона",
    "impossible number (invalid_length)": "номера такой длины нет ни у одного телефона",
    "impossible number (unknown_country_code)": "такого кода страны нет",
    "invalid number": "это не номер телефона",
    "no allowed time in the next two weeks": "в ближайшие две недели нет разрешённого времени",
    "outside the allowed hours": "вне разрешённых часов",
  },
};

/** Why a typed number was refused (the IVR's capture mode), said after the wrong keys. */
const ENTRY_REASONS: Record<Language, Record<string, string>> = {
  en: { too_long: "too long", too_short: "too short", not_digits: "not only digits" },
  es: { too_long: "demasiado largo", too_short: "demasiado corto", not_digits: "no solo dígitos" },
  ru: { too_long: "слишком длинный", too_short: "слишком короткий", not_digits: "не только цифры" },
};

/** The skipped-run summary a test call notes (graph_engine/block.py `BlockType.simulate`). */
const SKIPPED_IN_TEST: Record<Language, string> = {
  en: "Skipped in a test call: this block acts outside the call",
  es: "Omitido en la llamada de prueba: este bloque actúa fuera de la llamada",
  ru: "Пропущен в тестовом звонке: этот блок действует вне звонка",
};

function reason(table: Record<string, string>, why: string): string {
  return table[why] ?? why.replace(/_/g, " ");
}

type Words = (f: Fields) => string;

/** The kinds the keys line tells (a menu's tries: `call.wrongKey`, `call.noKey`): no line of their own. */
export const TOLD_BY_KEYS: ReadonlySet<string> = new Set(["attempt", "invalid", "no_input"]);

/** Each known event kind in each language. A kind missing here is told generically (`genericEventText`). */
export const EVENT_WORDS: Record<Language, Record<string, Words>> = {
  en: {
    answered: () => "Call answered",
    already_answered: () => "Call already answered",
    schedule: (f) => `Local time ${f.moment("local_time")}: ${f.names.exitName(f.flag("open") ? "open" : "closed")}`,
    transfer: (f) => `Dialed ${f.text("target")}${shown(f, "shown", "“", "”")}: ${f.names.exitName(f.text("outcome"))}${talked(f, "talked")}`,
    sql: (f) => `Looked up ${f.text("source")}: ${plural("en", f.number("rows"), ROWS.en)} found${changed(f, "changed")}`,
    callback_scheduled: (f) =>
      `Callback to ${f.text("number")} scheduled for ${f.moment("due")} (job ${f.text("job_id")})` +
      (f.has("merged") && f.flag("merged") ? ": joined the callback already waiting for this number" : ""),
    callback_rejected: (f) => `Callback refused: ${refusal(f)}`,
    fallback: (f) => `Went to the fallback block ${f.block("target")}`,
    goto_scenario: (f) => `Continued in scenario ${f.text("scenario")}${f.has("version") ? `, version ${f.number("version")}` : ""}`,
    condition: (f) => `Checked ${f.text("expression", 80)}${withValues(f, "with")}`,
    switch: (f) => `Value ${valueText(f.text("value", 200))}${chosen(f, "matched", "matched no case")}`,
    test_call: (f) => testCall(f),
  },
  es: {
    answered: () => "Llamada contestada",
    already_answered: () => "La llamada ya estaba contestada",
    schedule: (f) => `Hora local ${f.moment("local_time")}: ${f.names.exitName(f.flag("open") ? "open" : "closed")}`,
    transfer: (f) => `Marcó ${f.text("target")}${shown(f, "se mostró", "«", "»")}: ${f.names.exitName(f.text("outcome"))}${talked(f, "habló")}`,
    sql: (f) =>
      `Consultó ${f.text("source")}: ${plural("es", f.number("rows"), ROWS.es)} ${f.number("rows") === 1 ? "encontrada" : "encontradas"}${changed(f, "modificadas")}`,
    callback_scheduled: (f) =>
      `Devolución de llamada a ${f.text("number")} programada para ${f.moment("due")} (tarea ${f.text("job_id")})` +
      (f.has("merged") && f.flag("merged") ? ": se unió a la que ya esperaba para este número" : ""),
    callback_rejected: (f) => `Devolución de llamada rechazada: ${refusal(f)}`,
    fallback: (f) => `Pasó al bloque de respaldo ${f.block("target")}`,
    goto_scenario: (f) => `Continuó en el escenario ${f.text("scenario")}${f.has("version") ? `, versión ${f.number("version")}` : ""}`,
    condition: (f) => `Evaluó ${f.text("expression", 80)}${withValues(f, "con")}`,
    switch: (f) => `Valor ${valueText(f.text("value", 200))}${chosen(f, "coincidió con", "no coincidió con ningún caso")}`,
    test_call: (f) => testCall(f),
  },
  ru: {
    answered: () => "Звонок принят",
    already_answered: () => "Звонок уже был принят",
    schedule: (f) => `Местное время ${f.moment("local_time")}: ${f.names.exitName(f.flag("open") ? "open" : "closed")}`,
    transfer: (f) => `Набран ${f.text("target")}${shown(f, "показано", "«", "»")}: ${f.names.exitName(f.text("outcome"))}${talked(f, "разговор")}`,
    sql: (f) => `Запрос к ${f.text("source")}: найдено строк: ${f.number("rows").toLocaleString("ru")}${changed(f, "изменено")}`,
    callback_scheduled: (f) =>
      `Обратный звонок на ${f.text("number")} запланирован на ${f.moment("due")} (задание ${f.text("job_id")})` +
      (f.has("merged") && f.flag("merged") ? ": присоединён к уже ожидающему звонку на этот номер" : ""),
    callback_rejected: (f) => `Обратный звонок отклонён: ${refusal(f)}`,
    fallback: (f) => `Переход в запасной блок ${f.block("target")}`,
    goto_scenario: (f) => `Продолжение в сценарии ${f.text("scenario")}${f.has("version") ? `, версия ${f.number("version")}` : ""}`,
    condition: (f) => `Проверено ${f.text("expression", 80)}${withValues(f, "при")}`,
    switch: (f) => `Значение ${valueText(f.text("value", 200))}${chosen(f, "совпало с", "не совпало ни с одним вариантом")}`,
    test_call: (f) => testCall(f),
  },
};

/** " (shown: “Иванов Иван” +74951234567)": the caller name and number a Transfer set for the person it rang. */
function shown(f: Fields, word: string, open: string, close: string): string {
  const name = f.has("caller_name") ? `${open}${f.text("caller_name", 50)}${close}` : "";
  const both = [name, f.has("caller_id") ? f.text("caller_id") : ""].filter(Boolean).join(" ");
  return both ? ` (${word}: ${both})` : "";
}

/** ", talked 1 min 5 s": how long an answered transfer talked, when the channel said. */
function talked(f: Fields, word: string): string {
  if (!f.has("talk_seconds")) return "";
  const seconds = f.number("talk_seconds");
  return seconds > 0 ? `, ${word} ${formatDuration(seconds * 1000, f.names.language)}` : "";
}

/** "; 2 rows changed": what an UPDATE or INSERT wrote. */
function changed(f: Fields, word: string): string {
  if (!f.has("rows_affected")) return "";
  const n = f.number("rows_affected");
  const language = f.names.language;
  if (language === "ru") return `; ${word} строк: ${n.toLocaleString("ru")}`;
  return `; ${plural(language, n, ROWS[language])} ${word}`;
}

function refusal(f: Fields): string {
  const table = CALLBACK_REASONS[f.names.language];
  const why = reason(table, f.text("reason", 80));
  if (f.has("number")) return `${why} (${valueText(f.text("number"))})`;
  if (f.has("wanted")) return `${why} (${f.moment("wanted")})`;
  return why;
}

function withValues(f: Fields, word: string): string {
  const read = f.pairs("read");
  return read ? ` ${word} ${read}` : "";
}

function chosen(f: Fields, matched: string, none: string): string {
  if (!f.has("case")) return "";
  const exit = f.text("case", 200);
  return exit === "default" ? `: ${none}` : `: ${matched} ${f.names.exitName(exit)}`;
}

/** A built-in skipped run is said in the interface language; a block's own summary is its own (English) text. */
function testCall(f: Fields): string {
  if (f.has("skipped") && f.flag("skipped")) return SKIPPED_IN_TEST[f.names.language];
  return f.text("summary", 200);
}

/** An event told as its kind and fields (`crm_lookup: customer = "Ann", found = true`): a plugin's, or a stray. */
export function genericEventText(event: TraceEvent): string {
  const kind = cut(typeof event.kind === "string" && event.kind ? event.kind : "?");
  const fields = Object.entries(event)
    .filter(([name]) => name !== "kind")
    .map(([name, value]) => `${cut(name)} = ${valueText(value)}`);
  return fields.length ? `${kind}: ${fields.join(", ")}` : kind;
}

/** The kind the step's error line tells (lib/failureText.ts): no line of its own. */
const TOLD_BY_ERROR = "failure";

/** An event in the interface language; null for the ones the step's keys or error line tells. */
export function eventText(event: TraceEvent, names: EventNames): string | null {
  const kind = typeof event.kind === "string" ? event.kind : "";
  if (TOLD_BY_KEYS.has(kind) || kind === TOLD_BY_ERROR) return null;
  const words = Object.hasOwn(EVENT_WORDS[names.language], kind) ? EVENT_WORDS[names.language][kind] : undefined;
  if (!words) return genericEventText(event);
  try {
    return words(new Fields(event, names));
  } catch (error) {
    if (error instanceof MissingField) return genericEventText(event);
    throw error;
  }
}

/** Why a menu's typed number was refused (`invalid` events' `reason`), or null when it gave none. */
export function entryRefusal(event: TraceEvent, language: Language): string | null {
  return typeof event.reason === "string" && event.reason ? cut(reason(ENTRY_REASONS[language], event.reason)) : null;
}

/** How many of a step's variables are shown before the rest fold under "+N more". */
export const SHOWN_VARIABLES = 3;

const MORE: Record<Language, string> = { en: "+{n} more", es: "+{n} más", ru: "ещё {n}" };

/** The fold's label for the `n` variables not shown: "+2 more", "ещё 2". */
export function moreText(language: Language, n: number): string {
  return MORE[language].replace("{n}", n.toLocaleString(language));
}

/** A step's changed variables as `name = value`, in the order the step set them. */
export function variableTexts(changed: Record<string, unknown> | null | undefined): string[] {
  return Object.entries(changed ?? {}).map(([name, value]) => `${cut(name)} = ${valueText(value)}`);
}
