import { describe, expect, it } from "vitest";
import { CallFiltersForm, panelResults } from "./CallsPanel";
import { NO_FILTERS } from "./callFilters";
import { decodeEntities, renderInLanguage, renderToHtml } from "./renderForTest";

// Review: the register's «Respuesta» offers the scenario's results by label (ResultFilter), while the editor's Calls
// tab still asked for a code typed by hand. The tab offers the results its scenario declares, as the register does.
const declared = [
  { code: "will_pay", label: "Pagará", description: "El cliente pulsó 1" },
  { code: "no_response", label: "Sin respuesta" },
];
const nothing = () => undefined;

/** The choices of the answer select: [value, text, selected]. */
const choices = (html: string) =>
  [...(/<select name="result">(.*?)<\/select>/s.exec(html)?.[1] ?? "").matchAll(/<option value="([^"]*)"( selected="")?>([^<]*)</g)].map((m) => [
    m[1],
    decodeEntities(m[3]!),
    m[2] !== undefined,
  ]);

describe("the Calls tab's answer filter", () => {
  it("offers the results the scenario declares, by label with the code, and another code last", () => {
    const html = renderInLanguage("es", CallFiltersForm, { filters: NO_FILTERS, onChange: nothing, results: panelResults(declared) });
    expect(choices(html)).toEqual([
      ["", "Cualquier respuesta", true],
      ["will_pay", "Pagará (will_pay)", false],
      ["no_response", "Sin respuesta (no_response)", false],
      ["#other", "Otro código…", false],
    ]);
    expect(html).not.toContain('<input type="search" name="result"');
  });

  it("keeps a code none declares under Another code, in a field of its own", () => {
    const html = renderInLanguage("es", CallFiltersForm, { filters: { ...NO_FILTERS, result: "operator_unavailable" }, onChange: nothing, results: panelResults(declared) });
    expect(choices(html).find(([, , selected]) => selected)?.[1]).toBe("Otro código…");
    expect(html).toContain('<label>Código de respuesta<input type="search" class="mono" name="result-code" value="operator_unavailable"/></label>');
  });

  it("offers what the draft declares as the editor holds it: each code once, none still without a code", () => {
    const draft = [...declared, { code: "", label: "Nuevo" }, { code: "will_pay", label: "Pagará otra vez" }];
    expect(panelResults(draft)).toEqual([
      { code: "will_pay", label: "Pagará" },
      { code: "no_response", label: "Sin respuesta" },
    ]);
    expect(panelResults(undefined)).toEqual([]);
  });

  it("names a result not labelled yet by its code", () => {
    const html = renderToHtml(CallFiltersForm, { filters: NO_FILTERS, onChange: nothing, results: panelResults([{ code: "result_3", label: "" }]) });
    expect(choices(html)[1]).toEqual(["result_3", "result_3", false]);
  });

  it("is the free text it was where the scenario declares no results", () => {
    const html = renderToHtml(CallFiltersForm, { filters: { ...NO_FILTERS, result: "paid" }, onChange: nothing, results: panelResults([]) });
    expect(html).toContain('<label>Answer<input type="search" name="result" value="paid"/></label>');
    expect(html).not.toContain("<select name=\"result\"");
  });
});
