import { describe, expect, it } from "vitest";
import type { FlowStats } from "../api/types";
import { useFlowStats } from "../store/flowStats";
import {
  edgeTraffic,
  exitKey,
  nodesOffCanvas,
  overlayOf,
  percentText,
  rangeDays,
  statsQuery,
  todayIn,
  type StatsRange,
} from "./flowStats";
import { shiftDay } from "./callFilters";

// 2026-03-29 01:30 UTC: already the 29th in Madrid (03:30, the first hour of summer time), still the 28th in New York.
const NOW = new Date("2026-03-29T01:30:00Z");
const preset = (p: StatsRange["preset"]): StatsRange => ({ preset: p, from: "", to: "" });

/**
 * A menu that 4 calls reached: 2 pressed 1 (one of them twice, looping back), 1 pressed 2, 1 hung up in it, which
 * the server counts as its `hangup` exit. Shaped as the API answers.
 */
const stats: FlowStats = {
  scenario: "hotline",
  version: null,
  since: "2026-03-22T00:00:00+00:00",
  until: "2026-03-30T00:00:00+00:00",
  calls: 4,
  nodes: [
    { node: "start", visits: 4, calls: 4, hangups: 0, ended: 0 },
    { node: "menu", visits: 5, calls: 4, hangups: 1, ended: 1 },
    { node: "sales", visits: 2, calls: 2, hangups: 0, ended: 2 },
    { node: "old_promo", visits: 7, calls: 6, hangups: 2, ended: 0 },
    { node: "old_survey", visits: 3, calls: 3, hangups: 0, ended: 3 },
  ],
  exits: [
    { node: "start", exit: "next", visits: 4, calls: 4 },
    { node: "menu", exit: "1", visits: 3, calls: 2 },
    { node: "menu", exit: "2", visits: 1, calls: 1 },
    { node: "menu", exit: "hangup", visits: 1, calls: 1 },
  ],
};

describe("the days a range covers, on the browser's clock", () => {
  it("ends the presets today in the browser's zone, today included", () => {
    expect(todayIn("Europe/Madrid", NOW)).toBe("2026-03-29");
    expect(todayIn("America/New_York", NOW)).toBe("2026-03-28");
    expect(rangeDays(preset("today"), "Europe/Madrid", NOW)).toEqual({ from: "2026-03-29", to: "2026-03-29" });
    expect(rangeDays(preset("last7"), "Europe/Madrid", NOW)).toEqual({ from: "2026-03-23", to: "2026-03-29" });
    expect(rangeDays(preset("last30"), "America/New_York", NOW)).toEqual({ from: "2026-02-27", to: "2026-03-28" });
  });

  it("keeps custom days as typed, a bound left empty included", () => {
    expect(rangeDays({ preset: "custom", from: "2026-01-05", to: "" }, "UTC", NOW)).toEqual({ from: "2026-01-05", to: "" });
  });

  it("moves days across months, leap days and years", () => {
    expect(shiftDay("2026-03-01", -1)).toBe("2026-02-28");
    expect(shiftDay("2028-03-01", -1)).toBe("2028-02-29");
    expect(shiftDay("2026-12-31", 1)).toBe("2027-01-01");
    expect(shiftDay("2026-01-01", -29)).toBe("2025-12-03");
  });
});

describe("the range as the stats API's query", () => {
  it("sends the days' midnights with their offsets and names the zone: the same days the Calls panel filters", () => {
    // Madrid changes to summer time on the 29th: the range ends at the next midnight, two hours ahead of UTC.
    expect(statsQuery(preset("last7"), "all", "Europe/Madrid", NOW)).toEqual({
      query: { since: "2026-03-23T00:00:00+01:00", until: "2026-03-30T00:00:00+02:00", tz: "Europe/Madrid" },
    });
  });

  it("asks for one version when one is chosen, all of them otherwise", () => {
    const one = statsQuery(preset("today"), 3, "UTC", NOW);
    expect(one).toEqual({ query: { since: "2026-03-29T00:00:00+00:00", until: "2026-03-30T00:00:00+00:00", tz: "UTC", version: 3 } });
  });

  it("leaves an empty custom bound out (unbounded), and refuses days that run backwards without asking", () => {
    expect(statsQuery({ preset: "custom", from: "", to: "2026-03-01" }, "all", "UTC", NOW)).toEqual({
      query: { until: "2026-03-02T00:00:00+00:00", tz: "UTC" },
    });
    expect(statsQuery({ preset: "custom", from: "2026-03-05", to: "2026-03-04" }, "all", "UTC", NOW)).toEqual({ refusal: "fromAfterTo" });
    expect(statsQuery({ preset: "custom", from: "2026-03-05", to: "2026-03-05" }, "all", "UTC", NOW)).toHaveProperty("query");
  });
});

describe("the counts as the canvas draws them", () => {
  const overlay = overlayOf(stats);

  it("gives each exit its share of every way out of its block, a caller's hang-up there included", () => {
    // The menu was entered 5 times: 3 times key 1, once key 2, once the caller hung up (the badge says so).
    expect(edgeTraffic(overlay, "menu", "1")).toEqual({ visits: 3, calls: 2, share: 0.6 });
    expect(edgeTraffic(overlay, "menu", "2")).toEqual({ visits: 1, calls: 1, share: 0.2 });
    expect(edgeTraffic(overlay, "start", "next").share).toBe(1);
    expect(overlay.nodes.get("menu")).toEqual({ visits: 5, calls: 4, hangups: 1, ended: 1 });
  });

  it("counts an exit no call took as 0, with no share", () => {
    expect(edgeTraffic(overlay, "menu", "9")).toEqual({ visits: 0, calls: 0, share: null });
    expect(edgeTraffic(overlay, "nowhere", "next")).toEqual({ visits: 0, calls: 0, share: null });
    expect(edgeTraffic(overlay, "menu", null)).toEqual({ visits: 0, calls: 0, share: null });
  });

  it("tells a block's exit apart from another block's exit of a name that joins the same", () => {
    const tricky = overlayOf({ ...stats, exits: [{ node: "a:b", exit: "c", visits: 1, calls: 1 }, { node: "a", exit: "b:c", visits: 2, calls: 2 }] });
    expect(edgeTraffic(tricky, "a:b", "c").visits).toBe(1);
    expect(edgeTraffic(tricky, "a", "b:c").visits).toBe(2);
    expect(exitKey("a:b", "c")).not.toBe(exitKey("a", "b:c"));
  });

  it("writes a share as a whole percentage, and a tiny one as <1, never 0", () => {
    expect(percentText(0.75)).toBe("75");
    expect(percentText(1 / 3)).toBe("33");
    expect(percentText(1)).toBe("100");
    expect(percentText(0.004)).toBe("<1");
    expect(percentText(0)).toBe("0");
    expect(percentText(null)).toBeNull();
  });

  it("lists the blocks counted that the canvas no longer has, the busiest first, none that no call reached", () => {
    const onCanvas = new Set(["start", "menu", "sales"]);
    expect(nodesOffCanvas(stats, onCanvas)).toEqual([
      { node: "old_promo", calls: 6 },
      { node: "old_survey", calls: 3 },
    ]);
    expect(nodesOffCanvas({ ...stats, nodes: [{ node: "gone", visits: 0, calls: 0, hangups: 0, ended: 0 }] }, onCanvas)).toEqual([]);
    expect(nodesOffCanvas(stats, new Set(stats.nodes.map((n) => n.node)))).toEqual([]);
  });
});

describe("the statistics store", () => {
  it("is off by default, with nothing to draw; turning it off drops the counts", () => {
    const store = useFlowStats.getState();
    expect([store.on, store.overlay]).toEqual([false, null]);
    store.setOn(true);
    useFlowStats.getState().setOverlay(overlayOf(stats));
    expect(useFlowStats.getState().overlay?.calls).toBe(4);
    useFlowStats.getState().setOn(false);
    expect([useFlowStats.getState().on, useFlowStats.getState().overlay]).toEqual([false, null]);
  });
});
