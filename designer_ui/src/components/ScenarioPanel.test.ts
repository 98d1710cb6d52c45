import { describe, expect, it } from "vitest";
import { renderToHtml } from "./renderForTest";
import { FallbackSelect, ScenarioPanel, type BlockChoice } from "./ScenarioPanel";

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
