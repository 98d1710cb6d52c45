/** The one generic node: title, a one-line summary, and a labelled source handle for every exit. */
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo, useMemo } from "react";
import { useI18n } from "../i18n";
import type { BlockNode } from "../lib/convert";
import { exitsOf } from "../lib/graph";
import { blockTitle, exitLabel } from "../lib/blockText";
import { problemText } from "../lib/problemText";
import { blockSummary } from "../lib/summary";
import { useEditor } from "../store/editor";
import { BlockIcon } from "./BlockIcon";
import { FlowStatsBadge } from "./FlowStatsCanvas";

/** What a node's problem mark says to a screen reader (and as its tooltip before the problems are loaded). */
const MARK_WORDS = { error: "editor.markError", warning: "editor.markWarning" } as const;

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
  const exits = exitsOf(data.blockType, data.config, catalog, () => wiredExits);
  const wiredSet = new Set(wiredExits);
  const summary = blockSummary(data.blockType, data.config, t, language);
  const classes = ["block-node", `category-${(spec?.category ?? "unknown").toLowerCase()}`];
  if (selected) classes.push("selected");
  if (mark) classes.push(`has-${mark}`);
  if (step !== undefined) classes.push("on-path");
  if (isLast) classes.push("path-end");
  if (!spec) classes.push("unknown-type");

  return (
    <div className={classes.join(" ")} data-node-id={id} data-block-type={data.blockType} data-testid={`node-${id}`}>
      {data.blockType !== "start" && <Handle type="target" position={Position.Left} id="in" className="handle-in" />}
      <FlowStatsBadge nodeId={id} />
      <div className="block-head">
        <BlockIcon name={spec?.icon ?? "square"} />
        <span className="block-title">{data.label || blockTitle(language, data.blockType, spec?.title ?? data.blockType)}</span>
        {step !== undefined && <span className="step-badge" aria-label={t("editor.stepBadge", { n: step })}>{step}</span>}
        {mark && <span className={`mark mark-${mark}`} aria-label={t(MARK_WORDS[mark])} title={markText || t(MARK_WORDS[mark])}>!</span>}
      </div>
      {summary && <div className="block-summary" title={summary}>{summary}</div>}
      <ul className="exits">
        {exits.map((exit) => {
          const label = exitLabel(language, data.blockType, exit.name, exit.label);
          return (
            <li key={exit.name} className={`exit exit-${exit.name === "error" ? "error" : "normal"}${wiredSet.has(exit.name) ? " wired" : ""}`}>
              <span className="exit-label" title={label}>{label}</span>
              <Handle
                type="source"
                position={Position.Right}
                id={exit.name}
                className="handle-out"
                data-exit={exit.name}
                aria-label={t("editor.exitHandle", { block: data.label || id, exit: label })}
              />
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export const BlockNodeView = memo(BlockNodeViewImpl);
