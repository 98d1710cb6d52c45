/**
 * The editor's one store (zustand): the graph being drawn, its undo history, and what the server said about
 * it (revision, save state, problems, a lit-up call path). Components read slices; all edits go through here.
 */
import {
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from "@xyflow/react";
import { create } from "zustand";
import type { Conflict, DraftPin } from "../api/types";
import { catalogFrom, type BlockSpec, type Catalog, type Config } from "../lib/catalog";
import {
  fromScenario,
  toScenario,
  type BlockData,
  type BlockNode,
  type DocumentHead,
  type ExitEdge,
  type ScenarioDocument,
} from "../lib/convert";
import { jsonEqual } from "../lib/exits";
import {
  connect,
  connectionRefusal,
  copySelection,
  newBlockNode,
  nodeExits,
  orphanEdges,
  pasteClipboard,
  removeNodes,
  type Clipboard,
  type ConnectionRefusal,
} from "../lib/graph";
import { record, redo, startHistory, undo, type History } from "../lib/history";
import { autoLayout, layoutSize, relayoutNeed, type Size } from "../lib/layout";
import { freeSpot, groupShift, pushDownUnder, spotBeside, type Box, type PlacedBox } from "../lib/placement";
import { severityByNode, type Problem, type Severity } from "../lib/problems";
import { renameNodeInTests } from "../lib/scenarioTests";
import { NO_HIGHLIGHT, highlightPath, type Highlight, type TraceStepLike } from "../lib/trace";

export type SaveState = "saved" | "dirty" | "saving" | "conflict" | "error";
export type SidePanel = "block" | "scenario" | "test" | "tests" | "versions" | "calls";

interface Snapshot {
  head: DocumentHead;
  nodes: BlockNode[];
  edges: ExitEdge[];
  /** Connections of exits a config change took away, to wire again if the exit comes back: see `rewire`. */
  parked: ExitEdge[];
}

/**
 * A conflict to resolve: the server's (a 409: the draft moved on), or `kept`, edits this browser kept before a
 * reload that the analyst asked back after saving newer ones here. `document` is then those edits, not a draft
 * on the server, and `current_revision` the revision this tab saved.
 */
export type EditorConflict = Conflict & { kept?: boolean };

/** What the canvas showed of the draft before a published version took its place (`viewVersion`): put back as it was. */
interface DraftAside {
  head: DocumentHead;
  nodes: BlockNode[];
  edges: ExitEdge[];
  parked: ExitEdge[];
  readOnly: boolean;
  problems: Problem[];
  problemMarks: Map<string, Severity>;
}

/** A published version on the canvas, read-only, with the path a recorded call took through it. */
export interface VersionView {
  version: number;
  /** The call whose path is lit. */
  callId: string | null;
  draft: DraftAside;
}

export interface EditorState {
  catalogList: BlockSpec[];
  catalog: Catalog;
  slug: string | null;
  /** A viewer may look, test-call and read call records, but every edit is refused here, in one place. */
  readOnly: boolean;
  head: DocumentHead;
  nodes: BlockNode[];
  edges: ExitEdge[];
  parked: ExitEdge[];
  /**
   * The blocks as drawn while the mouse drags some (`from`: the `nodes` the drag moves them from); the canvas
   * draws them (`drawnNodes`). `nodes` take the new positions at the drop, in one change: a panel, the problems
   * list or a selector reading `nodes` is not run again at every frame of a drag. Stale once `nodes` change.
   */
  dragging: { from: BlockNode[]; nodes: BlockNode[] } | null;
  history: History<Snapshot>;
  /** Bumped on every change of the document (not of selection): autosave and validation watch it. */
  changeSeq: number;
  revision: number;
  /** The revision the document was loaded at: a revision since then was saved (or taken) by this tab. */
  loadedRevision: number;
  /** When the scenario was created, as the server said: with `revision`, names the draft saves are made against. */
  scenarioCreatedAt: string | null;
  saveState: SaveState;
  saveError: string | null;
  conflict: EditorConflict | null;
  problems: Problem[];
  problemMarks: Map<string, Severity>;
  /** The change (`changeSeq`) the problems were found for: older than the canvas while a check is to come. */
  problemsSeq: number | null;
  /** Checking the canvas found no server to answer: the problems shown are kept, maybe out of date. */
  checkFailed: boolean;
  highlight: Highlight;
  panel: SidePanel;
  focus: { nodeId: string; nonce: number } | null;
  notice: string | null;
  clipboard: Clipboard | null;
  /**
   * A published version shown in the draft's place (a call's path drawn on the flow it ran, not on a draft edited
   * since), read-only; null: the canvas shows the draft. The draft waits in `draft`, untouched: its history, save
   * state and `document()` stay the draft's, so no save, stash or publish ever takes the version for it.
   */
  versionView: VersionView | null;
  /** Set by a layout (on open, or Auto layout); the canvas fits the view after it. */
  fitRequest: number;
  /**
   * What that fit shows: every block after Auto layout (at the opening's readable zoom a long flow's end was off
   * the screen), a readable zoom on the Start block for a scenario just opened.
   */
  fitWhole: boolean;

  setCatalog(specs: BlockSpec[]): void;
  setReadOnly(readOnly: boolean): void;
  load(slug: string, document: ScenarioDocument, revision: number, scenarioCreatedAt?: string | null): void;
  /** The draft the canvas was loaded from or last saved as: what a save or a publish names. */
  pin(): DraftPin;
  document(viewport?: { x: number; y: number; zoom: number }): ScenarioDocument;
  onNodesChange(changes: NodeChange<BlockNode>[]): void;
  onEdgesChange(changes: EdgeChange<ExitEdge>[]): void;
  refusal(connection: Connection): ConnectionRefusal;
  onConnect(connection: Connection): void;
  setExitTarget(source: string, exit: string, target: string | null): void;
  /**
   * A new block, selected, at the free spot nearest `where` (over no other block), or right of block `rightOf`
   * when it is given and there. Its id, or null for a type the catalog does not have or a read-only canvas.
   */
  addBlock(type: string, where: XYPosition & { rightOf?: string }): string | null;
  updateNode(id: string, patch: Partial<BlockData>, coalesce?: boolean): void;
  renameNode(id: string, newId: string): boolean;
  updateHead(patch: Partial<DocumentHead>, coalesce?: boolean): void;
  deleteSelection(): void;
  copy(): void;
  /** Copies of the copied blocks and the edges between them, selected, as a group in the free space nearest. */
  paste(): void;
  undo(): void;
  redo(): void;
  layout(): void;
  select(id: string | null): void;
  focusNode(id: string): void;
  setPanel(panel: SidePanel): void;
  /**
   * The problems found for the canvas at change `seq` (a live check's, a save's): an answer of a change older than
   * the problems shown is dropped, so whichever request lands last, the panel never goes back in time.
   */
  setProblems(problems: Problem[], seq: number): void;
  setCheckFailed(failed: boolean): void;
  setSaveState(state: SaveState, error?: string | null): void;
  saved(revision: number, seqAtSave: number): void;
  setConflict(conflict: Conflict | null): void;
  /** Resolve the conflict by keeping the canvas: the next save goes over the draft the conflict named, on purpose. */
  keepMine(): void;
  /** Resolve the conflict by taking the other version: the server's draft, or the edits kept in the browser. */
  takeTheirs(): void;
  replaceDocument(document: ScenarioDocument, revision: number, scenarioCreatedAt?: string | null): void;
  restoreUnsaved(document: ScenarioDocument, baseRevision: number, scenarioCreatedAt?: string): void;
  /** Light `steps` on the draft (leaving a version shown instead of it). */
  showPath(steps: TraceStepLike[]): void;
  clearPath(): void;
  /** Show published version `version` (`document`) in the draft's place, read-only, `steps` lit on it. */
  viewVersion(version: number, document: ScenarioDocument, steps: TraceStepLike[], callId?: string | null): void;
  /** Back to the draft as it was before `viewVersion`, no path lit. */
  leaveVersion(): void;
  setNotice(notice: string | null): void;
}

const EMPTY_HEAD: DocumentHead = { format: "ivrgraph.scenario/1", name: "" };
const EMPTY_SNAPSHOT: Snapshot = { head: EMPTY_HEAD, nodes: [], edges: [], parked: [] };
const COALESCE_MS = 1200;
let lastCoalesce: { key: string; at: number } | null = null;

/**
 * A layout made before React Flow measured the blocks (on open nothing is drawn yet) placed them at guessed
 * sizes, and a block drawn taller than its guess overlaps the one below it. This remembers what such a layout
 * assumed until the blocks are measured, so the graph is laid out once more at the sizes drawn: what Auto layout
 * would give then. React Flow shows a block only once measured, so the guessed layout is never seen.
 */
let settling: {
  /** The history entry the layout made: an edit, an undo or a drag since then calls the relayout off. */
  present: Snapshot;
  assumed: Map<string, Size>;
  /** The layout on open is nobody's edit, neither saved nor undoable until an edit: nor is it when redone. */
  onOpen: boolean;
} | null = null;

/**
 * Where the last layout (Auto layout, or the one on open) put each block, and where keeping it apart has moved it
 * since: all of those places, as an undo or a redo goes back to any of them. A block at one of them is the
 * layout's to keep tidy: pushed down to keep the layout's gap as soon as a block above it grows into that gap (an
 * IVR menu given more keys is drawn taller). A block anywhere else has been placed since (dragged by the analyst,
 * an undo to before the layout, a paste) and is pushed only when a growing block would overlap it.
 */
let laidOut = new Map<string, Set<string>>();
const placeKey = (position: XYPosition) => `${position.x},${position.y}`;

function recordLayout(nodes: BlockNode[]): void {
  laidOut = new Map(nodes.map((n) => [n.id, new Set([placeKey(n.position)])]));
}

function placedByLayout(node: BlockNode): boolean {
  return laidOut.get(node.id)?.has(placeKey(node.position)) ?? false;
}

/** The blocks React Flow has just measured taller or wider than it had them, each with its box before. */
function grownBlocks(changes: NodeChange<BlockNode>[], before: BlockNode[]): Map<string, Box> {
  const grown = new Map<string, Box>();
  const byId = new Map(before.map((n) => [n.id, n]));
  for (const change of changes) {
    if (change.type !== "dimensions" || !change.dimensions) continue;
    const node = byId.get(change.id);
    const was = node?.measured;
    // The first measure is not growth: a layout made before it is the settling's to correct, and a block that
    // opens over another was saved so.
    if (!node || was?.width === undefined || was.height === undefined) continue;
    if (change.dimensions.height >= was.height + 1 || change.dimensions.width >= was.width + 1) {
      grown.set(change.id, { ...node.position, width: was.width, height: was.height });
    }
  }
  return grown;
}

/** Changes that alter the document, as opposed to selection and measuring, which React Flow also reports. */
function isDocumentChange(change: NodeChange | EdgeChange): boolean {
  if (change.type === "select" || change.type === "dimensions") return false;
  if (change.type === "position") return change.dragging === false;
  return true;
}

/**
 * The head once the given blocks are gone: a `fallback` naming one of them is dropped with it, so deleting a
 * block never leaves the scenario pointing at nothing (and undo brings the block and the setting back together).
 */
function headWithout(head: DocumentHead, removed: Set<string>): DocumentHead {
  if (!head.fallback || !removed.has(head.fallback)) return head;
  const { fallback: _removed, ...rest } = head;
  return rest;
}

/**
 * The edges after a config change, and the connections kept aside. A config change can take exits away for a
 * moment (an IVR switched to capture and back, a key retyped 3, 4, 3): the connections of those exits are
 * "parked" instead of deleted, and wired again when the same exit comes back. Parked edges live beside `edges`,
 * never among them: the canvas draws `edges` and the document is written from `edges` alone, so a saved
 * document can never hold an edge from an exit that does not exist. They are part of every undo snapshot (undo
 * and redo bring them back with the config), follow renames, go with either end's block, and are forgotten when
 * a document is opened: they last one editing session.
 */
function rewire(nodes: BlockNode[], edges: ExitEdge[], parked: ExitEdge[], catalog: Catalog): Pick<Snapshot, "edges" | "parked"> {
  const ids = new Set(nodes.map((n) => n.id));
  const gone = orphanEdges(nodes, edges, catalog);
  if (gone.length === 0 && parked.length === 0) return { edges, parked };
  const goneIds = new Set(gone.map((e) => e.id));
  let wired = edges.filter((e) => !goneIds.has(e.id));
  // An edge to or from a block that is not there is not a connection to keep (a document opened that way).
  const newlyParked = gone.filter((e) => ids.has(e.source) && ids.has(e.target));
  const stillParked: ExitEdge[] = [];
  for (const edge of [...parked.filter((p) => !goneIds.has(p.id)), ...newlyParked]) {
    const refusal = connectionRefusal(edge, nodes, wired, catalog);
    if (refusal === null) wired = [...wired, edge];
    // Still no such exit (or wired anew meanwhile): kept for later. Any other refusal cannot come to pass.
    else if (refusal === "unknown_exit" || refusal === "exit_taken") stillParked.push(edge);
  }
  return { edges: wired, parked: stillParked };
}

function renameInEdges(edges: ExitEdge[], id: string, newId: string): ExitEdge[] {
  return edges.map((e) => {
    const source = e.source === id ? newId : e.source;
    const target = e.target === id ? newId : e.target;
    return source === e.source && target === e.target ? e : { ...e, id: `${source}:${e.sourceHandle}`, source, target };
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A local `$ref` ("#/$defs/x") of the block's schema, resolved; anything else is not followed. */
function resolveRef(ref: string, root: Record<string, unknown>): unknown {
  if (!ref.startsWith("#")) return undefined;
  let at: unknown = root;
  for (const part of ref.slice(1).split("/").filter(Boolean)) {
    at = isObject(at) ? at[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
  }
  return at;
}

/**
 * `value` (of a block's config, described by `schema`) with every block id `from` rewritten to `to`, where the
 * schema says the value names a block of the scenario (`x-ui: {widget: "node"}`, as Go To's target). Read from
 * the catalog's schemas rather than known block types, so a plugin block naming blocks follows renames too.
 * Returns `value` itself when nothing changed.
 */
function renameReferences(value: unknown, schema: unknown, root: Record<string, unknown>, from: string, to: string, depth = 0): unknown {
  if (!isObject(schema) || depth > 32) return value;
  let out = value;
  if (typeof schema.$ref === "string") out = renameReferences(out, resolveRef(schema.$ref, root), root, from, to, depth + 1);
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    const branches = schema[key];
    if (Array.isArray(branches)) for (const branch of branches) out = renameReferences(out, branch, root, from, to, depth + 1);
  }
  if (typeof out === "string") {
    const ui = schema["x-ui"];
    return out === from && isObject(ui) && ui.widget === "node" ? to : out;
  }
  if (Array.isArray(out)) {
    const prefix = Array.isArray(schema.prefixItems) ? (schema.prefixItems as unknown[]) : [];
    const items = out.map((item, i) => renameReferences(item, i < prefix.length ? prefix[i] : schema.items, root, from, to, depth + 1));
    return items.some((item, i) => item !== (out as unknown[])[i]) ? items : out;
  }
  if (isObject(out)) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    let changed = false;
    const fields = Object.fromEntries(
      Object.entries(out).map(([key, field]) => {
        const fieldSchema = key in properties ? properties[key] : schema.additionalProperties;
        const renamed = renameReferences(field, fieldSchema, root, from, to, depth + 1);
        changed ||= renamed !== field;
        return [key, renamed];
      }),
    );
    return changed ? fields : out;
  }
  return out;
}

/** The nodes with every config reference to block `from` (a Go To's target...) pointing at `to` instead. */
function renameInConfigs(nodes: BlockNode[], catalog: Catalog, from: string, to: string): BlockNode[] {
  return nodes.map((node) => {
    const schema = catalog.get(node.data.blockType)?.config_schema;
    if (!schema) return node;
    const config = renameReferences(node.data.config, schema, schema, from, to) as Config;
    return config === node.data.config ? node : { ...node, data: { ...node.data, config } };
  });
}

/**
 * `nodes` (and edges) with the selection of `current`: undo and redo bring back the document, not what was
 * selected when it was recorded, so the block whose form is open stays open (and a block undone away is no
 * longer selected).
 */
function withSelectionOf<T extends { id: string; selected?: boolean }>(current: T[], items: T[]): T[] {
  const selected = new Set(current.filter((item) => item.selected).map((item) => item.id));
  return items.map((item) => (Boolean(item.selected) === selected.has(item.id) ? item : { ...item, selected: selected.has(item.id) }));
}

/** The blocks as the canvas draws them: where a drag has them, else the document's. */
export function drawnNodes(state: Pick<EditorState, "nodes" | "dragging">): BlockNode[] {
  return state.dragging && state.dragging.from === state.nodes ? state.dragging.nodes : state.nodes;
}

/** A drag's step: only positions, of blocks still being dragged (its drop says `dragging: false`). */
function isDragStep(changes: NodeChange<BlockNode>[]): boolean {
  return changes.length > 0 && changes.every((c) => c.type === "position" && c.dragging === true);
}

const wiredByEdges = new WeakMap<readonly ExitEdge[], ReadonlyMap<string, string>>();

/**
 * Each block's wired exits, as one string (the exits' names joined by NUL, in the edges' order) by block id:
 * worked out once per `edges` array, which every change of the connections replaces. Each block on the canvas
 * looks its own up, where filtering the edges in each block at each change of the store cost blocks × edges.
 */
export function wiredExits(edges: readonly ExitEdge[]): ReadonlyMap<string, string> {
  const known = wiredByEdges.get(edges);
  if (known) return known;
  const bySource = new Map<string, string[]>();
  for (const edge of edges) {
    const exits = bySource.get(edge.source);
    if (exits) exits.push(edge.sourceHandle ?? "");
    else bySource.set(edge.source, [edge.sourceHandle ?? ""]);
  }
  const wired = new Map([...bySource].map(([source, exits]) => [source, exits.join("\u0000")]));
  wiredByEdges.set(edges, wired);
  return wired;
}

export const useEditor = create<EditorState>()((setState, get) => {
  /** The store's `set`: new `nodes` (a drop, an undo, a load) end a drag, whose blocks were drawn from the old. */
  function set(partial: Partial<EditorState>): void {
    setState("nodes" in partial && !("dragging" in partial) ? { ...partial, dragging: null } : partial);
  }

  /** Apply a new graph, recording it for undo (typing in one field within a moment is one undo step). */
  /** Undo or redo: the snapshot `move` reaches, with the selection on screen kept (not the snapshot's). */
  function travel(move: (history: History<Snapshot>) => History<Snapshot>): void {
    const state = get();
    // The canvas shows a version, not the draft the history is of.
    if (state.versionView) return;
    const history = move(state.history);
    if (history === state.history) return;
    const { nodes, edges } = history.present;
    const selection = { nodes: withSelectionOf(state.nodes, nodes), edges: withSelectionOf(state.edges, edges) };
    set({ ...history.present, ...selection, history, changeSeq: state.changeSeq + 1, saveState: "dirty" });
  }

  function commit(next: Partial<Snapshot>, coalesceKey?: string): void {
    const state = get();
    if (state.readOnly) return;
    const snapshot: Snapshot = {
      head: next.head ?? state.head,
      nodes: next.nodes ?? state.nodes,
      edges: next.edges ?? state.edges,
      parked: next.parked ?? state.parked,
    };
    const now = Date.now();
    const coalesce = coalesceKey !== undefined && lastCoalesce?.key === coalesceKey && now - lastCoalesce.at < COALESCE_MS;
    lastCoalesce = coalesceKey ? { key: coalesceKey, at: now } : null;
    const history = coalesce ? { ...state.history, present: snapshot } : record(state.history, snapshot);
    set({ ...snapshot, history, changeSeq: state.changeSeq + 1, saveState: state.saveState === "conflict" ? "conflict" : "dirty" });
  }

  function exitCount(node: BlockNode): number {
    return nodeExits(node, get().catalog, get().edges).length;
  }

  /** What a layout of these nodes assumes of their sizes, or null when all are measured: nothing to settle. */
  function assumedSizes(nodes: BlockNode[], count: (node: BlockNode) => number): Map<string, Size> | null {
    if (nodes.every((n) => n.measured?.width !== undefined && n.measured.height !== undefined)) return null;
    return new Map(nodes.map((n) => [n.id, layoutSize(n, count)]));
  }

  /** Once the laid-out blocks are measured, lay them out again if one was drawn at another size than assumed. */
  function settle(): void {
    const pending = settling;
    if (!pending) return;
    const state = get();
    // The blocks drawn are a version's, not the draft's the layout placed: settled once the draft is back.
    if (state.versionView) return;
    const laidOut = new Map(pending.present.nodes.map((n) => [n.id, n.position]));
    const touched =
      state.history.present !== pending.present ||
      state.nodes.some((n) => {
        const position = laidOut.get(n.id);
        return !position || position.x !== n.position.x || position.y !== n.position.y;
      });
    // Never move what the analyst has moved or changed since: the relayout is off, not postponed.
    if (touched) {
      settling = null;
      return;
    }
    const need = relayoutNeed(state.nodes, pending.assumed);
    if (need === "wait") return;
    settling = null; // one try only: measured sizes give the same layout again, so this cannot loop
    if (need === "keep") return;
    const nodes = autoLayout(state.nodes, state.edges, exitCount);
    recordLayout(nodes);
    // Merged into the layout's own history entry: undo goes back to before the layout, not to its guess.
    const history = { ...state.history, present: { ...state.history.present, nodes } };
    const fitRequest = state.fitRequest + 1;
    if (pending.onOpen) set({ nodes, history, fitRequest });
    else {
      // The guessed positions may have been saved meanwhile: the settled ones need saving too.
      const saveState = state.saveState === "conflict" ? "conflict" : "dirty";
      set({ nodes, history, fitRequest, changeSeq: state.changeSeq + 1, saveState });
    }
  }

  /** Each block's box on the canvas: as React Flow measured it, else as the layout guesses it. */
  function boxesOf(nodes: BlockNode[]): PlacedBox[] {
    return nodes.map((n) => ({ id: n.id, ...n.position, ...layoutSize(n, exitCount) }));
  }

  /**
   * Blocks grew: push the blocks they now overlap down (see `pushDownUnder`), as part of the edit that made them
   * grow (one undo takes back both). While a layout is settling, its relayout at the measured sizes does this.
   */
  function keepApart(grown: Map<string, Box>): void {
    const state = get();
    if (grown.size === 0 || settling || state.readOnly) return;
    const tidy = new Set(state.nodes.filter(placedByLayout).map((n) => n.id));
    const moved = pushDownUnder(boxesOf(state.nodes), grown, tidy);
    if (moved.size === 0) return;
    const nodes = state.nodes.map((n) => (moved.has(n.id) ? { ...n, position: { x: n.position.x, y: moved.get(n.id)! } } : n));
    for (const node of nodes) if (tidy.has(node.id)) laidOut.get(node.id)?.add(placeKey(node.position));
    const history = { ...state.history, present: { ...state.history.present, nodes } };
    const saveState = state.saveState === "conflict" ? "conflict" : "dirty";
    set({ nodes, history, changeSeq: state.changeSeq + 1, saveState });
  }

  return {
    catalogList: [],
    catalog: new Map(),
    slug: null,
    readOnly: false,
    head: EMPTY_HEAD,
    nodes: [],
    edges: [],
    parked: [],
    dragging: null,
    history: startHistory(EMPTY_SNAPSHOT),
    changeSeq: 0,
    revision: 0,
    loadedRevision: 0,
    scenarioCreatedAt: null,
    saveState: "saved",
    saveError: null,
    conflict: null,
    problems: [],
    problemMarks: new Map(),
    problemsSeq: null,
    checkFailed: false,
    highlight: NO_HIGHLIGHT,
    panel: "block",
    focus: null,
    notice: null,
    clipboard: null,
    versionView: null,
    fitRequest: 0,
    fitWhole: false,

    setCatalog: (specs) => set({ catalogList: specs, catalog: catalogFrom(specs) }),
    setReadOnly(readOnly) {
      const view = get().versionView;
      // A version shown is read-only whatever the role: the role is the draft's, put back with it.
      if (view) set({ versionView: { ...view, draft: { ...view.draft, readOnly } } });
      else set({ readOnly });
    },

    load(slug, document, revision, scenarioCreatedAt = null) {
      // A quick edit just before the load must not pull the first edit after it into the loaded state.
      lastCoalesce = null;
      const graph = fromScenario(document);
      let nodes = graph.nodes;
      let assumed: Map<string, Size> | null = null;
      // A document written by hand or by another tool may have no positions: lay it out once. Exits are counted
      // on this document's edges (a block of a missing plugin has the exits wired to it), not the last one's.
      if (nodes.some((n) => n.data.unplaced)) {
        const count = (node: BlockNode) => nodeExits(node, get().catalog, graph.edges).length;
        assumed = assumedSizes(nodes, count);
        nodes = autoLayout(nodes, graph.edges, count);
      }
      const snapshot = { head: graph.head, nodes, edges: graph.edges, parked: [] };
      settling = assumed && { present: snapshot, assumed, onOpen: true };
      recordLayout(graph.nodes.some((n) => n.data.unplaced) ? nodes : []);
      set({
        slug,
        ...snapshot,
        readOnly: get().versionView?.draft.readOnly ?? get().readOnly,
        versionView: null,
        history: startHistory(snapshot),
        revision,
        loadedRevision: revision,
        scenarioCreatedAt,
        saveState: "saved",
        saveError: null,
        conflict: null,
        problems: [],
        problemMarks: new Map(),
        problemsSeq: null,
        checkFailed: false,
        highlight: NO_HIGHLIGHT,
        changeSeq: 0,
        panel: "block",
        focus: null,
        fitRequest: get().fitRequest + 1,
        fitWhole: false,
      });
    },

    document(viewport) {
      const { head, nodes, edges } = get().versionView?.draft ?? get();
      return toScenario({ head, nodes, edges }, viewport);
    },

    onNodesChange(changes) {
      const state = get();
      // A drag's steps move the drawn blocks only; its drop (or anything else meanwhile) lands in `nodes`.
      const nodes = applyNodeChanges(changes, drawnNodes(state));
      if (isDragStep(changes)) {
        set({ dragging: { from: state.nodes, nodes } });
        return;
      }
      const removed = new Set(changes.filter((c) => c.type === "remove").map((c) => c.id));
      const edges = removed.size ? removeNodes(nodes, state.edges, removed).edges : state.edges;
      const parked = removed.size ? removeNodes(nodes, state.parked, removed).edges : state.parked;
      if (changes.some(isDocumentChange)) commit({ head: headWithout(state.head, removed), nodes, edges, parked });
      else set({ nodes });
      if (!changes.some((c) => c.type === "dimensions")) return;
      if (settling) settle();
      keepApart(grownBlocks(changes, drawnNodes(state)));
    },

    onEdgesChange(changes) {
      const state = get();
      const edges = applyEdgeChanges(changes, state.edges) as ExitEdge[];
      if (changes.some(isDocumentChange)) commit({ edges });
      else set({ edges });
    },

    refusal(connection) {
      const { nodes, edges, catalog } = get();
      return connectionRefusal(connection, nodes, edges, catalog);
    },

    onConnect(connection) {
      const refusal = get().refusal(connection);
      if (refusal) {
        set({ notice: `editor.connectionRefused.${refusal}` });
        return;
      }
      commit({ edges: connect(connection, get().edges) });
    },

    setExitTarget(source, exit, target) {
      const kept = get().edges.filter((e) => !(e.source === source && e.sourceHandle === exit));
      if (!target) {
        commit({ edges: kept });
        return;
      }
      const connection = { source, sourceHandle: exit, target, targetHandle: null };
      const refusal = connectionRefusal(connection, get().nodes, kept, get().catalog);
      if (refusal) {
        set({ notice: `editor.connectionRefused.${refusal}` });
        return;
      }
      commit({ edges: connect(connection, kept) });
    },

    addBlock(type, { rightOf, ...wanted }) {
      const spec = get().catalog.get(type);
      // Refused by `commit` anyway: an id would have the palette announce a block that is not there.
      if (!spec || get().readOnly) return null;
      const taken = new Set(get().nodes.map((n) => n.id));
      const made = newBlockNode(spec, wanted, taken);
      // Its size before it is drawn: the layout's guess, kept above what the stylesheet draws.
      const size = layoutSize(made, exitCount);
      const others = boxesOf(get().nodes);
      const beside = rightOf === undefined ? undefined : others.find((b) => b.id === rightOf);
      const position = beside ? spotBeside(beside, size, others) : freeSpot(wanted, size, others);
      const node = { ...made, position, selected: true };
      const nodes = get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
      commit({ nodes: [...nodes, node] });
      set({ panel: "block" });
      return node.id;
    },

    updateNode(id, patch, coalesce = true) {
      const state = get();
      const nodes = state.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n));
      // Config edits can take exits away (an IVR key deleted) and bring them back: see `rewire`.
      const wiring = patch.config ? rewire(nodes, state.edges, state.parked, state.catalog) : {};
      commit({ nodes, ...wiring }, coalesce ? `node:${id}:${Object.keys(patch).join(",")}` : undefined);
    },

    renameNode(id, newId) {
      const state = get();
      if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(newId) || state.nodes.some((n) => n.id === newId)) return false;
      const renamed = state.nodes.map((n) => (n.id === id ? { ...n, id: newId } : n));
      // Configs naming the block (a Go To's target) and the fallback name it by id: they follow it like the edges.
      const nodes = renameInConfigs(renamed, state.catalog, id, newId);
      const edges = renameInEdges(state.edges, id, newId);
      const parked = renameInEdges(state.parked, id, newId);
      // So do the scenario's tests (`meta.tests`): a path, a forced exit, a hang-up point naming it by id. In the
      // same edit, one step of undo: a test left naming the old id fails, and blocks publishing.
      const meta = renameNodeInTests(state.head.meta, id, newId);
      let head = state.head.fallback === id ? { ...state.head, fallback: newId } : state.head;
      if (meta !== head.meta) head = { ...head, meta };
      commit({ head, nodes, edges, parked });
      return true;
    },

    updateHead(patch, coalesce = true) {
      // A field set to undefined (language emptied, fallback "none") leaves the document instead of staying as a key.
      const head = Object.fromEntries(Object.entries({ ...get().head, ...patch }).filter(([, value]) => value !== undefined));
      commit({ head: head as DocumentHead }, coalesce ? `head:${Object.keys(patch).join(",")}` : undefined);
    },

    deleteSelection() {
      const state = get();
      const ids = new Set(state.nodes.filter((n) => n.selected).map((n) => n.id));
      const afterNodes = removeNodes(state.nodes, state.edges, ids);
      const edges = afterNodes.edges.filter((e) => !e.selected);
      if (ids.size === 0 && edges.length === state.edges.length) return;
      const parked = removeNodes(state.nodes, state.parked, ids).edges;
      commit({ head: headWithout(state.head, ids), nodes: afterNodes.nodes, edges, parked });
    },

    copy() {
      const state = get();
      const ids = new Set(state.nodes.filter((n) => n.selected).map((n) => n.id));
      if (ids.size) set({ clipboard: copySelection(state.nodes, state.edges, ids) });
    },

    paste() {
      const state = get();
      if (!state.clipboard) return;
      const pasted = pasteClipboard(state.clipboard, new Set(state.nodes.map((n) => n.id)));
      // Where the paste puts them (offset from the originals) may be over blocks, the originals or an earlier paste
      // of the same copy: the copies move together, keeping their shape, to the nearest place over none of them.
      const edges = [...state.edges, ...pasted.edges];
      const sizeOf = (node: BlockNode) => layoutSize(node, (n) => nodeExits(n, state.catalog, edges).length);
      const shift = groupShift(pasted.nodes.map((n) => ({ ...n.position, ...sizeOf(n) })), boxesOf(state.nodes));
      const moved = (p: XYPosition) => ({ x: p.x + shift.x, y: p.y + shift.y });
      const copies = pasted.nodes.map((n) => ({ ...n, position: moved(n.position) }));
      const nodes = state.nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
      commit({ nodes: [...nodes, ...copies], edges });
    },

    undo() {
      travel(undo);
    },

    redo() {
      travel(redo);
    },

    layout() {
      const { nodes, readOnly } = get();
      if (readOnly) return;
      const assumed = assumedSizes(nodes, exitCount);
      const laid = autoLayout(nodes, get().edges, exitCount);
      commit({ nodes: laid });
      recordLayout(laid);
      // A block added a moment ago may not be measured yet: its guess is corrected as soon as it is.
      if (assumed) settling = { present: get().history.present, assumed, onOpen: false };
      set({ fitRequest: get().fitRequest + 1, fitWhole: true });
    },

    select(id) {
      set({
        nodes: get().nodes.map((n) => (n.selected === (n.id === id) ? n : { ...n, selected: n.id === id })),
        panel: "block",
      });
    },

    focusNode(id) {
      get().select(id);
      set({ focus: { nodeId: id, nonce: Date.now() } });
    },

    setPanel: (panel) => set({ panel }),
    setProblems(problems, seq) {
      const shown = get().problemsSeq;
      if (shown !== null && seq < shown) return;
      const view = get().versionView;
      // The draft's problems, found while a version is shown: marked on the draft once it is back, not on the version.
      if (view) set({ versionView: { ...view, draft: { ...view.draft, problems, problemMarks: severityByNode(problems) } }, problemsSeq: seq });
      else set({ problems, problemMarks: severityByNode(problems), problemsSeq: seq });
    },
    setCheckFailed: (checkFailed) => set({ checkFailed }),
    setSaveState: (saveState, saveError = null) => set({ saveState, saveError }),
    saved(revision, seqAtSave) {
      // Edits made while the request was in flight still need saving; a conflict open meanwhile stays open.
      const saveState = get().conflict ? "conflict" : get().changeSeq === seqAtSave ? "saved" : "dirty";
      set({ revision, saveState, saveError: null });
    },
    setConflict(conflict) {
      // A conflict is resolved on the draft: shown, not the version.
      if (conflict) get().leaveVersion();
      set({ conflict, saveState: conflict ? "conflict" : get().saveState });
    },

    pin: () => ({ revision: get().revision, scenarioCreatedAt: get().scenarioCreatedAt }),

    keepMine() {
      const conflict = get().conflict;
      if (!conflict) return;
      // Kept edits were never on the server: the canvas is still this tab's, at the revision it saved.
      if (conflict.kept) {
        set({ conflict: null, saveState: "dirty" });
        return;
      }
      const scenarioCreatedAt = conflict.scenario_created_at ?? get().scenarioCreatedAt;
      set({ revision: conflict.current_revision, scenarioCreatedAt, conflict: null, saveState: "dirty" });
    },

    takeTheirs() {
      const conflict = get().conflict;
      if (!conflict) return;
      if (!conflict.kept) {
        get().replaceDocument(conflict.document, conflict.current_revision, conflict.scenario_created_at);
        return;
      }
      // Kept edits are not on the server: an undoable edit, saved over the revision this tab saved.
      set({ conflict: null, saveState: "dirty" });
      const graph = fromScenario(conflict.document);
      commit({ head: graph.head, nodes: graph.nodes, edges: graph.edges, parked: [] });
    },

    replaceDocument(document, revision, scenarioCreatedAt) {
      get().leaveVersion();
      const graph = fromScenario(document);
      const snapshot = { head: graph.head, nodes: graph.nodes, edges: graph.edges, parked: [] };
      set({
        ...snapshot,
        history: record(get().history, snapshot),
        revision,
        scenarioCreatedAt: scenarioCreatedAt ?? get().scenarioCreatedAt,
        conflict: null,
        saveState: "saved",
        changeSeq: get().changeSeq + 1,
      });
    },

    /**
     * Bring back edits kept in the browser, as an undoable edit on top of the server's draft. The save that
     * follows claims the revision those edits started from, of the scenario they were made on, so if someone
     * saved since, or the scenario was deleted and created again, it is a 409 and the conflict view shows both
     * versions: restoring never overwrites anyone silently.
     *
     * Asked after the analyst edited here (the banner ignored, newer edits saved), the kept edits would replace
     * later ones, and the server would answer the save with this tab's own revision as "someone else's". So
     * nothing is replaced: if the kept edits differ from the canvas, the conflict view offers both, the kept ones
     * named as this browser's (`kept`); if they do not, there is nothing to restore.
     */
    restoreUnsaved(document, baseRevision, scenarioCreatedAt) {
      get().leaveVersion();
      const state = get();
      if (state.readOnly) return;
      if (state.revision !== state.loadedRevision || state.history.past.length > 0) {
        if (jsonEqual(document, state.document())) return;
        const kept = { current_revision: state.revision, scenario_created_at: state.scenarioCreatedAt, document, kept: true };
        set({ conflict: kept, saveState: "conflict" });
        return;
      }
      const graph = fromScenario(document);
      commit({ head: graph.head, nodes: graph.nodes, edges: graph.edges, parked: [] });
      set({ revision: baseRevision, scenarioCreatedAt: scenarioCreatedAt ?? get().scenarioCreatedAt });
    },

    showPath(steps) {
      get().leaveVersion();
      set({ highlight: highlightPath(steps, get().edges) });
    },
    clearPath: () => set({ highlight: NO_HIGHLIGHT }),

    viewVersion(version, document, steps, callId = null) {
      const state = get();
      lastCoalesce = null;
      // Another version (or call) over one shown: the draft set aside the first time is the one to come back to.
      const draft: DraftAside = state.versionView?.draft ?? {
        head: state.head,
        nodes: state.nodes,
        edges: state.edges,
        parked: state.parked,
        readOnly: state.readOnly,
        problems: state.problems,
        problemMarks: state.problemMarks,
      };
      const graph = fromScenario(document);
      const count = (node: BlockNode) => nodeExits(node, state.catalog, graph.edges).length;
      // Laid out for the view only when published without positions: nothing here is recorded or saved.
      const nodes = graph.nodes.some((n) => n.data.unplaced) ? autoLayout(graph.nodes, graph.edges, count) : graph.nodes;
      set({
        versionView: { version, callId, draft },
        head: graph.head,
        nodes,
        edges: graph.edges,
        parked: [],
        dragging: null,
        readOnly: true,
        problems: [],
        problemMarks: new Map(),
        highlight: highlightPath(steps, graph.edges),
        focus: null,
        fitRequest: state.fitRequest + 1,
        fitWhole: true,
      });
    },

    leaveVersion() {
      const view = get().versionView;
      if (!view) return;
      // The path was the version's: lit on the draft it would show steps the draft may not have.
      set({ versionView: null, ...view.draft, dragging: null, highlight: NO_HIGHLIGHT, focus: null });
    },
    setNotice: (notice) => set({ notice }),
  };
});

