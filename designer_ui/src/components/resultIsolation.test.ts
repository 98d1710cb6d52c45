import { describe, expect, it } from "vitest";
import { problemText } from "../lib/problemText";
import type { Problem } from "../lib/problems";
import { ResultText } from "./callPageParts";
import { ResultCounts } from "./ReportsPage";
import { renderToHtml } from "./renderForTest";

// Security review: a result label ending in U+202E (right-to-left override) made "Pagará‮ 15" read "Pagará51".
const reversing = "Pagará\u202e";

describe("a result's label is isolated from the text around it", () => {
  it("in a report's results: the count after it keeps its direction", () => {
    const html = renderToHtml(ResultCounts, { counts: { results: [{ result: "will_pay", calls: 15, label: reversing }] } });
    expect(html).toContain(`<bdi>${reversing}</bdi> 15</span>`);
  });

  it("in the call register, a label or a code alone", () => {
    expect(renderToHtml(ResultText, { result: "will_pay", label: reversing, codeTitle: "Code: will_pay" })).toContain(
      `<bdi>${reversing}</bdi>`,
    );
    expect(renderToHtml(ResultText, { result: "paid\u202e", label: null, codeTitle: "" })).toContain("<bdi>paid\u202e</bdi>");
  });
});

describe("a label holding such a character, refused", () => {
  const refused: Problem = {
    severity: "error",
    code: "invalid_value",
    message: "Result 1 label: 'Pagará\\u202e' does not match the form this field takes: ...",
    path: "$.results[0].label",
    params: {
      where: "result",
      row: 1,
      field: "label",
      rule: "pattern",
      value: reversing,
      hint: "What reports and call records show for it, in the scenario's language, e.g. Pagará; no invisible direction or zero-width characters.",
    },
  };

  it("says why in the analyst's language", () => {
    expect(problemText(refused, "es")).toContain("sin caracteres invisibles de dirección ni de ancho cero");
    expect(problemText(refused, "ru")).toContain("без невидимых символов направления текста и нулевой ширины");
  });
});
