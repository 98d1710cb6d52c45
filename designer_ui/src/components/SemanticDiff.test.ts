import { describe, expect, it } from "vitest";
import type { Catalog } from "../lib/catalog";
import { translator } from "../lib/i18n";
import { DiffList, diffItems, type DiffItem } from "./SemanticDiff";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";

const catalog: Catalog = new Map();
const wording = { t: translator("en"), language: "en" as const, catalog, typeOf: () => undefined };

/** v118 against v117: a menu key added, a transfer removed, the scenario's voice changed. */
const diff = {
  empty: false,
  changes: [
    { kind: "keys_added", node: "menu", label: "Main menu", type: "ivr", keys: ["0"] },
    { kind: "block_removed", node: "old_transfer", label: "Old desk", type: "transfer" },
    { kind: "setting_changed", field: "voice" },
  ],
  summary: ['"menu" now offers key(s) 0', 'removed block "Old desk" (transfer)', "voice changed"],
};

describe("the lines of a diff", () => {
  it("each name the block its change is about, and none for a change of the scenario as a whole", () => {
    expect(diffItems(diff, wording)).toEqual([
      { text: "block “Main menu”: key 0 added", node: "menu" },
      { text: "removed block “Old desk” (transfer)", node: "old_transfer" },
      { text: "scenario setting “Voice” changed", node: null },
    ]);
  });

  it("leave out a removed key's connection, each line still naming its own change's block", () => {
    const removed = {
      changes: [
        { kind: "keys_removed", node: "pay", label: "Pay menu", type: "ivr", keys: ["9"] },
        { kind: "exit_changed", node: "pay", label: "Pay menu", type: "ivr", exit: "9", before: "debt", after: null, before_label: "Debt", after_label: null },
        { kind: "setting_changed", field: "voice" },
      ],
      summary: ["a", "b", "c"],
    };
    expect(diffItems(removed, wording)).toEqual([
      { text: "block “Pay menu”: key 9 removed", node: "pay" },
      { text: "scenario setting “Voice” changed", node: null },
    ]);
  });

  it("name no block when the server sent its English summary alone", () => {
    expect(diffItems({ summary: ['"menu" now offers key(s) 0'] }, wording)).toEqual([{ text: '"menu" now offers key(s) 0', node: null }]);
  });
});

describe("a diff shown where its blocks can be opened (the Versions panel)", () => {
  const items: DiffItem[] = [
    { text: "block “Main menu”: key 0 added", node: "menu" },
    // Removed since: not on the canvas, nothing to show there.
    { text: "removed block “Old desk” (transfer)", node: null },
    { text: "scenario setting “Voice” changed", node: null },
  ];

  it("makes a line a button only when its block is on the canvas, said how to use it", () => {
    const html = renderToHtml(DiffList, { diff, items, onOpen: () => undefined });
    expect(buttonTexts(html)).toEqual(["block “Main menu”: key 0 added"]);
    expect(html).toContain("<li>removed block “Old desk” (transfer)</li>");
    const hint = /<p id="([^"]+)"[^>]*>Choose a change to show its block on the canvas\.<\/p>/.exec(html);
    expect(hint).not.toBeNull();
    expect(html).toContain(`aria-describedby="${hint![1]}"`);
  });

  it("says how in every language", () => {
    expect(renderInLanguage("es", DiffList, { diff, items, onOpen: () => undefined })).toContain("Elija un cambio para ver su bloque en el lienzo.");
    expect(renderInLanguage("ru", DiffList, { diff, items, onOpen: () => undefined })).toContain("Выберите изменение, чтобы показать его блок на холсте.");
  });

  it("stays plain lines where nothing opens a block (the publish dialog)", () => {
    const html = renderToHtml(DiffList, { diff, items });
    expect(buttonTexts(html)).toEqual([]);
    expect(html).toContain("<li>block “Main menu”: key 0 added</li>");
    expect(html).not.toContain("Choose a change");
  });

  it("says there are no changes for two versions alike", () => {
    expect(renderToHtml(DiffList, { diff: { empty: true, changes: [], summary: [] }, items: [], onOpen: () => undefined })).toBe(
      '<p class="muted">No changes.</p>',
    );
  });
});
