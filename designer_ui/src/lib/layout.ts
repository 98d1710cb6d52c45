/** Automatic layout, left to right, with dagre: calls read like a sentence from Start onwards. */
import dagre from "@dagrejs/dagre";
import type { BlockNode, ExitEdge } from "./convert";

export const NODE_WIDTH = 220;
/** The space the layout keeps between two blocks of one column (dagre's nodesep); a block pushed down keeps it too. */
export const NODE_GAP = 30;
/** The space the layout keeps between two columns (dagre's ranksep); a block added beside another keeps it too. */
export const COLUMN_GAP = 90;

export interface Size {
  width: number;
  height: number;
}

/**
 * Height grows with the number of exits, because each exit is a labelled row on the node. Only a guess for a
 * node React Flow has not measured yet (on open nothing is): kept above what the stylesheet draws (title,
 * summary, 20 px rows), so a guess spaces blocks a little wide rather than piling them up.
 */
export function nodeHeight(exitCount: number): number {
  return 64 + exitCount * 20;
}

/** The size a layout gives a node: React Flow's measure once there is one, else the guess. */
export function layoutSize(node: BlockNode, exitCount: (node: BlockNode) => number): Size {
  return {
    width: node.measured?.width ?? NODE_WIDTH,
    height: node.measured?.height ?? nodeHeight(exitCount(node)),
  };
}

export function autoLayout(
  nodes: BlockNode[],
  edges: ExitEdge[],
  exitCount: (node: BlockNode) => number,
): BlockNode[] {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: "LR", nodesep: NODE_GAP, ranksep: COLUMN_GAP, marginx: 20, marginy: 20 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) graph.setNode(node.id, layoutSize(node, exitCount));
  for (const edge of edges) {
    if (graph.hasNode(edge.source) && graph.hasNode(edge.target)) graph.setEdge(edge.source, edge.target);
  }
  dagre.layout(graph);
  return nodes.map((node) => {
    const placed = graph.node(node.id);
    const { unplaced: _unplaced, ...data } = node.data;
    return {
      ...node,
      data,
      // dagre gives centres; React Flow positions are top-left corners.
      position: { x: Math.round(placed.x - placed.width / 2), y: Math.round(placed.y - placed.height / 2) },
    };
  });
}

/**
 * Whether a layout made with the sizes `assumed` must be made again now that React Flow has measured the nodes:
 * "wait" while a node is not measured yet, "redo" when one is drawn at another size than the layout gave it (a
 * node drawn taller than its guess would overlap the next one down its column), "keep" otherwise.
 */
export function relayoutNeed(nodes: BlockNode[], assumed: ReadonlyMap<string, Size>): "wait" | "redo" | "keep" {
  let differs = false;
  for (const node of nodes) {
    const size = assumed.get(node.id);
    if (!size) continue;
    const { width, height } = node.measured ?? {};
    if (width === undefined || height === undefined) return "wait";
    // Measures are whole pixels; a sub-pixel difference moves nothing that a relayout would fix.
    if (Math.abs(width - size.width) >= 1 || Math.abs(height - size.height) >= 1) differs = true;
  }
  return differs ? "redo" : "keep";
}
