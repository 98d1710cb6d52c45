/**
 * The Reports view: a supervisor's "how did yesterday go?". The register's calls of some days (a preset or their
 * own, on the browser's clock) summed up by day, hour, scenario, or day and scenario, one scenario or all: the
 * calls, those answered and abandoned, the transfers tried and answered, the calls by register status, the talk
 * time and the most frequent results, with the totals under them (GET /api/reports/calls).
 */
import { Fragment, useEffect, useState } from "react";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import { useI18n } from "../i18n";
import { formatDateTime } from "../lib/format";
import { codeText, countText, type Language, type Translate } from "../lib/i18n";
import { BusyButton } from "./BusyButton";
import { CALL_STATUSES } from "./callFilters";
import { DayRangePicker } from "./DayRangePicker";
import {
  FIRST_PRESET,
  MAX_DAYS,
  numberText,
  periodText,
  REPORT_GROUPS,
  REPORT_PRESETS,
  reportColumns,
  reportDays,
  reportQuery,
  resultName,
  shareText,
  talkText,
  type ReportCounts,
  type ReportGroup,
  type ReportPreset,
  type ReportRange,
  type ReportRefusal,
  type ReportRow,
} from "./reports";
import { useScenarioChoices } from "./useCallPageData";
import "./reports.css";

/** The problems of a 422 (`problems: [{path: "$.until", message}]`), as the server listed them. */
function refusedParameters(body: unknown): { path: string; message: string }[] {
  const problems = body && typeof body === "object" ? (body as { problems?: unknown }).problems : undefined;
  if (!Array.isArray(problems)) return [];
  return problems.map((p: { path?: unknown; message?: unknown }) => ({ path: String(p?.path ?? ""), message: String(p?.message ?? "") }));
}

/** Why the view asks nothing, in words. */
export function refusalText(t: Translate, refusal: ReportRefusal): string {
  return refusal === "tooLong" ? t("reports.tooLong", { days: MAX_DAYS }) : t(`reports.${refusal}`);
}

/** A failed request for the report in words: what the supervisor can do about it, not a status code. */
export function reportFailureText(t: Translate, error: unknown, zone: string): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return t("reports.network");
    if (error.status === 403) return t("reports.forbidden");
    if (error.status === 422) {
      const refused = refusedParameters(error.body);
      if (refused.some((p) => p.path === "$.tz")) return t("reports.badZone", { zone });
      const message = refused.map((p) => `${p.path.replace(/^\$\./, "")}: ${p.message}`).join("; ");
      return t("reports.refused", { message: message || error.message });
    }
  }
  return t("reports.failed", { message: error instanceof Error ? error.message : String(error) });
}

/** What was counted: the calls, the days, and the clock they are days of. */
export function summaryText(t: Translate, language: Language, report: api.CallReport, days: { from: string; to: string }): string {
  const day = (value: string) => formatDateTime(`${value}T12:00:00Z`, language, "date", "UTC");
  const calls = countText(language, "call", report.totals.calls);
  if (days.from === days.to) return t("reports.summaryDay", { calls, day: day(days.from), zone: report.tz });
  return t("reports.summary", { calls, from: day(days.from), to: day(days.to), zone: report.tz });
}

export interface ReportsViewProps {
  range: ReportRange;
  group: ReportGroup;
  /** The scenario counted; "" for all. */
  scenario: string;
  /** The scenarios to choose from: slug and name. */
  scenarios: { slug: string; name: string }[];
  /** The browser's time zone: the clock the days and hours are read on. */
  zone: string;
  loading: boolean;
  /** The answer for what is chosen (or for what was chosen before, while the next one loads). */
  report: api.CallReport | null;
  /** The days that answer counts, first and last, as date fields give them. */
  days: { from: string; to: string };
  /** Why nothing is shown: the days chosen cannot be asked for, or the request failed. */
  problem: string | null;
  onPreset(preset: ReportPreset): void;
  onDays(from: string, to: string): void;
  onGroup(group: ReportGroup): void;
  onScenario(scenario: string): void;
  onRefresh(): void;
}

function Share({ part, whole }: { part: number; whole: number }) {
  const { language } = useI18n();
  const share = shareText(part, whole, language);
  return share ? <span className="report-share"> {share}</span> : null;
}

/**
 * The most frequent results, "Pagará 12 · callback 3": each by the label its scenario declares, its code (what a
 * filter of the register or a CSV names it by) in its tooltip; a result no scenario labels by its code alone. The name
 * is isolated (`<bdi>`): a direction control in a label cannot reorder its count (security review).
 */
export function ResultCounts({ counts }: { counts: Pick<ReportCounts, "results"> }) {
  const { t, language } = useI18n();
  return counts.results.map((count, i) => (
    <Fragment key={count.result}>
      {i > 0 && " · "}
      <span className="report-result" data-result={count.result} title={count.label ? t("calls.resultCode", { code: count.result }) : undefined}>
        <bdi>{resultName(count)}</bdi> {numberText(count.calls, language)}
      </span>
    </Fragment>
  ));
}

/** A row's numbers, after its period and scenario cells. */
function CountCells({ counts }: { counts: ReportCounts }) {
  const { language } = useI18n();
  const n = (value: number) => numberText(value, language);
  return (
    <>
      <td className="num" data-column="calls">{n(counts.calls)}</td>
      <td className="num" data-column="answered">
        {n(counts.answered)}
        <Share part={counts.answered} whole={counts.calls} />
      </td>
      <td className="num" data-column="abandoned">
        {n(counts.abandoned)}
        <Share part={counts.abandoned} whole={counts.calls} />
      </td>
      <td className="num" data-column="transfers">{n(counts.transfers)}</td>
      <td className="num" data-column="transfers_answered">{n(counts.transfers_answered)}</td>
      {CALL_STATUSES.map((status) => (
        <td key={status} className="num status" data-column={`status.${status}`}>
          {n(counts.statuses[status] ?? 0)}
        </td>
      ))}
      <td className="num" data-column="talk_average">{talkText(counts.talk_ms_average, language)}</td>
      <td className="num" data-column="talk_total">{counts.answered ? talkText(counts.talk_ms_total, language) : ""}</td>
      <td className="results" data-column="results">
        <ResultCounts counts={counts} />
      </td>
    </>
  );
}

/**
 * The table: a row per period, scenario, or both; the totals at its foot. Wider than a phone (1,400 px at 320 px), it
 * scrolls sideways in a region of its own, named after what it counts, which Tab stops at so that the arrows scroll
 * it (nothing in the table takes the focus); its first column stays in sight as it does (reports.css), and the
 * filters, outside it, stay where they are. It used to scroll with the whole page, out of a keyboard's reach (a11y
 * review).
 */
function ReportTable({ report, scenarios, zone }: { report: api.CallReport; scenarios: ReportsViewProps["scenarios"]; zone: string }) {
  const { t, language } = useI18n();
  const columns = reportColumns(report.group);
  const names = new Map(scenarios.map((s) => [s.slug, s.name]));
  const leading = Number(columns.period) + Number(columns.scenario);
  return (
    <div className="report-scroll" role="region" tabIndex={0} aria-label={t(`reports.table.${report.group}`)} data-testid="report-scroll">
      <table className="report" data-testid="report-table">
        <thead>
          <tr>
            {columns.period && <th rowSpan={2} scope="col">{t("reports.col.period")}</th>}
            {columns.scenario && <th rowSpan={2} scope="col">{t("reports.col.scenario")}</th>}
            <th rowSpan={2} scope="col" className="num">{t("reports.col.calls")}</th>
            <th rowSpan={2} scope="col" className="num">{t("reports.col.answered")}</th>
            <th rowSpan={2} scope="col" className="num" title={t("reports.col.abandonedHint")}>{t("reports.col.abandoned")}</th>
            <th colSpan={2} scope="colgroup" title={t("reports.col.transfersHint")}>{t("reports.col.transfers")}</th>
            <th colSpan={CALL_STATUSES.length} scope="colgroup">{t("reports.col.byStatus")}</th>
            <th rowSpan={2} scope="col" className="num" title={t("reports.col.talkHint")}>{t("reports.col.talkAverage")}</th>
            <th rowSpan={2} scope="col" className="num" title={t("reports.col.talkHint")}>{t("reports.col.talkTotal")}</th>
            <th rowSpan={2} scope="col">{t("reports.col.results")}</th>
          </tr>
          <tr>
            <th scope="col" className="num">{t("reports.col.transfersTried")}</th>
            <th scope="col" className="num">{t("reports.col.transfersAnswered")}</th>
            {CALL_STATUSES.map((status) => (
              <th key={status} scope="col" className="num status">{codeText(t, "status", status)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.rows.map((row: ReportRow) => (
            <tr key={`${row.start}|${row.scenario ?? ""}`} className={row.calls ? undefined : "no-calls"} data-testid="report-row">
              {columns.period && <th scope="row" className="period">{periodText(row, report.rows, language, zone)}</th>}
              {columns.scenario && (
                <th scope="row" className="scenario" title={row.scenario ?? undefined}>
                  {(row.scenario && names.get(row.scenario)) || row.scenario}
                </th>
              )}
              <CountCells counts={row} />
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-testid="report-totals">
            {/* Over the first column alone, which stays in sight as the table scrolls sideways: spanning the
                scenarios' too, it covered the first totals while the rows' first numbers were still in sight. */}
            <th scope="row">{t("reports.totals")}</th>
            {leading > 1 && <td />}
            <CountCells counts={report.totals} />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/** The view, props only. */
export function ReportsView(props: ReportsViewProps) {
  const { t, language } = useI18n();
  const { range, report } = props;
  return (
    <section className="list-page reports-page" data-testid="reports">
      <h1>{t("reports.title")}</h1>
      <div className="reports-controls row" role="group" aria-label={t("reports.controls")}>
        <DayRangePicker
          className="reports-presets"
          presets={REPORT_PRESETS}
          range={range}
          label={t("reports.range")}
          presetLabel={(preset) => t(`reports.preset.${preset}`)}
          fromLabel={t("reports.from")}
          toLabel={t("reports.to")}
          onPreset={props.onPreset}
          onDays={props.onDays}
        />
        <label>
          {t("reports.group")}
          <select aria-label={t("reports.group")} value={props.group} onChange={(e) => props.onGroup(e.target.value as ReportGroup)}>
            {REPORT_GROUPS.map((group) => (
              <option key={group} value={group}>
                {t(`reports.group.${group}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("reports.scenario")}
          <select aria-label={t("reports.scenario")} value={props.scenario} onChange={(e) => props.onScenario(e.target.value)}>
            <option value="">{t("reports.allScenarios")}</option>
            {/* One asked for by the address that the list does not hold (deleted since) is still offered. */}
            {props.scenario && !props.scenarios.some((s) => s.slug === props.scenario) && <option value={props.scenario}>{props.scenario}</option>}
            {props.scenarios.map((s) => (
              <option key={s.slug} value={s.slug}>
                {s.name === s.slug ? s.slug : `${s.name} (${s.slug})`}
              </option>
            ))}
          </select>
        </label>
        <BusyButton onClick={props.onRefresh} busy={props.loading}>
          {t("reports.refresh")}
        </BusyButton>
      </div>
      <p className="reports-summary muted" role="status" data-testid="reports-summary">
        {props.loading ? t("reports.loading") : report && !props.problem ? summaryText(t, language, report, props.days) : ""}
      </p>
      {props.problem && (
        <p className="error-text" role="alert" data-testid="reports-problem">
          {props.problem}
        </p>
      )}
      {report && !props.problem && (report.rows.length > 0 ? <ReportTable report={report} scenarios={props.scenarios} zone={props.zone} /> : <p className="empty">{t("reports.none")}</p>)}
    </section>
  );
}

/** An answer, or a failure, for the query it was asked with. */
type Answer = { asked: string; report: api.CallReport; error?: undefined } | { asked: string; error: unknown; report?: undefined };

/** The view with its state: asks the server whenever the days, rows, scenario or a refresh ask for another report. */
export function ReportsPage({ initialScenario = "" }: { initialScenario?: string }) {
  const { t } = useI18n();
  const [range, setRange] = useState<ReportRange>({ preset: FIRST_PRESET, from: "", to: "" });
  const [group, setGroup] = useState<ReportGroup>("day");
  const [scenario, setScenario] = useState(initialScenario);
  // Only to offer them: without the list, every scenario is still counted, and one can be named by the address.
  const { scenarios } = useScenarioChoices();
  const [refreshes, setRefreshes] = useState(0);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const zone = api.browserTimeZone();

  // A preset's days are worked out at each render ("Yesterday" after midnight is another day); the query reaches the
  // effect as text, so that an object made anew at each render does not ask again.
  const planned = reportQuery(range, group, scenario, zone);
  const asked = "query" in planned ? `${JSON.stringify(planned.query)}#${refreshes}` : null;

  useEffect(() => {
    if (asked === null) return;
    let cancelled = false;
    const query = JSON.parse(asked.slice(0, asked.lastIndexOf("#"))) as api.CallReportQuery;
    api.callReport(query).then(
      (report) => !cancelled && setAnswer({ asked, report }),
      (error: unknown) => !cancelled && setAnswer({ asked, error }),
    );
    return () => {
      cancelled = true;
    };
  }, [asked]);

  // A failure is of the request it answered: the next one, on its way, may well succeed.
  const failed = answer?.asked === asked && answer.error !== undefined ? answer.error : undefined;
  const problem = "refusal" in planned ? refusalText(t, planned.refusal) : failed !== undefined ? reportFailureText(t, failed, zone) : null;
  const shown = answer?.report ?? null;
  return (
    <ReportsView
      range={range}
      group={group}
      scenario={scenario}
      scenarios={scenarios}
      zone={zone}
      loading={asked !== null && answer?.asked !== asked}
      report={shown}
      days={shown ? reportDays(range, zone) : { from: "", to: "" }}
      problem={problem}
      // The days shown when switching to custom are the preset's: the supervisor adjusts them rather than starts over.
      onPreset={(preset) => setRange((was) => (preset === "custom" ? { preset, ...reportDays(was, zone) } : { ...was, preset }))}
      onDays={(from, to) => setRange({ preset: "custom", from, to })}
      onGroup={setGroup}
      onScenario={setScenario}
      onRefresh={() => setRefreshes((n) => n + 1)}
    />
  );
}
