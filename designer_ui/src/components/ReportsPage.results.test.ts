import { describe, expect, it } from "vitest";
import { ResultText } from "./callPageParts";
import { ResultCounts } from "./ReportsPage";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import { resultName, resultsText } from "./reports";

const counts = {
  results: [
    { result: "will_pay", calls: 1200, label: "Pagará" },
    { result: "no_response", calls: 30, label: null },
  ],
};

describe("a report's results in the words their scenario declares", () => {
  it("names each by its label, else by its code", () => {
    expect(resultName({ result: "will_pay", label: "Pagará" })).toBe("Pagará");
    expect(resultName({ result: "no_response", label: null })).toBe("no_response");
    expect(resultName({ result: "sale" })).toBe("sale");
    expect(resultsText(counts, "en")).toBe("Pagará 1,200 · no_response 30");
  });

  it("shows the label with the code in its tooltip, a result without one by its code alone", () => {
    const html = renderToHtml(ResultCounts, { counts });
    expect(html).toBe(
      '<span class="report-result" data-result="will_pay" title="Code: will_pay"><bdi>Pagará</bdi> 1,200</span> · ' +
        '<span class="report-result" data-result="no_response"><bdi>no_response</bdi> 30</span>',
    );
    expect(renderInLanguage("es", ResultCounts, { counts })).toContain('title="Código: will_pay"><bdi>Pagará</bdi> 1200</span>');
  });
});

describe("a call's result in the register", () => {
  it("is its label, the code in the tooltip; its code when not labelled; nothing when none", () => {
    expect(renderToHtml(ResultText, { result: "will_pay", label: "Pagará", codeTitle: "Code: will_pay" })).toBe(
      '<span class="result-label" data-result="will_pay" title="Code: will_pay"><bdi>Pagará</bdi></span>',
    );
    expect(renderToHtml(ResultText, { result: "no_response", label: null, codeTitle: "" })).toBe('<span data-result="no_response"><bdi>no_response</bdi></span>');
    expect(renderToHtml(ResultText, { result: null, label: null, codeTitle: "" })).toBe("");
  });
});
