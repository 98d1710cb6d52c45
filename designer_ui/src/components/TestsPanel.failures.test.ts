import { describe, expect, it } from "vitest";
import type { TestOutcome } from "../api/types";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import { TestOutcomeView } from "./TestsPanel";

/** The visible text of some markup. */
const told = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/\s+/g, " ");

/** The items of the failures' list, with their attributes. */
const items = (html: string) => [.../<ul class="test-failures"[^>]*>(.*?)<\/ul>/s.exec(html)![1]!.matchAll(/<li([^>]*)>(.*?)<\/li>/gs)].map((m) => [m[1]!, m[2]!]);

const story = ['00:00  Start "start": call answered -> next', '00:00  Say Phrase "hello": said "Hola" -> next', "00:01  Hang Up \"bye\" -> hangup"];

/** What POST /api/scenarios/{slug}/tests answers for a test expecting another path, a transfer and a farewell. */
const failed: TestOutcome = {
  name: "transfers after the greeting",
  passed: false,
  failures: [
    "path was ['start', 'hello', 'bye'], expected ['start', 'hello', 'desk']",
    "outcome was hung_up, expected transferred",
    "expect.not_visits: unknown node 'opertor' (did you mean 'operator'?)",
  ],
  failure_details: [
    {
      code: "path_mismatch",
      params: { path: ["start", "hello", "bye"], expected: ["start", "hello", "desk"] },
      text: "path was ['start', 'hello', 'bye'], expected ['start', 'hello', 'desk']",
    },
    { code: "outcome_mismatch", params: { outcome: "hung_up", expected: "transferred" }, text: "outcome was hung_up, expected transferred" },
    {
      code: "unknown_node",
      params: { field: "expect.not_visits", node: "opertor" },
      text: "expect.not_visits: unknown node 'opertor' (did you mean 'operator'?)",
    },
  ],
  story,
  steps: [
    { scenario: null, node: "start", exit: "next" },
    { scenario: null, node: "hello", exit: "next" },
    { scenario: null, node: "bye", exit: "hangup" },
  ],
  call: {
    call_id: "sim-1",
    outcome: "hung_up",
    started_at: "2026-01-05T10:00:00+00:00",
    error: null,
    variables: {},
    steps: [
      { index: 0, node: "start", type: "start", label: "", at: "2026-01-05T10:00:00+00:00", exit: "next", prompts: [], events: [] },
      {
        index: 1,
        node: "hello",
        type: "say_phrase",
        label: "Greeting",
        at: "2026-01-05T10:00:00+00:00",
        exit: "next",
        prompts: [{ text: "Hola", language: "es" }],
        events: [],
      },
      { index: 2, node: "bye", type: "hangup", label: "Bye", at: "2026-01-05T10:00:01+00:00", exit: "hangup", prompts: [], events: [] },
    ],
  },
};
const names = new Map([
  ["start", ""],
  ["hello", "Greeting"],
  ["bye", "Bye"],
  ["desk", "Sales desk"],
]);

describe("a test's failures and story in the analyst's language", () => {
  it("says each failure in Spanish, naming blocks by their labels, and a failure it has no words for in English, marked so", () => {
    const html = renderInLanguage("es", TestOutcomeView, { outcome: failed, stale: false, names });
    expect(told(html)).toContain("Por qué ha fallado");
    expect(items(html)).toEqual([
      ["", "La llamada pasó por «start» → «Greeting» → «Bye»; la prueba espera «start» → «Greeting» → «Sales desk»."],
      ["", "Cómo terminó la llamada: el escenario colgó; la prueba espera: transferida."],
      [' lang="en"', "expect.not_visits: unknown node &#x27;opertor&#x27; (did you mean &#x27;operator&#x27;?)"],
    ]);
    expect(html).not.toMatch(/<ul class="test-failures" lang="en"/);
  });

  it("says them in Russian", () => {
    const html = renderInLanguage("ru", TestOutcomeView, { outcome: failed, stale: false, names });
    expect(told(html)).toContain("Почему не пройден");
    expect(items(html).map(([, text]) => text).slice(0, 2)).toEqual([
      "Звонок прошёл «start» → «Greeting» → «Bye»; тест ожидает «start» → «Greeting» → «Sales desk».",
      "Итог звонка: сценарий завершил звонок; тест ожидает: переведён.",
    ]);
  });

  it("tells the call step by step from its trace, the engine's English story folded under it", () => {
    const html = renderInLanguage("es", TestOutcomeView, { outcome: failed, stale: false, names });
    expect(html).toMatch(/<details open="" data-testid="test-story"><summary>Qué ha pasado<\/summary>/);
    expect(html).toContain('data-testid="call-story"');
    expect(told(html)).toContain("Dijo «Hola»");
    expect(html).toMatch(/<details data-testid="engine-story"><summary>Registro del motor \(en inglés, tal como lo da la API\)<\/summary><ol class="story mono small" lang="en"><li>00:00 {2}Start/);
  });

  it("is the server's English sentences and story, said to be English, from a server that sends no details or trace", () => {
    const older: TestOutcome = { ...failed, failure_details: undefined, call: undefined };
    const html = renderInLanguage("ru", TestOutcomeView, { outcome: older, stale: false, names });
    expect(html).toMatch(/<ul class="test-failures" lang="en"[^>]*><li>path was \[&#x27;start&#x27;/);
    expect(told(html)).toContain("Почему не пройден (слова движка, по-английски)");
    expect(html).not.toContain('data-testid="call-story"');
    expect(html).toMatch(/<details open="" data-testid="test-story"><summary>Что произошло \(журнал движка, по-английски\)<\/summary><ol class="story mono small" lang="en">/);
  });

  it("folds the story of a test that passed", () => {
    const passed: TestOutcome = { ...failed, passed: true, failures: [], failure_details: [] };
    const html = renderToHtml(TestOutcomeView, { outcome: passed, stale: false, names });
    expect(html).toMatch(/<details data-testid="test-story"><summary>What happened<\/summary>/);
    expect(html).not.toContain('data-testid="test-failures"');
  });
});
