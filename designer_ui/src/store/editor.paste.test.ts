/**
 * Pasted copies land over no block: the copies of one copy move together, keeping their shape and the edges
 * between them, to the free space nearest where the paste puts them (40 px down and right of the originals), so
 * pasting again and again cascades into free space rather than piling copies on the originals or on each other.
 * A scenario opened with its positions, as saved: no layout has placed anything.
 */
import { beforeEach, describe, expect, it } from "vitest";
import catalogJson from "../lib/fixtures/catalog.json";
import type { BlockSpec } from "../lib/catalog";
import { useEditor } from "./editor";
import { at, drawn, editor, hotline, overlapping } from "./hotlineForTest";

/** React Flow reports the sizes it drew the blocks at: the ones not measured yet (as it does for new blocks). */
const measure = () =>
  editor().onNodesChange(
    editor()
      .nodes.filter((n) => n.measured?.height === undefined)
      .map((n) => ({ type: "dimensions" as const, id: n.id, dimensions: { width: 220, height: drawn(n) } })),
  );
const node = (id: string) => editor().nodes.find((n) => n.id === id)!;
const ids = () => editor().nodes.map((n) => n.id);
const selected = () => editor().nodes.filter((n) => n.selected).map((n) => n.id);

/** Copy the blocks named, as a click and shift-clicks then Ctrl+C do. */
function copy(...names: string[]): void {
  useEditor.setState({ nodes: editor().nodes.map((n) => ({ ...n, selected: names.includes(n.id) })) });
  editor().copy();
}

/** Paste, and let React Flow draw the copies; the ids of the blocks the paste added. */
function paste(): string[] {
  const before = new Set(ids());
  editor().paste();
  measure();
  return ids().filter((id) => !before.has(id));
}

beforeEach(() => {
  editor().setCatalog(catalogJson as unknown as BlockSpec[]);
  editor().load("hotline", structuredClone(hotline), 1);
  measure();
});

describe("a paste", () => {
  it("puts the copy of one block over no block, near its original, selected alone", () => {
    expect(overlapping()).toEqual([]);
    copy("sales");
    const [copied] = paste();
    expect(overlapping()).toEqual([]);
    expect(Math.hypot(at(copied!).x - 610, at(copied!).y)).toBeLessThan(400);
    expect(selected()).toEqual([copied]);
    expect(node(copied!).data).toEqual(node("sales").data);
  });

  it("pasted again and again, cascades: each copy in free space near the originals, none on another", () => {
    copy("sales");
    const copies = [1, 2, 3, 4, 5].flatMap(() => paste());
    expect(copies).toHaveLength(5);
    expect(overlapping()).toEqual([]);
    expect(new Set(copies.map((id) => `${at(id).x},${at(id).y}`)).size).toBe(5);
    for (const id of copies) expect(Math.hypot(at(id).x - 610, at(id).y)).toBeLessThan(1000);
  });

  it("of a group keeps it a group: its blocks as they were to each other, with the edges between them", () => {
    copy("main_menu", "sales", "support");
    for (let round = 0; round < 3; round += 1) {
      const pasted = paste();
      expect(pasted).toHaveLength(3);
      expect(overlapping()).toEqual([]);
      const [menuCopy, salesCopy, supportCopy] = pasted.map(at);
      const shift = { x: menuCopy!.x - 300, y: menuCopy!.y };
      expect(salesCopy).toEqual({ x: 610 + shift.x, y: shift.y });
      expect(supportCopy).toEqual({ x: 610 + shift.x, y: 160 + shift.y });
      const inner = editor().edges.filter((e) => pasted.includes(e.source));
      expect(inner.map((e) => `${e.source}:${e.sourceHandle}->${e.target}`)).toEqual([
        `${pasted[0]}:1->${pasted[1]}`,
        `${pasted[0]}:2->${pasted[2]}`,
      ]);
      expect(selected()).toEqual(pasted);
    }
  });

  it("where the paste puts the copies is free (the original deleted), they go exactly there", () => {
    copy("closed");
    editor().deleteSelection();
    const [copied] = paste();
    expect(at(copied!)).toEqual({ x: 340, y: 210 });
  });

  it("of blocks not drawn yet goes by the layout's guess of their size", () => {
    editor().load("hotline", structuredClone(hotline), 1); // nothing measured
    const guessedOver = overlapping(); // the guess is kept above what is drawn: Sales' may reach Support
    copy("main_menu");
    editor().paste();
    expect(overlapping()).toEqual(guessedOver);
  });

  it("is one undo step, and a redo puts the copies back where the paste put them", () => {
    copy("main_menu", "sales");
    const before = editor().document();
    const steps = editor().history.past.length;
    editor().paste();
    const pasted = editor().document();
    expect(editor().history.past).toHaveLength(steps + 1);
    editor().undo();
    expect(editor().document()).toEqual(before);
    editor().redo();
    expect(editor().document()).toEqual(pasted);
    expect(overlapping()).toEqual([]);
  });
});
