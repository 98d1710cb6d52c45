import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { stepExitLabel } from "./blockText";
import { cut, EVENT_WORDS, entryRefusal, eventText, genericEventText, moreText, TOLD_BY_KEYS, valueText, wallClock, type EventNames, type TraceEvent } from "./eventText";
import type { Language } from "./i18n";

/**
 * Every event kind the built-in blocks and the interpreter note in a call's trace: `ctx.note(kind, ...)` in
 * blocks/builtin/*.py, `step.events.append({"kind": ...})` in blocks/builtin/ivr.py (attempt) and
 * graph_engine/interpreter.py (fallback), and graph_engine/block.py's `test_call`. A new kind goes here and gets
 * words in lib/eventText.ts; the last test below fails when the Python sources note a kind this list lacks.
 */
const BUILTIN_EVENT_KINDS = [
  "answered",
  "already_answered",
  "attempt",
  "invalid",
  "no_input",
  "schedule",
  "transfer",
  "sql",
  "callback_scheduled",
  "callback_rejected",
  "fallback",
  "goto_scenario",
  "condition",
  "switch",
  "test_call",
];

/** Names as CallStory gives them with no catalog loaded: a built-in block's fixed exits, a block by its label. */
function names(language: Language, type: string): EventNames {
  const labels: Record<string, string> = { sorry: "Извините" };
  return { language, exitName: (exit) => stepExitLabel(language, type, exit, []), blockName: (id) => labels[id] ?? id };
}

const say = (language: Language, type: string, event: TraceEvent) => eventText(event, names(language, type));

describe("a call's events in the analyst's language", () => {
  it("tells a Schedule's local time on its own clock and whether it was open", () => {
    const event = { kind: "schedule", local_time: "2026-12-05T09:30+03:00", open: false };
    expect(say("ru", "schedule", event)).toMatch(/^Местное время сб, 5 дек\. 2026 г\., 09:30: Закрыто$/);
    expect(say("es", "schedule", { ...event, open: true })).toMatch(/^Hora local sáb, 5 dic 2026, 9:30: Abierto$/);
  });

  it("tells whom a Transfer dialed, how it went and how long they talked", () => {
    const event = { kind: "transfer", target: "SIP/101", outcome: "busy", talk_seconds: 0 };
    expect(say("ru", "transfer", event)).toBe("Набран SIP/101: Занято");
    expect(say("es", "transfer", event)).toBe("Marcó SIP/101: Ocupado");
    expect(say("ru", "transfer", { ...event, outcome: "answered", talk_seconds: 65 })).toBe("Набран SIP/101: Ответил, разговор 1 мин 5 с");
  });

  it("tells the caller name and number a Transfer showed the person it rang", () => {
    const event = { kind: "transfer", target: "SIP/101", outcome: "busy", caller_name: "Иванов Иван", caller_id: "+74951234567" };
    expect(say("ru", "transfer", event)).toBe("Набран SIP/101 (показано: «Иванов Иван» +74951234567): Занято");
    expect(say("es", "transfer", { ...event, caller_id: undefined })).toBe("Marcó SIP/101 (se mostró: «Иванов Иван»): Ocupado");
    expect(say("en", "transfer", { ...event, caller_name: undefined })).toBe("Dialed SIP/101 (shown: +74951234567): busy");
  });

  it("counts the rows an SQL block found, and the ones it changed", () => {
    expect(say("ru", "sql", { kind: "sql", source: "crm", rows: 0 })).toBe("Запрос к crm: найдено строк: 0");
    expect(say("es", "sql", { kind: "sql", source: "crm", rows: 1 })).toBe("Consultó crm: 1 fila encontrada");
    expect(say("es", "sql", { kind: "sql", source: "crm", rows: 0, rows_affected: 2 })).toBe("Consultó crm: 0 filas encontradas; 2 filas modificadas");
    expect(say("ru", "sql", { kind: "sql", source: "crm", rows: 0, rows_affected: 2 })).toBe("Запрос к crm: найдено строк: 0; изменено строк: 2");
  });

  it("tells a callback scheduled: to whom, when on its own clock, which job, and a join", () => {
    const event = { kind: "callback_scheduled", job_id: "42", due: "2026-12-07T10:00:00+01:00", number: "+34600111222" };
    expect(say("es", "callback", event)).toMatch(/^Devolución de llamada a \+34600111222 programada para lun, 7 dic 2026, 10:00 \(tarea 42\)$/);
    expect(say("ru", "callback", event)).toMatch(/^Обратный звонок на \+34600111222 запланирован на пн, 7 дек\. 2026 г\., 10:00 \(задание 42\)$/);
    expect(say("ru", "callback", { ...event, merged: true })).toMatch(/: присоединён к уже ожидающему звонку на этот номер$/);
    expect(say("es", "callback", { ...event, merged: true })).toMatch(/: se unió a la que ya esperaba para este número$/);
  });

  it("tells why a callback was refused", () => {
    expect(say("ru", "callback", { kind: "callback_rejected", reason: "invalid number", number: "abc" })).toBe(
      'Обратный звонок отклонён: это не номер телефона ("abc")',
    );
    expect(say("es", "callback", { kind: "callback_rejected", reason: "no allowed time in the next two weeks" })).toBe(
      "Devolución de llamada rechazada: no hay ninguna hora permitida en las próximas dos semanas",
    );
    expect(say("es", "callback", { kind: "callback_rejected", reason: "outside the allowed hours", wanted: "2026-12-05T23:10:00+01:00" })).toMatch(
      /^Devolución de llamada rechazada: fuera del horario permitido \(sáb, 5 dic 2026, 23:10\)$/,
    );
    expect(say("ru", "callback", { kind: "callback_rejected", reason: "a plugin's reason" })).toBe("Обратный звонок отклонён: a plugin's reason");
  });

  it("tells why the host never calls a number back (persistence.callbacks.refused_number)", () => {
    expect(say("es", "callback", { kind: "callback_rejected", reason: "emergency number", number: "112" })).toBe(
      'Devolución de llamada rechazada: es un número de emergencias, nunca se llama ("112")',
    );
    expect(say("ru", "callback", { kind: "callback_rejected", reason: "impossible number (too_short)", number: "123" })).toBe(
      'Обратный звонок отклонён: такого короткого номера нет ни у одного телефона ("123")',
    );
    expect(say("en", "callback", { kind: "callback_rejected", reason: "impossible number (unknown_country_code)", number: "+999123456" })).toBe(
      'Callback refused: no country has this code ("+999123456")',
    );
  });

  it("names the fallback block as the canvas does", () => {
    expect(say("ru", "sql", { kind: "fallback", target: "sorry" })).toBe("Переход в запасной блок Извините");
    expect(say("es", "sql", { kind: "fallback", target: "apology" })).toBe("Pasó al bloque de respaldo apology");
  });

  it("tells which scenario and version a Go To Scenario continued in", () => {
    expect(say("ru", "goto_scenario", { kind: "goto_scenario", scenario: "billing", version: 3 })).toBe("Продолжение в сценарии billing, версия 3");
    expect(say("es", "goto_scenario", { kind: "goto_scenario", scenario: "billing", version: null })).toBe("Continuó en el escenario billing");
  });

  it("tells what a Condition checked with the values it read", () => {
    const event = { kind: "condition", value: true, expression: "balance > 0", read: { balance: 12.5, name: "Ann" } };
    expect(say("ru", "condition", event)).toBe('Проверено balance > 0 при balance = 12.5, name = "Ann"');
    expect(say("es", "condition", { ...event, read: {} })).toBe("Evaluó balance > 0");
  });

  it("tells the value a Switch compared and the case it took", () => {
    expect(say("ru", "switch", { kind: "switch", value: "gold", case: "vip" })).toBe('Значение "gold": совпало с vip');
    expect(say("es", "switch", { kind: "switch", value: "tin", case: "default" })).toBe('Valor "tin": no coincidió con ningún caso');
  });

  it("tells a call answered, or answered already", () => {
    expect(say("ru", "start", { kind: "answered" })).toBe("Звонок принят");
    expect(say("es", "start", { kind: "answered" })).toBe("Llamada contestada");
    expect(say("ru", "start", { kind: "already_answered" })).toBe("Звонок уже был принят");
    expect(say("es", "start", { kind: "already_answered" })).toBe("La llamada ya estaba contestada");
  });

  it("says a block skipped in a test call in the interface language, and a block's own summary as it is", () => {
    const skipped = { kind: "test_call", summary: "skipped in a test call: this block acts outside the call", skipped: true };
    expect(say("ru", "transfer", skipped)).toBe("Пропущен в тестовом звонке: этот блок действует вне звонка");
    expect(say("es", "transfer", skipped)).toBe("Omitido en la llamada de prueba: este bloque actúa fuera de la llamada");
    expect(say("ru", "sms", { kind: "test_call", summary: "not sent in a test call: hello" })).toBe("not sent in a test call: hello");
  });

  it("leaves a menu's tries to the keys line, and says why a typed number was refused", () => {
    for (const kind of ["attempt", "invalid", "no_input"]) expect(say("ru", "ivr", { kind, number: 1, attempt: 1, keys: "9" })).toBeNull();
    expect(entryRefusal({ kind: "invalid", keys: "123456", reason: "too_long" }, "ru")).toBe("слишком длинный");
    expect(entryRefusal({ kind: "invalid", keys: "12", reason: "too_short" }, "es")).toBe("demasiado corto");
    expect(entryRefusal({ kind: "invalid", keys: "9" }, "es")).toBeNull();
  });

  it("tells an event it has no words for by its kind and fields, values cut and quoted", () => {
    const event = { kind: "crm_lookup", customer: "Ann <b>", found: true, tags: ["a", "b"], note: "x".repeat(100) };
    const line = say("ru", "crm", event);
    expect(line).toBe(`crm_lookup: customer = "Ann <b>", found = true, tags = ["a","b"], note = "${"x".repeat(39)}…"`);
    expect(say("es", "crm", { kind: "crm_lookup" })).toBe("crm_lookup");
    expect(genericEventText({ found: 1 })).toBe("?: found = 1");
  });

  it("tells a known event that lacks a field its words need generically, not with a hole", () => {
    expect(say("ru", "sql", { kind: "sql", source: "crm" })).toBe('sql: source = "crm"');
    expect(say("es", "schedule", { kind: "schedule", local_time: "2026-12-05T09:30+03:00" })).toBe('schedule: local_time = "2026-12-05T09:30+03:00"');
  });

  it("shows values as plain, cut text", () => {
    expect(valueText("line\nbreak")).toBe('"line\\nbreak"');
    expect(valueText(null)).toBe("null");
    expect(valueText({ a: 1 })).toBe('{"a":1}');
    expect(cut("😀".repeat(50))).toBe(`${"😀".repeat(39)}…`);
    expect(wallClock("not a time", "ru")).toBe("not a time");
    expect(moreText("ru", 2)).toBe("ещё 2");
    expect(moreText("es", 2)).toBe("+2 más");
  });

  it("has words in every language for every kind the built-in blocks note", () => {
    for (const language of ["en", "es", "ru"] as Language[]) {
      for (const kind of BUILTIN_EVENT_KINDS) {
        expect(TOLD_BY_KEYS.has(kind) || Object.hasOwn(EVENT_WORDS[language], kind), `${language} ${kind}`).toBe(true);
      }
    }
  });

  it("lists every event kind the built-in blocks and the interpreter note", () => {
    const root = new URL("../../../", import.meta.url);
    const sources = [
      ...readdirSync(new URL("blocks/builtin/", root))
        .filter((name) => name.endsWith(".py"))
        .map((name) => new URL(`blocks/builtin/${name}`, root)),
      new URL("graph_engine/interpreter.py", root),
      new URL("graph_engine/block.py", root),
      new URL("graph_engine/context.py", root),
    ];
    const noted = new Set<string>();
    for (const source of sources) {
      const text = readFileSync(source, "utf8");
      for (const match of text.matchAll(/(?:\.note\(\s*|events\.append\(\{\s*"kind":\s*)"([a-z_]+)"/g)) noted.add(match[1]!);
    }
    expect(noted.size).toBeGreaterThan(10);
    expect([...noted].filter((kind) => !BUILTIN_EVENT_KINDS.includes(kind))).toEqual([]);
  });
});
