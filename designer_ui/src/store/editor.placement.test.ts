/**
 * No block over another: a block added from the palette (Enter beside the selected block, Enter mid-canvas, a
 * drop) lands in free space, and a block that grows pushes the blocks it now covers down, in the same undo step.
 * A scenario opened with its positions, as saved: no layout has placed anything.
 */
import { beforeEach, describe, expect, it } from "vitest";
import catalogJson from "../lib/fixtures/catalog.json";
import type { BlockSpec } from "../lib/catalog";
import { NODE_GAP } from "../lib/layout";
import { at, drawn, editor, hotline, menu, overlapping } from "./hotlineForTest";

/** React Flow reports the sizes it drew the blocks at (all of them, or the ones named). */
const measure = (...ids: string[]) =>
  editor().onNodesChange(
    editor()
      .nodes.filter((n) => ids.length === 0 || ids.includes(n.id))
      .map((n) => ({ type: "dimensions" as const, id: n.id, dimensions: { width: 220, height: drawn(n) } })),
  );
const height = (id: string) => editor().nodes.find((n) => n.id === id)!.measured!.height!;

beforeEach(() => {
  editor().setCatalog(catalogJson as unknown as BlockSpec[]);
  editor().load("hotline", structuredClone(hotline), 1);
  measure();
});

describe("a block added from the palette", () => {
  it("is the QA case no more: Enter with Sales' neighbour selected puts the Hang Up beside it, over no block", () => {
    expect(overlapping()).toEqual([]);
    editor().select("main_menu");
    const id = editor().addBlock("hangup", { x: 0, y: 0, rightOf: "main_menu" })!;
    expect(overlapping()).toEqual([]);
    // Right of the menu, the way a chain grows; Sales, where it used to land, is left alone.
    expect(at(id).x).toBeGreaterThanOrEqual(300 + 220 + NODE_GAP);
    expect(at("sales")).toEqual({ x: 610, y: 0 });
    expect(editor().nodes.filter((n) => n.selected).map((n) => n.id)).toEqual([id]);
  });

  it("goes right of the selected block, level with it, when that is free", () => {
    const id = editor().addBlock("hangup", { x: 0, y: 0, rightOf: "sales" })!;
    expect(at(id)).toEqual({ x: 610 + 220 + 90, y: 0 });
  });

  it("mid-canvas with nothing selected, pressed again and again: each lands in free space near the middle", () => {
    const middle = { x: 400, y: 100 }; // over the menu and Closed
    const added = [1, 2, 3, 4].map(() => editor().addBlock("say_phrase", middle)!);
    expect(overlapping()).toEqual([]);
    for (const id of added) expect(Math.hypot(at(id).x - middle.x, at(id).y - middle.y)).toBeLessThan(600);
  });

  it("dropped over a block, is nudged to the nearest free spot; dropped on free space, stays where dropped", () => {
    const onSales = editor().addBlock("hangup", { x: 620, y: 10 })!;
    expect(overlapping()).toEqual([]);
    expect(Math.hypot(at(onSales).x - 620, at(onSales).y - 10)).toBeLessThan(300);
    const free = editor().addBlock("hangup", { x: 2000, y: 2000 })!;
    expect(at(free)).toEqual({ x: 2000, y: 2000 });
  });

  it("is one undo step", () => {
    const before = editor().document();
    editor().addBlock("hangup", { x: 300, y: 0 });
    editor().undo();
    expect(editor().document()).toEqual(before);
  });
});

describe("a block that grows in a scenario opened with its positions", () => {
  it("pushes the block it now overlaps down (the Main menu given keys over Closed); the others stay", () => {
    const placed = new Map(editor().nodes.map((n) => [n.id, n.position]));
    editor().updateNode("main_menu", { config: menu("1", "2", "3", "4", "5") }, false);
    measure("main_menu");
    expect(overlapping()).toEqual([]);
    expect(at("closed")).toEqual({ x: 300, y: height("main_menu") + NODE_GAP });
    for (const id of ["start", "main_menu", "sales", "support"]) expect(at(id)).toEqual(placed.get(id));
  });

  it("the push is part of the edit that made the block grow: saved with it, undone and redone with it", () => {
    const before = editor().document();
    editor().updateNode("main_menu", { config: menu("1", "2", "3", "4", "5") }, false);
    const steps = editor().history.past.length;
    measure("main_menu");
    const grown = editor().document();
    expect(grown.nodes.find((n) => n.id === "closed")!.position).not.toEqual({ x: 300, y: 170 });
    expect(editor().history.past).toHaveLength(steps);
    expect(editor().saveState).toBe("dirty");
    editor().undo();
    measure("main_menu");
    expect(editor().document()).toEqual(before);
    editor().redo();
    measure("main_menu");
    expect(editor().document()).toEqual(grown);
    expect(overlapping()).toEqual([]);
  });

  it("leaves a block the growth does not reach where the analyst put it", () => {
    editor().updateNode("main_menu", { config: menu("1") }, false);
    measure("main_menu"); // shrunk: Closed is further away now
    const closed = at("closed");
    editor().updateNode("main_menu", { config: menu("1", "2") }, false);
    measure("main_menu");
    expect(at("closed")).toEqual(closed);
  });
});
