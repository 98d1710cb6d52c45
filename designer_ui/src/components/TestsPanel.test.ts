import { describe, expect, it } from "vitest";
import type { TestOutcome } from "../api/types";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";
import { TestJsonForm, TestList, TestNameForm, TestOutcomeView, TestPath, TestsPanel, TestsStatus, TestsSummary, testState } from "./TestsPanel";

/** The visible text of some markup. */
const told = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/\s+/g, " ");

/** What POST /api/scenarios/{slug}/tests answered for a test whose call went to the operator instead of sales. */
const failed: TestOutcome = {
  name: "sales in office hours",
  passed: false,
  failures: ["path was ['start', 'menu', 'operator'], expected ['start', 'menu', 'sales']"],
  story: ['00:00  Start "start": call answered -> next', '00:03  IVR "Main menu": pressed 9 -> invalid'],
  steps: [
    { scenario: null, node: "start", exit: "next" },
    { scenario: null, node: "menu", exit: "invalid" },
    { scenario: "callback-connect", node: "start", exit: "next" },
    { scenario: "callback-connect", node: "bye", exit: null },
  ],
};
const passed: TestOutcome = { name: "pays", passed: true, failures: [], story: [], steps: [{ scenario: null, node: "start", exit: "next" }] };
const names = new Map([["start", ""], ["menu", "Main menu"]]);

describe("the list of tests", () => {
  const tests = [{ name: "pays" }, { name: "sales in office hours" }, { keys: ["1"] }];
  const html = renderToHtml(TestList, { tests, outcomes: [passed, failed, null], selected: 1, onSelect: () => undefined });

  it("names each test, and says in words whether it passed, failed or has not run (not by colour alone)", () => {
    expect(buttonTexts(html)).toEqual(["✔payspassed", "✘sales in office hoursfailed", "•test 3not run"]);
    expect([...html.matchAll(/data-state="([^"]+)"/g)].map((m) => m[1])).toEqual(["passed", "failed", "not-run"]);
    expect(html).toContain('<span class="test-mark" aria-hidden="true">✔</span>');
  });

  it("is a labelled list of buttons, the one shown pressed, each with an id to take the focus back to", () => {
    expect(html).toMatch(/<ul class="tests-list" aria-label="Tests of this scenario"/);
    expect([...html.matchAll(/aria-pressed="(\w+)"/g)].map((m) => m[1])).toEqual(["false", "true", "false"]);
    expect(html).toContain('id="test-pick-1"');
  });

  it("says the states in Spanish and Russian", () => {
    const props = { tests, outcomes: [passed, failed, null], selected: null, onSelect: () => undefined };
    expect(buttonTexts(renderInLanguage("es", TestList, props))).toEqual(["✔payssuperada", "✘sales in office hoursfallida", "•test 3sin ejecutar"]);
    expect(buttonTexts(renderInLanguage("ru", TestList, props))).toEqual(["✔paysпройден", "✘sales in office hoursне пройден", "•test 3не запускался"]);
  });

  it("gives a test with no run the not-run state", () => {
    expect([testState(null), testState(passed), testState(failed)]).toEqual(["not-run", "passed", "failed"]);
  });
});

describe("a run's summary", () => {
  it("counts passed and failed tests, those changed since, and says when the scenario changed after the run", () => {
    const text = told(renderToHtml(TestsSummary, { count: { passed: 3, failed: 1, notRun: 2 }, stale: true }));
    expect(text).toContain("Passed: 3 of 6. Failed: 1. Not run since they changed: 2.");
    expect(text).toContain("The scenario has changed since this run");
    expect(told(renderInLanguage("ru", TestsSummary, { count: { passed: 4, failed: 0, notRun: 0 }, stale: false }))).toContain("Пройдено: 4 из 4. Не пройдено: 0.");
  });

  it("is in red while a test fails, in green when every test passed", () => {
    expect(renderToHtml(TestsSummary, { count: { passed: 1, failed: 1, notRun: 0 }, stale: false })).toContain('<p class="error-text">');
    expect(renderToHtml(TestsSummary, { count: { passed: 2, failed: 0, notRun: 0 }, stale: false })).toContain('<p class="success">');
  });

  it("is told to a screen reader by a live region in the page from the start", () => {
    expect(renderToHtml(TestsStatus, { said: "" })).toBe('<p class="sr-only" role="status" aria-live="polite" data-testid="tests-status"></p>');
  });

  it("is in the panel from the start, which offers a test call to save when there is no test yet", () => {
    const html = renderToHtml(TestsPanel, { slug: "debt-reminder" });
    expect(html).toContain('role="status" aria-live="polite" data-testid="tests-status"');
    expect(told(html)).toContain("No tests yet. Run a test call and save it as a test, or write one in JSON.");
    expect(buttonTexts(html)).toEqual(["Run all tests", "New test in JSON", "Open Test call"]);
    expect(html).toMatch(/<button type="button" class="primary" disabled="">Run all tests/);
  });
});

describe("a test's outcome", () => {
  it("says why it failed in the engine's words, marked English for a screen reader, and what happened", () => {
    const html = renderToHtml(TestOutcomeView, { outcome: failed, stale: false, names });
    expect(told(html)).toContain("Failed.");
    expect(html).toMatch(/<ul class="test-failures" lang="en"[^>]*><li>path was \[&#x27;start&#x27;, &#x27;menu&#x27;, &#x27;operator&#x27;\]/);
    expect(html).toMatch(/<details open="" data-testid="test-story">[\s\S]*<ol class="story mono small" lang="en"><li>00:00 {2}Start/);
  });

  it("draws its path by the blocks' names, and tells apart the blocks of a scenario a Go To Scenario continued in", () => {
    const text = told(renderToHtml(TestPath, { steps: failed.steps, names }));
    expect(text).toContain("start → Main menu");
    expect(text).toContain("then in scenario callback-connect: start → bye");
    expect(told(renderInLanguage("es", TestPath, { steps: failed.steps, names }))).toContain("después en el escenario callback-connect");
  });

  it("is said to be of the last run once the scenario changed, and is none for a test not run as it is", () => {
    expect(told(renderToHtml(TestOutcomeView, { outcome: passed, stale: true, names }))).toContain("Passed. (In the last run: the scenario has changed since.)");
    expect(told(renderToHtml(TestOutcomeView, { outcome: null, stale: false, names }))).toContain("Not run as it is now: press Run all tests.");
    expect(told(renderInLanguage("ru", TestOutcomeView, { outcome: failed, stale: false, names }))).toContain("Не пройден.");
  });
});

describe("a test's forms", () => {
  const textarea = (html: string) => /<textarea[^>]*>/.exec(html)?.[0] ?? "";
  const jsonForm = (problems: { message: "tests.nameEmpty" | "tests.unknownFieldMeant"; params?: Record<string, string> }[], language: "en" | "es" | "ru" = "en") =>
    renderInLanguage(language, TestJsonForm, { text: "{}", problems, isNew: false, onChange: () => undefined, onApply: () => undefined, onCancel: () => undefined });

  it("JSON: a labelled field whose problems are listed under it, tied to it, in the interface language", () => {
    const html = jsonForm([{ message: "tests.nameEmpty" }, { message: "tests.unknownFieldMeant", params: { field: "kyes", meant: "keys" } }]);
    expect(html).toMatch(/<label>The test in JSON<textarea name="test-json"/);
    expect(textarea(html)).toContain('aria-invalid="true"');
    expect(textarea(html)).toContain('aria-describedby="test-json-problems test-json-hint"');
    expect(html).toMatch(/<ul class="error-text form-problems" id="test-json-problems" role="alert"/);
    expect(told(html)).toContain("Give the test a name. Unknown field “kyes”: did you mean “keys”?");
    expect(told(html)).toContain("A test's fields: name, keys, timed_keys,");
    const ru = jsonForm([{ message: "tests.unknownFieldMeant", params: { field: "kyes", meant: "keys" } }], "ru");
    expect(told(ru)).toContain("Неизвестное поле «kyes»: может быть, «keys»?");
    expect(told(jsonForm([{ message: "tests.nameEmpty" }], "es"))).toContain("Dé un nombre a la prueba.");
  });

  it("JSON: without problems, the field is described by the hint only and not marked", () => {
    const html = jsonForm([]);
    expect(textarea(html)).not.toContain("aria-invalid");
    expect(textarea(html)).toContain('aria-describedby="test-json-hint"');
    expect(html).not.toContain("test-json-problems\"");
  });

  it("name: a labelled field, its problem said and tied to it", () => {
    const html = renderToHtml(TestNameForm, {
      name: "refuses",
      problem: { message: "tests.nameTaken", params: { name: "refuses" } },
      onChange: () => undefined,
      onSave: () => undefined,
      onCancel: () => undefined,
    });
    const input = /<label>Test name(<input[^>]*>)/.exec(html)?.[1] ?? "";
    expect(input).toContain('aria-invalid="true" aria-describedby="test-name-problem" name="test-name" value="refuses"');
    expect(html).toContain('id="test-name-problem" role="alert"');
    expect(told(html)).toContain("Another test is named “refuses”: choose another name.");
    expect(buttonTexts(html)).toEqual(["Save", "Cancel"]);
  });
});
