/**
 * The flow statistics: a toolbar toggle, and while it is on a bar under the toolbar to choose the days (a preset or
 * the analyst's own, on the browser's clock) and the version counted, saying what was counted. The counts go to
 * the canvas through the statistics store; nothing is asked of the server while the toggle is off.
 */
import { useEffect, useMemo, useState } from "react";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { FlowStats } from "../api/types";
import { useI18n } from "../i18n";
import { formatDateTime } from "../lib/format";
import { countText, type Language, type Translate } from "../lib/i18n";
import { useEditor } from "../store/editor";
import { useFlowStats } from "../store/flowStats";
import { DayRangePicker } from "./DayRangePicker";
import {
  nodesOffCanvas,
  overlayOf,
  rangeDays,
  statsQuery,
  STATS_PRESETS,
  type StatsPreset,
  type StatsRange,
  type StatsVersion,
} from "./flowStats";

/** The problems of a 422 (`problems: [{path: "$.until", message}]`), as the server listed them. */
function refusedParameters(body: unknown): { path: string; message: string }[] {
  const problems = body && typeof body === "object" ? (body as { problems?: unknown }).problems : undefined;
  if (!Array.isArray(problems)) return [];
  return problems.map((p: { path?: unknown; message?: unknown }) => ({ path: String(p?.path ?? ""), message: String(p?.message ?? "") }));
}

/**
 * A failed request for the statistics in words: what the analyst can do about it, not a status code. A 422
 * names the parameter refused: the range backwards (`until`), or a time zone (`zone`, the browser's) the server's
 * zone data lacks.
 */
export function statsFailureText(t: Translate, error: unknown, zone: string): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t("stats.network");
    if (error.status === 403) return t("stats.forbidden");
    if (error.status === 404) return t("stats.notFound");
    if (error.status === 422) {
      const refused = refusedParameters(error.body);
      if (refused.some((p) => p.path === "$.tz")) return t("stats.badZone", { zone });
      if (refused.some((p) => p.path === "$.until" || p.path === "$.since")) return t("stats.fromAfterTo");
      const message = refused.map((p) => `${p.path.replace(/^\$\./, "")}: ${p.message}`).join("; ");
      return t("stats.refused", { message: message || error.message });
    }
  }
  return t("stats.failed", { message: error instanceof Error ? error.message : String(error) });
}

/** What was counted: the calls, and the range the server applied (widened to whole hours), on the browser's clock. */
export function countedText(t: Translate, language: Language, stats: Pick<FlowStats, "calls" | "since" | "until">): string {
  const calls = countText(language, "call", stats.calls);
  const since = formatDateTime(stats.since, language);
  const until = formatDateTime(stats.until, language);
  if (since && until) return t("stats.counted", { calls, since, until });
  if (since) return t("stats.countedSince", { calls, since });
  if (until) return t("stats.countedUntil", { calls, until });
  return t("stats.countedAll", { calls });
}

/** The toolbar's toggle: pressed while the statistics are shown. */
export function FlowStatsToggle() {
  const { t } = useI18n();
  const on = useFlowStats((s) => s.on);
  return (
    <button
      type="button"
      aria-pressed={on}
      className={on ? "pressed" : undefined}
      title={t("stats.toggleHint")}
      onClick={() => useFlowStats.getState().setOn(!on)}
    >
      {t("stats.toggle")}
    </button>
  );
}

export interface FlowStatsBarViewProps {
  range: StatsRange;
  version: StatsVersion;
  /** The published versions, newest first. */
  versions: number[];
  loading: boolean;
  /** The last answer, for the range and version chosen (or those before, while the next loads). */
  stats: FlowStats | null;
  /** Why nothing is counted: the request failed, or the days asked run backwards. */
  problem: string | null;
  offCanvas: { node: string; calls: number }[];
  onPreset(preset: StatsPreset): void;
  onDays(from: string, to: string): void;
  onVersion(version: StatsVersion): void;
  onRefresh(): void;
}

/** The bar, props only. */
export function FlowStatsBarView(props: FlowStatsBarViewProps) {
  const { t, language } = useI18n();
  const { range, stats } = props;
  return (
    <div className="flow-stats-bar row" role="region" aria-label={t("stats.bar")} aria-busy={props.loading} data-testid="flow-stats-bar">
      <DayRangePicker
        className="flow-stats-presets"
        presets={STATS_PRESETS}
        range={range}
        label={t("stats.range")}
        presetLabel={(preset) => t(`stats.preset.${preset}`)}
        fromLabel={t("stats.from")}
        toLabel={t("stats.to")}
        onPreset={props.onPreset}
        onDays={props.onDays}
      />
      <label>
        {t("stats.version")}
        <select
          value={String(props.version)}
          onChange={(e) => props.onVersion(e.target.value === "all" ? "all" : Number(e.target.value))}
        >
          <option value="all">{t("stats.allVersions")}</option>
          {props.versions.map((number) => (
            <option key={number} value={number}>
              {t("stats.versionN", { version: number })}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={props.onRefresh} disabled={props.loading}>
        {t("stats.refresh")}
      </button>
      <span className="flow-stats-summary" role="status" data-testid="flow-stats-summary" title={stats && !props.loading ? t("stats.hourHint") : undefined}>
        {props.loading ? t("stats.loading") : stats && !props.problem ? countedText(t, language, stats) : ""}
      </span>
      {props.problem && (
        <span className="error-text" role="alert" data-testid="flow-stats-problem">
          {props.problem}
        </span>
      )}
      {props.offCanvas.length > 0 && !props.problem && (
        <ul className="flow-stats-off-canvas small" data-testid="flow-stats-off-canvas">
          {props.offCanvas.map(({ node, calls }) => (
            <li key={node}>{t("stats.offCanvas", { block: node, calls: countText(language, "call", calls) })}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** An answer, or a failure, for the query it was asked with. */
type Answer = { asked: string; stats: FlowStats; error?: undefined } | { asked: string; error: unknown; stats?: undefined };

/** The open bar: asks the server whenever the range, the version or a refresh asks for another count. */
function OpenFlowStatsBar({ slug }: { slug: string }) {
  const { t } = useI18n();
  const [range, setRange] = useState<StatsRange>({ preset: "last7", from: "", to: "" });
  const [version, setVersion] = useState<StatsVersion>("all");
  const [versions, setVersions] = useState<number[]>([]);
  const [refreshes, setRefreshes] = useState(0);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const zone = api.browserTimeZone();
  // Only the ids: the bar need not draw again while a block is dragged.
  const canvasIds = useEditor((s) => s.nodes.map((n) => n.id).join("\u0000"));

  useEffect(() => {
    let cancelled = false;
    // Only to offer them: without the list, all versions are still counted.
    api.versions(slug).then(
      (list) => !cancelled && setVersions(list.map((v) => v.number).sort((a, b) => b - a)),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [slug]);

  // A preset's days are worked out again at each render: "Today" refreshed after midnight is the new day. The query
  // reaches the effect as text (with the refresh's count): an object made anew at each render would ask each time.
  const planned = statsQuery(range, version, zone);
  const asked = "query" in planned ? `${JSON.stringify(planned.query)}#${refreshes}` : null;

  useEffect(() => {
    if (asked === null) {
      useFlowStats.getState().setOverlay(null);
      return;
    }
    let cancelled = false;
    const query = JSON.parse(asked.slice(0, asked.lastIndexOf("#"))) as api.FlowStatsQuery;
    api.flowStats(slug, query).then(
      (stats) => {
        if (cancelled) return;
        setAnswer({ asked, stats });
        useFlowStats.getState().setOverlay(overlayOf(stats));
      },
      (error: unknown) => {
        if (cancelled) return;
        setAnswer({ asked, error });
        // Counts of another range would read as this one's: none rather than wrong ones.
        useFlowStats.getState().setOverlay(null);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [slug, asked]);

  const offCanvas = useMemo(
    () => (answer?.stats ? nodesOffCanvas(answer.stats, new Set(canvasIds.split("\u0000"))) : []),
    [answer, canvasIds],
  );
  // A failure is of the request it answered: the next one, on its way, may well succeed.
  const failed = answer?.asked === asked && answer.error !== undefined ? answer.error : undefined;
  const problem = "refusal" in planned ? t("stats.fromAfterTo") : failed !== undefined ? statsFailureText(t, failed, zone) : null;
  return (
    <FlowStatsBarView
      range={range}
      version={version}
      versions={versions}
      loading={asked !== null && answer?.asked !== asked}
      stats={answer?.stats ?? null}
      problem={problem}
      offCanvas={offCanvas}
      // The days shown when switching to custom are the preset's: the analyst adjusts them rather than starts over.
      onPreset={(preset) => setRange((was) => (preset === "custom" ? { preset, ...rangeDays(was, zone) } : { ...was, preset }))}
      onDays={(from, to) => setRange({ preset: "custom", from, to })}
      onVersion={setVersion}
      onRefresh={() => setRefreshes((n) => n + 1)}
    />
  );
}

/** The bar under the toolbar while the statistics are on; leaving the scenario turns them off. */
export function FlowStatsBar({ slug }: { slug: string }) {
  const on = useFlowStats((s) => s.on);
  useEffect(() => () => useFlowStats.getState().setOn(false), [slug]);
  return on ? <OpenFlowStatsBar slug={slug} /> : null;
}
