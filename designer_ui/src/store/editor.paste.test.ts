/**
 * Pasted copies land over no block: the copies of one copy move together, keeping their shape and the edges
 * between them, to the free space nearest where the paste puts them (40 px down and right of the originals), so
 * pasting again and again cascades into free space rather than piling copies on the originals or on each other.
 * A scenario opened with its positions, as saved: no layout has placed anything.
 */
import { beforeEach, describe, expect, it } from "vitest";
import catalogJson from "../lib/fixtures/catalog.json";
import type { BlockSpec } from "../lib/catalog";
import type { BlockNode, ScenarioDocument } from "../lib/convert";
import { nodeExits } from "../lib/graph";
import { layoutSize } from "../lib/layout";
import { useEditor } from "./editor";

const editor = () => useEditor.getState();
const menu = (...keys: string[]) => ({ prompt: { text: "Main menu" }, options: keys.map((key) => ({ key })) });
// As the stylesheet draws a block: a head and summary, then a 20 px row per exit.
const drawn = (node: BlockNode) => 50 + 20 * nodeExits(node, editor().catalog, editor().edges).length;
/** React Flow reports the sizes it drew the blocks at: the ones not measured yet (as it does for new blocks). */
const measure = () =>
  editor().onNodesChange(
    editor()
      .nodes.filter((n) => n.measured?.height === undefined)
      .map((n) => ({ type: "dimensions" as const, id: n.id, dimensions: { width: 220, height: drawn(n) } })),
  );
const node = (id: string) => editor().nodes.find((n) => n.id === id)!;
const at = (id: string) => node(id).position;
const ids = () => editor().nodes.map((n) => n.id);
const selected = () => editor().nodes.filter((n) => n.selected).map((n) => n.id);
const boxOf = (n: BlockNode) => ({ ...n.position, ...layoutSize(n, (b) => nodeExits(b, editor().catalog, editor().edges).length) });

/** The pairs of blocks that overlap, at their measured sizes or, for one not drawn yet, the layout's guess. */
function overlapping(): string[] {
  const nodes = editor().nodes;
  return nodes.flatMap((a, i) =>
    nodes.slice(i + 1).flatMap((b) => {
      const [p, q] = [boxOf(a), boxOf(b)];
      const apart = p.x + p.width <= q.x || q.x + q.width <= p.x || p.y + p.height <= q.y || q.y + q.height <= p.y;
      return apart ? [] : [`${a.id}/${b.id}`];
    }),
  );
}

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

/**
 * Start, the "Main menu" (keys 1 and 2) with "Closed" under it, Sales and Support in the next column: as the QA
 * scenario had them, close together, so that 40 px down and right of any of them is over one of them.
 */
const scenario: ScenarioDocument = {
  format: "ivrgraph.scenario/1",
  name: "Hotline",
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
    { id: "main_menu", type: "ivr", label: "Main menu", position: { x: 300, y: 0 }, config: menu("1", "2") },
    { id: "closed", type: "hangup", label: "Closed", position: { x: 300, y: 170 }, config: {} },
    { id: "sales", type: "transfer", label: "Sales", position: { x: 610, y: 0 }, config: { target: "101" } },
    { id: "support", type: "transfer", label: "Support", position: { x: 610, y: 160 }, config: { target: "102" } },
  ],
  edges: [
    { id: "start:next", source: "start", exit: "next", target: "main_menu" },
    { id: "main_menu:1", source: "main_menu", exit: "1", target: "sales" },
    { id: "main_menu:2", source: "main_menu", exit: "2", target: "support" },
  ],
};

beforeEach(() => {
  editor().setCatalog(catalogJson as unknown as BlockSpec[]);
  editor().load("hotline", structuredClone(scenario), 1);
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
    editor().load("hotline", structuredClone(scenario), 1); // nothing measured
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
