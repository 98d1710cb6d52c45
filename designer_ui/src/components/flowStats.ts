/**
 * The flow statistics overlay apart from React: which days a range preset covers, the range as the stats API's
 * query, and the server's counts turned into what the canvas draws (a badge per block, a label per exit: its
 * visits and its share of the block's way out), plus the blocks counted that the canvas no longer has.
 */
import type { FlowStatsQuery } from "../api/client";
import type { FlowStats } from "../api/types";
import { filterQuery, NO_FILTERS, shiftDay } from "./callFilters";
import { isoInZone } from "../lib/timeZone";

/** The ranges offered at a click, and the analyst's own days. */
export type StatsPreset = "today" | "last7" | "last30" | "custom";
export const STATS_PRESETS: StatsPreset[] = ["today", "last7", "last30", "custom"];

/** What the bar asks for: a preset, or days as a date field gives them ("2026-12-01"; "" for no bound). */
export interface StatsRange {
  preset: StatsPreset;
  from: string;
  to: string;
}

/** All published versions, or one. */
export type StatsVersion = number | "all";

/** How many days each preset covers, today included. */
const PRESET_DAYS: Record<Exclude<StatsPreset, "custom">, number> = { today: 1, last7: 7, last30: 30 };

/** The day it is now on `zone`'s clock ("2026-12-06"). */
export function todayIn(zone: string, now: Date = new Date()): string {
  return isoInZone(now, zone).slice(0, 10);
}

/** The days a range covers, first and last included: a preset's end today on `zone`'s clock, custom as typed. */
export function rangeDays(range: StatsRange, zone: string, now: Date = new Date()): { from: string; to: string } {
  if (range.preset === "custom") return { from: range.from, to: range.to };
  const today = todayIn(zone, now);
  return { from: shiftDay(today, 1 - PRESET_DAYS[range.preset]) ?? today, to: today }; // today is always a day
}

/**
 * The range and version as the stats API's query, or why not to ask. The days are read on `zone`'s clock (the
 * browser's) exactly as the Calls panel's filters read them: from the first day's midnight to the midnight after
 * the last, with their offsets, and the zone named so the server rounds the same days.
 */
export function statsQuery(
  range: StatsRange,
  version: StatsVersion,
  zone: string,
  now: Date = new Date(),
): { query: FlowStatsQuery } | { refusal: "fromAfterTo" } {
  const days = rangeDays(range, zone, now);
  if (days.from && days.to && days.from > days.to) return { refusal: "fromAfterTo" };
  const { since, until } = filterQuery({ ...NO_FILTERS, from: days.from, to: days.to }, zone);
  const query: FlowStatsQuery = { tz: zone };
  if (since) query.since = since;
  if (until) query.until = until;
  if (version !== "all") query.version = version;
  return { query };
}

/** What reached one block. */
export interface NodeTraffic {
  /** Times a call entered it (a loop back counts again). */
  visits: number;
  /** Calls that entered it, each once. */
  calls: number;
  /** Callers who hung up while in it. */
  hangups: number;
  /** Calls that ended in it, however they ended. */
  ended: number;
}

/** What left one block by one exit, and its share of every way out of that block. */
export interface ExitTraffic {
  visits: number;
  calls: number;
  /** This exit's visits over all the block's exit visits, hang-ups included (0..1); null when nothing left the block. */
  share: number | null;
}

/** The counts as the canvas reads them: by block id, by block and exit. */
export interface FlowOverlay {
  calls: number;
  nodes: ReadonlyMap<string, NodeTraffic>;
  exits: ReadonlyMap<string, ExitTraffic>;
}

export const NO_TRAFFIC: NodeTraffic = { visits: 0, calls: 0, hangups: 0, ended: 0 };
export const NO_EXIT_TRAFFIC: ExitTraffic = { visits: 0, calls: 0, share: null };

/** An edge is a block's exit handle: the key its traffic is found under. */
export const exitKey = (node: string, exit: string) => `${node}\u0000${exit}`;

export function overlayOf(stats: FlowStats): FlowOverlay {
  const nodes = new Map(stats.nodes.map(({ node, visits, calls, hangups, ended }) => [node, { visits, calls, hangups, ended }]));
  // The share is of every way the block was left as the server counts them, a caller's hang-up there included
  // (its `hangup` exit, no edge of the canvas): the labels and the badge's hang-ups then add up to the block's visits.
  const leaving = new Map<string, number>();
  for (const exit of stats.exits) leaving.set(exit.node, (leaving.get(exit.node) ?? 0) + exit.visits);
  const exits = new Map<string, ExitTraffic>();
  for (const { node, exit, visits, calls } of stats.exits) {
    const total = leaving.get(node) ?? 0;
    exits.set(exitKey(node, exit), { visits, calls, share: total > 0 ? visits / total : null });
  }
  return { calls: stats.calls, nodes, exits };
}

/** The traffic along the edge from `source`'s exit `exit`: none counted is 0, not unknown. */
export function edgeTraffic(overlay: FlowOverlay, source: string, exit: string | null | undefined): ExitTraffic {
  return (exit && overlay.exits.get(exitKey(source, exit))) || NO_EXIT_TRAFFIC;
}

/** A share as a whole percentage; a share too small to round up to 1% is "<1", never a misleading 0. */
export function percentText(share: number | null): string | null {
  if (share === null) return null;
  const pct = Math.round(share * 100);
  return pct === 0 && share > 0 ? "<1" : String(pct);
}

/**
 * The blocks the counts name that the canvas no longer has (deleted since, or only in the version counted), the
 * busiest first, with the calls that went through each. Their calls are not added up: one call may have gone
 * through several of them.
 */
export function nodesOffCanvas(stats: FlowStats, onCanvas: ReadonlySet<string>): { node: string; calls: number }[] {
  return stats.nodes
    .filter((n) => !onCanvas.has(n.node) && n.calls > 0)
    .map((n) => ({ node: n.node, calls: n.calls }))
    .sort((a, b) => b.calls - a.calls || a.node.localeCompare(b.node));
}
