/**
 * What a screen reader says on the canvas, in the interface language: each block's and each connection's name
 * (React Flow puts a node's and an edge's `ariaLabel` on its focusable element), React Flow's own instructions
 * and buttons, and where the focus goes once the focused block is deleted. Pure: the canvas feeds it the store.
 */
import type { AriaLabelConfig } from "@xyflow/react";
import { exitLabel, specTitle } from "./blockText";
import type { Catalog, Config } from "./catalog";
import { exitsOf } from "./graph";
import { countText, type Language, type Translate } from "./i18n";
import type { Problem } from "./problems";

/** A block as labels need it: what a drag leaves alone (not its position, size or selection). */
export interface LabelledBlock {
  id: string;
  data: { blockType: string; label?: string; config: Config };
}

/** A connection as labels need it: React Flow's edge, its exit the source handle. */
export interface LabelledEdge {
  id: string;
  source: string;
  sourceHandle?: string | null;
  target: string;
}

export interface Wording {
  language: Language;
  t: Translate;
  catalog: Catalog;
}

// As the designer quotes an analyst's words elsewhere (changeText.ts): “…” in English, «…» in Spanish and Russian.
const QUOTES: Record<Language, [string, string]> = { en: ["“", "”"], es: ["«", "»"], ru: ["«", "»"] };

function typeTitle(w: Wording, type: string): string {
  return specTitle(w.language, type, w.catalog.get(type));
}

/** A block's full name: its type and, quoted, its label or else its id («Say Phrase “say_phrase”»). */
export function blockFullName(w: Wording, block: LabelledBlock): string {
  const [open, close] = QUOTES[w.language];
  return `${typeTitle(w, block.data.blockType)} ${open}${block.data.label || block.id}${close}`;
}

/**
 * How labels name the blocks an exit leads to: as the canvas titles them (the label, else the type's title), in
 * full where that title is not unique on the canvas (two Transfers with no label), so no two sound alike.
 */
export function blockNames(w: Wording, blocks: readonly LabelledBlock[]): Map<string, string> {
  const titles = new Map(blocks.map((b) => [b.id, b.data.label || typeTitle(w, b.data.blockType)]));
  const uses = new Map<string, number>();
  for (const title of titles.values()) uses.set(title, (uses.get(title) ?? 0) + 1);
  return new Map(blocks.map((b) => [b.id, uses.get(titles.get(b.id)!)! > 1 ? blockFullName(w, b) : titles.get(b.id)!]));
}

/** A block's exits in its order on the canvas, each with its label there. */
function exitsNamed(w: Wording, block: LabelledBlock, wired: readonly string[]): { name: string; label: string }[] {
  return exitsOf(block.data.blockType, block.data.config, w.catalog, () => [...wired]).map((exit) => ({
    name: exit.name,
    label: exitLabel(w.language, block.data.blockType, exit.name, exit.label, w.catalog.get(block.data.blockType)),
  }));
}

/**
 * A block's steps on a call's path in words, every one of them (the badge may show a few): «Step 3 of the call»,
 * «Steps 2, 9, 14, 20 and 31 of the call».
 */
export function stepsWords(t: Translate, steps: readonly number[]): string {
  if (steps.length === 1) return t("editor.stepBadge", { n: steps[0]! });
  return t("editor.stepsBadge", { steps: steps.slice(0, -1).join(", "), last: steps[steps.length - 1]! });
}

/**
 * A block's accessible name: «Say Phrase “say_phrase”: Next → IVR Menu; error: not connected; 1 error». Its
 * type and name, where each exit leads, its problems, and its steps on a call's path when lit, and whether the
 * caller hung up there.
 */
export function blockAriaLabel(
  w: Wording,
  block: LabelledBlock,
  outgoing: readonly LabelledEdge[],
  names: ReadonlyMap<string, string>,
  problems: readonly Problem[],
  steps?: readonly number[],
  callerHungUp = false,
): string {
  const targets = new Map(outgoing.map((e) => [e.sourceHandle ?? "", e.target]));
  const parts = exitsNamed(w, block, [...targets.keys()]).map(({ name, label }) => {
    const target = targets.get(name);
    return target === undefined
      ? w.t("editor.exitOpen", { exit: label })
      : w.t("editor.exitTo", { exit: label, target: names.get(target) ?? target });
  });
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.filter((p) => p.severity === "warning").length;
  if (errors) parts.push(countText(w.language, "error", errors));
  if (warnings) parts.push(countText(w.language, "warning", warnings));
  if (steps?.length) parts.push(stepsWords(w.t, steps));
  if (callerHungUp) parts.push(w.t("editor.callerHungUpHere"));
  const name = blockFullName(w, block);
  return parts.length ? `${name}: ${parts.join("; ")}` : name;
}

/** A connection's accessible name: «Start, Next → Say Phrase», its exit as the source block labels it. */
export function edgeAriaLabel(
  w: Wording,
  edge: LabelledEdge,
  blocks: ReadonlyMap<string, LabelledBlock>,
  names: ReadonlyMap<string, string>,
): string {
  const exit = edge.sourceHandle ?? "next";
  const source = blocks.get(edge.source);
  const label = source ? (exitsNamed(w, source, [exit]).find((e) => e.name === exit)?.label ?? exit) : exit;
  return w.t("editor.edgeName", {
    source: names.get(edge.source) ?? edge.source,
    exit: label,
    target: names.get(edge.target) ?? edge.target,
  });
}

/** Every block's accessible name by id, from the whole canvas at once (one pass over the edges and problems). */
export function blockAriaLabels(
  w: Wording,
  blocks: readonly LabelledBlock[],
  edges: readonly LabelledEdge[],
  problems: readonly Problem[],
  steps: ReadonlyMap<string, readonly number[]> = new Map(),
  names: ReadonlyMap<string, string> = blockNames(w, blocks),
  hungUpAt: string | null = null,
): Map<string, string> {
  const outgoing = new Map<string, LabelledEdge[]>();
  for (const edge of edges) outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), edge]);
  const found = new Map<string, Problem[]>();
  for (const problem of problems) if (problem.node) found.set(problem.node, [...(found.get(problem.node) ?? []), problem]);
  return new Map(
    blocks.map((b) => [b.id, blockAriaLabel(w, b, outgoing.get(b.id) ?? [], names, found.get(b.id) ?? [], steps.get(b.id), b.id === hungUpAt)]),
  );
}

/** Every connection's accessible name by id. */
export function edgeAriaLabels(
  w: Wording,
  blocks: readonly LabelledBlock[],
  edges: readonly LabelledEdge[],
  names: ReadonlyMap<string, string> = blockNames(w, blocks),
): Map<string, string> {
  const byId = new Map(blocks.map((b) => [b.id, b]));
  return new Map(edges.map((e) => [e.id, edgeAriaLabel(w, e, byId, names)]));
}

/** Every block's and connection's accessible name by id. */
export interface CanvasLabels {
  blocks: Map<string, string>;
  edges: Map<string, string>;
}

/** What a block's name is made of besides its own data, as one string: equal strings, equal names. */
function blockSays(
  outgoing: readonly LabelledEdge[] | undefined,
  names: ReadonlyMap<string, string>,
  problems: readonly Problem[] | undefined,
  steps: readonly number[] | undefined,
  callerHungUp: boolean,
): string {
  let says = "";
  for (const e of outgoing ?? []) says += `${e.sourceHandle ?? ""}\u0001${e.target}\u0001${names.get(e.target) ?? ""}\u0002`;
  let errors = 0;
  let warnings = 0;
  for (const p of problems ?? []) {
    if (p.severity === "error") errors += 1;
    else if (p.severity === "warning") warnings += 1;
  }
  return `${says}\u0003${errors},${warnings},${steps?.join(" ") ?? ""},${callerHungUp}`;
}

/**
 * The canvas's names (`blockAriaLabels`, `edgeAriaLabels`), kept between calls: each name is worked out again only
 * when what it says changed (its block's data, where its exits lead and what those blocks are called, its
 * problems, its steps), so an edit, a connection or a check of an 800-block scenario renames the few items it
 * touched, not all of them. One per canvas; the names are the same as from scratch.
 */
export function canvasLabeller(): (
  w: Wording,
  blocks: readonly LabelledBlock[],
  edges: readonly LabelledEdge[],
  problems: readonly Problem[],
  steps?: ReadonlyMap<string, readonly number[]>,
  hungUpAt?: string | null,
) => CanvasLabels {
  let wording: Wording | null = null;
  let blockCache = new Map<string, { data: LabelledBlock["data"]; says: string; label: string }>();
  let edgeCache = new Map<string, { data: LabelledBlock["data"] | undefined; says: string; label: string }>();
  return (w, blocks, edges, problems, steps = new Map(), hungUpAt = null) => {
    if (w !== wording) {
      wording = w;
      blockCache = new Map();
      edgeCache = new Map();
    }
    const names = blockNames(w, blocks);
    const byId = new Map(blocks.map((b) => [b.id, b]));
    const outgoing = new Map<string, LabelledEdge[]>();
    for (const edge of edges) {
      const known = outgoing.get(edge.source);
      if (known) known.push(edge);
      else outgoing.set(edge.source, [edge]);
    }
    const found = new Map<string, Problem[]>();
    for (const problem of problems) {
      if (!problem.node) continue;
      const known = found.get(problem.node);
      if (known) known.push(problem);
      else found.set(problem.node, [problem]);
    }
    // New caches each call, so what left the canvas leaves them too.
    const nextBlocks = new Map<string, { data: LabelledBlock["data"]; says: string; label: string }>();
    const blockLabels = new Map<string, string>();
    for (const block of blocks) {
      const hungUp = block.id === hungUpAt;
      const says = blockSays(outgoing.get(block.id), names, found.get(block.id), steps.get(block.id), hungUp);
      const known = blockCache.get(block.id);
      const label =
        known && known.data === block.data && known.says === says
          ? known.label
          : blockAriaLabel(w, block, outgoing.get(block.id) ?? [], names, found.get(block.id) ?? [], steps.get(block.id), hungUp);
      nextBlocks.set(block.id, { data: block.data, says, label });
      blockLabels.set(block.id, label);
    }
    const nextEdges = new Map<string, { data: LabelledBlock["data"] | undefined; says: string; label: string }>();
    const edgeLabels = new Map<string, string>();
    for (const edge of edges) {
      const data = byId.get(edge.source)?.data;
      const says = `${edge.source}\u0001${edge.sourceHandle ?? ""}\u0001${edge.target}\u0001${names.get(edge.source) ?? ""}\u0001${names.get(edge.target) ?? ""}`;
      const known = edgeCache.get(edge.id);
      const label = known && known.data === data && known.says === says ? known.label : edgeAriaLabel(w, edge, byId, names);
      nextEdges.set(edge.id, { data, says, label });
      edgeLabels.set(edge.id, label);
    }
    blockCache = nextBlocks;
    edgeCache = nextEdges;
    return { blocks: blockLabels, edges: edgeLabels };
  };
}

const DIRECTIONS = { left: "canvas.left", right: "canvas.right", up: "canvas.up", down: "canvas.down" } as const;

/**
 * React Flow's words, in the interface language: the instructions read on a block or a connection, what is
 * said when the arrow keys move a block, the zoom buttons and the minimap. Read-only, nothing moves or goes.
 */
export function canvasAriaLabels(t: Translate, readOnly: boolean): AriaLabelConfig {
  const nodeHelp = t(readOnly ? "canvas.nodeHelpReadOnly" : "canvas.nodeHelp");
  return {
    // React Flow reads the first with keyboard moves turned off, the second (ours) with them on.
    "node.a11yDescription.default": t("canvas.nodeHelpReadOnly"),
    "node.a11yDescription.keyboardDisabled": nodeHelp,
    "node.a11yDescription.ariaLiveMessage": ({ direction, x, y }) =>
      t("canvas.moved", {
        direction: direction in DIRECTIONS ? t(DIRECTIONS[direction as keyof typeof DIRECTIONS]) : direction,
        x: Math.round(x),
        y: Math.round(y),
      }),
    "edge.a11yDescription.default": t(readOnly ? "canvas.edgeHelpReadOnly" : "canvas.edgeHelp"),
    "controls.ariaLabel": t("canvas.controls"),
    "controls.zoomIn.ariaLabel": t("canvas.zoomIn"),
    "controls.zoomOut.ariaLabel": t("canvas.zoomOut"),
    "controls.fitView.ariaLabel": t("canvas.fitView"),
    "controls.interactive.ariaLabel": t("canvas.interactive"),
    "minimap.ariaLabel": t("canvas.minimap"),
    "handle.ariaLabel": t("canvas.handle"),
  };
}

/**
 * The block to focus once the focused one (`from`) is deleted: the next still on the canvas in the canvas's
 * order, else the one before it, else none (the canvas itself takes the focus).
 */
export function focusAfterDelete(order: readonly string[], kept: ReadonlySet<string>, from: string | null): string | null {
  const at = from === null ? -1 : order.indexOf(from);
  const after = order.slice(at + 1).find((id) => kept.has(id));
  if (after !== undefined) return after;
  return at > 0 ? ([...order.slice(0, at)].reverse().find((id) => kept.has(id)) ?? null) : null;
}
