/**
 * The Reports view's logic apart from React: the days a range preset covers, the range as the report API's query,
 * and what a row of the report shows (its period on the report's clock, its numbers in the interface language).
 */
import type { CallReport, CallReportQuery } from "../api/client";
import { formatDateTime, formatDuration } from "../lib/format";
import type { Language } from "../lib/i18n";
import { filterQuery, NO_FILTERS, shiftDay } from "./callFilters";
import { rangeDays, todayIn } from "./flowStats";

/**
 * The ranges offered at a click ("how is today going?", "how did yesterday go?"), and the supervisor's own days.
 * The view opens on the last 7 days, today and yesterday among them: opened on yesterday alone, it said "0 calls"
 * to an analyst who had just placed their first calls (Russian analyst review).
 */
export type ReportPreset = "today" | "yesterday" | "last7" | "thisMonth" | "custom";
export const REPORT_PRESETS: ReportPreset[] = ["today", "yesterday", "last7", "thisMonth", "custom"];
export const FIRST_PRESET: ReportPreset = "last7";

export type ReportGroup = CallReportQuery["group"] & string;
export const REPORT_GROUPS: ReportGroup[] = ["day", "hour", "scenario", "day_scenario"];

export type ReportRow = CallReport["rows"][number];
export type ReportCounts = CallReport["totals"];

/** The longest range the server reports on (api/routes/reports.py MAX_RANGE), in days. */
export const MAX_DAYS = 366;

/** What the view asks for: a preset, or days as a date field gives them ("2026-12-01"). */
export interface ReportRange {
  preset: ReportPreset;
  from: string;
  to: string;
}

/**
 * The days a range covers, first and last included, on `zone`'s clock: today; yesterday; the last 7 days, today included
 * (as the canvas statistics' preset); this month from its 1st to today; or the custom days as typed.
 */
export function reportDays(range: ReportRange, zone: string, now: Date = new Date()): { from: string; to: string } {
  const today = todayIn(zone, now);
  switch (range.preset) {
    case "custom":
      return { from: range.from, to: range.to };
    case "today":
      return { from: today, to: today };
    case "yesterday": {
      const yesterday = shiftDay(today, -1) ?? today;
      return { from: yesterday, to: yesterday };
    }
    case "last7":
      return rangeDays({ preset: "last7", from: "", to: "" }, zone, now);
    case "thisMonth":
      return { from: `${today.slice(0, 8)}01`, to: today };
  }
}

/** Why a range is not asked for: a day missing, days that run backwards, or more than the server reports on. */
export type ReportRefusal = "needDays" | "fromAfterTo" | "tooLong";

/** Days between two dates ("2026-01-01", "2026-01-03": 2), counted in whole calendar days. */
function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * The range, grouping and scenario as the report API's query, or why not to ask. The days are read on `zone`'s
 * clock as the Calls panel's filters read them: from the first day's midnight to the midnight after the last, with
 * their offsets, the zone named so that the server counts the same days and hours.
 */
export function reportQuery(
  range: ReportRange,
  group: ReportGroup,
  scenario: string,
  zone: string,
  now: Date = new Date(),
): { query: CallReportQuery } | { refusal: ReportRefusal } {
  const days = reportDays(range, zone, now);
  if (!days.from || !days.to) return { refusal: "needDays" };
  if (days.from > days.to) return { refusal: "fromAfterTo" };
  if (daysBetween(days.from, days.to) + 1 > MAX_DAYS) return { refusal: "tooLong" };
  const { since, until } = filterQuery({ ...NO_FILTERS, from: days.from, to: days.to }, zone);
  if (!since || !until) return { refusal: "needDays" };
  const query: CallReportQuery = { since, until, tz: zone, group };
  if (scenario) query.scenario = scenario;
  return { query };
}

/** Whether the report's rows have a period (a day or an hour) and a scenario column. */
export function reportColumns(group: ReportGroup): { period: boolean; scenario: boolean } {
  return { period: group !== "scenario", scenario: group === "scenario" || group === "day_scenario" };
}

/** The offset of an ISO 8601 moment as written ("+02:00" of "2026-10-25T02:00:00+02:00"); "" for UTC's "Z". */
function writtenOffset(moment: string): string {
  return /([+-]\d\d:\d\d)$/.exec(moment)?.[1] ?? "";
}

/**
 * A row's period in the interface language: a day ("Oct 25, 2026"), or an hour with its day ("Oct 25, 2026, 2:00
 * AM") on the report's clock. An hour the clock repeats (two rows of one day and hour) says its offset, "(UTC+02:00)",
 * so that the two read apart.
 */
export function periodText(row: ReportRow, rows: readonly ReportRow[], language: Language, zone: string): string {
  if (!row.day) return "";
  const day = formatDateTime(`${row.day}T12:00:00Z`, language, "date", "UTC");
  if (row.hour === null || row.hour === undefined) return day;
  const time = formatDateTime(row.local_start, language, "time", zone);
  const repeated = rows.filter((other) => other.day === row.day && other.hour === row.hour).length > 1;
  const offset = writtenOffset(row.local_start);
  return repeated && offset ? `${day}, ${time} (UTC${offset})` : `${day}, ${time}`;
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/** A count as the interface language groups its digits: "12,345", "12.345", "12 345". */
export function numberText(n: number, language: Language): string {
  let format = numberFormats.get(language);
  if (!format) {
    format = new Intl.NumberFormat(language);
    numberFormats.set(language, format);
  }
  return format.format(n);
}

/** A share of the calls as a whole percentage ("83 %" in Spanish and Russian); nothing when there were no calls. */
export function shareText(part: number, whole: number, language: Language): string {
  if (!whole) return "";
  return new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 0 }).format(part / whole);
}

/** A talk time: "1 min 5 s", or nothing when no call was answered. */
export function talkText(ms: number | null | undefined, language: Language): string {
  return ms === null || ms === undefined ? "" : formatDuration(ms, language);
}

export type ResultCount = ReportCounts["results"][number];

/** A result as a supervisor reads it: the label its scenario declares ("Pagará"), else its code as recorded. */
export function resultName(count: Pick<ResultCount, "result" | "label">): string {
  return count.label || count.result;
}

/** The most frequent results, each by its label when its scenario declares one: "Pagará 12 · callback 3". */
export function resultsText(counts: Pick<ReportCounts, "results">, language: Language): string {
  return counts.results.map((count) => `${resultName(count)} ${numberText(count.calls, language)}`).join(" · ");
}
