import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderToHtml } from "./renderForTest";
import { FallbackSelect, ScenarioPanel, VARIABLE_TYPES, VariableTypeSelect, type BlockChoice } from "./ScenarioPanel";

const blocks: BlockChoice[] = [{ id: "start" }, { id: "menu", label: "Main menu" }];
const noop = () => undefined;

/** The options of the fallback select, as [value, text, selected]. */
function fallbackOptions(html: string): [string, string, boolean][] {
  const select = /<select name="fallback"[^>]*>(.*?)<\/select>/s.exec(html)?.[1] ?? "";
  return [...select.matchAll(/<option value="([^"]*)"( selected="")?>(.*?)<\/option>/g)].map((m) => [m[1]!, m[3]!, Boolean(m[2])]);
}

describe("the fallback block field", () => {
  it("is part of the Scenario panel", () => {
    const html = renderToHtml(ScenarioPanel, {});
    expect(html).toContain("Fallback block");
    expect(fallbackOptions(html)).toEqual([["", "none", true]]);
  });

  it("offers none and every block by label and id", () => {
    expect(fallbackOptions(renderToHtml(FallbackSelect, { value: "", blocks, onChange: noop }))).toEqual([
      ["", "none", true],
      ["start", "start", false],
      ["menu", "Main menu (menu)", false],
    ]);
  });

  it("shows the block the document names", () => {
    const options = fallbackOptions(renderToHtml(FallbackSelect, { value: "menu", blocks, onChange: noop }));
    expect(options.filter(([, , selected]) => selected)).toEqual([["menu", "Main menu (menu)", true]]);
  });

  it("keeps a fallback to a block that is gone visible, so it can be replaced", () => {
    const options = fallbackOptions(renderToHtml(FallbackSelect, { value: "gone", blocks, onChange: noop }));
    expect(options).toContainEqual(["gone", "gone (no such block)", true]);
    expect(options.filter(([, , selected]) => selected)).toHaveLength(1);
  });
});

/** The options of the variable type select, as [value, text, selected]. */
function typeOptions(html: string): [string, string, boolean][] {
  const select = /<select name="variable-type"[^>]*>(.*?)<\/select>/s.exec(html)?.[1] ?? "";
  return [...select.matchAll(/<option value="([^"]*)"( selected="")?>(.*?)<\/option>/g)].map((m) => [m[1]!, m[3]!, Boolean(m[2])]);
}

describe("a declared variable's type", () => {
  it("offers the scenario format's types, in analysts' words, text when none is set", () => {
    // The format's own list: a type added there and not here could not be chosen (a call list's date column is
    // checked against a date variable, and the designer offered no way to declare one: QA of 2026-12-05).
    const schema = JSON.parse(readFileSync(new URL("../../../schemas/scenario.schema.json", import.meta.url), "utf8"));
    expect([...VARIABLE_TYPES]).toEqual(schema.$defs.variable.properties.type.enum);
    const options = typeOptions(renderToHtml(VariableTypeSelect, { name: "due_date", value: undefined, onChange: noop }));
    expect(options.map(([value]) => value)).toEqual([...VARIABLE_TYPES]);
    expect(options.find(([value]) => value === "date")?.[1]).toBe("date");
    expect(options.filter(([, , selected]) => selected)).toEqual([["string", "text", true]]);
  });

  it("shows the type the document names, and one it does not know without losing it", () => {
    const date = typeOptions(renderToHtml(VariableTypeSelect, { name: "due_date", value: "date", onChange: noop }));
    expect(date.filter(([, , selected]) => selected)).toEqual([["date", "date", true]]);
    const odd = typeOptions(renderToHtml(VariableTypeSelect, { name: "x", value: "money", onChange: noop }));
    expect(odd[0]).toEqual(["money", "money", true]);
  });
});
