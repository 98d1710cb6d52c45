// Finding (wording review): failures said on one line in the Spanish and Russian Publish dialog and Versions list
// were joined with "; " after sentences that end with their stop: "«queue:sales».; Resultado…". A sentence is now
// followed by a space; the server's English clauses, which have no stop, still by "; ".
import { describe, expect, it } from "vitest";
import type { TestOutcome } from "../api/types";
import { translator, type Language } from "../lib/i18n";
import { testFailureText, type FailureSaid, type TestFailure } from "../lib/testFailureText";
import { PublishBlocked } from "./PublishDialog";
import { renderInLanguage } from "./renderForTest";
import { failureSeparator, FailuresInline } from "./TestFailuresSaid";
import { ShippedFailing } from "./VersionsPanel";

const dialed: TestFailure = { code: "dialed_mismatch", params: { dialed: ["queue:ventas"], expected: ["queue:sales"] }, text: "dialed ['queue:ventas'], expected ['queue:sales']" };
const outcome: TestFailure = { code: "outcome_mismatch", params: { outcome: "caller_hangup", expected: "transferred" }, text: "outcome was caller_hangup, expected transferred" };
const visited: TestFailure = { code: "visited_forbidden", params: { node: "support" }, text: "visited 'support', which it should not" };
const unknownNode: TestFailure = { code: "unknown_node", params: { node: "salse" }, text: "expect.visited names 'salse', no block of the scenario" };

const names = { block: (name: string) => (name === "support" ? "Support" : name), type: (type: string) => type };
const said = (language: Language, ...failures: TestFailure[]): FailureSaid[] =>
  failures.map((failure) => testFailureText(failure, language, translator(language), names));
const inline = (language: Language, failures: FailureSaid[]) => renderInLanguage(language, FailuresInline, { said: failures }).replace(/<[^>]+>/g, "");
/** A stop, maybe in a closing quote, then a semicolon: what read doubled. */
const DOUBLED = /[.!?…]["'»”’)]*;/u;

describe("failures on one line", () => {
  it("in Spanish and Russian, a sentence is followed by a space, never by '; ' after its stop", () => {
    for (const language of ["es", "ru"] as const) {
      const line = inline(language, said(language, visited, dialed, outcome));
      expect(line).not.toMatch(DOUBLED);
      expect(line.split(". ")).toHaveLength(3); // three sentences, one after the other
    }
    expect(inline("es", said("es", visited, dialed))).toBe(
      "La llamada pasó por «Support», y la prueba dice que no debe. La llamada marcó «queue:ventas»; la prueba espera «queue:sales».",
    );
    expect(inline("ru", said("ru", visited, outcome))).toMatch(/^Звонок прошёл через «Support», а по тесту не должен\. Итог звонка: /);
  });

  it("keeps '; ' after the server's English, a clause with no stop", () => {
    const line = renderInLanguage("es", FailuresInline, { said: said("es", unknownNode, dialed) });
    expect(line).toBe(`<span lang="en">expect.visited names &#x27;salse&#x27;, no block of the scenario</span>; La llamada marcó «queue:ventas»; la prueba espera «queue:sales».`);
  });

  it("are separated by what the one before ends with", () => {
    expect(failureSeparator("la prueba espera «queue:sales».")).toBe(" ");
    expect(failureSeparator("¿Qué pasó?")).toBe(" ");
    expect(failureSeparator("(due_not_after.)")).toBe(" ");
    expect(failureSeparator("outcome was failed, expected transferred")).toBe("; ");
    expect(failureSeparator("It said: «Hola»")).toBe("; ");
  });

  it("read so in the Publish dialog's refusal and in a version published despite them", () => {
    const test: TestOutcome = { scenario: null, name: "sales", passed: false, failures: [dialed.text, outcome.text], failure_details: [dialed, outcome], story: [] };
    for (const language of ["es", "ru"] as const) {
      const refused = renderInLanguage(language, PublishBlocked, { problems: [], failedTests: [test], slug: "hotline" }).replace(/<[^>]+>/g, "");
      expect(refused).not.toMatch(DOUBLED);
      const summary = { despite_failing_tests: [{ scenario: "hotline", test: "sales", failures: test.failures, failure_details: [dialed, outcome] }] };
      const version = renderInLanguage(language, ShippedFailing, { summary, slug: "hotline" }).replace(/<[^>]+>/g, "");
      expect(version).not.toMatch(DOUBLED);
    }
  });
});
