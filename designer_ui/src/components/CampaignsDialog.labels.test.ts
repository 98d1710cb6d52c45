import { describe, expect, it } from "vitest";
import { answerShares } from "../lib/campaigns";
import { campaignOf } from "../testSupport";
import { AnswersTable } from "./CampaignsDialog";
import { renderInLanguage, renderToHtml, tableCells } from "./renderForTest";

// Review (a Spanish supervisor): «Respuestas» listed `no_response 3`, `will_pay 2` where the register, the reports and
// the downloads say «Sin respuesta», «Pagará». The campaign's detail carries its scenario's labels (`result_labels`).
const labelled = {
  ...campaignOf({ done: 5, pending: 5 }, { no_response: 3, will_pay: 2, hung_up_early: 2 }),
  result_labels: { no_response: "Sin respuesta", will_pay: "Pagará" },
};

describe("a campaign's answers in its scenario's words", () => {
  it("pairs each answer with its label, none for a code the scenario does not declare", () => {
    expect(answerShares(labelled).map((a) => [a.result, a.label])).toEqual([
      ["no_response", "Sin respuesta"],
      ["hung_up_early", undefined],
      ["will_pay", "Pagará"],
    ]);
    // A server from before the labels sends none: the codes, as before.
    expect(answerShares(campaignOf({ done: 1 }, { will_pay: 1 })).map((a) => a.label)).toEqual([undefined]);
  });

  it("shows the label, with its code after it as secondary text", () => {
    const html = renderInLanguage("es", AnswersTable, { campaign: labelled });
    expect(tableCells(html).slice(1).map((row) => row.slice(0, 2))).toEqual([
      ["Sin respuesta no_response", "3"],
      ["hung_up_early", "2"],
      ["Pagará will_pay", "2"],
    ]);
    expect(html).toContain('<td><bdi class="result-label" title="Código: will_pay">Pagará</bdi> <code class="muted result-code">will_pay</code></td>');
    // An undeclared answer is its code alone, as the register shows it.
    expect(html).toContain('<tr data-result="hung_up_early"><td><code>hung_up_early</code></td>');
  });

  it("writes a label as text, never as markup", () => {
    const html = renderToHtml(AnswersTable, { campaign: { ...labelled, result_labels: { will_pay: "<b>Pagará</b>" } } });
    expect(html).toContain("&lt;b&gt;Pagará&lt;/b&gt;");
    expect(html).not.toContain("<b>");
  });
});
