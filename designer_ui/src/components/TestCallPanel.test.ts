import { describe, expect, it } from "vitest";
import type { SimulateResult } from "../api/types";
import { emptyScenario } from "../lib/convert";
import { browserTimeZone } from "../lib/timeZone";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import {
  TestCallPanel,
  TestCallResult,
  TestCallStatus,
  TestCallZone,
  TestKeysField,
  TestRunButtons,
  defaultTestZone,
  nearZones,
  testCallDocument,
  testCallRequest,
} from "./TestCallPanel";

describe("the scenario a test call sends", () => {
  const canvas = emptyScenario("Line", "en");

  it("is an editor's canvas as it stands, saved or not", () => {
    expect(testCallDocument({ readOnly: false, document: () => canvas })).toBe(canvas);
  });

  it("is nothing for a viewer: the server tests the stored draft, and refuses a viewer's own document", () => {
    expect(testCallDocument({ readOnly: true, document: () => canvas })).toBeUndefined();
  });
});

/** What POST /api/scenarios/{slug}/simulate answered for a draft whose Schedule names a time zone that is none. */
const failedTestCall: SimulateResult = {
  result: {
    started_at: "2026-03-02T10:00:00+03:00",
    ended_at: "2026-03-02T10:00:04+03:00",
    outcome: "failed",
    error: "unknown time zone 'Europe/Moskow'",
    steps: [
      { index: 0, node: "start", type: "start", label: "", at: "2026-03-02T10:00:00+03:00", exit: "next", keys: "", prompts: [], events: [{ kind: "answered" }] },
      {
        index: 1, node: "say_phrase_2", type: "say_phrase", label: "Приветствие", at: "2026-03-02T10:00:00+03:00", exit: "next", keys: "",
        prompts: [{ audio: "tts/abc", text: "Здравствуйте! Ваш долг 1234 рубля." }], events: [],
      },
      { index: 2, node: "ivr", type: "ivr", label: "Главное меню", at: "2026-03-02T10:00:03+03:00", exit: "2", keys: "2", prompts: [], events: [] },
      {
        index: 3, node: "schedule", type: "schedule", label: "Часы работы", at: "2026-03-02T10:00:04+03:00", exit: "error", keys: "",
        prompts: [], events: [], error: "unknown time zone 'Europe/Moskow'",
      },
    ],
    variables: { result: "" },
  } as SimulateResult["result"],
  story: [
    '00:00  Start "start": call answered -> next',
    '00:04  Schedule "Часы работы": FAILED: unknown time zone \'Europe/Moskow\' -> error',
    "00:04  Outcome: the call failed and was ended politely (failed)",
  ],
  callbacks: [],
};

/** The visible text of some markup, the folded engine story left out. */
const told = (html: string) => html.replace(/<details[\s\S]*?<\/details>/g, "").replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");

describe("a test call's result", () => {
  // Supervisor review: the Hang Up block's step read "→ colgó" in the test call, as if the caller had hung up.
  it("says the Hang Up block ended the call, not the caller", () => {
    const ended: SimulateResult = {
      ...failedTestCall,
      result: {
        ...failedTestCall.result,
        outcome: "hung_up",
        error: null,
        steps: [{ index: 0, node: "bye", type: "hangup", label: "Adiós", at: "2026-03-02T10:00:00+03:00", exit: "hangup", keys: "", prompts: [], events: [] }],
      } as SimulateResult["result"],
      story: [],
    };
    const text = told(renderInLanguage("es", TestCallResult, { result: ended }));
    expect(text).toContain("→ finalizó la llamada");
    expect(text).not.toContain("→ quien llama colgó");
  });

  it("is told in Russian in a Russian interface: outcome, error, what was said and pressed", () => {
    const text = told(renderInLanguage("ru", TestCallResult, { result: failedTestCall }));
    expect(text).toContain("Итог: сбой");
    expect(text).toContain("Ошибка: unknown time zone 'Europe/Moskow'");
    expect(text).toContain("Сказано: «Здравствуйте! Ваш долг 1234 рубля.»");
    expect(text).toContain("Нажато: 2");
    expect(text).not.toMatch(/Outcome|FAILED|call answered|-> next/);
  });

  it("is told in Spanish in a Spanish interface", () => {
    const text = told(renderInLanguage("es", TestCallResult, { result: failedTestCall }));
    expect(text).toContain("Pulsó 2");
    expect(text).toContain("Dijo «Здравствуйте! Ваш долг 1234 рубля.»");
    expect(text).not.toMatch(/Outcome|FAILED|call answered/);
  });

  it("keeps the engine's own story, folded, for what a step does not show", () => {
    const html = renderToHtml(TestCallResult, { result: failedTestCall });
    expect(html).toMatch(/<details data-testid="engine-story">[\s\S]*Outcome: the call failed and was ended politely/);
    expect(told(html)).toContain("Outcome: failed");
    expect(told(html)).toContain("Error: unknown time zone 'Europe/Moskow'");
    expect(told(html)).toContain("Said “Здравствуйте! Ваш долг 1234 рубля.”");
  });

  it("times each step from the start of the call and links it to its block", () => {
    const html = renderToHtml(TestCallResult, { result: failedTestCall });
    expect(html).toMatch(/data-testid="story"><ol class="story call-story"/);
    expect([...html.matchAll(/data-node="(\w+)"/g)].map((m) => m[1])).toEqual(["start", "say_phrase_2", "ivr", "schedule"]);
    expect(told(html)).toContain("00:04");
  });

  it("says its times are the simulated clock's, where every prompt lasts 2 seconds (not a real line's)", () => {
    const html = renderToHtml(TestCallResult, { result: failedTestCall });
    expect(html).toContain('data-testid="simulated-clock"');
    expect(told(html)).toContain("every prompt lasts 2 seconds");
  });
});

describe("the time zone a test call's date and time are read in", () => {
  const madrid = { zone: "Europe/Madrid", block: "Office hours", others: ["America/New_York"] };

  it("is the first Schedule block's by default, else the browser's", () => {
    expect(defaultTestZone(madrid, "UTC")).toBe("Europe/Madrid");
    expect(defaultTestZone(null, "Asia/Tokyo")).toBe("Asia/Tokyo");
    expect(nearZones(madrid, "Europe/Madrid", "UTC")).toEqual(["Europe/Madrid", "America/New_York", "UTC"]);
  });

  it("is said beside the field with its offset on that day, why it is that zone, and the others the blocks use", () => {
    const text = told(renderToHtml(TestCallZone, { zone: "Europe/Madrid", schedules: madrid, moment: "2026-07-01T17:59:00+02:00" }));
    expect(text).toContain("Read in Europe/Madrid (UTC+02:00 on that day), the time zone of the Schedule block “Office hours”.");
    expect(text).toContain("Other Schedule blocks use: America/New_York.");
    expect(text).toContain("Sent as 2026-07-01T17:59:00+02:00");
    const winter = told(renderToHtml(TestCallZone, { zone: "Europe/Madrid", schedules: madrid, moment: "2026-01-15T17:59:00+01:00" }));
    expect(winter).toContain("(UTC+01:00 on that day)");
    const chosen = told(renderToHtml(TestCallZone, { zone: "Asia/Tokyo", schedules: madrid, moment: "2026-01-15T17:59:00+09:00" }));
    expect(chosen).toContain("Read in Asia/Tokyo (UTC+09:00 on that day).");
  });

  // Review: a Schedule's zone misspelt ("Europe/Madird") was said as "the scenario has no Schedule block".
  it("says a Schedule block's time zone is not valid, rather than that there is no Schedule block", () => {
    const invalid = { block: "schedule", zone: "Europe/Madird" };
    const props = { zone: browserTimeZone(), schedules: null, invalid, moment: "2026-07-01T17:59:00Z" };
    const text = told(renderToHtml(TestCallZone, props));
    expect(text).toContain("this browser's time zone: the time zone of the Schedule block “schedule” is not valid: “Europe/Madird”.");
    expect(text).not.toContain("no Schedule block");
    expect(told(renderInLanguage("es", TestCallZone, props))).toContain("la zona horaria del bloque Horario «schedule» no es válida: «Europe/Madird».");
    expect(told(renderInLanguage("ru", TestCallZone, props))).toContain("часовой пояс блока «Расписание» «schedule» указан неверно: «Europe/Madird».");
    // Read in another Schedule's zone, or one chosen: the misspelt one said after it.
    const beside = told(renderToHtml(TestCallZone, { zone: "Europe/Madrid", schedules: madrid, invalid, moment: "2026-07-01T17:59:00+02:00" }));
    expect(beside).toContain("the time zone of the Schedule block “Office hours”. The time zone of the Schedule block “schedule” is not valid: “Europe/Madird”.");
  });

  it("is translated", () => {
    const props = { zone: "Europe/Madrid", schedules: madrid, moment: "2026-07-01T17:59:00+02:00" };
    expect(told(renderInLanguage("ru", TestCallZone, props))).toContain("Читаются в поясе Europe/Madrid (UTC+02:00 в этот день)");
    expect(told(renderInLanguage("es", TestCallZone, props))).toContain("Se leen en Europe/Madrid (UTC+02:00 ese día)");
  });
});

describe("what a test call sends", () => {
  const fields = { keys: "1 9", callerId: " +79161234567 ", callerName: "Иван Петров", transfers: "busy", moment: "2026-03-02T10:00:00+03:00" };

  it("is the declared variables and the data sources' rows beside the keys, the caller and the moment", () => {
    const values = { variables: { debt_amount: 1234.5, contact: { name: "Иван" } }, dataRows: { crm: [{ name: "Иван" }] } };
    expect(testCallRequest(undefined, fields, values)).toEqual({
      document: undefined,
      keys: ["1", "9"],
      caller_id: "+79161234567",
      caller_name: "Иван Петров",
      at: "2026-03-02T10:00:00+03:00",
      transfers: ["busy"],
      variables: { debt_amount: 1234.5, contact: { name: "Иван" } },
      data_rows: { crm: [{ name: "Иван" }] },
    });
  });

  it("has no made-up caller number: the field starts empty, a call without caller ID (it was a Spanish 600123456)", () => {
    const html = renderToHtml(TestCallPanel, { slug: "debt-reminder" });
    expect(html).toMatch(/<input name="caller_id" value=""\/>/);
    expect(html).not.toContain("600123456");
    expect(told(html)).toContain("Empty: a call without caller ID (a withheld number).");
    expect(html).toMatch(/<input name="caller_name" value=""\/>/);
  });
});

describe("the keys a test caller presses", () => {
  const keysInput = (html: string) => /<input[^>]*name="keys"[^>]*>/.exec(html)?.[0] ?? "";

  it("with a step that is none, are marked invalid and tied to the problem, said as it comes", () => {
    const html = renderToHtml(TestKeysField, { keys: "1 x", badTokens: ["x"], onChange: () => undefined });
    expect(keysInput(html)).toContain('aria-invalid="true"');
    expect(keysInput(html)).toContain('aria-describedby="test-keys-problem test-keys-hint"');
    expect(html).toMatch(/<p class="error-text" id="test-keys-problem" role="alert"[^>]*>Not a valid step: x<\/p>/);
    expect(html).toContain('id="test-keys-hint"');
    expect(told(renderInLanguage("ru", TestKeysField, { keys: "1 x", badTokens: ["x"], onChange: () => undefined }))).toContain("Неверный шаг: x");
    expect(told(renderInLanguage("es", TestKeysField, { keys: "1 x", badTokens: ["x"], onChange: () => undefined }))).toContain("Paso no válido: x");
  });

  it("when right, are described by the hint only, and not marked", () => {
    const html = renderToHtml(TestKeysField, { keys: "1 2", badTokens: [], onChange: () => undefined });
    expect(keysInput(html)).not.toContain("aria-invalid");
    expect(keysInput(html)).toContain('aria-describedby="test-keys-hint"');
    expect(html).not.toContain("test-keys-problem");
  });
});

describe("the Run button", () => {
  const run = (html: string) => /<button type="submit"[^>]*>/.exec(html)?.[0] ?? "";
  const buttons = (blocked: "keys" | "fields" | null, busy = false) => renderToHtml(TestRunButtons, { busy, blocked, onClear: () => undefined });

  it("says why it cannot be pressed, beside it and tied to it", () => {
    const keys = buttons("keys");
    expect(run(keys)).toContain('disabled=""');
    expect(run(keys)).toContain('aria-describedby="test-run-blocked"');
    expect(keys).toMatch(/id="test-run-blocked"[^>]*>To run the test call, fix the keys the caller presses.</);
    expect(buttons("fields")).toContain("To run the test call, fix the fields marked above.");
    expect(told(renderInLanguage("ru", TestRunButtons, { busy: false, blocked: "keys", onClear: () => undefined }))).toContain("Чтобы позвонить, исправьте клавиши");
  });

  it("has nothing to explain when it can be pressed (or is busy running)", () => {
    expect(run(buttons(null))).not.toContain("disabled");
    expect(run(buttons(null))).not.toContain("aria-describedby");
    expect(buttons(null, true)).not.toContain("test-run-blocked");
  });
});

describe("what a screen reader is told of a test call", () => {
  const status = (busy: boolean, outcome: string | null, language: "en" | "ru" = "en") =>
    renderInLanguage(language, TestCallStatus, { busy, outcome });

  it("is a status, in the page before any call, empty until one runs", () => {
    expect(status(false, null)).toBe('<p class="sr-only" role="status" data-testid="test-status"></p>');
  });

  it("is that it runs, then how it ended, in the interface language", () => {
    expect(told(status(true, "hung_up"))).toContain("Running the test call…");
    expect(told(status(false, "failed"))).toContain("Outcome: failed");
    expect(told(status(false, "failed", "ru"))).toContain("Итог: сбой");
  });

  it("is in the panel from the start", () => {
    expect(renderToHtml(TestCallPanel, { slug: "debt-reminder" })).toContain('role="status" data-testid="test-status"');
  });
});
