import { describe, expect, it } from "vitest";
import type { SimulateRequest, SimulateResult } from "../api/types";
import { translator } from "../lib/i18n";
import { offeredExpectations } from "../lib/scenarioTests";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";
import { SaveAsTest, SaveAsTestForm, expectationText, suggestedName } from "./SaveAsTest";

const told = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&quot;/g, "\"").replace(/\s+/g, " ");

/** A test call that pressed 2 at the menu and was put through to sales, which set `result`. */
const result: SimulateResult = {
  result: {
    outcome: "transferred",
    steps: [
      { node: "start", exit: "next" },
      { node: "menu", exit: "2", keys: "2" },
      { node: "sales", exit: "answered", events: [{ kind: "transfer", target: "queue:sales", outcome: "answered" }] },
    ],
    variables: { result: "sold" },
  },
  story: [],
  callbacks: [],
};
const request: SimulateRequest = { keys: ["2"], caller_id: "", caller_name: "", at: "2026-11-23T10:00:00+01:00", transfers: [], variables: {}, data_rows: {} };
const names = new Map([["start", ""], ["menu", "Main menu"], ["sales", "Sales"]]);
const offered = offeredExpectations(result);

const form = (unticked: Set<"path" | "outcome" | "result" | "transfers" | "callbacks">, language: "en" | "es" | "ru" = "en") =>
  renderInLanguage(language, SaveAsTestForm, {
    name: "pressing 2: transferred",
    problem: null,
    offered,
    unticked,
    names,
    onName: () => undefined,
    onToggle: () => undefined,
    onSave: () => undefined,
    onCancel: () => undefined,
  });

describe("saving a test call as a test", () => {
  it("offers a box per thing the call did, every one ticked, said with the blocks' names and the outcome in words", () => {
    const html = form(new Set());
    expect([...html.matchAll(/<input type="checkbox" name="([\w-]+)" checked=""/g)].map((m) => m[1])).toEqual([
      "expect-path",
      "expect-outcome",
      "expect-result",
      "expect-transfers",
    ]);
    expect(told(html)).toContain("The path: start → Main menu → Sales");
    expect(told(html)).toContain("The outcome: transferred");
    expect(told(html)).toContain('The variable result: "sold"');
    expect(told(html)).toContain("The numbers dialled: queue:sales");
    expect(html).toMatch(/<fieldset class="test-expectations"><legend>What the test checks<\/legend>/);
  });

  it("is a form named by its heading, its name field labelled", () => {
    const html = form(new Set());
    expect(html).toMatch(/<form class="test-form save-as-test" data-testid="save-as-test-form" aria-labelledby="save-as-test-title"><h3 id="save-as-test-title">Save as test<\/h3>/);
    expect(html).toMatch(/<label>Test name<input/);
    expect(buttonTexts(html)).toEqual(["Save test", "Cancel"]);
  });

  it("cannot be saved with nothing ticked, and says why beside the button", () => {
    const html = form(new Set(["path", "outcome", "result", "transfers"]));
    expect(html).toMatch(/<button type="submit" class="primary" disabled="" aria-describedby="save-test-nothing">Save test/);
    expect(told(html)).toContain("a test that checks nothing always passes");
    expect(form(new Set(["path"]))).not.toContain("save-test-nothing");
  });

  it("is in Spanish and Russian", () => {
    expect(told(form(new Set(), "es"))).toContain("El recorrido: start → Main menu → Sales");
    expect(told(form(new Set(), "ru"))).toContain("Что проверяет тест");
    expect(expectationText(translator("ru"), offered[1]!, names)).toBe("Итог: переведён");
  });

  it("names the test by the keys pressed and how the call ended, in the interface language", () => {
    expect(suggestedName(translator("en"), request, result)).toBe("pressing 2: transferred");
    expect(suggestedName(translator("es"), { ...request, keys: [] }, result)).toMatch(/^sin teclas: /);
  });

  it("is offered under a test call's result", () => {
    expect(buttonTexts(renderToHtml(SaveAsTest, { request, result }))).toEqual(["Save as test"]);
  });
});

describe("saving a recorded call in which the caller hung up as a test", () => {
  // Accessibility review: the line named the test's field (hangup_in) to an analyst, and in Russian said «звонящий»
  // where the rest of the designer says «абонент» for the one who hung up.
  it("says where the caller hung up without a field's name, and in Russian with «абонент» as elsewhere", () => {
    for (const language of ["en", "es", "ru"] as const) {
      const t = translator(language);
      for (const key of ["callTest.hangup", "callTest.hangupNotReproduced"] as const) {
        expect(t(key, { block: "Menu" })).not.toContain("hangup_in");
      }
    }
    const ru = translator("ru");
    expect(ru("callTest.hangup", { block: "Меню" })).toBe("Абонент положил трубку в «Меню»: в тесте абонент тоже кладёт трубку там, после своих клавиш.");
    expect(ru("callTest.hangupNotReproduced", { block: "Меню" })).toMatch(/^Абонент положил трубку в «Меню», когда/);
  });
});
