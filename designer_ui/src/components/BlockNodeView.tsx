/**
 * The one generic node: title, a one-line summary, and a source handle for every exit. What a screen reader says
 * for the block is its node's `ariaLabel` (Canvas.tsx, lib/canvasLabels.ts); the handles are for the mouse only
 * (the keyboard wires an exit from the Block panel's Exits), so they are hidden from it.
 */
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo, useMemo } from "react";
import { useI18n } from "../i18n";
import type { BlockNode } from "../lib/convert";
import { exitsOf } from "../lib/graph";
import { blockTitle, exitLabel } from "../lib/blockText";
import type { Severity } from "../lib/problems";
import { problemText } from "../lib/problemText";
import { blockSummary } from "../lib/summary";
import { useEditor } from "../store/editor";
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
  step?: number;
  isLast?: boolean;
}

export function BlockNodeBody(props: BlockNodeBodyProps) {
  const { t } = useI18n();
  const { id, blockType, mark, step } = props;
  const classes = ["block-node", `category-${props.category.toLowerCase()}`];
  if (props.selected) classes.push("selected");
  if (mark) classes.push(`has-${mark}`);
  if (step !== undefined) classes.push("on-path");
  if (props.isLast) classes.push("path-end");
  if (!props.known) classes.push("unknown-type");

  return (
    <div className={classes.join(" ")} data-node-id={id} data-block-type={blockType} data-testid={`node-${id}`}>
      {blockType !== "start" && <Handle type="target" position={Position.Left} id="in" className="handle-in" aria-hidden="true" />}
      <FlowStatsBadge nodeId={id} />
      <div className="block-head">
        <BlockIcon name={props.icon} />
        <span className="block-title">{props.title}</span>
        {/* Words for a reader browsing the block's content: a bare "3" or "!" says nothing (aria-label on a span is ignored). */}
        {step !== undefined && (
          <span className="step-badge">
            <span aria-hidden="true">{step}</span>
            <span className="sr-only">{t("editor.stepBadge", { n: step })}</span>
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

function BlockNodeViewImpl({ id, data, selected }: NodeProps<BlockNode>) {
  const { t, language } = useI18n();
  const spec = useEditor((s) => s.catalog.get(data.blockType));
  const catalog = useEditor((s) => s.catalog);
  // Only this node's wired exits matter here; selecting them as one string keeps re-renders rare.
  const wired = useEditor((s) => s.edges.filter((e) => e.source === id).map((e) => e.sourceHandle).join("\u0000"));
  const mark = useEditor((s) => s.problemMarks.get(id));
  // Only a marked node follows the problems list (it changes after each check, not while dragging).
  const problems = useEditor((s) => (mark ? s.problems : null));
  const markText = useMemo(
    () => (problems ?? []).filter((p) => p.node === id).map((p) => problemText(p, language)).join("\n"),
    [problems, id, language],
  );
  const step = useEditor((s) => s.highlight.nodes.get(id));
  const isLast = useEditor((s) => s.highlight.last === id);
  const wiredExits = wired ? wired.split("\u0000") : [];
  const wiredSet = new Set(wiredExits);
  const exits = exitsOf(data.blockType, data.config, catalog, () => wiredExits).map((exit) => ({
    name: exit.name,
    label: exitLabel(language, data.blockType, exit.name, exit.label),
    wired: wiredSet.has(exit.name),
  }));

  return (
    <BlockNodeBody
      id={id}
      blockType={data.blockType}
      title={data.label || blockTitle(language, data.blockType, spec?.title ?? data.blockType)}
      icon={spec?.icon ?? "square"}
      category={spec?.category ?? "unknown"}
      known={spec !== undefined}
      selected={selected}
      summary={blockSummary(data.blockType, data.config, t, language)}
      exits={exits}
      mark={mark}
      markText={markText}
      step={step}
      isLast={isLast}
    />
  );
}

export const BlockNodeView = memo(BlockNodeViewImpl);
