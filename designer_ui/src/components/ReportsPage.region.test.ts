/**
 * The Reports table in a scroll region of its own (a11y review): at 320 px the table is 1,400 px wide, and it scrolled
 * inside the whole page, which nothing in it lets a keyboard reach, taking the filters and the Period column away
 * sideways with it. Now only the table scrolls, in a region Tab stops at, named after what the table counts; the
 * filters stay outside it. How it scrolls and what stays in sight is e2e/reflow.mjs's, in Chromium.
 */
import { describe, expect, it } from "vitest";
import type { CallReport } from "../api/client";
import { LANGUAGES, type Language } from "../lib/i18n";
import { runInTimeZone } from "../testSupport";
import { renderInLanguage, tableCells as cells } from "./renderForTest";
import { ReportsView, type ReportsViewProps } from "./ReportsPage";
import type { ReportCounts, ReportGroup } from "./reports";

runInTimeZone("Europe/Madrid");

const STATUSES = { answered: 0, missed: 0, abandoned_in_menu: 0, abandoned_waiting: 0, transferred: 0, failed: 0, callback_scheduled: 0 };
const counts: ReportCounts = {
  calls: 0, answered: 0, statuses: STATUSES, abandoned: 0, transfers: 0, transfers_answered: 0, with_errors: 0,
  transfer_outcomes: {}, talk_ms_total: 0, talk_ms_average: null, results: [],
}; // prettier-ignore

const reportBy = (group: ReportGroup): CallReport => ({
  since: "2026-10-24T22:00:00Z",
  until: "2026-10-25T22:00:00Z",
  tz: "Europe/Madrid",
  group,
  scenario: null,
  rows: [{ ...counts, day: "2026-10-25", hour: 9, scenario: "hotline", start: "2026-10-25T08:00:00Z", end: "2026-10-25T09:00:00Z", local_start: "2026-10-25T09:00:00+01:00" }],
  totals: counts,
});

const noop = () => undefined;
const view = (group: ReportGroup): ReportsViewProps => ({
  range: { preset: "yesterday", from: "", to: "" },
  group,
  scenario: "",
  scenarios: [{ slug: "hotline", name: "Hotline" }],
  zone: "Europe/Madrid",
  loading: false,
  report: reportBy(group),
  days: { from: "2026-10-25", to: "2026-10-25" },
  problem: null,
  onPreset: noop,
  onDays: noop,
  onGroup: noop,
  onScenario: noop,
  onRefresh: noop,
});

/** The element that holds the table, as its opening tag's attributes, and what it holds. */
function tableHolder(html: string) {
  const found = /<div([^>]*)>(<table[^>]*data-testid="report-table".*?<\/table>)<\/div>/s.exec(html);
  if (!found) return null;
  return { attributes: Object.fromEntries([...found[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])), inside: found[2]! };
}

const NAMES: Record<Language, Record<ReportGroup, string>> = {
  en: { day: "Calls by day", hour: "Calls by hour", scenario: "Calls by scenario", day_scenario: "Calls by day and scenario" },
  es: { day: "Llamadas por día", hour: "Llamadas por hora", scenario: "Llamadas por escenario", day_scenario: "Llamadas por día y escenario" },
  ru: { day: "Звонки по дням", hour: "Звонки по часам", scenario: "Звонки по сценариям", day_scenario: "Звонки по дням и сценариям" },
};

describe("the Reports table", () => {
  it("scrolls in a region of its own that the keyboard reaches, named after what it counts", () => {
    for (const language of Object.keys(LANGUAGES) as Language[]) {
      for (const group of ["day", "hour", "scenario", "day_scenario"] as const) {
        const holder = tableHolder(renderInLanguage(language, ReportsView, view(group)));
        expect(holder?.attributes).toMatchObject({ class: "report-scroll", role: "region", tabindex: "0", "aria-label": NAMES[language][group] });
      }
    }
  });

  it("puts the totals' label in the first column alone, which stays in sight as it scrolls", () => {
    const html = renderInLanguage("en", ReportsView, view("day_scenario"));
    const totals = /<tr data-testid="report-totals">(.*?)<\/tr>/s.exec(html)?.[1] ?? "";
    expect(totals).not.toContain("colSpan");
    expect(totals).toMatch(/^<th scope="row">Total<\/th><td><\/td><td class="num" data-column="calls">0<\/td>/);
    expect(cells(html)[2]!.slice(1, 3)).toEqual(["Hotline", "0"]); // a row: its period, scenario, calls
  });

  it("keeps the filters outside it: they never scroll away with the table", () => {
    const html = renderInLanguage("es", ReportsView, view("hour"));
    const holder = tableHolder(html);
    expect(holder?.inside).not.toMatch(/<(button|select|input)\b/);
    expect(html.indexOf('class="reports-controls row"')).toBeLessThan(html.indexOf('class="report-scroll"'));
  });
});
