/**
 * Scenario document <-> React Flow, both pure. A scenario node is a React Flow node of the one generic type
 * `block`; an edge's `exit` is React Flow's `sourceHandle`. Everything React Flow does not draw (format, name,
 * variables, fallback, meta, node notes...) is carried through so a round trip loses nothing.
 */
import type { Edge as FlowEdge, Node as FlowNode, Viewport } from "@xyflow/react";
import type { Edge, IvrgraphScenario, Node } from "../generated/scenario";
import type { Config } from "./catalog";

export type ScenarioDocument = IvrgraphScenario;
export const SCENARIO_FORMAT = "ivrgraph.scenario/1";

export interface BlockData extends Record<string, unknown> {
  blockType: string;
  version?: number;
  label?: string;
  config: Config;
  notes?: string;
  /** True when the document gave no position: the editor lays the graph out on open. */
  unplaced?: boolean;
}

export type BlockNode = FlowNode<BlockData, "block">;
export type ExitEdge = FlowEdge & { sourceHandle: string };

/** The document without its nodes and edges: what the canvas does not edit. */
export type DocumentHead = Omit<ScenarioDocument, "nodes" | "edges">;

export interface FlowGraph {
  head: DocumentHead;
  nodes: BlockNode[];
  edges: ExitEdge[];
}

export function edgeId(source: string, exit: string): string {
  // One edge per exit, so (source, exit) names an edge.
  return `${source}:${exit}`;
}

export function toFlowNode(node: Node): BlockNode {
  const data: BlockData = { blockType: node.type, config: structuredClone(node.config) as Config };
  if (node.version !== undefined) data.version = node.version;
  if (node.label !== undefined) data.label = node.label;
  if (node.notes !== undefined) data.notes = node.notes;
  if (!node.position) data.unplaced = true;
  return {
    id: node.id,
    type: "block",
    position: node.position ? { x: node.position.x, y: node.position.y } : { x: 0, y: 0 },
    data,
  };
}

export function toFlowEdge(edge: Edge): ExitEdge {
  const flow: ExitEdge = {
    id: edge.id ?? edgeId(edge.source, edge.exit),
    source: edge.source,
    sourceHandle: edge.exit,
    target: edge.target,
  };
  // Remember that the document had no id, so writing it back adds nothing the analyst did not write.
  if (edge.id === undefined) flow.data = { generatedId: true };
  return flow;
}

export function fromScenario(document: ScenarioDocument): FlowGraph {
  const { nodes, edges, ...head } = document;
  return { head: structuredClone(head), nodes: nodes.map(toFlowNode), edges: edges.map(toFlowEdge) };
}

export function toScenarioNode(node: BlockNode): Node {
  const out: Node = { id: node.id, type: node.data.blockType, config: {} };
  if (node.data.version !== undefined) out.version = node.data.version;
  if (node.data.label !== undefined) out.label = node.data.label;
  out.position = { x: node.position.x, y: node.position.y };
  out.config = structuredClone(node.data.config);
  if (node.data.notes !== undefined) out.notes = node.data.notes;
  return out;
}

export function toScenarioEdge(edge: FlowEdge): Edge {
  const out: Edge = { source: edge.source, exit: edge.sourceHandle ?? "next", target: edge.target };
  if (!edge.data?.generatedId) return { id: edge.id, ...out };
  return out;
}

export function toScenario(graph: FlowGraph, viewport?: Viewport): ScenarioDocument {
  const document: ScenarioDocument = {
    ...structuredClone(graph.head),
    format: SCENARIO_FORMAT,
    nodes: graph.nodes.map(toScenarioNode),
    edges: graph.edges.map(toScenarioEdge),
  };
  if (viewport) document.viewport = { x: viewport.x, y: viewport.y, zoom: viewport.zoom };
  return document;
}

/** A blank scenario; `language` (BCP 47: "en", "es", "ru") is asked for, so no caller falls back to English. */
export function emptyScenario(name: string, language: string): ScenarioDocument {
  return { format: SCENARIO_FORMAT, name, language, variables: [], nodes: [], edges: [] };
}
