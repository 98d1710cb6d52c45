/** Automatic layout, left to right, with dagre: calls read like a sentence from Start onwards. */
import dagre from "@dagrejs/dagre";
import type { BlockNode, ExitEdge } from "./convert";

export const NODE_WIDTH = 220;
/** The space the layout keeps between two blocks of one column (dagre's nodesep); a block pushed down keeps it too. */
export const NODE_GAP = 30;

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
  graph.setGraph({ rankdir: "LR", nodesep: NODE_GAP, ranksep: 90, marginx: 20, marginy: 20 });
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

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const sideBySide = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width;
const intersect = (a: Box, b: Box) => sideBySide(a, b) && a.y < b.y + b.height && b.y < a.y + a.height;

/**
 * Keep a laid-out graph apart after blocks in it grew (an IVR menu given more keys is drawn taller, over the block
 * below it). The blocks below a grown one in its column are pushed down, each just enough to keep the layout's
 * gap, and push those below them in turn. Only `movable` blocks move, and only down: a block that may not (one
 * the analyst placed by hand) stays where it is, and a pushed block is not dropped onto it but below it. Blocks
 * the growth does not reach stay put. Returns `nodes` itself when nothing moves.
 */
export function pushApart(
  nodes: BlockNode[],
  grown: ReadonlySet<string>,
  movable: ReadonlySet<string>,
  size: (node: BlockNode) => Size,
): BlockNode[] {
  const boxes = new Map<string, Box>(nodes.map((n) => [n.id, { ...n.position, ...size(n) }]));
  const original = new Map([...boxes].map(([id, box]) => [id, { ...box }]));
  // Top to bottom: when a block's turn comes, every block above it has its final place.
  const order = [...nodes].sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x).map((n) => n.id);
  const pushed = new Set<string>(grown); // what has grown or moved: only these push
  order.forEach((id, index) => {
    if (!movable.has(id) || grown.has(id)) return;
    const box = boxes.get(id)!;
    const above = order.slice(0, index).filter((other) => pushed.has(other));
    // Blocks it must not land on: those that will not move (every block above has its place by now).
    const fixed = order.filter((other, i) => other !== id && (i < index || !movable.has(other) || grown.has(other)));
    let y = box.y;
    for (let moved = true, guard = 0; moved && guard <= nodes.length; guard += 1) {
      moved = false;
      for (const other of above) {
        const pusher = boxes.get(other)!;
        const floor = pusher.y + pusher.height + NODE_GAP;
        if (sideBySide(pusher, box) && y < floor && y + box.height > pusher.y) [y, moved] = [floor, true];
      }
      if (y === box.y) break; // not reached by the growth
      for (const other of fixed) {
        const obstacle = boxes.get(other)!;
        // One it overlapped already (the analyst put them so) is no reason to move further.
        if (intersect({ ...box, y }, obstacle) && !intersect(original.get(id)!, obstacle)) {
          [y, moved] = [obstacle.y + obstacle.height + NODE_GAP, true];
        }
      }
    }
    if (y !== box.y) {
      box.y = y;
      pushed.add(id);
    }
  });
  const moved = nodes.filter((n) => boxes.get(n.id)!.y !== n.position.y);
  if (moved.length === 0) return nodes;
  return nodes.map((n) => (boxes.get(n.id)!.y === n.position.y ? n : { ...n, position: { x: n.position.x, y: boxes.get(n.id)!.y } }));
}
