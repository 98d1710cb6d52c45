import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import { uiSchemaFor } from "../lib/uischema";
import { BlockConfigForm } from "./BlockPanel";
import { decodeEntities, renderInLanguage, renderToHtml } from "./renderForTest";
import type { FormContext } from "./widgets";

// Review (a Spanish analyst): Hang Up's «Resultado a registrar» was a bare text box whose help's example,
// `confirmed`, is no result of the scenario; nothing offered the results it declares, so a typo made a result
// reports show by its code.
const spec = (type: string) => (catalogJson as unknown as BlockSpec[]).find((b) => b.type === type)!;
const results = [
  { code: "will_pay", label: "Pagará" },
  { code: "operator_unavailable", label: "Operador no disponible" },
];
const formContext: FormContext = { variables: ["result"], nodes: [], scenarios: [], audio: [], dataSources: [], language: "es", results };
const form = (type: string, config: Record<string, unknown>, context: FormContext = formContext) =>
  renderToHtml(BlockConfigForm, { nodeId: type, spec: spec(type), config, formContext: context, readOnly: false, onChange: () => undefined });

/** The input with id `id` and the choices of the datalist it names: [value, text]. */
function offered(html: string, id: string) {
  const input = new RegExp(`<input[^>]*id="${id}"[^>]*>`).exec(html)?.[0] ?? "";
  const list = /list="([^"]*)"/.exec(input)?.[1];
  const datalist = list ? new RegExp(`<datalist id="${list}">(.*?)</datalist>`, "s").exec(html)?.[1] ?? "" : "";
  return {
    input,
    placeholder: /placeholder="([^"]*)"/.exec(input)?.[1],
    choices: [...datalist.matchAll(/<option value="([^"]*)">([^<]*)<\/option>/g)].map((m) => [m[1], decodeEntities(m[2]!)]),
  };
}

describe("a field that records the call's result", () => {
  it("is marked by its schema as the result widget", () => {
    expect(spec("hangup").config_schema.properties?.result?.["x-ui"]).toEqual({ widget: "result" });
    expect(uiSchemaFor(spec("hangup").config_schema)).toEqual({ result: { "ui:widget": "result" } });
  });

  it("offers the results the scenario declares, each code with its label, and keeps any code typed", () => {
    const hangup = offered(form("hangup", { result: "no_response" }), "cfg-hangup_result");
    expect(hangup.input).toContain('value="no_response"'); // an undeclared code stays as written (validation warns)
    expect(hangup.choices).toEqual([
      ["will_pay", "Pagará"],
      ["operator_unavailable", "Operador no disponible"],
    ]);
    // The example is the scenario's own first result, not a code from elsewhere.
    expect(hangup.placeholder).toBe("will_pay");
    const none = offered(form("hangup", {}, { ...formContext, results: [] }), "cfg-hangup_result");
    expect([none.choices, none.placeholder]).toEqual([[], undefined]);
  });

  it("is a Set Variable's value where it assigns `result` as text, and only there", () => {
    const config = {
      assignments: [
        { variable: "result", value: "will_pay" },
        { variable: "debt", value: "120" },
        { variable: "result", value: "'x' if a else 'y'", mode: "expression" },
      ],
    };
    const html = form("set_variable", config);
    expect(offered(html, "cfg-set_variable_assignments_0_value").choices.map(([code]) => code)).toEqual(["will_pay", "operator_unavailable"]);
    expect(offered(html, "cfg-set_variable_assignments_1_value").choices).toEqual([]);
    expect(offered(html, "cfg-set_variable_assignments_2_value").choices).toEqual([]);
  });

  it("says in its help what to write, with no example code of its own", () => {
    for (const language of ["en", "es", "ru"] as const) {
      const html = renderInLanguage(language, BlockConfigForm, { nodeId: "hangup", spec: spec("hangup"), config: {}, formContext, readOnly: false, onChange: () => undefined });
      expect(/id="cfg-hangup_result__description"[^>]*>(.*?)<\/div>/s.exec(html)?.[1]).not.toMatch(/confirmed/);
    }
  });
});
