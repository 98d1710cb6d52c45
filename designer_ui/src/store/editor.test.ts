import { beforeEach, describe, expect, it } from "vitest";
import catalogJson from "../lib/fixtures/catalog.json";
import type { BlockSpec } from "../lib/catalog";
import type { BlockNode, ScenarioDocument } from "../lib/convert";
import { nodeExits } from "../lib/graph";
import { NODE_GAP, nodeHeight } from "../lib/layout";
import { drawnNodes, useEditor, wiredExits } from "./editor";

const document: ScenarioDocument = {
  format: "ivrgraph.scenario/1",
  name: "Menu",
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
    { id: "menu", type: "ivr", position: { x: 300, y: 0 }, config: { prompt: { text: "Hola" }, options: [{ key: "1" }, { key: "2" }] } },
    { id: "sales", type: "transfer", position: { x: 600, y: 0 }, config: { target: "101" } },
    { id: "support", type: "transfer", position: { x: 600, y: 200 }, config: { target: "102" } },
  ],
  edges: [
    { id: "start:next", source: "start", exit: "next", target: "menu" },
    { id: "menu:1", source: "menu", exit: "1", target: "sales" },
    { id: "menu:2", source: "menu", exit: "2", target: "support" },
  ],
};

const editor = () => useEditor.getState();

/** The pairs of blocks (220 px wide, as measured) that overlap on the canvas. */
function overlapping(): string[] {
  const nodes = editor().nodes;
  const found: string[] = [];
  nodes.forEach((a, i) => {
    for (const b of nodes.slice(i + 1)) {
      const [ha, hb] = [a.measured!.height!, b.measured!.height!];
      const apart =
        a.position.x + 220 <= b.position.x || b.position.x + 220 <= a.position.x ||
        a.position.y + ha <= b.position.y || b.position.y + hb <= a.position.y;
      if (!apart) found.push(`${a.id}/${b.id}`);
    }
  });
  return found;
}

beforeEach(() => {
  editor().setCatalog(catalogJson as unknown as BlockSpec[]);
  editor().load("menu", structuredClone(document), 7);
});

describe("editor store", () => {
  it("the first edit after a load is its own undo step, however soon after an edit before the load", () => {
    editor().updateHead({ name: "Before the load" });
    editor().load("menu", structuredClone(document), 8);
    editor().updateHead({ name: "After the load" });
    editor().undo();
    expect(editor().document().name).toBe("Menu");
  });

  it("loads a document and gives it back unchanged", () => {
    expect(editor().document()).toEqual(document);
    expect(editor()).toMatchObject({ revision: 7, saveState: "saved", changeSeq: 0 });
  });

  it("removing an IVR key drops the edge of that key, and undo brings both back", () => {
    editor().updateNode("menu", { config: { prompt: { text: "Hola" }, options: [{ key: "1" }] } }, false);
    expect(editor().edges.map((e) => e.id)).toEqual(["start:next", "menu:1"]);
    expect(editor().saveState).toBe("dirty");
    editor().undo();
    expect(editor().document()).toEqual(document);
    editor().redo();
    expect(editor().edges.map((e) => e.id)).toEqual(["start:next", "menu:1"]);
  });

  it("typing in one field is one undo step", () => {
    editor().updateNode("sales", { label: "V" });
    editor().updateNode("sales", { label: "Ve" });
    editor().updateNode("sales", { label: "Ventas" });
    expect(editor().history.past).toHaveLength(1);
    editor().undo();
    expect(editor().nodes.find((n) => n.id === "sales")!.data.label).toBeUndefined();
  });

  it("refuses a second edge on an exit and says why", () => {
    editor().onConnect({ source: "menu", sourceHandle: "1", target: "support", targetHandle: "in" });
    expect(editor().edges).toHaveLength(3);
    expect(editor().notice).toBe("editor.connectionRefused.exit_taken");
  });

  it("rewires an exit from the side panel, replacing its edge", () => {
    editor().setExitTarget("menu", "1", "support");
    expect(editor().edges.find((e) => e.sourceHandle === "1")).toMatchObject({ target: "support" });
    expect(editor().edges).toHaveLength(3);
    editor().setExitTarget("menu", "1", null);
    expect(editor().edges.some((e) => e.source === "menu" && e.sourceHandle === "1")).toBe(false);
  });

  it("deletes the selection with its edges; copy and paste duplicates it", () => {
    editor().select("menu");
    editor().copy();
    editor().deleteSelection();
    expect(editor().nodes.map((n) => n.id)).toEqual(["start", "sales", "support"]);
    expect(editor().edges).toEqual([]);
    editor().paste();
    expect(editor().nodes.map((n) => n.id)).toContain("menu");
  });

  it("renaming a block carries its edges along", () => {
    expect(editor().renameNode("menu", "main_menu")).toBe(true);
    expect(editor().edges.map((e) => `${e.source}:${e.sourceHandle}->${e.target}`)).toEqual([
      "start:next->main_menu",
      "main_menu:1->sales",
      "main_menu:2->support",
    ]);
    expect(editor().renameNode("sales", "support")).toBe(false);
    expect(editor().renameNode("sales", "bad id!")).toBe(false);
  });

  it("a save only counts as saved when nothing changed while it was in flight", () => {
    editor().updateNode("sales", { label: "A" });
    const seq = editor().changeSeq;
    editor().updateNode("sales", { label: "AB" }, false);
    editor().saved(8, seq);
    expect(editor()).toMatchObject({ revision: 8, saveState: "dirty" });
    editor().saved(9, editor().changeSeq);
    expect(editor().saveState).toBe("saved");
  });

  it("lays out a document without positions when it opens", () => {
    const bare = { ...document, nodes: document.nodes.map(({ position: _p, ...n }) => n) };
    editor().load("menu", bare, 1);
    const xs = editor().nodes.map((n) => n.position.x);
    expect(new Set(xs).size).toBeGreaterThan(1);
    expect(editor().nodes.every((n) => !n.data.unplaced)).toBe(true);
  });

  it("lights a call path by node and edge", () => {
    editor().showPath([{ node: "start", exit: "next" }, { node: "menu", exit: "2" }, { node: "support", exit: "answered" }]);
    expect([...editor().highlight.edges].sort()).toEqual(["menu:2", "start:next"]);
    editor().clearPath();
    expect(editor().highlight.nodes.size).toBe(0);
  });
});

describe("the fallback block", () => {
  const withFallback = (fallback: string): ScenarioDocument => ({ ...structuredClone(document), fallback });

  it("is set and removed through the scenario head, as an undoable edit", () => {
    editor().updateHead({ fallback: "support" }, false);
    expect(editor().document().fallback).toBe("support");
    expect(editor().saveState).toBe("dirty");
    editor().undo();
    expect(editor().document()).not.toHaveProperty("fallback");
    editor().redo();
    expect(editor().document().fallback).toBe("support");

    editor().load("menu", withFallback("support"), 7);
    editor().updateHead({ fallback: undefined }, false);
    // "none" takes the key out of the document rather than leaving it there empty.
    expect(editor().document()).not.toHaveProperty("fallback");
    editor().undo();
    expect(editor().document().fallback).toBe("support");
  });

  it("deleting the fallback block clears the fallback in the same edit, and one undo brings both back", () => {
    editor().load("menu", withFallback("menu"), 7);
    editor().select("menu");
    editor().deleteSelection();
    expect(editor().nodes.map((n) => n.id)).not.toContain("menu");
    expect(editor().document()).not.toHaveProperty("fallback");
    expect(editor().history.past).toHaveLength(1);
    editor().undo();
    expect(editor().document()).toEqual(withFallback("menu"));
  });

  it("a block removed by a canvas change clears the fallback too; removing another block keeps it", () => {
    editor().load("menu", withFallback("support"), 7);
    editor().onNodesChange([{ type: "remove", id: "sales" }]);
    expect(editor().document().fallback).toBe("support");
    editor().onNodesChange([{ type: "remove", id: "support" }]);
    expect(editor().document()).not.toHaveProperty("fallback");
    editor().undo();
    expect(editor().document().fallback).toBe("support");
  });

  it("follows its block when the block is renamed", () => {
    editor().load("menu", withFallback("menu"), 7);
    editor().renameNode("menu", "main_menu");
    expect(editor().document().fallback).toBe("main_menu");
  });
});

describe("read-only editor", () => {
  it("refuses every edit for a viewer", () => {
    editor().setReadOnly(true);
    editor().updateNode("sales", { label: "X" }, false);
    editor().setExitTarget("menu", "1", null);
    editor().select("menu");
    editor().deleteSelection();
    editor().layout();
    expect(editor().document()).toEqual(document);
    expect(editor().saveState).toBe("saved");
    editor().setReadOnly(false);
  });
});

describe("conflict resolution", () => {
  it("taking their version replaces the canvas, adopts their revision and can be undone", () => {
    editor().updateNode("sales", { label: "Mine" }, false);
    editor().setConflict({ current_revision: 12, document: { ...document, name: "Theirs" } });
    expect(editor().saveState).toBe("conflict");
    editor().updateNode("sales", { label: "Mine again" }, false);
    expect(editor().saveState).toBe("conflict");
    editor().replaceDocument({ ...document, name: "Theirs" }, 12);
    expect(editor()).toMatchObject({ revision: 12, saveState: "saved", conflict: null });
    expect(editor().document().name).toBe("Theirs");
    editor().undo();
    expect(editor().nodes.find((n) => n.id === "sales")!.data.label).toBe("Mine again");
  });
});

describe("restoring edits kept in the browser", () => {
  it("applies them as an undoable edit that saves against the revision they started from", () => {
    editor().restoreUnsaved({ ...document, name: "Kept" }, 3);
    expect(editor()).toMatchObject({ revision: 3, saveState: "dirty" });
    expect(editor().document().name).toBe("Kept");
    editor().undo();
    expect(editor().document().name).toBe("Menu");
  });
});

describe("auto layout and measuring", () => {
  /** A document with no positions: a 10-key menu between two siblings of its rank, each key to a Transfer. */
  function unplaced(): ScenarioDocument {
    const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"];
    return {
      format: "ivrgraph.scenario/1",
      name: "Big menu",
      nodes: [
        { id: "start", type: "start", config: {} },
        { id: "check", type: "condition", config: { expression: "true" } },
        { id: "above", type: "say_phrase", config: { text: "Hola" } },
        { id: "menu", type: "ivr", config: { prompt: { text: "Pulse" }, options: keys.map((key) => ({ key, label: `opción ${key}` })) } },
        { id: "below", type: "say_phrase", config: { text: "Adiós" } },
        ...keys.map((key) => ({ id: `t${key}`, type: "transfer", config: { target: `10${key}` } })),
      ],
      edges: [
        { source: "start", exit: "next", target: "check" },
        { source: "check", exit: "false", target: "above" },
        { source: "check", exit: "true", target: "menu" },
        { source: "check", exit: "error", target: "below" },
        ...keys.map((key) => ({ source: "menu", exit: key, target: `t${key}` })),
      ],
    };
  }

  // What React Flow reports once it has drawn the blocks: here every row 30 px, taller than the layout's guess.
  const drawnHeight = (node: BlockNode) => 40 + 30 * (node.id === "menu" ? 12 : node.id.startsWith("t") ? 5 : 3);
  const measure = (ids?: string[]) =>
    editor().onNodesChange(
      editor()
        .nodes.filter((n) => !ids || ids.includes(n.id))
        .map((n) => ({ type: "dimensions" as const, id: n.id, dimensions: { width: 220, height: drawnHeight(n) } })),
    );

  it("on open, lays the blocks out again at their drawn sizes, silently: no undo step, nothing to save", () => {
    editor().load("big", unplaced(), 1);
    const guessed = editor().nodes.map((n) => n.position);
    measure(["start", "menu"]);
    expect(editor().nodes.map((n) => n.position)).toEqual(guessed); // not all drawn yet
    const fits = editor().fitRequest;
    measure();
    expect(overlapping()).toEqual([]);
    expect(editor().nodes.map((n) => n.position)).not.toEqual(guessed);
    expect(editor()).toMatchObject({ saveState: "saved", changeSeq: 0, fitRequest: fits + 1 });
    expect(editor().history.past).toHaveLength(0);
    expect(editor().history.present.nodes.map((n) => n.position)).toEqual(editor().nodes.map((n) => n.position));
  });

  it("lays out again once only, and lands where Auto layout would", () => {
    editor().load("big", unplaced(), 1);
    measure();
    const settled = editor().nodes.map((n) => n.position);
    measure(); // measured again (a label edited back and forth): nothing moves
    expect(editor().nodes.map((n) => n.position)).toEqual(settled);
    editor().layout();
    expect(editor().nodes.map((n) => n.position)).toEqual(settled);
  });

  it("never moves a block the analyst moved before the blocks were measured", () => {
    editor().load("big", unplaced(), 1);
    editor().onNodesChange([{ type: "position", id: "menu", position: { x: 5, y: 5 }, dragging: true }]);
    const dragged = drawnNodes(editor()).map((n) => n.position);
    measure();
    expect(editor().nodes.map((n) => n.position)).toEqual(dragged);
    expect(editor().nodes.find((n) => n.id === "menu")!.position).toEqual({ x: 5, y: 5 });
  });

  it("never moves the blocks of a document that has positions", () => {
    const before = editor().nodes.map((n) => n.position);
    measure();
    expect(editor().nodes.map((n) => n.position)).toEqual(before);
  });

  it("Auto layout with a block not drawn yet is corrected within the same undo step", () => {
    measure();
    const before = editor().document();
    editor().addBlock("ivr", { x: 900, y: 900 });
    editor().updateNode("ivr", { config: { prompt: { text: "Pulse" }, options: [1, 2, 3, 4, 5, 6, 7, 8].map((k) => ({ key: `${k}` })) } }, false);
    const edited = editor().document();
    editor().layout();
    const steps = editor().history.past.length;
    const seq = editor().changeSeq;
    editor().onNodesChange([{ type: "dimensions", id: "ivr", dimensions: { width: 220, height: 600 } }]);
    expect(overlapping()).toEqual([]);
    expect(editor().history.past).toHaveLength(steps);
    expect(editor()).toMatchObject({ saveState: "dirty", changeSeq: seq + 1 });
    editor().undo();
    expect(editor().document()).toEqual(edited);
    editor().undo();
    editor().undo();
    expect(editor().document()).toEqual(before);
  });

  it("counts the exits of a block of a missing plugin on the document opened, not on the one before", () => {
    const exits = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const doc: ScenarioDocument = {
      format: "ivrgraph.scenario/1",
      name: "Plugin",
      nodes: [
        { id: "start", type: "start", config: {} },
        { id: "check", type: "condition", config: { expression: "true" } },
        { id: "above", type: "say_phrase", config: { text: "Hola" } },
        { id: "fax", type: "fax_gateway", config: {} },
        { id: "below", type: "say_phrase", config: { text: "Adiós" } },
        ...exits.map((exit) => ({ id: `h${exit}`, type: "hangup", config: {} })),
      ],
      edges: [
        { source: "start", exit: "next", target: "check" },
        { source: "check", exit: "false", target: "above" },
        { source: "check", exit: "true", target: "fax" },
        { source: "check", exit: "error", target: "below" },
        ...exits.map((exit) => ({ source: "fax", exit, target: `h${exit}` })),
      ],
    };
    editor().load("plugin", doc, 1);
    const at = (id: string) => editor().nodes.find((n) => n.id === id)!.position;
    const [fax, neighbours] = [at("fax"), [at("above"), at("below")]];
    // Drawn with its 8 wired exits and error: nothing else in its column within that height.
    for (const other of neighbours) {
      expect(other.y >= fax.y + nodeHeight(9) || other.y + nodeHeight(2) <= fax.y).toBe(true);
    }
  });
});

describe("after Auto layout, a block that grows", () => {
  // Five blocks dropped from the palette, not wired yet: Auto layout stacks them in one column.
  const dropped: ScenarioDocument = {
    format: "ivrgraph.scenario/1",
    name: "Dropped",
    nodes: [
      { id: "start", type: "start", position: { x: 40, y: 40 }, config: {} },
      { id: "say_phrase", type: "say_phrase", position: { x: 300, y: 40 }, config: { text: "Hola" } },
      { id: "ivr", type: "ivr", position: { x: 40, y: 250 }, config: { prompt: { text: "Pulse" } } },
      { id: "transfer", type: "transfer", position: { x: 520, y: 200 }, config: { target: "101" } },
      { id: "transfer_2", type: "transfer", position: { x: 300, y: 330 }, config: { target: "102" } },
    ],
    edges: [],
  };
  const keys = (...names: string[]) => ({ config: { prompt: { text: "Pulse" }, options: names.map((key) => ({ key })) } });
  // As the stylesheet draws a block: a head and summary, then a 20 px row per exit.
  const drawn = (node: BlockNode) => 50 + 20 * nodeExits(node, editor().catalog, editor().edges).length;
  /** React Flow reports the sizes it drew the blocks at (all of them, or the ones named). */
  const measure = (...ids: string[]) =>
    editor().onNodesChange(
      editor()
        .nodes.filter((n) => ids.length === 0 || ids.includes(n.id))
        .map((n) => ({ type: "dimensions" as const, id: n.id, dimensions: { width: 220, height: drawn(n) } })),
    );
  const at = (id: string) => editor().nodes.find((n) => n.id === id)!.position;

  /** Dropped, drawn, laid out; then the IVR is given keys and drawn taller with them. */
  function layOutThenGrowTheMenu(): void {
    editor().load("dropped", structuredClone(dropped), 1);
    measure();
    editor().layout();
    editor().updateNode("ivr", keys("1", "2", "3", "4"), false);
    measure("ivr");
  }

  it("pushes the laid-out blocks below it down: nothing overlaps, the blocks above stay", () => {
    editor().load("dropped", structuredClone(dropped), 1);
    measure();
    editor().layout();
    const laidOut = new Map(editor().nodes.map((n) => [n.id, n.position]));
    const below = editor().nodes.filter((n) => n.position.y > at("ivr").y).map((n) => n.id);
    expect(below.length).toBeGreaterThan(0); // the QA case: a block right under the menu
    editor().updateNode("ivr", keys("1", "2", "3", "4"), false);
    measure("ivr");
    expect(overlapping()).toEqual([]);
    for (const node of editor().nodes) {
      if (below.includes(node.id)) expect(node.position.y).toBeGreaterThan(laidOut.get(node.id)!.y);
      else expect(node.position).toEqual(laidOut.get(node.id));
    }
    expect(editor().nodes.every((n) => n.position.x === laidOut.get(n.id)!.x)).toBe(true);
  });

  it("the push is part of the edit that made the block grow: saved with it, undone with it", () => {
    editor().load("dropped", structuredClone(dropped), 1);
    measure();
    editor().layout();
    const laidOut = editor().nodes.map((n) => n.position);
    editor().updateNode("ivr", keys("1", "2", "3", "4"), false);
    const steps = editor().history.past.length;
    measure("ivr");
    expect(editor().history.past).toHaveLength(steps);
    expect(editor().saveState).toBe("dirty");
    expect(editor().document().nodes.map((n) => n.position)).toEqual(editor().nodes.map((n) => n.position));
    editor().undo();
    expect(editor().nodes.map((n) => n.position)).toEqual(laidOut);
    measure("ivr");
    // Given its keys again after the undo: pushed again, as the blocks are back where the layout put them.
    editor().updateNode("ivr", keys("1", "2", "3", "4", "5"), false);
    measure("ivr");
    expect(overlapping()).toEqual([]);
  });

  it("moves a block the analyst has dragged since the layout only when the menu would overlap it", () => {
    layOutThenGrowTheMenu();
    const below = editor().nodes.filter((n) => n.position.y > at("ivr").y).sort((a, b) => a.position.y - b.position.y)[0]!;
    const height = (id: string) => editor().nodes.find((n) => n.id === id)!.measured!.height!;
    // Dragged a little further down, out of the layout's gap: a key more does not reach it, it stays put.
    const spot = { x: below.position.x + 10, y: at("ivr").y + height("ivr") + 45 };
    editor().onNodesChange([{ type: "position", id: below.id, position: spot, dragging: false }]);
    editor().updateNode("ivr", keys("1", "2", "3", "4", "5"), false);
    measure("ivr");
    expect(at(below.id)).toEqual(spot);
    // Four keys more would put the menu over it: it goes down, just clear of the menu, its x kept.
    editor().updateNode("ivr", keys("1", "2", "3", "4", "5", "6", "7", "8", "9"), false);
    measure("ivr");
    expect(at(below.id)).toEqual({ x: spot.x, y: at("ivr").y + height("ivr") + NODE_GAP });
    expect(overlapping()).toEqual([]);
  });

  it("moves nothing in a graph no layout has placed when the grown block overlaps none", () => {
    measure();
    const placed = editor().nodes.map((n) => n.position);
    editor().updateNode("menu", keys("1", "2", "3", "4", "5", "6", "7", "8", "9"), false);
    measure("menu");
    expect(editor().nodes.map((n) => n.position)).toEqual(placed);
  });

  it("moves nothing for a viewer", () => {
    editor().load("dropped", structuredClone(dropped), 1);
    measure();
    editor().layout();
    const [laidOut, seq] = [editor().nodes.map((n) => n.position), editor().changeSeq];
    editor().setReadOnly(true);
    editor().onNodesChange([{ type: "dimensions", id: "ivr", dimensions: { width: 220, height: 400 } }]);
    expect(editor().nodes.map((n) => n.position)).toEqual(laidOut);
    expect(editor().changeSeq).toBe(seq);
    editor().setReadOnly(false);
  });
});

describe("dragging a block", () => {
  const step = (x: number, dragging = true) => editor().onNodesChange([{ type: "position", id: "menu", position: { x, y: 40 }, dragging }]);
  const menuAt = (nodes: BlockNode[]) => nodes.find((n) => n.id === "menu")!.position;

  it("moves the drawn block at each step and the document's at the drop, in one undo step", () => {
    const before = editor().nodes;
    const changeSeq = editor().changeSeq;
    for (let x = 310; x <= 500; x += 10) step(x);
    // Nothing that reads the document (panels, the problems list, autosave) changes while the mouse moves.
    expect(editor().nodes).toBe(before);
    expect(editor().changeSeq).toBe(changeSeq);
    expect(menuAt(drawnNodes(editor()))).toEqual({ x: 500, y: 40 });
    // React Flow's drop may name no position: the block stays where it was drawn last.
    editor().onNodesChange([{ type: "position", id: "menu", dragging: false }]);
    expect(menuAt(editor().nodes)).toEqual({ x: 500, y: 40 });
    expect(drawnNodes(editor())).toBe(editor().nodes);
    expect(editor()).toMatchObject({ changeSeq: changeSeq + 1, saveState: "dirty", dragging: null });
    editor().undo();
    expect(menuAt(editor().nodes)).toEqual({ x: 300, y: 0 });
  });

  it("tells no subscriber to the document's blocks of a drag's steps", () => {
    let told = 0;
    const stop = useEditor.subscribe((state, previous) => {
      if (state.nodes !== previous.nodes) told += 1;
    });
    for (let x = 310; x <= 500; x += 10) step(x);
    stop();
    expect(told).toBe(0);
  });

  it("draws the document again once its blocks change under a drag (an undo, a load)", () => {
    step(400);
    editor().load("menu", structuredClone(document), 8);
    expect(menuAt(drawnNodes(editor()))).toEqual({ x: 300, y: 0 });
    expect(editor().dragging).toBeNull();
  });

  it("lands a selection or a measure made during a drag with the drag's positions, not without them", () => {
    step(420);
    editor().onNodesChange([{ type: "select", id: "sales", selected: true }]);
    expect(menuAt(editor().nodes)).toEqual({ x: 420, y: 40 });
    expect(editor().nodes.find((n) => n.id === "sales")!.selected).toBe(true);
  });
});

describe("each block's wired exits", () => {
  it("are worked out once per edges array, by block", () => {
    const edges = editor().edges;
    const wired = wiredExits(edges);
    expect(wiredExits(edges)).toBe(wired);
    expect(Object.fromEntries(wired)).toEqual({ start: "next", menu: "1\u00002" });
    editor().setExitTarget("menu", "2", null);
    expect(wiredExits(editor().edges).get("menu")).toBe("1");
    expect(wiredExits(editor().edges).get("sales")).toBeUndefined();
  });
});
