// Finding: the Tests tab said why a test failed in the analyst's language (from `failure_details`), but the Publish
// dialog, which runs the same tests, listed the server's English sentences. Now it says them as the Tests tab does,
// and the server's English only for a failure it has no words for, or a test the server sent no details with.
import { describe, expect, it } from "vitest";
import type { TestOutcome } from "../api/types";
import type { TestFailure } from "../lib/testFailureText";
import { PublishBlocked, PublishedTests } from "./PublishDialog";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import { canvasBlockName, failuresSaid } from "./TestFailuresSaid";

const dialed: TestFailure = {
  code: "dialed_mismatch",
  params: { dialed: ["queue:ventas"], expected: ["queue:sales"] },
  text: "dialed ['queue:ventas'], expected ['queue:sales']",
};
const outcome: TestFailure = {
  code: "outcome_mismatch",
  params: { outcome: "caller_hangup", expected: "transferred" },
  text: "outcome was caller_hangup, expected transferred",
};
// A code the designer has no words for: the server builds them from the test's JSON.
const unknownNode: TestFailure = { code: "unknown_node", params: { node: "salse" }, text: "expect.visited names 'salse', no block of the scenario" };

const failing = (name: string, details: TestFailure[], more: Partial<TestOutcome> = {}): TestOutcome => ({
  scenario: null,
  name,
  passed: false,
  failures: details.map((failure) => failure.text),
  failure_details: details,
  story: [],
  ...more,
});

const own = failing("sales", [dialed, outcome]);
const theirs = failing("through the hotline", [dialed], { scenario: "employee-callthrough" });
const stale = failing("vip line", [outcome], { scenario: "employee-callthrough", already_failing: true });
/** A server before `failure_details`: its English sentences only. */
const older: TestOutcome = { scenario: null, name: "old server", passed: false, failures: ["dialed ['queue:ventas'], expected ['queue:sales']"], story: [] };

/** The items of the list `testid` names, as text, and each item's markup. */
function items(html: string, testid: string): { text: string; html: string }[] {
  const list = new RegExp(`<ul data-testid="${testid}">(.*?)</ul>`, "s").exec(html)?.[1] ?? "";
  return [...list.matchAll(/<li[^>]*>(.*?)<\/li>/gs)].map((m) => ({ html: m[1]!, text: m[1]!.replace(/<[^>]+>/g, "").replace(/&#x27;/g, "'") }));
}

describe("the tests that block a publish", () => {
  it("say why each failed in Spanish, from the failures' details, one sentence after the other", () => {
    const html = renderInLanguage("es", PublishBlocked, { problems: [], failedTests: [own, theirs], slug: "inbound-hotline" });
    const [first, second] = items(html, "blocking-problems");
    // Not ".; " between two sentences (a wording review): a space, as after any sentence.
    expect(first!.text).toBe(
      "✘ sales: La llamada marcó «queue:ventas»; la prueba espera «queue:sales». Cómo terminó la llamada: quien llama colgó; la prueba espera: transferida.",
    );
    expect(second!.text).toContain("employee-callthrough");
    expect(second!.text).toContain("La llamada marcó «queue:ventas»; la prueba espera «queue:sales».");
    expect(html).not.toContain("expected [");
    expect(html).not.toContain('lang="en"');
  });

  it("say an already-failing test's failures in Russian too, in the warnings", () => {
    const html = renderInLanguage("ru", PublishBlocked, { problems: [], failedTests: [stale], scenario: "Горячая линия", slug: "inbound-hotline" });
    const [warning] = items(html, "warnings");
    expect(warning!.text).toContain("Итог звонка: ");
    expect(warning!.text).not.toContain("outcome was");
  });

  it("keep the server's English, marked English, for a failure with no words here and for a test sent without details", () => {
    const html = renderInLanguage("es", PublishBlocked, { problems: [], failedTests: [failing("typo", [unknownNode, dialed]), older] });
    const [typo, old] = items(html, "blocking-problems");
    expect(typo!.html).toContain(`<span lang="en">expect.visited names &#x27;salse&#x27;, no block of the scenario</span>; La llamada marcó`);
    expect(old!.html).toContain(`<span lang="en">dialed [&#x27;queue:ventas&#x27;], expected [&#x27;queue:sales&#x27;]</span>`);
  });
});

describe("the tests of a publish that went through", () => {
  it("list each failure in the interface language, one an item", () => {
    const html = renderInLanguage("ru", PublishedTests, { tests: [own], scenario: "Горячая линия", slug: "inbound-hotline" });
    expect(html).toContain("<li>Звонок набрал «queue:ventas»; тест ожидает «queue:sales».</li>");
    expect(html).not.toContain("dialed [");
  });

  it("list the English sentences, marked English, when a test came without details", () => {
    const html = renderInLanguage("es", PublishedTests, { tests: [older] });
    expect(html).toContain(`<li lang="en">dialed [&#x27;queue:ventas&#x27;], expected [&#x27;queue:sales&#x27;]</li>`);
    expect(renderToHtml(PublishedTests, { tests: [own] })).toContain("<li>The call dialled “queue:ventas”; the test expects “queue:sales”.</li>");
  });
});

describe("a failure's blocks", () => {
  const labels = new Map([
    ["menu", "Main menu"],
    ["sales", ""],
  ]);

  it("are named by their labels on the canvas when they are the published scenario's", () => {
    expect(canvasBlockName(labels, "inbound-hotline", null, "menu")).toBe("Main menu");
    expect(canvasBlockName(labels, "inbound-hotline", "inbound-hotline", "menu")).toBe("Main menu"); // as a version records it
    expect(canvasBlockName(labels, "inbound-hotline", "employee-callthrough", "inbound-hotline:menu")).toBe("Main menu");
  });

  it("keep the test's name for them otherwise: unlabelled, another scenario's, or with no canvas named", () => {
    expect(canvasBlockName(labels, "inbound-hotline", null, "sales")).toBe("sales");
    expect(canvasBlockName(labels, "inbound-hotline", "employee-callthrough", "menu")).toBe("menu"); // the callthrough's own menu
    expect(canvasBlockName(labels, "inbound-hotline", null, "billing:menu")).toBe("billing:menu");
    expect(canvasBlockName(labels, undefined, "employee-callthrough", "inbound-hotline:menu")).toBe("inbound-hotline:menu");
  });

  it("are said from the details only when there are any", () => {
    const said = failuresSaid(older, () => ({ text: "never", english: false }));
    expect(said).toEqual([{ text: older.failures[0], english: true }]);
  });
});
