/**
 * The one generic node: title, a one-line summary, and a source handle for every exit; zoomed out below FAR_ZOOM,
 * its bare box. What a screen reader says for the block is its node's `ariaLabel` (Canvas.tsx, lib/canvasLabels.ts);
 * the handles are for the mouse only (the keyboard wires an exit from the Block panel's Exits), so they are hidden
 * from it.
 */
import { Handle, Position, useStore, type InternalNode, type NodeProps, type ReactFlowState } from "@xyflow/react";
import { memo, useCallback, useMemo } from "react";
import { useI18n } from "../i18n";
import type { BlockNode } from "../lib/convert";
import { exitsOf } from "../lib/graph";
import { exitLabel, specTitle } from "../lib/blockText";
import type { Severity } from "../lib/problems";
import { problemText } from "../lib/problemText";
import { stepsWords } from "../lib/canvasLabels";
import { blockSummary } from "../lib/summary";
import { stepsShort } from "../lib/trace";
import { useEditor, wiredExits } from "../store/editor";
import { BlockIcon } from "./BlockIcon";
import { FlowStatsBadge } from "./FlowStatsCanvas";

/** What a node's problem mark says to a screen reader (and as its tooltip before the problems are loaded). */
const MARK_WORDS = { error: "editor.markError", warning: "editor.markWarning" } as const;

/** A block as it is drawn, from the store: what `BlockNodeBody` needs, and nothing it has to look up. */
export interface BlockNodeBodyProps {
  id: string;
  blockType: string;
  title: string;
  icon: string;
  category: string;
  known: boolean;
  selected: boolean;
  summary: string;
  exits: readonly { name: string; label: string; wired: boolean }[];
  mark?: Severity;
  markText?: string;
  /** The steps of the call shown on the canvas that ran this block, in order (a block passed twice has two). */
  steps?: readonly number[];
  isLast?: boolean;
  /** The call ended here because the caller hung up, not because the scenario ended it. */
  callerHungUp?: boolean;
}

export function BlockNodeBody(props: BlockNodeBodyProps) {
  const { t } = useI18n();
  const { id, blockType, mark, steps } = props;
  const onPath = steps !== undefined && steps.length > 0;
  const hungUp = onPath && props.isLast && props.callerHungUp;
  const stepWords = onPath ? stepsWords(t, steps) : "";
  const badgeWords = hungUp ? `${stepWords}; ${t("editor.callerHungUpHere")}` : stepWords;
  const classes = ["block-node", `category-${props.category.toLowerCase()}`];
  if (props.selected) classes.push("selected");
  if (mark) classes.push(`has-${mark}`);
  if (onPath) classes.push("on-path");
  if (props.isLast) classes.push("path-end");
  if (hungUp) classes.push("caller-hung-up");
  if (!props.known) classes.push("unknown-type");

  return (
    <div className={classes.join(" ")} data-node-id={id} data-block-type={blockType} data-testid={`node-${id}`}>
      {blockType !== "start" && <Handle type="target" position={Position.Left} id="in" className="handle-in" aria-hidden="true" />}
      <FlowStatsBadge nodeId={id} />
      <div className="block-head">
        <BlockIcon name={props.icon} />
        <span className="block-title">{props.title}</span>
        {/* Words for a reader browsing the block's content: a bare "3" or "!" says nothing (aria-label on a span is ignored).
            The badge shows a few of the steps; its words and tooltip say them all. */}
        {onPath && (
          <span className="step-badge" title={badgeWords}>
            <span aria-hidden="true">
              {stepsShort(steps)}
              {hungUp && <span className="hung-up-mark"> ✆</span>}
            </span>
            <span className="sr-only">{badgeWords}</span>
          </span>
        )}
        {mark && (
          <span className={`mark mark-${mark}`} title={props.markText || t(MARK_WORDS[mark])}>
            <span aria-hidden="true">!</span>
            <span className="sr-only">{t(MARK_WORDS[mark])}</span>
          </span>
        )}
      </div>
      {props.summary && <div className="block-summary" title={props.summary}>{props.summary}</div>}
      <ul className="exits">
        {props.exits.map((exit) => (
          <li key={exit.name} className={`exit exit-${exit.name === "error" ? "error" : "normal"}${exit.wired ? " wired" : ""}`}>
            <span className="exit-label" title={exit.label}>{exit.label}</span>
            <Handle type="source" position={Position.Right} id={exit.name} className="handle-out" data-exit={exit.name} aria-hidden="true" />
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Below this zoom a block's words are under 3 px tall: it is drawn as its box alone (FarBlockBody). Fit view on an
 * 800-block scenario draws every block at once, and the words, icons and React Flow's handles of each were most
 * of the time that took.
 */
export const FAR_ZOOM = 0.25;

const isFar = (s: ReactFlowState) => s.transform[2] < FAR_ZOOM;

/** Where React Flow measured a block's handles (in the block's own pixels), once it has. */
type HandleBoundsOf = NonNullable<InternalNode["internals"]["handleBounds"]>;
type MeasuredHandle = NonNullable<HandleBoundsOf["source"]>[number];

/**
 * A block seen from far away: its box, as large as it was measured, with its category's colour, its problem and
 * its step on a call's path as rings, and no words. Its handles are bare elements where React Flow measured the
 * real ones, so React Flow, measuring the box again as it is drawn, finds them where they were: the connections
 * stay put and nothing is resized. The block's name for a screen reader is on its node (Canvas.tsx), as always.
 */
export function FarBlockBody({ id, blockType, selected, width, height, handles }: { id: string; blockType: string; selected: boolean; width: number; height: number; handles: HandleBoundsOf }) {
  const category = useEditor((s) => s.catalog.get(blockType)?.category ?? "unknown");
  const mark = useEditor((s) => s.problemMarks.get(id));
  const onPath = useEditor((s) => s.highlight.nodes.has(id));
  const hungUp = useEditor((s) => s.highlight.callerHungUp && s.highlight.last === id);
  const classes = ["block-node", "block-far", `category-${category.toLowerCase()}`];
  if (selected) classes.push("selected");
  if (mark) classes.push(`has-${mark}`);
  if (onPath) classes.push("on-path");
  if (hungUp) classes.push("caller-hung-up");
  // Placed from the node's corner: the box itself is not positioned, React Flow's node element is.
  const place = (h: MeasuredHandle) => ({ position: "absolute" as const, left: h.x, top: h.y, width: h.width, height: h.height });
  return (
    <div className={classes.join(" ")} style={{ width, height, boxSizing: "border-box" }} data-node-id={id} data-block-type={blockType} data-testid={`node-${id}`}>
      {(["source", "target"] as const).flatMap((type) =>
        (handles[type] ?? []).map((h) => <div key={`${type}-${h.id}`} className={type} data-handleid={h.id ?? undefined} data-handlepos={h.position} style={place(h)} aria-hidden="true" />),
      )}
      {onPath && <FarPathStep id={id} hungUp={hungUp} />}
    </div>
  );
}

/** `FarStepBadge` for a block on the path, from the stores: only these follow the zoom, not every far block. */
function FarPathStep({ id, hungUp }: { id: string; hungUp: boolean }) {
  const steps = useEditor((s) => s.highlight.nodes.get(id));
  const zoom = useStore((s: ReactFlowState) => s.transform[2]);
  return steps?.length ? <FarStepBadge steps={steps} hungUp={hungUp} zoom={zoom} /> : null;
}

/**
 * A far block's steps on a call's path (and the caller-hung-up mark), over its middle. A call opens with every block
 * in sight, most often far: without it the path was unlabelled rings. Scaled by 1/`zoom`, it is drawn on screen as
 * large as the badge near, however far out; hidden from a screen reader, which hears the steps in the block's name
 * (Canvas.tsx). Props only.
 */
export function FarStepBadge({ steps, hungUp, zoom }: { steps: readonly number[]; hungUp: boolean; zoom: number }) {
  const { t } = useI18n();
  const words = hungUp ? `${stepsWords(t, steps)}; ${t("editor.callerHungUpHere")}` : stepsWords(t, steps);
  return (
    <span className="far-step-badge" aria-hidden="true" title={words} style={{ transform: `translate(-50%, -50%) scale(${1 / zoom})` }}>
      {stepsShort(steps)}
      {hungUp && " ✆"}
    </span>
  );
}

function BlockNodeViewImpl(props: NodeProps<BlockNode>) {
  const { id, data, selected, width, height } = props;
  const far = useStore(isFar);
  const handles = useStore(useCallback((s: ReactFlowState) => (far ? s.nodeLookup.get(id)?.internals.handleBounds : undefined), [far, id]));
  // A block not measured yet is drawn whole, to be measured (a block just added while zoomed out).
  if (far && handles && width && height) {
    return <FarBlockBody id={id} blockType={data.blockType} selected={selected} width={width} height={height} handles={handles} />;
  }
  return <NearBlockView {...props} />;
}

/** A block as it is read: BlockNodeBody with what the store says of it. */
function NearBlockView({ id, data, selected }: NodeProps<BlockNode>) {
  const { t, language } = useI18n();
  const spec = useEditor((s) => s.catalog.get(data.blockType));
  const catalog = useEditor((s) => s.catalog);
  // Only this node's wired exits matter here, as one string (re-rendered when they change), looked up in the
  // store's map of them: every block runs its selectors at every change of the store, a drag's frames included.
  const wired = useEditor((s) => wiredExits(s.edges).get(id) ?? "");
  const mark = useEditor((s) => s.problemMarks.get(id));
  // Only a marked node follows the problems list (it changes after each check, not while dragging).
  const problems = useEditor((s) => (mark ? s.problems : null));
  const markText = useMemo(
    () => (problems ?? []).filter((p) => p.node === id).map((p) => problemText(p, language, { catalog, typeOf: () => data.blockType })).join("\n"),
    [problems, id, language, catalog, data.blockType],
  );
  const steps = useEditor((s) => s.highlight.nodes.get(id));
  const isLast = useEditor((s) => s.highlight.last === id);
  const callerHungUp = useEditor((s) => s.highlight.callerHungUp);
  const exits = useMemo(() => {
    const names = wired ? wired.split("\u0000") : [];
    const wiredSet = new Set(names);
    return exitsOf(data.blockType, data.config, catalog, () => names).map((exit) => ({
      name: exit.name,
      label: exitLabel(language, data.blockType, exit.name, exit.label, spec),
      wired: wiredSet.has(exit.name),
    }));
  }, [data.blockType, data.config, catalog, wired, language, spec]);
  const summary = useMemo(() => blockSummary(data.blockType, data.config, t, language, spec), [data.blockType, data.config, t, language, spec]);

  return (
    <BlockNodeBody
      id={id}
      blockType={data.blockType}
      title={data.label || specTitle(language, data.blockType, spec)}
      icon={spec?.icon ?? "square"}
      category={spec?.category ?? "unknown"}
      known={spec !== undefined}
      selected={selected}
      summary={summary}
      exits={exits}
      mark={mark}
      markText={markText}
      steps={steps}
      isLast={isLast}
      callerHungUp={callerHungUp}
    />
  );
}

export const BlockNodeView = memo(BlockNodeViewImpl);
