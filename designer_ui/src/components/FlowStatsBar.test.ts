import { beforeEach, describe, expect, it, vi } from "vitest";

// The generated client's transport: what the stats route was asked, and what it answers.
const get = vi.hoisted(() => vi.fn());
vi.mock("openapi-fetch", async (actual) => ({
  ...(await actual<typeof import("openapi-fetch")>()),
  default: () => ({ use: () => undefined, GET: get, POST: vi.fn() }),
}));

import { createQuerySerializer } from "openapi-fetch";
import { flowStats } from "../api/client";
import { ApiError } from "../api/http";
import type { FlowStats } from "../api/types";
import { translator } from "../lib/i18n";
import { runInTimeZone } from "../testSupport";
import { countedText, FlowStatsBar, FlowStatsBarView, FlowStatsToggle, statsFailureText, type FlowStatsBarViewProps } from "./FlowStatsBar";
import { statsQuery } from "./flowStats";
import { buttonTexts, renderInLanguage, renderToHtml, visibleText as text } from "./renderForTest";

runInTimeZone("Europe/Madrid");

const stats: FlowStats = {
  scenario: "hotline",
  version: null,
  since: "2026-11-29T23:00:00+00:00",
  until: "2026-12-06T23:00:00+00:00",
  calls: 3,
  nodes: [{ node: "menu", visits: 3, calls: 3, hangups: 1, ended: 1 }],
  exits: [{ node: "menu", exit: "1", visits: 2, calls: 2 }],
};

const noop = () => undefined;
const bar = (over: Partial<FlowStatsBarViewProps> = {}): FlowStatsBarViewProps => ({
  range: { preset: "last7", from: "", to: "" },
  version: "all",
  versions: [3, 2, 1],
  loading: false,
  stats,
  problem: null,
  offCanvas: [],
  onPreset: noop,
  onDays: noop,
  onVersion: noop,
  onRefresh: noop,
  ...over,
});
/** The inner text of the element marked `data-testid="<id>"`. */
const marked = (html: string, id: string) => text(new RegExp(`data-testid="${id}"[^>]*>(.*?)</(span|ul)>`, "s").exec(html)?.[1] ?? "");

beforeEach(() => {
  get.mockReset().mockResolvedValue({ data: stats, response: new Response(null, { status: 200 }) });
});

describe("asking for the statistics", () => {
  it("sends the range with its offsets, the browser's zone and the version to the scenario's stats route", async () => {
    const planned = statsQuery({ preset: "custom", from: "2026-03-28", to: "2026-03-29" }, 2, "Europe/Madrid");
    if (!("query" in planned)) throw new Error("a range that runs forward is asked for");
    expect(await flowStats("hotline", planned.query)).toEqual(stats);
    const [path, options] = get.mock.calls[0]!;
    expect(path).toBe("/api/scenarios/{slug}/stats");
    expect(options.params.path).toEqual({ slug: "hotline" });
    expect(createQuerySerializer()(options.params.query)).toBe(
      "tz=Europe%2FMadrid&since=2026-03-28T00%3A00%3A00%2B01%3A00&until=2026-03-30T00%3A00%3A00%2B02%3A00&version=2",
    );
  });

  it("turns a refusal into an ApiError with its status and the server's words", async () => {
    get.mockResolvedValueOnce({ error: { detail: "since is after until" }, response: new Response(null, { status: 422 }) });
    const failure = await flowStats("hotline", { tz: "UTC" }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect([(failure as ApiError).status, (failure as ApiError).message]).toEqual([422, "since is after until"]);
  });
});

describe("a failure, in words", () => {
  const t = translator("en");
  const failure = (status: number, detail = "the server's words", extra: object = {}) => new ApiError(status, { detail, ...extra }, detail);
  /** A 422 as the API words a refused query parameter. */
  const refused = (path: string, message: string) =>
    failure(422, "the request does not match its schema", { problems: [{ path, message }] });

  it("says what each failure means for the analyst, never a bare status", () => {
    expect(statsFailureText(t, failure(403), "UTC")).toBe("Your role may not see this scenario's statistics.");
    expect(statsFailureText(t, failure(404), "UTC")).toBe("No statistics: this scenario or version no longer exists.");
    expect(statsFailureText(t, failure(0, "the server did not answer"), "UTC")).toBe("The statistics could not be loaded: the server did not answer.");
    expect(statsFailureText(t, failure(500, "HTTP 500"), "UTC")).toBe("The statistics could not be loaded: HTTP 500");
    expect(statsFailureText(t, new TypeError("boom"), "UTC")).toBe("The statistics could not be loaded: boom");
  });

  it("says which part of the request a 422 refused: the range backwards, the browser's zone, or as the server put it", () => {
    expect(statsFailureText(t, refused("$.until", "must not be before `since`"), "UTC")).toBe(
      "The first day is after the last: pick days that run forward.",
    );
    expect(statsFailureText(t, refused("$.tz", "unknown time zone"), "Mars/Olympus")).toBe(
      "The server does not know this browser's time zone (Mars/Olympus): the days cannot be read on its clock.",
    );
    expect(statsFailureText(t, refused("$.version", "must be at least 1"), "UTC")).toBe("The statistics were refused: version: must be at least 1");
    expect(statsFailureText(t, failure(422, "the request does not match its schema"), "UTC")).toBe(
      "The statistics were refused: the request does not match its schema",
    );
  });

  it("says each of them in Spanish and Russian too, with no parameter left unfilled", () => {
    const failures = [0, 403, 404, 500].map((status) => failure(status)).concat(refused("$.tz", "x"), refused("$.until", "x"));
    for (const language of ["es", "ru"] as const) {
      for (const error of failures) {
        expect(statsFailureText(translator(language), error, "Europe/Madrid")).not.toMatch(/[{}]|could not|Something/);
      }
    }
  });
});

describe("the statistics bar", () => {
  it("is off by default: the editor shows no bar, and the toggle is not pressed", () => {
    expect(renderToHtml(FlowStatsBar, { slug: "hotline" })).toBe("");
    const toggle = renderToHtml(FlowStatsToggle, {});
    expect(buttonTexts(toggle)).toEqual(["Statistics"]);
    expect(toggle).toContain('aria-pressed="false"');
  });

  it("offers the presets (the chosen one pressed), every published version latest first, and Refresh", () => {
    const html = renderToHtml(FlowStatsBarView, bar());
    expect(buttonTexts(html)).toEqual(["Today", "Last 7 days", "Last 30 days", "Custom days", "Refresh"]);
    expect(html).toMatch(/<button type="button" aria-pressed="true" class="pressed">Last 7 days</);
    const options = [...html.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)</g)].map((m) => `${m[1]}=${m[2]}`);
    expect(options).toEqual(["all=All versions", "3=Version 3", "2=Version 2", "1=Version 1"]);
    expect(html).not.toContain('type="date"');
  });

  it("shows the custom days as date fields", () => {
    const html = renderToHtml(FlowStatsBarView, bar({ range: { preset: "custom", from: "2026-12-01", to: "2026-12-05" } }));
    expect(html).toContain('<label>From<input type="date" max="2026-12-05" value="2026-12-01"/></label>');
    expect(html).toContain('<label>To<input type="date" min="2026-12-01" value="2026-12-05"/></label>');
  });

  it("says what was counted: the calls and the range the server applied, on the browser's clock", () => {
    const html = renderToHtml(FlowStatsBarView, bar());
    expect(marked(html, "flow-stats-summary")).toBe("3 calls from Nov 30, 2026, 12:00 AM to Dec 7, 2026, 12:00 AM");
    expect(html).toContain('title="Counted by whole hours of UTC: the range is widened to the hours around it."');
    const t = translator("en");
    expect(countedText(t, "en", { calls: 1, since: null, until: null })).toBe("1 call in all");
    expect(countedText(t, "en", { calls: 0, since: "2026-12-01T00:00:00Z", until: null })).toBe("0 calls since Dec 1, 2026, 1:00 AM");
  });

  it("says it is loading, and a failure in words instead of the counts", () => {
    expect(marked(renderToHtml(FlowStatsBarView, bar({ loading: true })), "flow-stats-summary")).toBe("Loading statistics…");
    const failed = renderToHtml(FlowStatsBarView, bar({ problem: "The statistics could not be loaded: the server did not answer." }));
    expect(marked(failed, "flow-stats-problem")).toBe("The statistics could not be loaded: the server did not answer.");
    expect(failed).toContain('role="alert"');
    expect(marked(failed, "flow-stats-summary")).toBe("");
  });

  it("lists the blocks calls went through that the canvas no longer has", () => {
    const html = renderToHtml(FlowStatsBarView, bar({ offCanvas: [{ node: "old_promo", calls: 6 }, { node: "survey", calls: 1 }] }));
    expect(text(/<ul[^>]*data-testid="flow-stats-off-canvas"[^>]*>(.*?)<\/ul>/s.exec(html)![1]!)).toBe(
      "“old_promo”, no longer on the canvas: 6 calls went through it “survey”, no longer on the canvas: 1 call went through it",
    );
    expect(renderToHtml(FlowStatsBarView, bar())).not.toContain("flow-stats-off-canvas");
  });

  it("speaks the interface language", () => {
    const html = renderInLanguage("ru", FlowStatsBarView, bar({ offCanvas: [{ node: "old_promo", calls: 5 }] }));
    expect(buttonTexts(html)).toEqual(["Сегодня", "Последние 7 дней", "Последние 30 дней", "Свои даты", "Обновить"]);
    expect(marked(html, "flow-stats-summary")).toMatch(/^3 звонка с .+ по .+$/);
    expect(html).toContain("через него прошло 5 звонков");
  });
});
