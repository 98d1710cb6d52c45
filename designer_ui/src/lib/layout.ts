/** Automatic layout, left to right, with dagre: calls read like a sentence from Start onwards. */
import dagre from "@dagrejs/dagre";
import type { BlockNode, ExitEdge } from "./convert";

export const NODE_WIDTH = 220;

/** Height grows with the number of exits, because each exit is a labelled row on the node. */
export function nodeHeight(exitCount: number): number {
  return 64 + exitCount * 20;
}

export function autoLayout(
  nodes: BlockNode[],
  edges: ExitEdge[],
  exitCount: (node: BlockNode) => number,
): BlockNode[] {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: "LR", nodesep: 30, ranksep: 90, marginx: 20, marginy: 20 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) {
    graph.setNode(node.id, {
      width: node.measured?.width ?? NODE_WIDTH,
      height: node.measured?.height ?? nodeHeight(exitCount(node)),
    });
  }
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
