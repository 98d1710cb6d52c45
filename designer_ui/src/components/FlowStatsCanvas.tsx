/**
 * The flow statistics drawn on the canvas: a badge over each block (calls that reached it, callers who hung up
 * there) and a label at each exit (times taken, share of the block's ways out). Numbers in words, each with a
 * sentence saying what it counts, for a tooltip and a screen reader: never colour alone.
 */
import { EdgeLabelRenderer, SmoothStepEdge, type EdgeProps } from "@xyflow/react";
import { useI18n } from "../i18n";
import type { ExitEdge } from "../lib/convert";
import { countText, type Language, type Translate } from "../lib/i18n";
import { useFlowStats } from "../store/flowStats";
import { edgeTraffic, NO_TRAFFIC, percentText, type ExitTraffic, type NodeTraffic } from "./flowStats";

/** The edge type the canvas gives its edges while the statistics are on. */
export const FLOW_STATS_EDGE = "flowStats";

/** What a block's badge counts, as sentences. */
export function nodeTrafficWords(t: Translate, language: Language, traffic: NodeTraffic): string {
  if (traffic.calls === 0) return t("stats.nodeNone");
  const said = [t("stats.nodeReached", { calls: countText(language, "call", traffic.calls), times: countText(language, "time", traffic.visits) })];
  if (traffic.hangups > 0) said.push(t("stats.nodeHungUp", { n: traffic.hangups.toLocaleString(language) }));
  if (traffic.ended > 0) said.push(t("stats.nodeEnded", { calls: countText(language, "call", traffic.ended) }));
  return `${said.join(". ")}.`;
}

/** A block's badge, props only: "12 calls", and "3 hung up" when any did; a block no call reached says 0, faintly. */
export function NodeTrafficBadge({ traffic }: { traffic: NodeTraffic }) {
  const { t, language } = useI18n();
  const words = nodeTrafficWords(t, language, traffic);
  return (
    <div
      className={`flow-stats-badge${traffic.calls === 0 ? " no-traffic" : ""}`}
      role="note"
      aria-label={words}
      title={words}
      data-testid="flow-stats-badge"
      data-calls={traffic.calls}
      data-hangups={traffic.hangups}
    >
      <span className="flow-stats-calls">{countText(language, "call", traffic.calls)}</span>
      {traffic.hangups > 0 && <span className="flow-stats-hangups">{countText(language, "hungUp", traffic.hangups)}</span>}
    </div>
  );
}

/** The badge of block `nodeId`, while the statistics are shown. */
export function FlowStatsBadge({ nodeId }: { nodeId: string }) {
  const traffic = useFlowStats((s) => (s.overlay ? (s.overlay.nodes.get(nodeId) ?? NO_TRAFFIC) : null));
  return traffic && <NodeTrafficBadge traffic={traffic} />;
}

/** What an exit's label says: "7 · 33%" (times taken, share of the block's ways out); "0" when none took it. */
export function exitTrafficText(traffic: ExitTraffic, language: Language | string): string {
  if (traffic.visits === 0) return "0";
  return `${traffic.visits.toLocaleString(language)} · ${percentText(traffic.share)}%`;
}

export function exitTrafficWords(t: Translate, language: Language, traffic: ExitTraffic): string {
  if (traffic.visits === 0) return t("stats.exitNone");
  return t("stats.exitTaken", {
    times: countText(language, "time", traffic.visits),
    calls: countText(language, "call", traffic.calls),
    pct: percentText(traffic.share) ?? "0",
  });
}

/**
 * An exit's label, props only: just right of the exit's handle (`x`, `y`: where the edge leaves), on the row of
 * the exit it counts, where the blocks' 90 px between columns leave it room and a menu's labels never meet.
 */
export function ExitTrafficLabel({ traffic, x, y, edgeId }: { traffic: ExitTraffic; x: number; y: number; edgeId: string }) {
  const { t, language } = useI18n();
  const words = exitTrafficWords(t, language, traffic);
  return (
    <div
      className={`flow-stats-exit nodrag nopan${traffic.visits === 0 ? " no-traffic" : ""}`}
      style={{ transform: `translate(${x + 6}px, ${y}px) translateY(-50%)` }}
      role="note"
      aria-label={words}
      title={words}
      data-testid="flow-stats-exit"
      data-edge={edgeId}
      data-visits={traffic.visits}
    >
      {exitTrafficText(traffic, language)}
    </div>
  );
}

/** An edge as drawn (React Flow's smooth step), with its exit's label while the statistics are shown. */
export function FlowStatsEdge(props: EdgeProps<ExitEdge>) {
  const { source, sourceHandleId } = props;
  const traffic = useFlowStats((s) => (s.overlay ? edgeTraffic(s.overlay, source, sourceHandleId) : null));
  return (
    <>
      <SmoothStepEdge {...props} />
      {traffic && (
        <EdgeLabelRenderer>
          <ExitTrafficLabel traffic={traffic} x={props.sourceX} y={props.sourceY} edgeId={props.id} />
        </EdgeLabelRenderer>
      )}
    </>
  );
}
