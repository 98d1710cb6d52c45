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

/** The Insert variable select's groups of the first template field: each group's label, its options' texts and titles. */
function pickerGroups(html: string): { label: string; options: string[]; titles: (string | undefined)[] }[] {
  const picker = /<select[^>]*class="variable-picker".*?<\/select>/s.exec(html)?.[0] ?? "";
  return [...picker.matchAll(/<optgroup label="([^"]*)">(.*?)<\/optgroup>/gs)].map((group) => {
    const options = [...group[2]!.matchAll(/<option([^>]*)>(.*?)<\/option>/gs)];
    return {
      label: decodeEntities(group[1]!),
      options: options.map((option) => decodeEntities(option[2]!)),
      titles: options.map((option) => {
        const title = / title="([^"]*)"/.exec(option[1]!)?.[1];
        return title === undefined ? undefined : decodeEntities(title);
      }),
    };
  });
}

describe("Insert variable's helpers", () => {
  // The option says the signature only: "signature — description" stretched the picker past its panel.
  it("lists the variables, then each helper by its signature, what it says as the option's title", () => {
    const groups = pickerGroups(renderToHtml(BlockConfigForm, sayPhrase));
    expect(groups.map((group) => group.label)).toEqual(["Variables", "Spoken forms and helpers"]);
    expect(groups[0]!.options).toEqual(["balance", "caller_id"]);
    expect(groups[1]!.options).toEqual(TEMPLATE_HELPERS.map((h) => h.signature));
    expect(groups[1]!.titles[2]).toBe("An amount of money in words: EUR, USD, RUB, KZT");
    for (const [i, h] of TEMPLATE_HELPERS.entries()) expect(groups[1]!.options[i]).toMatch(new RegExp(`^${h.name}\\(|\\| ${h.name}\\(`));
  });

  it("are offered in the analyst's language", () => {
    const groups = pickerGroups(renderInLanguage("es", BlockConfigForm, sayPhrase));
    expect(groups[1]!.label).toBe("Formas habladas y funciones");
    expect(groups[1]!.options[0]).toBe("number(value, lang, gender='m')");
    expect(groups[1]!.titles[0]).toMatch(/^Un número en palabras/);
  });

  it("are inserted by an Insert button beside the picker, nothing being chosen at first", () => {
    const html = renderToHtml(BlockConfigForm, sayPhrase);
    const row = /<select[^>]*class="variable-picker".*?<\/select>\s*<button[^>]*>(.*?)<\/button>/s.exec(html);
    expect(row?.[1]).toBe("Insert");
    expect(row?.[0]).toMatch(/<button[^>]*disabled/);
    expect(renderInLanguage("ru", BlockConfigForm, sayPhrase)).toMatch(/class="variable-picker".*?<button[^>]*>Вставить<\/button>/s);
  });
});
