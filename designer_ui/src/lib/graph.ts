/** Pure edits of the canvas graph: connecting exits, pruning, copy and paste, new ids. */
import type { Connection, Edge as FlowEdge } from "@xyflow/react";
import type { BlockSpec, Catalog, Config } from "./catalog";
import { defaultConfig } from "./catalog";
import { browserZone, localDefaults } from "./formShape";
import { edgeId, type BlockNode, type ExitEdge } from "./convert";
import { exitsFor, exitsForUnknown, type ExitInfo } from "./exits";

/** Blocks a call enters without an edge: nothing may connect into them. */
const ENTRY_TYPES = new Set(["start"]);

/** A block's exits: from the catalog's rules, or, for a type the server does not know, the exits in use. */
export function exitsOf(type: string, config: Config, catalog: Catalog, wired: () => string[]): ExitInfo[] {
  const spec = catalog.get(type);
  return spec ? exitsFor(spec, config) : exitsForUnknown(wired());
}

export function nodeExits(node: BlockNode, catalog: Catalog, edges: FlowEdge[]): ExitInfo[] {
  return exitsOf(node.data.blockType, node.data.config, catalog, () =>
    edges.filter((e) => e.source === node.id).map((e) => e.sourceHandle ?? ""),
  );
}

export type ConnectionRefusal = "missing_node" | "unknown_exit" | "exit_taken" | "into_entry" | null;

/** Why a connection is refused, or null when it is fine: one edge per exit, into a block that has an input. */
export function connectionRefusal(
  connection: Connection | FlowEdge,
  nodes: BlockNode[],
  edges: FlowEdge[],
  catalog: Catalog,
): ConnectionRefusal {
  const source = nodes.find((n) => n.id === connection.source);
  const target = nodes.find((n) => n.id === connection.target);
  if (!source || !target) return "missing_node";
  const exit = connection.sourceHandle;
  if (!exit || !nodeExits(source, catalog, edges).some((e) => e.name === exit)) return "unknown_exit";
  if (ENTRY_TYPES.has(target.data.blockType)) return "into_entry";
  if (edges.some((e) => e.source === source.id && e.sourceHandle === exit)) return "exit_taken";
  return null;
}

export function connect(connection: Connection, edges: ExitEdge[]): ExitEdge[] {
  const exit = connection.sourceHandle ?? "next";
  const id = edgeId(connection.source, exit);
  return [...edges, { id, source: connection.source, sourceHandle: exit, target: connection.target }];
}

/** Edges whose exit no longer exists on their source (an IVR key was removed): candidates to drop. */
export function orphanEdges(nodes: BlockNode[], edges: ExitEdge[], catalog: Catalog): ExitEdge[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return edges.filter((edge) => {
    const source = byId.get(edge.source);
    if (!source || !byId.has(edge.target)) return true;
    const spec = catalog.get(source.data.blockType);
    return spec !== undefined && !exitsFor(spec, source.data.config).some((e) => e.name === edge.sourceHandle);
  });
}

/** A fresh node id for a type: `ivr`, `ivr_2`, `ivr_3`... readable in traces and problems. */
export function freshId(base: string, taken: Set<string>): string {
  const stem = base.replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, 56) || "node";
  if (!taken.has(stem)) return stem;
  for (let i = 2; ; i += 1) {
    const candidate = `${stem}_${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** A block dropped on the canvas: its schema's defaults, its time zone the analyst's (`timeZone`, the browser's). */
export function newBlockNode(
  spec: BlockSpec,
  position: { x: number; y: number },
  taken: Set<string>,
  timeZone: string | undefined = browserZone(),
): BlockNode {
  return {
    id: freshId(spec.type, taken),
    type: "block",
    position,
    data: { blockType: spec.type, version: spec.version, config: localDefaults(spec.config_schema, defaultConfig(spec), timeZone) },
  };
}

export interface Clipboard {
  nodes: BlockNode[];
  edges: ExitEdge[];
}

/** What a copy takes: the selected nodes and the edges between them. */
export function copySelection(nodes: BlockNode[], edges: ExitEdge[], selected: Set<string>): Clipboard {
  return {
    nodes: structuredClone(nodes.filter((n) => selected.has(n.id)).map((n) => ({ ...n, selected: false }))),
    edges: structuredClone(edges.filter((e) => selected.has(e.source) && selected.has(e.target))),
  };
}

/** Pasted copies get new ids and keep their inner edges; they land offset so they are visibly new. */
export function pasteClipboard(clip: Clipboard, taken: Set<string>, offset = { x: 40, y: 40 }): Clipboard {
  const ids = new Set(taken);
  const renamed = new Map<string, string>();
  const nodes = clip.nodes.map((node) => {
    const id = freshId(node.id.replace(/_\d+$/, ""), ids);
    ids.add(id);
    renamed.set(node.id, id);
    return {
      ...structuredClone(node),
      id,
      selected: true,
      position: { x: node.position.x + offset.x, y: node.position.y + offset.y },
    };
  });
  const edges = clip.edges.map((edge) => {
    const source = renamed.get(edge.source) ?? edge.source;
    return { ...edge, id: edgeId(source, edge.sourceHandle), source, target: renamed.get(edge.target) ?? edge.target };
  });
  return { nodes, edges };
}

/** Delete nodes and every edge touching them. */
export function removeNodes(nodes: BlockNode[], edges: ExitEdge[], ids: Set<string>): Clipboard {
  return {
    nodes: nodes.filter((n) => !ids.has(n.id)),
    edges: edges.filter((e) => !ids.has(e.source) && !ids.has(e.target)),
  };
}
