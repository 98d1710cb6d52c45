import { describe, expect, it } from "vitest";
import { NO_REGISTER_FILTERS } from "./callRegister";
import { RegisterForm, type RegisterFormProps } from "./CallsPage";
import { decodeEntities, renderInLanguage, renderToHtml } from "./renderForTest";
import { isOtherResult, offeredResults, ResultFilter } from "./ResultFilter";
import { loadScenarioChoices } from "./useCallPageData";

// Review (a Spanish supervisor): the register's «Respuesta» was a free text matched exactly against the code, while
// the list shows labels: typing «Pagará» found nothing. It offers the declared results now, in the list's words.
const cobros = {
  slug: "cobros",
  name: "Cobros",
  results: [
    { code: "will_pay", label: "Pagará" },
    { code: "operator_unavailable", label: "Operador no disponible" },
  ],
};
const citas = { slug: "citas", name: "Citas", results: [{ code: "will_pay", label: "Acude" }, { code: "cancelled", label: "Anula" }] };
const bare = { slug: "missed-call", name: "Missed call" };

/** The choices of the answer select: [value, text, selected]. */
const choices = (html: string) =>
  [...(/<select name="result">(.*?)<\/select>/s.exec(html)?.[1] ?? "").matchAll(/<option value="([^"]*)"( selected="")?>([^<]*)</g)].map((m) => [
    m[1],
    decodeEntities(m[3]!),
    m[2] !== undefined,
  ]);

describe("the register's answer filter", () => {
  it("offers the chosen scenario's results, in its order, by label with the code", () => {
    expect(offeredResults([cobros, citas, bare], "cobros")).toEqual([
      { code: "will_pay", label: "Pagará" },
      { code: "operator_unavailable", label: "Operador no disponible" },
    ]);
    expect(offeredResults([cobros, citas, bare], "missed-call")).toEqual([]);
    expect(offeredResults([cobros, citas, bare], "gone")).toEqual([]);
  });

  it("offers every scenario's results, each code once, with each label it has, when all scenarios are searched", () => {
    expect(offeredResults([cobros, citas, bare], "")).toEqual([
      { code: "will_pay", label: "Pagará / Acude" },
      { code: "operator_unavailable", label: "Operador no disponible" },
      { code: "cancelled", label: "Anula" },
    ]);
  });

  it("is a select of them, any answer first, another code last", () => {
    const html = renderInLanguage("es", ResultFilter, { value: "", results: offeredResults([cobros], "cobros"), onChange: () => undefined });
    expect(html).toMatch(/^<label>Respuesta<select name="result">/);
    expect(choices(html)).toEqual([
      ["", "Cualquier respuesta", true],
      ["will_pay", "Pagará (will_pay)", false],
      ["operator_unavailable", "Operador no disponible (operator_unavailable)", false],
      ["#other", "Otro código…", false],
    ]);
    expect(html).not.toContain("<input");
    const chosen = renderToHtml(ResultFilter, { value: "will_pay", results: offeredResults([cobros], "cobros"), onChange: () => undefined });
    expect(choices(chosen).find(([, , selected]) => selected)?.[0]).toBe("will_pay");
  });

  it("keeps a code none declares (one the address names) in a field of its own, under Another code", () => {
    expect(isOtherResult("no_response", offeredResults([cobros], "cobros"))).toBe(true);
    expect(isOtherResult("will_pay", offeredResults([cobros], "cobros"))).toBe(false);
    expect(isOtherResult("", offeredResults([cobros], "cobros"))).toBe(false);
    const html = renderInLanguage("es", ResultFilter, { value: "no_response", results: offeredResults([cobros], "cobros"), onChange: () => undefined });
    expect(choices(html).find(([, , selected]) => selected)?.[1]).toBe("Otro código…");
    expect(html).toContain('<label>Código de respuesta<input type="search" class="mono" name="result-code" value="no_response"/></label>');
  });

  it("is the free text it was where no scenario declares results", () => {
    const html = renderToHtml(ResultFilter, { value: "paid", results: [], onChange: () => undefined });
    expect(html).toBe('<label>Answer<input type="search" name="result" value="paid"/></label>');
  });

  it("is the register's, offering what the scenario chosen declares", () => {
    const props: RegisterFormProps = {
      filters: { ...NO_REGISTER_FILTERS, scenario: "cobros" },
      scenarios: [cobros, citas],
      zone: "Europe/Madrid",
      onChange: () => undefined,
      onSubmit: () => undefined,
    };
    expect(choices(renderToHtml(RegisterForm, props)).map(([code]) => code)).toEqual(["", "will_pay", "operator_unavailable", "#other"]);
    // A collections supervisor's review read «Оплатит / Pagará (will_pay)»: that is every scenario's choice; with one
    // chosen, its own label alone.
    expect(choices(renderToHtml(RegisterForm, props))[1]).toEqual(["will_pay", "Pagará (will_pay)", false]);
    expect(choices(renderToHtml(RegisterForm, { ...props, filters: NO_REGISTER_FILTERS }))[1]).toEqual(["will_pay", "Pagará / Acude (will_pay)", false]);
    expect(choices(renderInLanguage("ru", RegisterForm, props))[0]).toEqual(["", "Любой ответ", true]);
  });

  it("takes the results from the scenarios' names", async () => {
    const source = { scenarioNames: async () => [{ ...cobros, latest_version: 3 }, { ...bare, latest_version: null, results: [] }] };
    expect(await loadScenarioChoices(source)).toEqual([cobros, bare]);
  });
});
