import { describe, expect, it } from "vitest";
import type { Problem } from "../lib/problems";
import { ProblemCounts, ProblemItem } from "./ProblemsPanel";
import { renderInLanguage, renderToHtml } from "./renderForTest";

const counts = (html: string) => [...html.matchAll(/<span class="count [a-z]+"[^>]*>([^<]*)<\/span>/g)].map((m) => m[1]);

describe("the problem counts", () => {
  it("say one error, two warnings, in the language's plural forms", () => {
    expect(counts(renderToHtml(ProblemCounts, { errors: 1, warnings: 2 }))).toEqual(["1 error", "2 warnings"]);
    expect(counts(renderToHtml(ProblemCounts, { errors: 0, warnings: 1 }))).toEqual(["0 errors", "1 warning"]);
    expect(counts(renderInLanguage("es", ProblemCounts, { errors: 1, warnings: 3 }))).toEqual(["1 error", "3 avisos"]);
    expect(counts(renderInLanguage("es", ProblemCounts, { errors: 2, warnings: 1 }))).toEqual(["2 errores", "1 aviso"]);
  });

  it("uses Russian's three forms", () => {
    const ru = (errors: number, warnings: number) => counts(renderInLanguage("ru", ProblemCounts, { errors, warnings }));
    expect(ru(1, 1)).toEqual(["1 ошибка", "1 предупреждение"]);
    expect(ru(3, 22)).toEqual(["3 ошибки", "22 предупреждения"]);
    expect(ru(5, 11)).toEqual(["5 ошибок", "11 предупреждений"]);
    expect(ru(0, 21)).toEqual(["0 ошибок", "21 предупреждение"]);
  });

  it("keeps the error count findable by tests", () => {
    expect(renderToHtml(ProblemCounts, { errors: 4, warnings: 0 })).toContain('data-testid="error-count">4 errors<');
  });
});

describe("a problem in the list", () => {
  const noStart: Problem = { severity: "error", code: "no_start", message: "The scenario has no Start block", node: null, path: "$.nodes" };
  const unwired: Problem = {
    severity: "warning", code: "config", message: "Block \"Soporte\": destination missing", node: "transfer_2", path: "$.nodes[1].config.target",
  };
  const item = (problem: Problem) => renderToHtml(ProblemItem, { problem, onOpen: () => undefined });

  it("of the scenario as a whole is plain text: no disabled button, faded, skipped by Tab and said unavailable", () => {
    const html = item(noStart);
    expect(html).not.toContain("<button");
    expect(html).not.toContain("disabled");
    expect(html).toMatch(/<li class="problem error" data-code="no_start"><span class="problem-line">/);
    expect(html.replace(/<[^>]+>/g, "")).toBe("✖Scenario: The scenario has no Start block");
  });

  it("of a block is a button that opens it", () => {
    const html = item(unwired);
    expect(html).toMatch(/<li class="problem warning" data-code="config"><button type="button" class="link">/);
    expect(html).not.toContain("disabled");
    expect(html).not.toContain("Scenario:");
  });
});
