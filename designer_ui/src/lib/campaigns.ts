/**
 * A campaign (one imported call list) as the analyst follows it: what it is called, its clients by where their
 * dialing stands, in the order a client goes through them; how many are finished and how many wait for a retry;
 * what the clients reached answered; whom stopping it would spare; whether it is paused; and the list of
 * campaigns, a page at a time.
 */
import type { Campaign } from "../api/types";
import { formatDateTime } from "./format";
import type { Translate } from "./i18n";

/** The dialer's job statuses (persistence/callbacks.py `JOB_STATUSES`), from waiting to over. */
export const JOB_STATUSES = ["pending", "dialing", "done", "failed", "expired", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface StatusShare {
  status: string;
  count: number;
  /** Of the whole list, 0-100. */
  percent: number;
}

export interface AnswerShare {
  result: string;
  /** What the campaign's scenario calls it (`result_labels`); none for a code it does not declare. */
  label?: string;
  count: number;
  /** Of the whole list, 0-100. */
  percent: number;
}

/**
 * `dialled`, `spared` and `awaiting_retry`: the server's counts of attempts made (a server before them sends
 * none); `paused`: a supervisor's hold (a server before pauses sends none: never paused).
 */
type Counts = Pick<Campaign, "jobs" | "statuses"> & Partial<Pick<Campaign, "dialled" | "spared" | "awaiting_retry" | "paused" | "cancelled_at">>;

const countOf = (campaign: Counts, status: string) => campaign.statuses[status] ?? 0;
const share = (count: number, total: number) => (total > 0 ? (100 * count) / total : 0);

/**
 * Every status with its clients and share, in the dialer's order, zeros included so the list always reads the
 * same; a status this designer does not know yet comes last, as the server names it, so the counts still add up.
 */
export function statusShares(campaign: Counts): StatusShare[] {
  const known: readonly string[] = JOB_STATUSES;
  const statuses = [...known, ...Object.keys(campaign.statuses).filter((status) => !known.includes(status))];
  return statuses.map((status) => ({ status, count: countOf(campaign, status), percent: share(countOf(campaign, status), campaign.jobs) }));
}

/** Clients not called yet (a retry waiting counts too): exactly those a stop spares. */
export const waitingClients = (campaign: Counts) => countOf(campaign, "pending");

/**
 * Clients rung at least once, whatever came of it: a busy line waiting for its retry, or cancelled by a stop
 * after it, was called too (review of 2026-12-12: "called 10 of 60" when 20 had been rung). Not those a stop
 * cancelled before their first ring: a campaign stopped before its first call reads "0 of 3". A server that does
 * not count attempts: the clients whose dialing ran its course (reached, every attempt failed, out of time).
 */
export const calledClients = (campaign: Counts) =>
  campaign.dialled ?? countOf(campaign, "done") + countOf(campaign, "failed") + countOf(campaign, "expired");

/** Clients a stop took off the list before any of their calls was made (not one rung busy, then cancelled). */
export const cancelledClients = (campaign: Counts) => campaign.spared ?? countOf(campaign, "cancelled");

/** Of the whole list, 0-100: how many were rung at least once. */
export const calledPercent = (campaign: Counts) => share(calledClients(campaign), campaign.jobs);

/**
 * Clients whose calling ran its course: reached, every attempt failed, out of time, or cancelled by a stop after
 * a ring. Not those waiting for a retry, though rung (review of a Spanish bank's supervisor: "Llamados: 19 de 19
 * (100 %)" while 3 waited for one read as over), nor those a stop spared before any ring, said apart (QA:
 * "Handled: 3 of 3 (100%)" for a list stopped before its first call).
 */
export const finishedClients = (campaign: Counts) =>
  countOf(campaign, "done") + countOf(campaign, "failed") + countOf(campaign, "expired") + countOf(campaign, "cancelled") - cancelledClients(campaign);

/** Of the whole list, 0-100: how far the campaign got, the progress its header and the list show. */
export const finishedPercent = (campaign: Counts) => share(finishedClients(campaign), campaign.jobs);

/** Clients rung at least once who wait for another call (a retry, a promised callback); 0 where not counted. */
export const awaitingRetry = (campaign: Counts) => campaign.awaiting_retry ?? 0;

export type CampaignState = "running" | "paused" | "stopped" | "finished";

/**
 * Running while anyone is still to call or being called, paused instead while a supervisor holds it; then stopped
 * if it was stopped, else finished (a paused campaign whose clients all ran out of time meanwhile too).
 */
export function campaignState(campaign: Counts): CampaignState {
  if (waitingClients(campaign) + countOf(campaign, "dialing") > 0) return campaign.paused ? "paused" : "running";
  return countOf(campaign, "cancelled") > 0 ? "stopped" : "finished";
}

/** A stop is offered while somebody is still waiting to be called, paused or not. */
export const mayBeStopped = (campaign: Counts) => waitingClients(campaign) > 0;

/**
 * A pause is offered while the campaign calls, unless it was stopped (a call of it may still ring: the server
 * refuses to pause a stopped campaign); a resume while it is paused, whatever is left of it.
 */
export const mayBePaused = (campaign: Counts) => campaignState(campaign) === "running" && !campaign.cancelled_at;
export const mayBeResumed = (campaign: Counts) => campaign.paused === true;

/** Its counts change by themselves while it runs, and while paused too: the calls ringing then end. */
export const changesByItself = (campaign: Counts) => ["running", "paused"].includes(campaignState(campaign));

/**
 * What the clients reached answered (their last call's `result`), the most frequent first, each with the words its
 * scenario gives it where it declares it (a server from before `result_labels` sends none: the codes alone).
 */
export function answerShares(campaign: Campaign): AnswerShare[] {
  const labels = campaign.result_labels ?? {};
  return Object.entries(campaign.results)
    .map(([result, count]) => ({ result, label: Object.hasOwn(labels, result) ? labels[result] : undefined, count, percent: share(count, campaign.jobs) }))
    .sort((a, b) => b.count - a.count || a.result.localeCompare(b.result));
}

/**
 * Clients reached whose last call recorded no answer: they hung up before giving one, or the flow sets none. Out of
 * every client reached (`reached`), whatever they stand now, as `results` counts all their answers: a client whose
 * call promised a callback answered and waits (pending), so counted against `done` the answers left out a client
 * who hung up. A server that does not count `reached` yet: against `done`, as before.
 */
export function reachedWithoutAnswer(campaign: Pick<Campaign, "statuses" | "jobs" | "results" | "reached">): number {
  const answered = Object.values(campaign.results).reduce((sum, count) => sum + count, 0);
  return Math.max(0, (campaign.reached ?? countOf(campaign, "done")) - answered);
}

/**
 * How many clients a stop spared: those cancelled after it less those before (another stop, or none). A client
 * waiting for a retry is not called again either, so counted with them: the stop's own words are "will not be
 * called", and the summary's "cancelled by the stop" counts only the never rung (`cancelledClients`).
 */
export const sparedByStop = (before: Counts, after: Counts) => Math.max(0, countOf(after, "cancelled") - countOf(before, "cancelled"));

/** Clients whose last call failed (the scenario broke off with an error): neither reached nor an answer. */
export const failedCalls = (campaign: Pick<Campaign, "failed_calls">) => campaign.failed_calls ?? 0;

/** A share as a whole percent; never "0%" for a few clients of a long list, nor "100%" while some are left. */
export function percentText(percent: number): string {
  if (percent > 0 && percent < 1) return "<1%";
  if (percent > 99 && percent < 100) return ">99%";
  return `${Math.round(percent)}%`;
}

/** The list with one campaign's fresh counts in place of its old ones. */
export function withCampaign(list: Campaign[], fresh: Campaign): Campaign[] {
  return list.map((campaign) => (campaign.campaign_id === fresh.campaign_id ? fresh : campaign));
}

/**
 * What a campaign is called: its name, else "Call list of <the day it was imported>" in the interface language
 * (lists imported before campaigns had names, or started without one).
 */
export function campaignTitle(campaign: Pick<Campaign, "name" | "created_at">, t: Translate, language: string): string {
  const name = campaign.name.trim();
  if (name) return name;
  const day = formatDateTime(campaign.created_at, language, "date");
  return t("campaigns.untitled", { date: day });
}

/**
 * When the next client is due, while the campaign runs; null once nobody waits (a call ringing now is not next),
 * and while it is paused: nobody is called then.
 */
export const nextCall = (campaign: Counts & Pick<Campaign, "next_due">) =>
  campaignState(campaign) === "running" ? campaign.next_due : null;

/** Campaigns asked for at a time: the first page, and each "Show more". */
export const CAMPAIGN_PAGE = 50;
/** The most the server lists in one answer (`limit` of GET /api/callbacks/campaigns). */
export const MAX_CAMPAIGN_PAGE = 200;

/** The campaigns loaded so far, newest first, and whether the server may have older ones. */
export interface CampaignPages {
  list: Campaign[];
  more: boolean;
}

/** A page came back full: there may be more; a shorter one was the last. */
const mayHaveMore = (page: readonly Campaign[], limit: number) => page.length >= limit;

/**
 * The next page appended. Pages overlap when lists were imported since the last one was asked (every offset
 * shifts): a campaign already listed is not repeated, only given its fresher counts, where it stands.
 */
export function withNextPage(loaded: CampaignPages, page: Campaign[], limit: number): CampaignPages {
  const fresh = new Map(page.map((campaign) => [campaign.campaign_id, campaign]));
  const listed = new Set(loaded.list.map((campaign) => campaign.campaign_id));
  return {
    list: [...loaded.list.map((campaign) => fresh.get(campaign.campaign_id) ?? campaign), ...page.filter((c) => !listed.has(c.campaign_id))],
    more: mayHaveMore(page, limit),
  };
}

/** How many to ask for on a refresh: as many as are shown (pages asked with "Show more" too), within the server's limit. */
export const refreshLimit = (shown: number) => Math.min(MAX_CAMPAIGN_PAGE, Math.max(CAMPAIGN_PAGE, shown));

/**
 * The list after its newest campaigns were asked again (`null`: the first load): those, in the server's order,
 * then the older ones already shown beyond them, so a refresh never takes back the pages the analyst asked for.
 */
export function withNewest(loaded: CampaignPages | null, page: Campaign[], limit: number): CampaignPages {
  const fresh = new Set(page.map((campaign) => campaign.campaign_id));
  const older = (loaded?.list ?? []).filter((campaign) => !fresh.has(campaign.campaign_id));
  return { list: [...page, ...older], more: mayHaveMore(page, limit) && (loaded?.more ?? true) };
}
