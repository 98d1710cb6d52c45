/**
 * A validation problem in the interface language, from its stable `code` and its `params` (the values the
 * server's English message is built from; docs/scenario-format.md names them). Block names, exit names and
 * field titles appear as the rest of the designer shows them. English is the server's own message; so is any
 * problem whose code has no words here (a plugin's own codes) or whose params lack what the words need, so a
 * problem is always shown whole in one language, never a translated frame around missing pieces.
 */
import { blockTitle, exitLabel, specTitle } from "./blockText";
import type { Catalog } from "./catalog";
import { TEMPLATE_REASONS } from "./failureText";
import { countText, translator, type Language, type MessageKey } from "./i18n";
import { pluginIssueText, pluginText } from "./pluginText";
import type { Problem } from "./problems";
import { MissingParam, ParamWords, wordedOr, type Params, type Translated } from "./paramWords";
import { localTitle, rowName, unwiredMeaning } from "./schemaText";

/**
 * What a problem's blocks are named from beyond its params: the catalog (a plugin's block by the title its plugin
 * gives for the language) and each node's block type, which a plugin's own `check` problems do not name.
 */
export interface ProblemBlocks {
  catalog: Catalog;
  typeOf?: (node: string) => string | undefined;
}

/** The pieces of a validation problem, said in one language. */
class Words extends ParamWords {
  constructor(
    language: Translated,
    params: Params,
    private readonly blocks?: ProblemBlocks,
  ) {
    super(language, params);
  }

  number(name: string): number {
    return this.value(name);
  }

  /**
   * A block heading a problem (`Menú IVR «Main menu»: ...`): its title and own name when the title is a noun,
   * else `Блок «Приветствие» («Произнести фразу»)`: a title that is a verb ("Say phrase", "Go to block") would
   * read as an order, `Перейти к блоку «Переход»`.
   */
  block(prefix = "", suffix = ""): string {
    const type = this.text(`${prefix}block_type${suffix}`);
    if (!NOUN_TITLES[this.language].has(type)) return this.subject(prefix, suffix);
    return `${this.typeTitle(prefix, suffix)} «${this.text(`${prefix}label${suffix}`)}»`;
  }

  /** A block as a sentence's subject, `Блок «Приветствие» («Произнести фразу»)`, `El bloque «Saludo» (Decir frase)`. */
  subject(prefix = "", suffix = ""): string {
    return `${BLOCK[this.language]} ${this.named(prefix, suffix)}`;
  }

  /** A block inside a sentence, `блок «Поиск» («SQL-запрос»)`, `el bloque «Busca» (Consulta SQL)`. */
  object(prefix = "", suffix = ""): string {
    return `${BLOCK[this.language].toLowerCase()} ${this.named(prefix, suffix)}`;
  }

  /** A block's own name and its type's title: `«Приветствие» («Произнести фразу»)`, `«Saludo» (Decir frase)`. */
  named(prefix = "", suffix = ""): string {
    const title = this.typeTitle(prefix, suffix);
    return `«${this.text(`${prefix}label${suffix}`)}» (${this.language === "ru" ? `«${title}»` : title})`;
  }

  private typeTitle(prefix: string, suffix: string): string {
    const type = this.text(`${prefix}block_type${suffix}`);
    const spec = this.blocks?.catalog.get(type);
    return spec ? specTitle(this.language, type, spec) : blockTitle(this.language, type, this.text(`${prefix}block_title${suffix}`));
  }

  /** An exit by its label: an IVR key as "tecla 3 (Sales)", a built-in exit as the canvas names it. */
  exit(prefix = ""): string {
    const type = this.text(`${prefix}block_type`);
    const exit = this.text("exit");
    const label = this.has("exit_label") ? this.text("exit_label") : exit;
    const key = type === "ivr" ? /^key (\S+)(?: \((.*)\))?$/.exec(label) : null;
    if (key && key[1] === exit) return `${KEY[this.language]} ${exit}${key[2] ? ` (${key[2]})` : ""}`;
    return exitLabel(this.language, type, exit, label, this.blocks?.catalog.get(type));
  }

  /** An exit as a sentence's subject: an IVR key as `клавиша 3 (Sales)`, another exit as `выход «Занято»`. */
  exitPhrase(): string {
    const exit = this.exit();
    return exit.startsWith(`${KEY[this.language]} `) ? exit : `${EXIT[this.language]} «${exit}»`;
  }

  /**
   * A config field by its titles, each as the form shows it: `«Попыток»`, `«Клавиши», клавиша 2, «Клавиша»`,
   * `«Часы работы», интервал 1, «Дни»` (a row named as the form titles it, else `строка 2`); empty for the
   * settings as a whole (a required field missing at the top).
   */
  field(): string {
    const steps = this.text("field")
      .split(" > ")
      .filter((step) => step !== "settings");
    return steps
      .map((step, i) => {
        const row = /^row (\d+)$/.exec(step);
        if (!row) return `«${this.fieldWord(step)}»`;
        const name = i > 0 ? rowName(steps[i - 1]!, this.language) : null;
        return `${name ? name.toLowerCase() : ROW[this.language]} ${row[1]}`;
      })
      .join(", ");
  }

  /** The English title of the field itself, the last one `field` names (`Days`); empty when there is none. */
  lastTitle(): string {
    if (!this.has("field")) return "";
    return this.text("field").split(" > ").at(-1) ?? "";
  }

  /** A field's title named inside a sentence (`missing`, `field` of a capture), as the form shows it. */
  title(name: string): string {
    return this.fieldWord(this.text(name));
  }

  /**
   * A field's English title as the form shows it: a built-in's in the designer's words, a plugin's field (one of
   * its block's titled so) in the words its plugin gives for the language.
   */
  private fieldWord(title: string): string {
    const type = this.params.block_type;
    const spec = typeof type === "string" ? this.blocks?.catalog.get(type) : undefined;
    const field = Object.entries(spec?.config_schema.properties ?? {}).find(([, schema]) => schema.title === title)?.[0];
    return (field !== undefined ? pluginText(spec, this.language, `fields.${field}.title`) : undefined) ?? localTitle(title, this.language);
  }
}

const KEY: Record<Translated, string> = { es: "tecla", ru: "клавиша" };
const ROW: Record<Translated, string> = { es: "fila", ru: "строка" };
const BLOCK: Record<Translated, string> = { es: "El bloque", ru: "Блок" };
const EXIT: Record<Translated, string> = { es: "la salida", ru: "выход" };

/**
 * A template's syntax error: its `reason` (a Liquid form: `written`, `suggestion`) in the words a call's trace says
 * it with (failureText's TEMPLATE_REASONS), else the engine's English `detail`, as before.
 */
function templateDetail(w: Words): string {
  const reason = w.has("reason") ? w.text("reason") : "";
  const words = Object.hasOwn(TEMPLATE_REASONS[w.language], reason) ? TEMPLATE_REASONS[w.language][reason] : undefined;
  if (words) {
    try {
      return words(w);
    } catch (error) {
      if (!(error instanceof MissingParam)) throw error;
    }
  }
  return w.text("detail");
}

/** The built-in blocks whose title is a noun in that language, so `Title «name»` can head a sentence. */
const NOUN_TITLES: Record<Translated, ReadonlySet<string>> = {
  es: new Set(["start", "message", "ivr", "sql", "schedule", "condition"]),
  ru: new Set(["start", "message", "ivr", "sql", "transfer", "callback", "schedule", "condition", "switch"]),
};

type Template = (w: Words) => string;

/**
 * The rule a value breaks (`rule_params` on the server), without naming the field, said so it reads after
 * `field — `; null: no words for it.
 */
const RULES: Record<Translated, Record<string, Template>> = {
  es: {
    required: (w) => `rellene «${w.title("missing")}»`,
    minItems: (w) => (w.number("limit") === 1 ? atLeastOne(w, "hace falta al menos un valor") : `hacen falta al menos ${w.text("limit")} valores`),
    maxItems: (w) => `como máximo ${w.text("limit")} valores`,
    minLength: (w) => (w.number("limit") === 1 ? "no puede estar vacío" : `hacen falta al menos ${w.text("limit")} caracteres`),
    maxLength: (w) => `como máximo ${w.text("limit")} caracteres (tiene ${w.text("length")})`,
    minimum: (w) => `como mínimo ${w.text("limit")} (ahora: ${w.text("value")})`,
    maximum: (w) => `como máximo ${w.text("limit")} (ahora: ${w.text("value")})`,
    enum: (w) => `${w.quoted("value")} no es ninguna de las opciones: ${w.text("options")}`,
    pattern: (w) => {
      const said = advice(w);
      return said ? `${w.quoted("value")} no tiene la forma esperada. ${said}` : `${w.quoted("value")} no tiene la forma que admite este campo`;
    },
    name_pattern: (w) => {
      const said = advice(w);
      return said
        ? `el nombre ${w.quoted("value")} no tiene la forma esperada. ${said}`
        : `el nombre ${w.quoted("value")} no tiene la forma que admiten los nombres aquí`;
    },
    choose: (w) => `elija ${choices(w).join(" o ")}`,
    not_both: (w) => `${choices(w).join(" o ")}, no ambos`,
    not_object: () => "un escenario debe ser un objeto JSON",
    max_depth: (w) => `anidado a más de ${w.text("limit")} niveles`,
    // The server checks one format: a holiday's date (blocks/timewindows.py holiday_problems).
    format: (w) => `${w.quoted("value")} no es una fecha: escríbala como año-mes-día (AAAA-MM-DD), p. ej. 2026-12-25`,
  },
  ru: {
    required: (w) => `нужно заполнить «${w.title("missing")}»`,
    minItems: (w) => (w.number("limit") === 1 ? atLeastOne(w, "нужно хотя бы одно значение") : `нужно не меньше ${w.text("limit")} ${values(w)}`),
    maxItems: (w) => `не больше ${w.text("limit")} ${values(w)}`,
    minLength: (w) => (w.number("limit") === 1 ? "не может быть пустым" : `нужно не меньше ${w.text("limit")} ${characters(w)}`),
    maxLength: (w) => `не больше ${w.text("limit")} ${characters(w)} (сейчас ${w.text("length")})`,
    minimum: (w) => `не меньше ${w.text("limit")} (сейчас ${w.text("value")})`,
    maximum: (w) => `не больше ${w.text("limit")} (сейчас ${w.text("value")})`,
    enum: (w) => `${w.quoted("value")} нет среди вариантов: ${w.text("options")}`,
    pattern: (w) => `${w.quoted("value")} не подходит по форме${withAdvice(w, " для этого поля")}`,
    name_pattern: (w) => `имя ${w.quoted("value")} не подходит по форме${withAdvice(w, " для имён здесь")}`,
    choose: (w) => `выберите ${choices(w).join(" или ")}`,
    not_both: (w) => `либо ${choices(w).join(", либо ")}, но не оба`,
    not_object: () => "сценарий должен быть JSON-объектом",
    max_depth: (w) => `вложенность больше ${w.text("limit")} уровней`,
    format: (w) => `${w.quoted("value")} — не дата: пишите год-месяц-день (ГГГГ-ММ-ДД), например 2026-12-25`,
  },
};

/** "не меньше 2 значений", "не больше 21 значения": the genitive a Russian count takes. */
function values(w: Words): string {
  return new Intl.PluralRules("ru").select(w.number("limit")) === "one" ? "значения" : "значений";
}

function characters(w: Words): string {
  return new Intl.PluralRules("ru").select(w.number("limit")) === "one" ? "символа" : "символов";
}

/** ". advice" after a Russian pattern rule, else `otherwise`. */
function withAdvice(w: Words, otherwise: string): string {
  const said = advice(w);
  return said ? `. ${said}` : otherwise;
}

/**
 * The form's own words inside a sentence, after `field — `: `выберите хотя бы один день` for the form's
 * "Выберите хотя бы один день.".
 */
function formWords(w: Words, key: MessageKey): string {
  const text = translator(w.language)(key).replace(/\.$/, "");
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** "Choose at least one day" for the hours' days, as the form asks for them (formErrors.ts); else `otherwise`. */
function atLeastOne(w: Words, otherwise: string): string {
  return w.lastTitle() === "Days" ? formWords(w, "form.error.chooseDay") : otherwise;
}

/**
 * The advice on a value's form, said as its own sentence after the rule: for the server's `hint` (the English
 * description of the field's schema) the designer's words for the format's and the built-in blocks' fields, any
 * other hint (a plugin's) as the server wrote it rather than dropped; without a hint, the form's words for a
 * built-in field it knows by its title (`FIELD_HINTS`); else null.
 */
function advice(w: Words): string | null {
  if (w.has("hint")) {
    const english = w.text("hint");
    return Object.hasOwn(HINTS, english) ? translator(w.language)(HINTS[english]!) : english;
  }
  const key = FIELD_HINTS[w.text("block_type")]?.[w.lastTitle()];
  return key ? translator(w.language)(key) : null;
}

/**
 * Built-in pattern fields whose schema has no description (so the server sends no `hint`), by block type, then
 * the field's English title, each with the form's words for its kind of value (formErrors.ts says the same).
 */
const FIELD_HINTS: Record<string, Record<string, MessageKey>> = {
  schedule: { From: "form.pattern.time", To: "form.pattern.time" },
  callback: { From: "form.pattern.time", To: "form.pattern.time" },
};

/**
 * The descriptions of the pattern fields of schemas/scenario.schema.json and the built-in blocks' config
 * schemas (the server's `hint`), each as the form's words for that kind of value; a test keeps the two in step.
 */
export const HINTS: Record<string, MessageKey> = {
  "Letters, digits and _ (at most 64), not starting with a digit: customer_name, not customer name.": "form.pattern.variable",
  "A variable name: letters, digits and _, not starting with a digit.": "form.pattern.variable",
  "What the flow writes into `result`: letters, digits and _ (at most 64, what the call register keeps), e.g. will_pay.": "form.pattern.resultCode",
  "What reports and call records show for it, in the scenario's language, e.g. Pagará; no invisible direction or zero-width characters.":
    "form.pattern.resultText",
  "Notes on the result for whoever edits the scenario; no invisible direction or zero-width characters.": "form.pattern.resultText",
  "A result column as the database names it (Сумма, amount), at most 256 characters.": "form.pattern.column",
  "A recorded audio asset (or an Asterisk sound such as vm-press).": "form.pattern.audio",
  "IANA name, e.g. Europe/Madrid, Europe/Moscow, Asia/Almaty.": "form.pattern.timezone",
  "24-hour HH:MM, e.g. 09:00 or 18:30; midnight is 00:00.": "form.pattern.time",
  "Empty: the message always plays to the end.": "form.pattern.keys",
  "Leave empty to use the scenario's language.": "form.pattern.language",
  "Default language of prompts and speech (BCP 47, e.g. es, es-ES, ru, kk).": "form.pattern.language",
  "Block type (registry key).": "form.pattern.blockType",
};

function choices(w: Words): string[] {
  return w.text("choices").split("|").map((title) => `«${localTitle(title, w.language)}»`);
}

function rule(w: Words): string {
  const words = RULES[w.language][w.text("rule")];
  if (!words) throw new MissingParam("rule"); // a rule with no words here (jsonschema's own text): the server's
  return words(w);
}

/** The field a person types that `invalid_value` names, by the document's key. */
const TYPED: Record<Translated, Record<string, Record<string, string>>> = {
  es: {
    node: { label: "Etiqueta", notes: "Notas" },
    variable: { name: "nombre", type: "tipo" },
    result: { code: "código", label: "etiqueta", description: "descripción" },
    scenario: { name: "nombre", description: "descripción", language: "idioma" },
  },
  ru: {
    node: { label: "Подпись", notes: "Заметки" },
    variable: { name: "имя", type: "тип" },
    result: { code: "код", label: "название", description: "описание" },
    scenario: { name: "название", description: "описание", language: "язык" },
  },
};

function typedField(w: Words, where: string): string {
  const name = TYPED[w.language][where]?.[w.text("field")];
  if (!name) throw new MissingParam("field");
  return name;
}

function typedPlace(w: Words): string {
  const where = w.text("where");
  switch (where) {
    case "node":
      return `${w.block()}: ${typedField(w, where)}`;
    case "variable":
      return `${w.language === "es" ? "Variable" : "Переменная"} ${w.text("row")}, ${typedField(w, where)}`;
    case "result":
      return `${w.language === "es" ? "Resultado" : "Результат"} ${w.text("row")}, ${typedField(w, where)}`;
    case "scenario":
      return `${w.language === "es" ? "Escenario" : "Сценарий"}, ${typedField(w, where)}`;
    default:
      return w.text("path");
  }
}

/**
 * A variable's name not in the form names take: `Переменная 1 — имя «имя клиента» недопустимо: только латинские
 * буквы…`, the rule being the form's words for a variable name without their `Имя переменной: ` heading; null
 * for any other typed value, or a hint the designer has no words for.
 */
function badVariableName(w: Words): string | null {
  if (w.text("where") !== "variable" || w.text("field") !== "name" || w.text("rule") !== "pattern") return null;
  const hint = w.has("hint") ? w.text("hint") : "";
  if (!Object.hasOwn(HINTS, hint) || HINTS[hint] !== "form.pattern.variable") return null;
  const allowed = formWords(w, "form.pattern.variable").replace(/^[^:]*:\s*/, "");
  return w.language === "es"
    ? `Variable ${w.text("row")} — el nombre ${w.quoted("value")} no es válido: ${allowed}.`
    : `Переменная ${w.text("row")} — имя ${w.quoted("value")} недопустимо: ${allowed}.`;
}

/** A config problem: `Block «name»: «Field» — rule`, or `Block «name»: rule` for the settings as a whole. */
function config(w: Words): string {
  const field = w.field();
  return field ? `${w.block()}: ${field} — ${rule(w)}` : `${w.block()}: ${rule(w)}`;
}

function loopNames(w: Words): string {
  const names: string[] = [];
  for (let n = 1; n <= w.number("count"); n += 1) names.push(w.named("", `_${n}`));
  return names.join(", ");
}

/**
 * Each code's words; every code of docs/scenario-format.md has them in both languages (a test checks). A block
 * heads a sentence as `Words.block()` and is its subject only as `Words.subject()` ("Блок «…»"), so verbs and
 * adjectives agree with "блок"/"bloque", whatever the block type's title.
 */
export const TEMPLATES: Record<Translated, Record<string, Template>> = {
  es: {
    structure: (w) => `${w.text("path")}: ${rule(w)}`,
    invalid_value: (w) => badVariableName(w) ?? `${typedPlace(w)} — ${rule(w)}`,
    duplicate_node_id: (w) => `Dos bloques comparten el id ${w.quoted("node_id")}`,
    duplicate_variable: (w) => `La variable ${w.quoted("variable")} está declarada dos veces`,
    duplicate_result: (w) => `El resultado ${w.quoted("result")} está declarado dos veces`,
    studio_placeholder: (w) =>
      `${w.subject()} ocupa el lugar ${w.has("widget") ? `del widget ${w.text("widget")} de Twilio Studio, que` : "de un widget de Twilio Studio que"} no se convirtió: sustitúyalo por un bloque que haga su trabajo (sus notas guardan los ajustes del widget)`,
    undeclared_result: (w) =>
      `${w.subject()} guarda el resultado ${w.quoted("result")}, que el escenario no declara: los informes muestran su código en lugar de una etiqueta`,
    no_start: () => "El escenario no tiene bloque Inicio: las llamadas no tendrían adónde ir",
    multiple_starts: (w) => `${w.block()}: un escenario tiene exactamente un bloque Inicio`,
    unknown_type: (w) =>
      w.has("plugin")
        ? `El bloque ${w.quoted("label")} es de tipo ${w.quoted("block_type")}, cuyo complemento ${w.quoted("plugin")} está instalado pero roto: ${w.text("detail")}`
        : `El bloque ${w.quoted("label")} es de tipo ${w.quoted("block_type")}, que no está instalado`,
    block_version: (w) =>
      w.has("detail")
        ? `${w.block()}: el bloque (versión ${w.text("node_version")}) no se puede actualizar a la versión ${w.text("block_version")}: ${w.text("detail")}`
        : `${w.block()}: el bloque se hizo con una versión más nueva (${w.text("node_version")}) que la de este servidor (${w.text("block_version")})`,
    config,
    template_syntax: (w) =>
      `${w.block()}: ${w.text("kind") === "expression" ? "la expresión" : "la plantilla"} tiene un error: ${templateDetail(w)}`,
    dangling_edge: (w) => `Una conexión lleva a un bloque que no existe (${w.quoted("node_id")})`,
    unknown_exit: (w) => `${w.block()}: no tiene la salida «${w.exit()}»`,
    edge_from_terminal: (w) => `${w.block()}: este bloque no tiene salidas`,
    duplicate_exit_edge: (w) => `${w.block()}: la salida «${w.exit()}» está conectada dos veces`,
    goto_missing_target: (w) => `${w.subject()} salta al bloque ${w.quoted("node_id")}, que no existe`,
    goto_unknown_scenario: (w) =>
      w.has("state") && w.text("state") === "unpublished"
        ? `${w.subject()} lleva al escenario ${w.quoted("scenario")}, que aún no está publicado: las llamadas no pueden ir allí hasta que lo esté`
        : `${w.subject()} lleva al escenario ${w.quoted("scenario")}, que no existe`,
    fallback_missing: (w) => `El bloque de respaldo ${w.quoted("node_id")} no existe`,
    loop_without_input: (w) =>
      `Estos bloques forman un bucle en el que nada espera al llamante, así que la llamada daría vueltas sin fin: ${loopNames(w)}`,
    unreachable: (w) =>
      `${w.subject()} nunca se alcanza${blocksAfter(w)}: ${cutOffLoop(w) ? "ninguna conexión lleva al bucle del que forma parte" : "ninguna conexión lleva a él"}`,
    unwired_exit: (w) => `${w.block()}: ${w.exitPhrase()} no lleva a ninguna parte — ${meaning(w)}${endOnPurpose(w)}`,
    undefined_variable: (w) =>
      w.has("setter_label")
        ? `${w.subject()} usa la variable ${w.quoted("variable")}, que no tiene valor cuando ${w.object("setter_")} sale por su salida «${w.exit("setter_")}»`
        : `${w.subject()} usa la variable ${w.quoted("variable")}, que puede no tener valor todavía cuando la llamada llega aquí`,
    unknown_variable: (w) =>
      `${w.block()}: ${w.has("field") ? `en ${w.field()} se usa` : "se usa"} la variable ${w.quoted("variable")}, que ningún bloque asigna y el escenario no declara, así que el bloque fallará en cada llamada salvo que el plan de marcación la pase${w.has("suggestion") ? `. ¿Quiso decir ${w.quoted("suggestion")}?` : ""}`,
    duplicate_key: (w) => `${w.block()}: la tecla ${w.text("key")} aparece dos veces`,
    no_keys: (w) => `${w.block()}: el menú no ofrece ninguna tecla`,
    capture_without_variable: (w) => `${w.block()}: el número marcado no se guarda en ninguna parte (rellene «${w.title("field")}»)`,
    bad_length: (w) => `${w.block()}: el mínimo de cifras (${w.text("min_length")}) es mayor que el máximo (${w.text("max_length")})`,
    unknown_timezone: (w) => `${w.block()}: zona horaria desconocida ${w.quoted("timezone")}`,
    no_hours: (w) =>
      `${w.block()}: no tiene horario, ${w.text("field") === "window" ? "se rechazaría cada rellamada" : "cada llamada se daría por fuera de horario"}. Añada un periodo, p. ej. de lunes a viernes 09:00-18:00`,
    bad_case_name: (w) => `${w.block()}: la salida de caso ${w.quoted("exit")} está repetida o es un nombre reservado`,
    sql_multiple_statements: (w) => `${w.block()}: solo se admite una sentencia`,
    sql_template_braces: (w) =>
      `${w.block()}: los valores van en una consulta como :nombre; ${w.text("written")} llega a la base de datos tal cual${w.has("fix") ? `: escriba ${w.text("fix")}` : ""}`,
    transfer_bad_target: (w) =>
      `${w.block()}: ${w.quoted("target")} no es un destino al que se pueda llamar (un número o extensión, queue:NOMBRE o un canal como PJSIP/101)`,
    transfer_bad_caller_id: (w) => `${w.block()}: el número mostrado ${w.quoted("caller_id")} no es un número de teléfono (el nombre va en «Nombre mostrado»)`,
    audio_missing: (w) =>
      `${w.block()}: la grabación ${w.quoted("recording")} no está en esta instalación (no figura entre sus grabaciones subidas); súbala y vuelva a elegirla, o importe el escenario con sus grabaciones`,
    sql_unknown_source: (w) =>
      `${w.block()}: el origen de datos ${w.quoted("source")} no está configurado; hasta que lo esté, el bloque sale por su salida «Error»`,
    sql_writes_read_only: (w) => `${w.block()}: el origen de datos ${w.quoted("source")} es de solo lectura, y esta consulta hace algo más que leer`,
    sql_unknown_statement: (w) =>
      `${w.block()}: la consulta al origen de datos ${w.quoted("source")} empieza por ${w.quoted("word")}, que no es una sentencia SQL${w.has("suggestion") ? `: ¿quiso decir ${w.text("suggestion")}?` : ""}`,
    check_failed: (w) => `${w.block()}: no se pudieron comprobar sus ajustes (${w.text("detail")})`,
    block_not_ready: (w) => `${w.block()}: no puede funcionar en este servidor (${w.text("detail")})`,
    studio_flow: (w) =>
      `es una exportación de un flujo de Twilio Studio: conviértala con «ivrgraph import-studio ${w.text("file")} -o flow.json» (o con «Importar archivo» en el diseñador)`,
    sensitive_in_prompt: (w) =>
      `${w.block()}: la frase dice ${w.quoted("variable")}, una variable sensible, y el motor de voz ${w.quoted("engine")} es un servicio en línea: el texto, con ese valor, se le envía`,
    personal_data_to_online_tts: (w) =>
      `${w.block()}: la frase lee datos de la llamada (${w.text("variables")}), y el motor de voz ${w.quoted("engine")} es un servicio en línea: el texto, con esos valores, se le envía`,
    sensitive_to_callback: (w) =>
      `${w.block()}: la rellamada lleva ${w.quoted("variable")}, una variable sensible: la rellamada programada guarda su valor en la base de datos hasta que se marca, y la llamada que hace empieza con él`,
    date_spoken_raw: (w) =>
      `${w.block()}: en ${w.field()}, la fecha ${w.quoted("variable")} se dice tal como está guardada (2026-12-15 se lee como números): escriba ${w.text("fix")} para que se diga como una fecha`,
    single_brace_variable: (w) =>
      `${w.block()}: en ${w.field()}, ${w.text("written")} va entre llaves simples y se queda tal cual, con las llaves: escriba ${w.text("fix")} para usar el valor de ${w.quoted("variable")}`,
  },
  ru: {
    structure: (w) => `${w.text("path")}: ${rule(w)}`,
    invalid_value: (w) => badVariableName(w) ?? `${typedPlace(w)} — ${rule(w)}`,
    duplicate_node_id: (w) => `У двух блоков один и тот же id ${w.quoted("node_id")}`,
    duplicate_variable: (w) => `Переменная ${w.quoted("variable")} объявлена дважды`,
    duplicate_result: (w) => `Результат ${w.quoted("result")} объявлен дважды`,
    studio_placeholder: (w) =>
      `${w.subject()} — заглушка вместо виджета ${w.has("widget") ? `${w.text("widget")} ` : ""}из Twilio Studio, который не удалось преобразовать: замените его блоком, который делает ту же работу (настройки виджета сохранены в заметках блока)`,
    undeclared_result: (w) =>
      `${w.subject()} записывает результат ${w.quoted("result")}, которого нет среди результатов сценария: отчёты покажут его код вместо названия`,
    no_start: () => "В сценарии нет блока «Начало»: звонкам некуда идти",
    multiple_starts: (w) => `${w.block()}: в сценарии должен быть ровно один блок «Начало»`,
    unknown_type: (w) =>
      w.has("plugin")
        ? `Блок ${w.quoted("label")} имеет тип ${w.quoted("block_type")}, его плагин ${w.quoted("plugin")} установлен, но не работает: ${w.text("detail")}`
        : `Блок ${w.quoted("label")} имеет тип ${w.quoted("block_type")}, который не установлен`,
    block_version: (w) =>
      w.has("detail")
        ? `${w.block()}: блок версии ${w.text("node_version")} не удаётся обновить до версии ${w.text("block_version")}: ${w.text("detail")}`
        : `${w.block()}: блок создан в более новой версии (${w.text("node_version")}), чем есть на этом сервере (${w.text("block_version")})`,
    config,
    template_syntax: (w) => `${w.block()}: ошибка в ${w.text("kind") === "expression" ? "выражении" : "шаблоне"}: ${templateDetail(w)}`,
    dangling_edge: (w) => `Связь ведёт к блоку, которого нет (${w.quoted("node_id")})`,
    unknown_exit: (w) => `${w.block()}: нет выхода «${w.exit()}»`,
    edge_from_terminal: (w) => `${w.block()}: у этого блока нет выходов`,
    duplicate_exit_edge: (w) => `${w.block()}: выход «${w.exit()}» подключён дважды`,
    goto_missing_target: (w) => `${w.subject()} ведёт к блоку ${w.quoted("node_id")}, которого нет`,
    goto_unknown_scenario: (w) =>
      w.has("state") && w.text("state") === "unpublished"
        ? `${w.subject()} ведёт в сценарий ${w.quoted("scenario")}, который ещё не опубликован: звонки не смогут туда попасть, пока его не опубликуют`
        : `${w.subject()} ведёт в сценарий ${w.quoted("scenario")}, которого нет`,
    fallback_missing: (w) => `Резервного блока ${w.quoted("node_id")} нет`,
    loop_without_input: (w) =>
      `Эти блоки образуют цикл, в котором ничто не ждёт звонящего, и звонок будет крутиться без конца: ${loopNames(w)}`,
    unreachable: (w) =>
      `${w.subject()} недостижим${blocksAfter(w)}: ${cutOffLoop(w) ? "ни одна связь не ведёт в цикл, в который он входит" : "к нему не ведёт ни одна связь"}`,
    unwired_exit: (w) => `${w.block()}: ${w.exitPhrase()} никуда не ведёт — ${meaning(w)}${endOnPurpose(w)}`,
    undefined_variable: (w) =>
      w.has("setter_label")
        ? `${w.subject()} использует переменную ${w.quoted("variable")}, которая не задана, когда ${w.object("setter_")} уходит через выход «${w.exit("setter_")}»`
        : `${w.subject()} использует переменную ${w.quoted("variable")}, которая может быть ещё не задана, когда звонок доходит сюда`,
    unknown_variable: (w) =>
      `${w.block()}: ${w.has("field") ? `в поле ${w.field()} используется` : "используется"} переменная ${w.quoted("variable")}, которую не задаёт ни один блок и которой нет среди переменных сценария, поэтому блок будет давать сбой на каждом звонке, если её не передаёт диалплан${w.has("suggestion") ? `. Возможно, имелась в виду ${w.quoted("suggestion")}?` : ""}`,
    duplicate_key: (w) => `${w.block()}: клавиша ${w.text("key")} указана дважды`,
    no_keys: (w) => `${w.block()}: в меню нет ни одной клавиши`,
    capture_without_variable: (w) => `${w.block()}: набранный номер никуда не сохраняется (заполните «${w.title("field")}»)`,
    bad_length: (w) => `${w.block()}: минимум цифр (${w.text("min_length")}) больше максимума (${w.text("max_length")})`,
    unknown_timezone: (w) => `${w.block()}: неизвестный часовой пояс ${w.quoted("timezone")}`,
    no_hours: (w) =>
      `${w.block()}: не задано время работы, ${w.text("field") === "window" ? "каждый обратный звонок будет отклонён" : "каждый звонок попадёт в «Закрыто»"}. Добавьте период, например пн–пт 09:00–18:00`,
    bad_case_name: (w) => `${w.block()}: выход варианта ${w.quoted("exit")} повторяется или это зарезервированное имя`,
    sql_multiple_statements: (w) => `${w.block()}: допускается только один оператор SQL`,
    sql_template_braces: (w) =>
      `${w.block()}: значения подставляются в запрос как :имя; ${w.text("written")} попадает в базу данных как написано${w.has("fix") ? `: напишите ${w.text("fix")}` : ""}`,
    transfer_bad_target: (w) =>
      `${w.block()}: ${w.quoted("target")} — не адрес, по которому можно позвонить (номер или внутренний номер, queue:ИМЯ или канал вида PJSIP/101)`,
    transfer_bad_caller_id: (w) => `${w.block()}: показываемый номер ${w.quoted("caller_id")} — не телефонный номер (имя указывается в поле «Показываемое имя»)`,
    audio_missing: (w) =>
      `${w.block()}: записи ${w.quoted("recording")} нет в этой установке (её нет среди загруженных записей); загрузите её и выберите снова или импортируйте сценарий вместе с записями`,
    sql_unknown_source: (w) =>
      `${w.block()}: источник данных ${w.quoted("source")} не настроен; пока его нет, блок уходит на выход «Ошибка»`,
    sql_writes_read_only: (w) => `${w.block()}: источник данных ${w.quoted("source")} только для чтения, а этот запрос не только читает`,
    sql_unknown_statement: (w) =>
      `${w.block()}: запрос к источнику данных ${w.quoted("source")} начинается со слова ${w.quoted("word")}, а это не оператор SQL${w.has("suggestion") ? `. Возможно, имелся в виду ${w.text("suggestion")}?` : ""}`,
    check_failed: (w) => `${w.block()}: не удалось проверить настройки (${w.text("detail")})`,
    block_not_ready: (w) => `${w.block()}: не может работать на этом сервере (${w.text("detail")})`,
    studio_flow: (w) =>
      `это экспорт потока Twilio Studio: преобразуйте его командой «ivrgraph import-studio ${w.text("file")} -o flow.json» (или кнопкой «Импорт из файла» в дизайнере)`,
    sensitive_in_prompt: (w) =>
      `${w.block()}: фраза произносит ${w.quoted("variable")} — конфиденциальную переменную, а движок речи ${w.quoted("engine")} — онлайн-сервис: текст вместе с этим значением отправляется ему`,
    personal_data_to_online_tts: (w) =>
      `${w.block()}: фраза читает данные звонка (${w.text("variables")}), а движок речи ${w.quoted("engine")} — онлайн-сервис: текст вместе с этими значениями отправляется ему`,
    sensitive_to_callback: (w) =>
      `${w.block()}: обратный звонок переносит ${w.quoted("variable")} — конфиденциальную переменную: задание обратного звонка хранит её значение в базе данных, пока номер не набран, и звонок начинается с ним`,
    date_spoken_raw: (w) =>
      `${w.block()}: в поле ${w.field()} дата ${w.quoted("variable")} произносится так, как хранится (2026-12-15 читается как числа): напишите ${w.text("fix")}, чтобы она прозвучала как дата`,
    single_brace_variable: (w) =>
      `${w.block()}: в поле ${w.field()}, ${w.text("written")} стоит в одинарных фигурных скобках и остаётся как написано, вместе со скобками: напишите ${w.text("fix")}, чтобы подставить значение ${w.quoted("variable")}`,
  },
};

/**
 * The blocks after an unreachable head that no call reaches either, said after the head's "never reached":
 * `, ni los 37 bloques que le siguen`, `, как и 37 блоков после него`; nothing when there are none, or from a server
 * that sent no `count` (it named every unreachable block on its own).
 */
function blocksAfter(w: Words): string {
  const count = w.has("count") ? w.number("count") : 0;
  if (count === 0) return "";
  if (w.language === "es") return count === 1 ? ", ni el bloque que le sigue" : `, ni los ${countText("es", "block", count)} que le siguen`;
  return count === 1 ? ", как и блок после него" : `, как и ${countText("ru", "block", count)} после него`;
}

/** Whether an unreachable head is only led to from its own loop (`reason`: `loop`), not by no connection at all. */
function cutOffLoop(w: Words): boolean {
  return w.has("reason") && w.text("reason") === "loop";
}

/**
 * After an unwired `next` (the way on once a block has done its part: a goodbye Message), how to mark the end as
 * meant, as the server says it: a Hang Up block, named as the palette names it. Nothing after any other exit.
 */
function endOnPurpose(w: Words): string {
  if (w.text("exit") !== "next") return "";
  const hangUp = blockTitle(w.language, "hangup", "Hang Up");
  return w.language === "es"
    ? `; para terminar la llamada aquí a propósito, conecte la salida a un bloque «${hangUp}»`
    : `; чтобы завершить звонок здесь намеренно, подключите выход к блоку «${hangUp}»`;
}

/** What an unwired exit does: the designer's words for a built-in block; none for a plugin's (server text). */
function meaning(w: Words): string {
  const words = unwiredMeaning(w.language, w.text("block_type"), w.text("exit"));
  if (words === null) throw new MissingParam("meaning");
  return words;
}

/**
 * A config field's titles in English as the form shows them: a built-in list's rows by their name (`Opening hours >
 * Period 1 > From`, the form's "Period 1"), where the server counts rows (`row 1`).
 */
function englishField(field: string): string {
  const steps = field.split(" > ");
  return steps
    .map((step, i) => {
      const row = /^row (\d+)$/.exec(step);
      const name = row && i > 0 ? rowName(steps[i - 1]!, "en") : null;
      return name ? `${name} ${row![1]}` : step;
    })
    .join(" > ");
}

/**
 * The server's English message for a config problem, with the rows named as the form names them and, for a
 * value not in its form that the server has no hint for (a time of day), how to write it: the words the Spanish
 * and Russian take from `FIELD_HINTS`. Anything else as the server said it.
 */
function englishText(problem: Problem): string {
  const params = problem.params;
  if (!params || problem.code !== "config" || typeof params.field !== "string") return problem.message;
  const field = params.field;
  let message = problem.message.replace(`${field}: `, `${englishField(field)}: `);
  if (params.rule === "pattern" && params.hint === undefined) {
    const key = FIELD_HINTS[String(params.block_type)]?.[field.split(" > ").at(-1) ?? ""];
    if (key) message = `${message}. ${translator("en")(key)}`;
  }
  return message;
}

/**
 * `problem` in `language`: the server's message in English, for an unknown code, or when params fall short. A
 * plugin's own code is said in the words its plugin gives (`issues.<code>`), found through `blocks`.
 */
export function problemText(problem: Problem, language: Language, blocks?: ProblemBlocks): string {
  if (language === "en") return englishText(problem);
  const template = Object.hasOwn(TEMPLATES[language], problem.code) ? TEMPLATES[language][problem.code] : undefined;
  if (!template && blocks) {
    const type = problem.params?.block_type ?? (problem.node ? blocks.typeOf?.(problem.node) : undefined);
    const own = type === undefined ? undefined : pluginIssueText(blocks.catalog.get(String(type)), language, problem.code, problem.params);
    if (own !== undefined) return own;
  }
  if (!problem.params) return problem.message;
  return wordedOr(new Words(language, problem.params, blocks), template, problem.message);
}

/** An unwired exit's pieces, for a row that lists several exits of one block (ProblemsPanel.tsx). */
export interface UnwiredExitParts {
  block: string;
  /** The exit as a list names it: `Busy`, `key 3`, `«Ocupado»`, `«клавиша 3 (Sales)»`. */
  exit: string;
  meaning: string;
}

/**
 * An `unwired_exit` problem in the pieces its own message is said with in `language` (English: the server's);
 * null when the params fall short, as `problemText` then shows the server's message whole.
 */
export function unwiredExitParts(problem: Problem, language: Language, blocks?: ProblemBlocks): UnwiredExitParts | null {
  const params = problem.params;
  if (problem.code !== "unwired_exit" || !params) return null;
  if (language === "en") {
    const { block_title: title, label, exit_label: exit, meaning } = params;
    if (title === undefined || label === undefined || exit === undefined || meaning === undefined) return null;
    return { block: `${title} "${label}"`, exit: String(exit), meaning: String(meaning) };
  }
  const w = new Words(language, params, blocks);
  try {
    // Keys quoted too: after "las salidas"/"выходы" a bare "клавиша 3" would not read as one of the list.
    return { block: w.block(), exit: `«${w.exit()}»`, meaning: meaning(w) };
  } catch (error) {
    if (error instanceof MissingParam) return null;
    throw error;
  }
}
