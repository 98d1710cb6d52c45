/**
 * The Calls page's logic apart from React: what it shows, kept in its address (`#/calls?caller=...&from=...`) so a
 * link to what a support engineer found opens the same calls and the same call for a colleague; and that as the
 * register's query. The times are the engineer's, on the browser's clock: the customer said "yesterday around
 * 15:40", and the API reads `since` and `until` without an offset on the clock `tz` names (api/routes/calls.py).
 */
import type { RegisterQuery } from "../api/client";
import type { TraceStep } from "../api/types";
import { readHashQuery, withQuery } from "../lib/hashQuery";
import type { MessageKey, Translate } from "../lib/i18n";
import { callbacksPath, NO_JOB_FILTERS } from "./callbackJobs";
import { CALL_STATUSES, callerQuery, errorsChoice, errorsQuery, type CallStatus, type ErrorsChoice } from "./callFilters";

/** The filters of the page: "" for none. */
export interface RegisterFilters {
  /** One scenario's slug; "" for every scenario. */
  scenario: string;
  /** Where the range starts and ends, as a `datetime-local` field gives them ("2026-12-07T15:30"); both included. */
  from: string;
  to: string;
  /** A number (the caller, or whom a callback rang) or a caller's name, in one field (`callerQuery` tells which). */
  caller: string;
  /** Asterisk's UniqueID of the channel, as its CDR shows it ("1795295104.117"). */
  uniqueid: string;
  status: CallStatus | "";
  /** The flow's answer (`result`). */
  result: string;
  /** Calls where a step took its block's error exit ("true"), or where none did ("false"); "" for every call. */
  withErrors: ErrorsChoice | "";
  /**
   * A callback job's id: the calls that asked for it (scheduled it, or joined it while it waited). Set by a link
   * from the job on the Callbacks page, not typed.
   */
  scheduledJob: string;
}

/** What the page shows: the list its filters pick, and the call opened (its id; "" for none). */
export interface CallsView {
  filters: RegisterFilters;
  call: string;
}

export const NO_REGISTER_FILTERS: RegisterFilters = {
  scenario: "",
  from: "",
  to: "",
  caller: "",
  uniqueid: "",
  status: "",
  result: "",
  withErrors: "",
  scheduledJob: "",
};

export const hasRegisterFilters = (filters: RegisterFilters) => Object.values(filters).some((value) => value.trim() !== "");

const two = (n: number) => String(n).padStart(2, "0");

/** The wall time of `value` ("2026-12-07T15:30", seconds optional) as UTC milliseconds of that wall clock; null if none. */
function wallMillis(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as number[];
  const millis = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  const back = new Date(millis);
  // 2026-02-30 or 25:00 would roll over into another day: not a time anyone meant.
  const same = back.getUTCFullYear() === year && back.getUTCMonth() === month! - 1 && back.getUTCDate() === day && back.getUTCHours() === hour;
  return same ? millis : null;
}

/** Wall-clock milliseconds as a `datetime-local` value ("2026-12-07T15:30", the seconds when there are any). */
function wallText(millis: number): string {
  const at = new Date(millis);
  const text = `${at.getUTCFullYear()}-${two(at.getUTCMonth() + 1)}-${two(at.getUTCDate())}T${two(at.getUTCHours())}:${two(at.getUTCMinutes())}`;
  return at.getUTCSeconds() ? `${text}:${two(at.getUTCSeconds())}` : text;
}

/**
 * A bound of the range as the address gives it, as a `datetime-local` value; "" for what is no time. A day alone
 * (a link typed by hand, "to=2026-12-07") is its first minute as `from`, its last as `to`: the whole day.
 */
export function wallTimeValue(text: string, end: "from" | "to"): string {
  const value = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return wallTimeValue(`${value}T${end === "from" ? "00:00" : "23:59"}`, end);
  const millis = wallMillis(value);
  return millis === null ? "" : wallText(millis);
}

/**
 * The wall time `minutes` after `value`, with seconds ("2026-12-07T15:40" + 1 -> "2026-12-07T15:41:00"); null for no
 * time. On the wall clock, not on a time line: the server reads it on `tz`'s clock, summer or winter time.
 */
export function wallTimeAfter(value: string, minutes: number): string | null {
  const millis = wallMillis(value);
  if (millis === null) return null;
  const at = new Date(millis + minutes * 60_000);
  return `${wallText(at.getTime()).slice(0, 16)}:${two(at.getUTCSeconds())}`;
}

/** The page's state as its address holds it (after "#/calls?"); what is missing or unreadable is left unset. */
export function parseCallsView(query: string): CallsView {
  const params = readHashQuery(query);
  const text = (name: string) => params.get(name)?.trim() ?? "";
  const status = text("status");
  return {
    filters: {
      scenario: text("scenario"),
      from: wallTimeValue(text("from"), "from"),
      to: wallTimeValue(text("to"), "to"),
      caller: text("caller"),
      uniqueid: text("uniqueid"),
      status: (CALL_STATUSES as string[]).includes(status) ? (status as CallStatus) : "",
      result: text("result"),
      withErrors: errorsChoice(text("with_errors")),
      scheduledJob: text("scheduled_job_id"),
    },
    call: text("call"),
  };
}

/** The address of `view` ("/calls?from=...&call=..."): parameters in a fixed order, those unset left out. */
export function callsPath(view: CallsView): string {
  const { filters } = view;
  return withQuery("/calls", [
    ["scenario", filters.scenario.trim()],
    ["from", filters.from],
    ["to", filters.to],
    ["caller", filters.caller.trim()],
    ["uniqueid", filters.uniqueid.trim()],
    ["status", filters.status],
    ["result", filters.result.trim()],
    ["with_errors", filters.withErrors],
    ["scheduled_job_id", filters.scheduledJob.trim()],
    ["call", view.call.trim()],
  ]);
}

/** The address that opens call `id` on the Calls page, as a link's `href`. */
export const callHref = (id: string) => `#${callsPath({ filters: NO_REGISTER_FILTERS, call: id })}`;

/**
 * The address of the calls that asked for callback job `jobId` (scheduled it, or joined it while it waited), with
 * call `callId` opened among them ("": none), as a link's `href`.
 */
export const askedForJobHref = (jobId: string, callId = "") =>
  `#${callsPath({ filters: { ...NO_REGISTER_FILTERS, scheduledJob: jobId }, call: callId })}`;

/**
 * The address of campaign `campaignId`'s clients on the Callbacks page (its jobs in the list's order: what the
 * campaign's own view lists), with job `jobId` opened among them ("": none), as a link's `href`. The campaigns' view
 * is a dialog of the scenario list, which no address opens.
 */
export const campaignJobsHref = (campaignId: string, jobId = "") =>
  `#${callbacksPath({ filters: { ...NO_JOB_FILTERS, campaign: campaignId }, job: jobId })}`;

/** Why the filters ask nothing: a range that ends before it starts. */
export type RegisterRefusal = "fromAfterTo";

/**
 * The filters as the register's query, on the clock of `zone` (the browser's): from the start of the `from` minute
 * to the end of the `to` minute, both included (`until` is exclusive: the next minute's start), sent without an
 * offset beside `tz`, as the engineer read them on their clock. A range that ends before it starts is refused.
 */
export function registerQuery(filters: RegisterFilters, zone: string): { query: RegisterQuery } | { refusal: RegisterRefusal } {
  const query: RegisterQuery = { tz: zone };
  const since = filters.from ? wallTimeAfter(filters.from, 0) : null;
  const until = filters.to ? wallTimeAfter(filters.to, 1) : null;
  if (since !== null && until !== null && since >= until) return { refusal: "fromAfterTo" };
  if (since !== null) query.since = since;
  if (until !== null) query.until = until;
  if (filters.scenario.trim()) query.scenario = filters.scenario.trim();
  if (filters.status) query.status = filters.status;
  if (filters.result.trim()) query.result = filters.result.trim();
  if (filters.uniqueid.trim()) query.uniqueid = filters.uniqueid.trim();
  if (filters.scheduledJob.trim()) query.scheduled_job_id = filters.scheduledJob.trim();
  Object.assign(query, callerQuery(filters.caller), errorsQuery(filters.withErrors));
  return { query };
}

/** The href of a call's path drawn on its scenario's canvas: the editor opens its Calls tab on that call. */
export const canvasHref = (scenario: string, callId: string) =>
  `#${withQuery(`/s/${encodeURIComponent(scenario)}`, [["call", callId]])}`;

/**
 * What a transfer that connected no one found (graph_engine.channel.TransferOutcome, less `answered`), said under an
 * answered call's outcome. `caller_hangup` is not here: the caller's own hangup is their status's to say.
 */
const UNCONNECTED_TRANSFERS: Record<string, MessageKey> = {
  busy: "calls.transferBusy",
  no_answer: "calls.transferNoAnswer",
  failed: "calls.transferFailed",
};

/**
 * The outcomes of a call the flow itself ended: past its last block, or by a Hangup block. Their words say nothing
 * of a transfer the flow tried before (a supervisor's review: a queue found busy, its Busy exit unconnected, read
 * only "ended after its last block", status answered).
 */
const FLOW_ENDINGS = new Set(["ended", "hung_up"]);

/**
 * What a call's last transfer found, said where the call's outcome hides it: the flow ended the call (`ended`,
 * `hung_up`) after a transfer that was busy, not answered or failed; null otherwise (a transfer someone answered, or
 * none). `transferOutcome` as the register's `transfer_outcome` (`lastTransferOutcome` of a trace).
 */
export function unconnectedTransferNote(t: Translate, outcome: string, transferOutcome: string | null | undefined): string | null {
  const key = transferOutcome ? UNCONNECTED_TRANSFERS[transferOutcome] : undefined;
  return key && FLOW_ENDINGS.has(outcome) ? t(key) : null;
}

/**
 * What the last transfer of a call's steps came to, as the register reads it from the stored trace (persistence/
 * calls.py `transfer_outcome_of`): what the Transfer step's event noted; `failed` when it took its error exit
 * without one (it could not be started); else null. For a test call too, which has no register record.
 */
export function lastTransferOutcome(steps: TraceStep[]): string | null {
  const step = steps.findLast((s) => s.type === "transfer");
  if (!step) return null;
  const noted = (step.events ?? []).findLast((event) => event.kind === "transfer")?.outcome;
  if (noted !== undefined && noted !== null) return String(noted) || null;
  return step.exit === "error" ? "failed" : null;
}
