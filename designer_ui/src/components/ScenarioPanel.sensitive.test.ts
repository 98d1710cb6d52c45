import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Variable } from "../generated/scenario";
import { SCENARIO_FIELD_HELP } from "../lib/descriptions";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import { markedSensitive, VariableSensitiveBox } from "./ScenarioPanel";

const noop = () => undefined;
const schema = JSON.parse(readFileSync(new URL("../../../schemas/scenario.schema.json", import.meta.url), "utf8"));

/** The box's label text, whether it is ticked, and its help (title). */
function box(html: string): { text: string; checked: boolean; help: string | undefined } {
  const label = /<label[^>]*>(.*?)<\/label>/s.exec(html)?.[1] ?? "";
  return {
    text: label.replace(/<[^>]+>/g, "").trim(),
    checked: /<input[^>]*name="variable-sensitive"[^>]*checked=""/.test(html),
    help: /<label[^>]* title="([^"]*)"/.exec(html)?.[1],
  };
}

describe("a declared variable marked sensitive (hidden in call logs)", () => {
  it("is a box beside the variable, in the analyst's language", () => {
    const props = { name: "pin", value: true, onChange: noop };
    expect(box(renderToHtml(VariableSensitiveBox, props))).toMatchObject({ text: "Sensitive (hidden in call logs)", checked: true });
    expect(box(renderInLanguage("es", VariableSensitiveBox, props)).text).toBe("Sensible (oculta en los registros de llamadas)");
    expect(box(renderInLanguage("ru", VariableSensitiveBox, props)).text).toBe("Конфиденциальная (скрыта в журналах звонков)");
  });

  it("is unticked for a variable the document does not mark", () => {
    expect(box(renderToHtml(VariableSensitiveBox, { name: "client_name", value: undefined, onChange: noop })).checked).toBe(false);
  });

  it("explains itself with the scenario format's words, translated", () => {
    expect(SCENARIO_FIELD_HELP.variableSensitive).toBe(schema.$defs.variable.properties.sensitive.description);
    const props = { name: "pin", value: false, onChange: noop };
    expect(box(renderToHtml(VariableSensitiveBox, props)).help).toMatch(/^Hidden in call logs: a PIN/);
    expect(box(renderInLanguage("ru", VariableSensitiveBox, props)).help).toMatch(/^Скрыта в журналах звонков: ПИН-код/);
  });

  it("marks only the variable ticked, and drops the key when unticked", () => {
    const variables: Variable[] = [{ name: "pin", type: "string" }, { name: "client_name" }];
    const marked = markedSensitive(variables, 0, true);
    expect(marked).toEqual([{ name: "pin", type: "string", sensitive: true }, { name: "client_name" }]);
    expect(marked[1]).toBe(variables[1]);
    expect(markedSensitive(marked, 0, false)).toEqual(variables);
  });
});
