import { describe, expect, it } from "vitest";
import type { BlockNode, ExitEdge } from "./convert";
import { autoLayout, layoutSize, nodeHeight, relayoutNeed, type Size } from "./layout";

const block = (id: string, exits: number, measured?: Size): BlockNode => ({
  id,
  type: "block",
  position: { x: 0, y: 0 },
  data: { blockType: "ivr", config: {}, unplaced: true, exits },
  ...(measured ? { measured } : {}),
});
const exitCount = (node: BlockNode) => node.data.exits as number;
const edge = (source: string, exit: string, target: string): ExitEdge => ({ id: `${source}:${exit}`, source, sourceHandle: exit, target });

/** Start, then a 12-key menu and two ordinary blocks in the same rank, the menu's keys leading on. */
function bigMenu(measure?: (node: BlockNode) => Size): { nodes: BlockNode[]; edges: ExitEdge[] } {
  const nodes = [block("start", 2), block("check", 3), block("above", 2), block("menu", 14), block("below", 2)];
  const edges = [edge("start", "next", "check"), edge("check", "false", "above"), edge("check", "true", "menu"), edge("check", "error", "below")];
  for (let key = 0; key < 12; key += 1) {
    nodes.push(block(`t${key}`, 5));
    edges.push(edge("menu", String(key), `t${key}`));
  }
  return { nodes: measure ? nodes.map((n) => ({ ...n, measured: measure(n) })) : nodes, edges };
}

/** The pairs of nodes whose rectangles (at the given sizes) intersect. */
function overlaps(nodes: BlockNode[], size: (node: BlockNode) => Size): string[] {
  const found: string[] = [];
  nodes.forEach((a, i) => {
    for (const b of nodes.slice(i + 1)) {
      const sa = size(a);
      const sb = size(b);
      const apart =
        a.position.x + sa.width <= b.position.x ||
        b.position.x + sb.width <= a.position.x ||
        a.position.y + sa.height <= b.position.y ||
        b.position.y + sb.height <= a.position.y;
      if (!apart) found.push(`${a.id}/${b.id}`);
    }
  });
  return found;
}

// Drawn taller than guessed: a bigger font, more lines. 30 px a row instead of 20.
const tall = (node: BlockNode): Size => ({ width: 240, height: 40 + exitCount(node) * 30 });

describe("auto layout", () => {
  it("places nodes at their measured sizes: blocks drawn taller than the guess do not overlap", () => {
    const { nodes, edges } = bigMenu(tall);
    const placed = autoLayout(nodes, edges, exitCount);
    expect(overlaps(placed, tall)).toEqual([]);
    expect(placed.every((n) => !n.data.unplaced)).toBe(true);
  });

  it("a layout on guesses overlaps once drawn taller; redone at the measured sizes it does not", () => {
    const { nodes, edges } = bigMenu();
    const assumed = new Map(nodes.map((n) => [n.id, layoutSize(n, exitCount)]));
    const guessed = autoLayout(nodes, edges, exitCount);
    expect(overlaps(guessed, (n) => layoutSize(n, exitCount))).toEqual([]);
    const drawn = guessed.map((n) => ({ ...n, measured: tall(n) }));
    expect(overlaps(drawn, tall)).not.toEqual([]);
    expect(relayoutNeed(drawn, assumed)).toBe("redo");
    expect(overlaps(autoLayout(drawn, edges, exitCount), tall)).toEqual([]);
  });

  it("is deterministic: the same graph at the same sizes lands at the same places", () => {
    const { nodes, edges } = bigMenu(tall);
    const first = autoLayout(nodes, edges, exitCount).map((n) => n.position);
    expect(autoLayout(structuredClone(nodes), structuredClone(edges), exitCount).map((n) => n.position)).toEqual(first);
  });

  it("guesses a height from the exits for a node not measured yet", () => {
    expect(layoutSize(block("a", 3), exitCount)).toEqual({ width: 220, height: nodeHeight(3) });
    expect(layoutSize(block("a", 3, { width: 225, height: 90 }), exitCount)).toEqual({ width: 225, height: 90 });
  });
});

describe("relayout after measuring", () => {
  const assumed = new Map([
    ["a", { width: 220, height: 104 }],
    ["b", { width: 220, height: 124 }],
  ]);
  it("waits until every node laid out is measured", () => {
    expect(relayoutNeed([block("a", 2, { width: 220, height: 104 }), block("b", 3)], assumed)).toBe("wait");
  });
  it("keeps the layout when the nodes are drawn at the sizes it assumed", () => {
    const nodes = [block("a", 2, { width: 220, height: 104 }), block("b", 3, { width: 220.4, height: 124 })];
    expect(relayoutNeed(nodes, assumed)).toBe("keep");
  });
  it("redoes it when one is drawn at another size; nodes the layout did not place are not waited for", () => {
    const nodes = [block("a", 2, { width: 220, height: 104 }), block("b", 3, { width: 220, height: 150 }), block("new", 1)];
    expect(relayoutNeed(nodes, assumed)).toBe("redo");
  });
});
