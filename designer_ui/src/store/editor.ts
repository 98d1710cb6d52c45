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
import { catalogFrom, type BlockSpec, type Catalog } from "../lib/catalog";
import {
  fromScenario,
  toScenario,
  type BlockData,
  type BlockNode,
  type DocumentHead,
  type ExitEdge,
  type ScenarioDocument,
} from "../lib/convert";
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
import { autoLayout, layoutSize, pushApart, relayoutNeed, type Size } from "../lib/layout";
import { severityByNode, type Problem, type Severity } from "../lib/problems";
import { NO_HIGHLIGHT, highlightPath, type Highlight, type TraceStepLike } from "../lib/trace";

export type SaveState = "saved" | "dirty" | "saving" | "conflict" | "error";
export type SidePanel = "block" | "scenario" | "test" | "versions" | "calls";

interface Snapshot {
  head: DocumentHead;
  nodes: BlockNode[];
  edges: ExitEdge[];
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
  history: History<Snapshot>;
  /** Bumped on every change of the document (not of selection): autosave and validation watch it. */
  changeSeq: number;
  revision: number;
  /** When the scenario was created, as the server said: with `revision`, names the draft saves are made against. */
  scenarioCreatedAt: string | null;
  saveState: SaveState;
  saveError: string | null;
  conflict: Conflict | null;
  problems: Problem[];
  problemMarks: Map<string, Severity>;
  checking: boolean;
  highlight: Highlight;
  panel: SidePanel;
  focus: { nodeId: string; nonce: number } | null;
  notice: string | null;
  clipboard: Clipboard | null;
  /** Set by a layout on open; the canvas fits the view after it. */
  fitRequest: number;

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
  addBlock(type: string, position: { x: number; y: number }): string | null;
  updateNode(id: string, patch: Partial<BlockData>, coalesce?: boolean): void;
  renameNode(id: string, newId: string): boolean;
  updateHead(patch: Partial<DocumentHead>, coalesce?: boolean): void;
  deleteSelection(): void;
  copy(): void;
  paste(): void;
  undo(): void;
  redo(): void;
  layout(): void;
  select(id: string | null): void;
  focusNode(id: string): void;
  setPanel(panel: SidePanel): void;
  setProblems(problems: Problem[]): void;
  setChecking(checking: boolean): void;
  setSaveState(state: SaveState, error?: string | null): void;
  saved(revision: number, seqAtSave: number): void;
  setConflict(conflict: Conflict | null): void;
  /** Resolve the conflict by keeping the canvas: the next save goes over the draft the conflict named, on purpose. */
  keepMine(): void;
  replaceDocument(document: ScenarioDocument, revision: number, scenarioCreatedAt?: string | null): void;
  restoreUnsaved(document: ScenarioDocument, baseRevision: number, scenarioCreatedAt?: string): void;
  showPath(steps: TraceStepLike[]): void;
  clearPath(): void;
  setNotice(notice: string | null): void;
}

const EMPTY_HEAD: DocumentHead = { format: "ivrgraph.scenario/1", name: "" };
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
 * layout's to keep tidy: when one of them grows (an IVR menu given more keys is drawn taller), those below it are
 * pushed down rather than left under it. A block anywhere else has been placed since (dragged by the analyst, an
 * undo to before the layout, a paste) and is never moved by this.
 */
let laidOut = new Map<string, Set<string>>();
const placeKey = (position: XYPosition) => `${position.x},${position.y}`;

function recordLayout(nodes: BlockNode[]): void {
  laidOut = new Map(nodes.map((n) => [n.id, new Set([placeKey(n.position)])]));
}

function placedByLayout(node: BlockNode): boolean {
  return laidOut.get(node.id)?.has(placeKey(node.position)) ?? false;
}

/** The laid-out blocks that React Flow has just measured taller or wider than it had them. */
function grownByLayout(changes: NodeChange<BlockNode>[], before: BlockNode[]): Set<string> {
  const grown = new Set<string>();
  const byId = new Map(before.map((n) => [n.id, n]));
  for (const change of changes) {
    if (change.type !== "dimensions" || !change.dimensions) continue;
    const node = byId.get(change.id);
    const was = node?.measured;
    // The first measure is not growth: a layout made before it is the settling's to correct.
    if (!node || was?.width === undefined || was.height === undefined || !placedByLayout(node)) continue;
    if (change.dimensions.height >= was.height + 1 || change.dimensions.width >= was.width + 1) grown.add(change.id);
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

export const useEditor = create<EditorState>()((set, get) => {
  /** Apply a new graph, recording it for undo (typing in one field within a moment is one undo step). */
  function commit(next: Partial<Snapshot>, coalesceKey?: string): void {
    const state = get();
    if (state.readOnly) return;
    const snapshot: Snapshot = {
      head: next.head ?? state.head,
      nodes: next.nodes ?? state.nodes,
      edges: next.edges ?? state.edges,
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

  /**
   * Laid-out blocks grew: push the laid-out blocks below them down, as part of the edit that made them grow (one
   * undo takes back both). While a layout is settling, its relayout at the measured sizes does this instead.
   */
  function keepApart(grown: Set<string>): void {
    const state = get();
    if (grown.size === 0 || settling || state.readOnly) return;
    const movable = new Set(state.nodes.filter(placedByLayout).map((n) => n.id));
    const nodes = pushApart(state.nodes, grown, movable, (node) => layoutSize(node, exitCount));
    if (nodes === state.nodes) return;
    for (const node of nodes) if (movable.has(node.id)) laidOut.get(node.id)?.add(placeKey(node.position));
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
    history: startHistory({ head: EMPTY_HEAD, nodes: [], edges: [] }),
    changeSeq: 0,
    revision: 0,
    scenarioCreatedAt: null,
    saveState: "saved",
    saveError: null,
    conflict: null,
    problems: [],
    problemMarks: new Map(),
    checking: false,
    highlight: NO_HIGHLIGHT,
    panel: "block",
    focus: null,
    notice: null,
    clipboard: null,
    fitRequest: 0,

    setCatalog: (specs) => set({ catalogList: specs, catalog: catalogFrom(specs) }),
    setReadOnly: (readOnly) => set({ readOnly }),

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
      const snapshot = { head: graph.head, nodes, edges: graph.edges };
      settling = assumed && { present: snapshot, assumed, onOpen: true };
      recordLayout(graph.nodes.some((n) => n.data.unplaced) ? nodes : []);
      set({
        slug,
        ...snapshot,
        history: startHistory(snapshot),
        revision,
        scenarioCreatedAt,
        saveState: "saved",
        saveError: null,
        conflict: null,
        problems: [],
        problemMarks: new Map(),
        highlight: NO_HIGHLIGHT,
        changeSeq: 0,
        panel: "block",
        focus: null,
        fitRequest: get().fitRequest + 1,
      });
    },

    document(viewport) {
      const { head, nodes, edges } = get();
      return toScenario({ head, nodes, edges }, viewport);
    },

    onNodesChange(changes) {
      const state = get();
      const nodes = applyNodeChanges(changes, state.nodes);
      const removed = new Set(changes.filter((c) => c.type === "remove").map((c) => c.id));
      const edges = removed.size ? removeNodes(nodes, state.edges, removed).edges : state.edges;
      if (changes.some(isDocumentChange)) commit({ head: headWithout(state.head, removed), nodes, edges });
      else set({ nodes });
      if (!changes.some((c) => c.type === "dimensions")) return;
      if (settling) settle();
      keepApart(grownByLayout(changes, state.nodes));
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

    addBlock(type, position) {
      const spec = get().catalog.get(type);
      if (!spec) return null;
      const taken = new Set(get().nodes.map((n) => n.id));
      const node = { ...newBlockNode(spec, position, taken), selected: true };
      const nodes = get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
      commit({ nodes: [...nodes, node] });
      set({ panel: "block" });
      return node.id;
    },

    updateNode(id, patch, coalesce = true) {
      const state = get();
      const nodes = state.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n));
      // Config edits can take exits away (an IVR key deleted): their edges go too, never left dangling.
      const orphans = patch.config ? new Set(orphanEdges(nodes, state.edges, state.catalog).map((e) => e.id)) : null;
      const edges = orphans?.size ? state.edges.filter((e) => !orphans.has(e.id)) : state.edges;
      commit({ nodes, edges }, coalesce ? `node:${id}:${Object.keys(patch).join(",")}` : undefined);
    },

    renameNode(id, newId) {
      const state = get();
      if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(newId) || state.nodes.some((n) => n.id === newId)) return false;
      const nodes = state.nodes.map((n) => (n.id === id ? { ...n, id: newId } : n));
      const edges = state.edges.map((e) => {
        const source = e.source === id ? newId : e.source;
        const target = e.target === id ? newId : e.target;
        return source === e.source && target === e.target ? e : { ...e, id: `${source}:${e.sourceHandle}`, source, target };
      });
      // The fallback names the block by id: it follows the rename like the edges do.
      const head = state.head.fallback === id ? { ...state.head, fallback: newId } : state.head;
      commit({ head, nodes, edges });
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
      commit({ head: headWithout(state.head, ids), nodes: afterNodes.nodes, edges });
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
      const nodes = state.nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
      commit({ nodes: [...nodes, ...pasted.nodes], edges: [...state.edges, ...pasted.edges] });
    },

    undo() {
      const history = undo(get().history);
      if (history === get().history) return;
      set({ ...history.present, history, changeSeq: get().changeSeq + 1, saveState: "dirty" });
    },

    redo() {
      const history = redo(get().history);
      if (history === get().history) return;
      set({ ...history.present, history, changeSeq: get().changeSeq + 1, saveState: "dirty" });
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
      set({ fitRequest: get().fitRequest + 1 });
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
    setProblems: (problems) => set({ problems, problemMarks: severityByNode(problems) }),
    setChecking: (checking) => set({ checking }),
    setSaveState: (saveState, saveError = null) => set({ saveState, saveError }),
    saved(revision, seqAtSave) {
      // Edits made while the request was in flight still need saving.
      set({ revision, saveState: get().changeSeq === seqAtSave ? "saved" : "dirty", saveError: null });
    },
    setConflict: (conflict) => set({ conflict, saveState: conflict ? "conflict" : get().saveState }),

    pin: () => ({ revision: get().revision, scenarioCreatedAt: get().scenarioCreatedAt }),

    keepMine() {
      const conflict = get().conflict;
      if (!conflict) return;
      const scenarioCreatedAt = conflict.scenario_created_at ?? get().scenarioCreatedAt;
      set({ revision: conflict.current_revision, scenarioCreatedAt, conflict: null, saveState: "dirty" });
    },

    replaceDocument(document, revision, scenarioCreatedAt) {
      const graph = fromScenario(document);
      const snapshot = { head: graph.head, nodes: graph.nodes, edges: graph.edges };
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
     */
    restoreUnsaved(document, baseRevision, scenarioCreatedAt) {
      const graph = fromScenario(document);
      commit({ head: graph.head, nodes: graph.nodes, edges: graph.edges });
      set({ revision: baseRevision, scenarioCreatedAt: scenarioCreatedAt ?? get().scenarioCreatedAt });
    },

    showPath: (steps) => set({ highlight: highlightPath(steps, get().edges) }),
    clearPath: () => set({ highlight: NO_HIGHLIGHT }),
    setNotice: (notice) => set({ notice }),
  };
});

