import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import { TEMPLATE_HELPERS } from "../lib/variables";
import { BlockConfigForm } from "./BlockPanel";
import { decodeEntities, renderInLanguage, renderToHtml } from "./renderForTest";
import type { FormContext } from "./widgets";

const builtIn = (type: string) => (catalogJson as unknown as BlockSpec[]).find((b) => b.type === type)!;
const formContext: FormContext = { variables: ["balance", "caller_id"], nodes: [], scenarios: [], audio: [], dataSources: [], language: "en" };
const sayPhrase = { nodeId: "n1", spec: builtIn("say_phrase"), config: { text: "Your balance is " }, formContext, readOnly: false, onChange: () => undefined };

/** The Insert variable select's groups of the first template field: each group's label and its options' texts. */
function pickerGroups(html: string): { label: string; options: string[] }[] {
  const picker = /<select class="variable-picker".*?<\/select>/s.exec(html)?.[0] ?? "";
  return [...picker.matchAll(/<optgroup label="([^"]*)">(.*?)<\/optgroup>/gs)].map((group) => ({
    label: decodeEntities(group[1]!),
    options: [...group[2]!.matchAll(/<option[^>]*>(.*?)<\/option>/gs)].map((option) => decodeEntities(option[1]!)),
  }));
}

describe("Insert variable's helpers", () => {
  it("lists the variables, then each helper with its signature and what it says", () => {
    const groups = pickerGroups(renderToHtml(BlockConfigForm, sayPhrase));
    expect(groups.map((group) => group.label)).toEqual(["Variables", "Spoken forms and helpers"]);
    expect(groups[0]!.options).toEqual(["balance", "caller_id"]);
    expect(groups[1]!.options).toHaveLength(TEMPLATE_HELPERS.length);
    expect(groups[1]!.options[2]).toBe("money(amount, currency, lang) — An amount of money in words: EUR, USD, RUB, KZT");
    for (const [i, h] of TEMPLATE_HELPERS.entries()) expect(groups[1]!.options[i]).toMatch(new RegExp(`^${h.name}\\(|\\| ${h.name}\\(`));
  });

  it("are offered in the analyst's language", () => {
    const groups = pickerGroups(renderInLanguage("es", BlockConfigForm, sayPhrase));
    expect(groups[1]!.label).toBe("Formas habladas y funciones");
    expect(groups[1]!.options[0]).toMatch(/^number\(value, lang, gender='m'\) — Un número en palabras/);
  });
});
