import { beforeEach, describe, expect, it, vi } from "vitest";

// The generated client's transport: what the report route was asked, and what it answers.
const get = vi.hoisted(() => vi.fn());
vi.mock("openapi-fetch", async (actual) => ({
  ...(await actual<typeof import("openapi-fetch")>()),
  default: () => ({ use: () => undefined, GET: get, POST: vi.fn() }),
}));

import { createQuerySerializer } from "openapi-fetch";
import { callReport, type CallReport } from "../api/client";
import { ApiError } from "../api/http";
import { LANGUAGES, translator, type Language } from "../lib/i18n";
import { runInTimeZone } from "../testSupport";
import { buttonTexts, renderInLanguage, renderToHtml, tableCells as cells, visibleText as text } from "./renderForTest";
import { reportFailureText, ReportsPage, ReportsView, refusalText, type ReportsViewProps } from "./ReportsPage";
import { reportQuery, type ReportCounts, type ReportRow } from "./reports";

runInTimeZone("Europe/Madrid");

const STATUSES = { answered: 0, missed: 0, abandoned_in_menu: 0, abandoned_waiting: 0, transferred: 0, failed: 0, callback_scheduled: 0 };
const counts = (over: Partial<ReportCounts> = {}): ReportCounts => ({
  calls: 0,
  answered: 0,
  statuses: { ...STATUSES },
  abandoned: 0,
  transfers: 0,
  transfers_answered: 0,
  with_errors: 0,
  transfer_outcomes: {},
  talk_ms_total: 0,
  talk_ms_average: null,
  results: [],
  ...over,
});
const hour = (n: number, start: string, local: string, over: Partial<ReportCounts> = {}): ReportRow => ({
  ...counts(over),
  day: "2026-10-25",
  hour: n,
  scenario: null,
  start,
  end: start,
  local_start: local,
});

// Yesterday, 25 October 2026 in Madrid, by hour: 1,250 calls in the first 02:00, 10 in the second, none at 03:00.
const busy = counts({
  calls: 1250, answered: 1200, abandoned: 60, transfers: 900, transfers_answered: 810, talk_ms_total: 1200 * 65_000, talk_ms_average: 65_000,
  statuses: { ...STATUSES, answered: 300, transferred: 810, missed: 50, abandoned_in_menu: 40, abandoned_waiting: 20, callback_scheduled: 30 },
  results: [{ result: "sale", calls: 1100 }, { result: "callback", calls: 30 }],
}); // prettier-ignore
const quiet = counts({ calls: 10, answered: 10, talk_ms_total: 100_000, talk_ms_average: 10_000, statuses: { ...STATUSES, answered: 10 } });
const report: CallReport = {
  since: "2026-10-24T22:00:00Z",
  until: "2026-10-25T23:00:00Z",
  tz: "Europe/Madrid",
  group: "hour",
  scenario: null,
  rows: [
    hour(2, "2026-10-25T00:00:00Z", "2026-10-25T02:00:00+02:00", busy),
    hour(2, "2026-10-25T01:00:00Z", "2026-10-25T02:00:00+01:00", quiet),
    hour(3, "2026-10-25T02:00:00Z", "2026-10-25T03:00:00+01:00"),
  ],
  totals: counts({ ...busy, calls: 1260, answered: 1210, talk_ms_total: 1200 * 65_000 + 100_000, talk_ms_average: 64_545,
                   statuses: { ...busy.statuses, answered: 310 } }), // prettier-ignore
};

const noop = () => undefined;
const view = (over: Partial<ReportsViewProps> = {}): ReportsViewProps => ({
  range: { preset: "yesterday", from: "", to: "" },
  group: "hour",
  scenario: "",
  scenarios: [{ slug: "hotline", name: "Hotline" }, { slug: "survey", name: "survey" }],
  zone: "Europe/Madrid",
  loading: false,
  report,
  days: { from: "2026-10-25", to: "2026-10-25" },
  problem: null,
  onPreset: noop,
  onDays: noop,
  onGroup: noop,
  onScenario: noop,
  onRefresh: noop,
  ...over,
});

const marked = (html: string, id: string) => text(new RegExp(`data-testid="${id}"[^>]*>(.*?)</p>`, "s").exec(html)?.[1] ?? "");

beforeEach(() => {
  get.mockReset().mockResolvedValue({ data: report, response: new Response(null, { status: 200 }) });
});

describe("asking for the report", () => {
  it("sends yesterday's midnights with their offsets, the browser's zone, the rows and the scenario", async () => {
    const planned = reportQuery({ preset: "yesterday", from: "", to: "" }, "day_scenario", "hotline", "Europe/Madrid", new Date("2026-10-26T09:00:00Z"));
    if (!("query" in planned)) throw new Error("yesterday is asked for");
    expect(await callReport(planned.query)).toEqual(report);
    const [path, options] = get.mock.calls[0]!;
    expect(path).toBe("/api/reports/calls");
    expect(createQuerySerializer()(options.params.query)).toBe(
      "since=2026-10-25T00%3A00%3A00%2B02%3A00&until=2026-10-26T00%3A00%3A00%2B01%3A00&tz=Europe%2FMadrid&group=day_scenario&scenario=hotline",
    );
  });

  it("turns a refusal into an ApiError with its status and the server's words", async () => {
    get.mockResolvedValueOnce({ error: { detail: "the request does not match its schema" }, response: new Response(null, { status: 422 }) });
    const failure = await callReport({ since: "2026-10-25", until: "2026-10-24" }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(422);
  });
});

describe("the Reports view", () => {
  it("offers the presets (the chosen one pressed), the rows, every scenario, and Refresh", () => {
    const html = renderToHtml(ReportsView, view());
    expect(buttonTexts(html)).toEqual(["Today", "Yesterday", "Last 7 days", "This month", "Custom days", "Refresh"]);
    expect(html).toMatch(/<button type="button" aria-pressed="true" class="pressed">Yesterday</);
    const options = [...html.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)</g)].map((m) => `${m[1]}=${m[2]}`);
    expect(options).toEqual([
      "day=By day", "hour=By hour", "scenario=By scenario", "day_scenario=By day and scenario",
      "=All scenarios", "hotline=Hotline (hotline)", "survey=survey",
    ]); // prettier-ignore
    expect(html).not.toContain('type="date"');
    const custom = renderToHtml(ReportsView, view({ range: { preset: "custom", from: "2026-10-01", to: "2026-10-25" } }));
    const several = renderToHtml(ReportsView, view({ days: { from: "2026-10-19", to: "2026-10-25" } }));
    expect(marked(several, "reports-summary")).toBe("1,260 calls from Oct 19, 2026 to Oct 25, 2026, days and hours of Europe/Madrid");
    expect(custom).toContain('<label>From<input type="date" max="2026-10-25" value="2026-10-01"/></label>');
  });

  it("shows a row per hour, the repeated hour told by its offset, numbers grouped, and the totals at the foot", () => {
    const html = renderToHtml(ReportsView, view());
    expect(marked(html, "reports-summary")).toBe("1,260 calls on Oct 25, 2026, hours of Europe/Madrid");
    const [head, subhead, ...body] = cells(html);
    expect(head).toEqual(["Period", "Calls", "Answered", "Abandoned", "Transfers", "Status in the call register", "Average call", "Total time", "Most frequent results"]);
    expect(subhead).toEqual(["tried", "answered", "answered", "transferred", "missed", "abandoned before the end", "abandoned during a transfer",
                             "callback scheduled", "failed"]); // the Calls panel's order of the statuses
    expect(body).toEqual([
      ["Oct 25, 2026, 2:00 AM (UTC+02:00)", "1,250", "1,200 96%", "60 5%", "900", "810", "300", "810", "50", "40", "20", "30", "0",
       "1 min 5 sec", "1,300 min", "sale 1,100 · callback 30"],
      ["Oct 25, 2026, 2:00 AM (UTC+01:00)", "10", "10 100%", "0 0%", "0", "0", "10", "0", "0", "0", "0", "0", "0", "10 sec", "1 min 40 sec", ""],
      ["Oct 25, 2026, 3:00 AM", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "", "", ""],
      ["Total", "1,260", "1,210 96%", "60 5%", "900", "810", "310", "810", "50", "40", "20", "30", "0", "1 min 5 sec", "1,301 min 40 sec",
       "sale 1,100 · callback 30"],
    ]); // prettier-ignore
    expect(html).toContain('class="no-calls"'); // the hour without calls, faintly
  });

  it("shows a scenario column by scenario, named as the list names it", () => {
    const byScenario: CallReport = {
      ...report,
      group: "scenario",
      rows: [{ ...quiet, day: null, hour: null, scenario: "hotline", start: report.since, end: report.until, local_start: "2026-10-25T00:00:00+02:00" }],
    };
    const [head, , row, totals] = cells(renderToHtml(ReportsView, view({ group: "scenario", report: byScenario })));
    expect(head!.slice(0, 2)).toEqual(["Scenario", "Calls"]);
    expect(row!.slice(0, 2)).toEqual(["Hotline", "10"]);
    expect(totals!.slice(0, 2)).toEqual(["Total", "1,260"]);
  });

  it("says no calls when the range had none, that it loads, and a problem instead of the table", () => {
    const none = renderToHtml(ReportsView, view({ group: "scenario", report: { ...report, group: "scenario", rows: [] } }));
    expect(none).toContain("No calls started in these days.");
    expect(none).not.toContain("<table");
    expect(marked(renderToHtml(ReportsView, view({ loading: true })), "reports-summary")).toBe("Loading the report…");
    const failed = renderToHtml(ReportsView, view({ problem: "The report could not be loaded: the server did not answer." }));
    expect(marked(failed, "reports-problem")).toBe("The report could not be loaded: the server did not answer.");
    expect(failed).toContain('role="alert"');
    expect(failed).not.toContain("<table");
  });

  it("renders the page with the last 7 days by day asked for, the scenario named by the address chosen", () => {
    const html = renderToHtml(ReportsPage, { initialScenario: "old-promo" });
    // Today and yesterday are in it: a first report right after the first calls is not "0 calls".
    expect(html).toMatch(/<button type="button" aria-pressed="true" class="pressed">Last 7 days</);
    expect(html).toContain('<option value="old-promo" selected="">old-promo</option>');
    expect(marked(html, "reports-summary")).toBe("Loading the report…");
  });
});

describe("Refresh while the report loads", () => {
  // Accessibility review (WCAG 2.4.3): disabled while loading, it sent the keyboard's focus to <body>.
  it("stays focusable, said to be busy, not disabled", () => {
    const refresh = /<button[^>]*>Refresh<\/button>/.exec(renderToHtml(ReportsView, view({ loading: true })))?.[0] ?? "";
    expect(refresh).toContain('aria-disabled="true"');
    expect(refresh).toContain('aria-busy="true"');
    expect(refresh).not.toContain("disabled=\"\"");
    expect(/<button[^>]*>Refresh<\/button>/.exec(renderToHtml(ReportsView, view()))?.[0]).toBe('<button type="button">Refresh</button>');
  });
});

describe("the view in Spanish and Russian", () => {
  const words = (language: Language) => {
    const html = renderInLanguage(language, ReportsView, view());
    return { html, buttons: buttonTexts(html), table: cells(html), summary: marked(html, "reports-summary") };
  };

  it("says every label, and groups the numbers, as the language does", () => {
    const es = words("es");
    expect(es.buttons).toEqual(["Hoy", "Ayer", "Últimos 7 días", "Este mes", "Otros días", "Actualizar"]);
    expect(es.html).toContain("<h1>Informe de llamadas</h1>");
    expect(es.table[0]).toEqual(["Periodo", "Llamadas", "Atendidas", "Abandonadas", "Transferencias", "Estado en el registro de llamadas",
                                 "Duración media", "Duración total", "Resultados más frecuentes"]); // prettier-ignore
    expect(es.table.at(-1)!.slice(0, 3)).toEqual(["Total", "1260", "1210 96 %"]);
    expect(es.summary).toBe("1260 llamadas el 25 oct 2026, horas de Europe/Madrid");
    const ru = words("ru");
    expect(ru.buttons).toEqual(["Сегодня", "Вчера", "Последние 7 дней", "Этот месяц", "Свои даты", "Обновить"]);
    expect(ru.html).toContain("<h1>Отчёт по звонкам</h1>");
    expect(ru.table[0]!.slice(0, 5)).toEqual(["Период", "Звонки", "Отвечено", "Брошено", "Переводы"]);
    expect(ru.table.at(-1)!.slice(0, 2).map((cell) => cell.replace(/\s/g, " "))).toEqual(["Итого", "1 260"]);
    expect(ru.summary.replace(/\s/g, " ")).toMatch(/^1 260 звонков за 25 окт\.? 2026.*, часы по времени Europe\/Madrid$/);
  });

  it("has every Reports string in each language, none left in English", () => {
    const keys = Object.keys(LANGUAGES.en).filter((key) => key.startsWith("reports.") || key === "app.reports");
    expect(keys.length).toBeGreaterThan(40);
    const same = new Set(["reports.totals"]); // "Total" is Spanish too
    for (const language of ["es", "ru"] as const) {
      const messages = LANGUAGES[language] as Record<string, string>;
      for (const key of keys) {
        expect(messages[key], `${language} ${key}`).toBeTruthy();
        if (language === "ru" || !same.has(key)) expect(messages[key], `${language} ${key}`).not.toBe((LANGUAGES.en as Record<string, string>)[key]);
      }
    }
  });
});

describe("a problem, in words", () => {
  const t = translator("en");
  const failure = (status: number, detail = "the server's words", extra: object = {}) => new ApiError(status, { detail, ...extra }, detail);
  const refused = (path: string, message: string) => failure(422, "the request does not match its schema", { problems: [{ path, message }] });

  it("says why nothing is asked, and what each failure means for the supervisor", () => {
    expect(refusalText(t, "fromAfterTo")).toBe("The first day is after the last: pick days that run forward.");
    expect(refusalText(t, "tooLong")).toBe("A report covers at most 366 days: pick fewer days.");
    expect(refusalText(t, "needDays")).toBe("Pick the first and the last day.");
    expect(reportFailureText(t, failure(403), "UTC")).toBe("Your role may not see the call report.");
    expect(reportFailureText(t, failure(0), "UTC")).toBe("The report could not be loaded: the server did not answer.");
    expect(reportFailureText(t, failure(500, "HTTP 500"), "UTC")).toBe("The report could not be loaded: HTTP 500");
    expect(reportFailureText(t, refused("$.tz", "unknown time zone"), "Mars/Olympus")).toBe(
      "The server does not know this browser's time zone (Mars/Olympus): the days cannot be read on its clock.",
    );
    expect(reportFailureText(t, refused("$.until", "must be after `since`"), "UTC")).toBe("The report was refused: until: must be after `since`");
  });

  it("says each of them in Spanish and Russian too, with no parameter left unfilled", () => {
    const failures = [0, 403, 500].map((status) => failure(status)).concat(refused("$.tz", "x"), refused("$.until", "x"));
    for (const language of ["es", "ru"] as const) {
      const say = translator(language);
      for (const error of failures) expect(reportFailureText(say, error, "Europe/Madrid")).not.toMatch(/[{}]|could not|Something/);
      for (const refusal of ["fromAfterTo", "tooLong", "needDays"] as const) expect(refusalText(say, refusal)).not.toMatch(/[{}]/);
    }
  });
});
