/**
 * The Calls panel's logic apart from React: its filters as the API's query, the pages put together, and the
 * numbers and name a row shows (who called, and whom the call rang).
 */
import type { CallFilterQuery } from "../api/client";
import type { CallPage, CallSummary } from "../api/types";
import { wallTimeInZone } from "../lib/timeZone";

export type CallStatus = CallSummary["status"];

/** The register's statuses (api/schemas.py `CallStatus`), in the order the filter offers them. */
const STATUS_ORDER = {
  answered: 0,
  transferred: 1,
  missed: 2,
  abandoned_in_menu: 3,
  abandoned_waiting: 4,
  callback_scheduled: 5,
  failed: 6,
} satisfies Record<CallStatus, number>; // a status the API adds is a type error here until it is placed
export const CALL_STATUSES = Object.keys(STATUS_ORDER) as CallStatus[];

/**
 * Whether a step took its block's error exit, as the filter offers it and the address writes it (`with_errors=`):
 * "true", calls where one did (a data source refusing its login, then the fallback), whatever their status; "false",
 * calls where none did. A call recorded before that was counted (`error_steps` null) is in neither.
 */
export type ErrorsChoice = "true" | "false";
export const ERRORS_CHOICES: readonly ErrorsChoice[] = ["true", "false"];

/** The errors filter as the query's `with_errors` (a boolean, `false` a filter too); nothing for every call. */
export function errorsQuery(choice: ErrorsChoice | ""): Pick<CallFilterQuery, "with_errors"> {
  return choice ? { with_errors: choice === "true" } : {};
}

/** A choice as the address writes it, or "" for what is none (a link typed by hand: "with_errors=yes"). */
export const errorsChoice = (text: string): ErrorsChoice | "" => ((ERRORS_CHOICES as readonly string[]).includes(text) ? (text as ErrorsChoice) : "");

/** How many of a call's steps took their block's error exit, when some did; null for none, and for not known. */
export function errorSteps(call: Pick<CallSummary, "error_steps">): number | null {
  return call.error_steps && call.error_steps > 0 ? call.error_steps : null;
}

/** What the analyst set in the filters: days as a date field gives them ("2026-01-05"); "" for none. */
export interface CallFilters {
  from: string;
  to: string;
  status: CallStatus | "";
  result: string;
  /** A number or a caller's name, as typed in the one search field (`callerQuery` tells which). */
  caller: string;
  /** Calls where a step took its block's error exit, or where none did; "" for every call. */
  withErrors: ErrorsChoice | "";
}

export const NO_FILTERS: CallFilters = { from: "", to: "", status: "", result: "", caller: "", withErrors: "" };

export const hasFilters = (filters: CallFilters) => Object.values(filters).some((value) => value.trim() !== "");

/** `day` moved by `days` (negative: back), across months and years ("2026-03-01", -1 -> "2026-02-28"); null for
 * what is not a day. */
export function shiftDay(day: string, days: number): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const shifted = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days));
  return Number.isNaN(shifted.getTime()) ? null : shifted.toISOString().slice(0, 10);
}

/** The day after `day` ("2026-02-28" -> "2026-03-01"); null for what is not a day. */
export function nextDay(day: string): string | null {
  return shiftDay(day, 1);
}

/** When `day` begins on `zone`'s clock, as ISO 8601 with that day's offset; null for no day. */
function dayStart(day: string | null, zone: string): string | null {
  return day ? wallTimeInZone(`${day}T00:00`, zone) : null;
}

/**
 * The filters as the API's query. The days are the analyst's, on the browser's clock (`zone`): from the start
 * of "from" to the end of "to", both days included (the API's `until` is exclusive: the next day's start), sent
 * with their offset so the server reads them as the same moments. Unset filters are left out.
 */
export function filterQuery(filters: CallFilters, zone: string): CallFilterQuery {
  const query: CallFilterQuery = {};
  const since = dayStart(filters.from, zone);
  const until = dayStart(filters.to && nextDay(filters.to), zone);
  if (since) query.since = since;
  if (until) query.until = until;
  if (filters.status) query.status = filters.status;
  if (filters.result.trim()) query.result = filters.result.trim();
  Object.assign(query, callerQuery(filters.caller), errorsQuery(filters.withErrors));
  return query;
}

/**
 * The search field's text as the filter it means. Text with a letter in it is a name ("Петрова", "Ivan P"), sent as
 * `caller_name` (part of the caller's CallerID name, case ignored); a number as people type it has none
 * ("+7 (916) 123-45-67"), and is sent as `caller` (that number exactly, on either end of the call, found on an
 * index). One field: a supervisor has a name or a number, and should not have to say which.
 */
export function callerQuery(typed: string): Pick<CallFilterQuery, "caller" | "caller_name"> {
  const text = typed.trim();
  if (!text) return {};
  return /\p{L}/u.test(text) ? { caller_name: text } : { caller: text };
}

/**
 * The numbers a call is shown with: who called and, when it says more, the number the call rang. A call the dialer
 * placed is told apart by its `callback_job_id` (`outboundParty`); a record of one without it (an older node's, a
 * job no longer named) still shows the number dialled whenever it is a number other than the caller's: on an inbound
 * call that is the line the caller dialled. Asterisk's extension `s` and other names without a digit are not
 * anyone's number.
 */
export function callNumbers(call: Pick<CallSummary, "caller_id" | "dialed_number">): { caller: string; dialled: string | null } {
  const dialled = call.dialed_number.trim();
  const shown = dialled !== "" && dialled !== call.caller_id.trim() && /\d/.test(dialled);
  return { caller: call.caller_id, dialled: shown ? dialled : null };
}

/**
 * Whom a call the dialer placed rang (a callback job's attempt, a campaign's client: the record's `callback_job_id`),
 * to say it as ours; null for a call that came in. On such a call the CallerID is the dialer's own, the client's name
 * is its caller name (agi_server/node.py `name_callees` sets it from the job) and their number the one dialled:
 * shown as caller and dialled they read as the client calling us (a supervisor's review). A name or number that is
 * none (the dialplan's `s`) is null.
 */
export function outboundParty(
  call: Pick<CallSummary, "caller_id" | "caller_name" | "dialed_number" | "callback_job_id">,
): { name: string | null; number: string | null } | null {
  if (!call.callback_job_id) return null;
  const dialled = call.dialed_number.trim();
  return { name: callerName(call), number: /\d/.test(dialled) ? dialled : null };
}

/**
 * The caller's CallerID name a row shows beside the number, or null: none was sent (Asterisk's "unknown" is stored
 * as none), or the trunk sent the number again as the name, which would only repeat it.
 */
export function callerName(call: Pick<CallSummary, "caller_id" | "caller_name">): string | null {
  const name = call.caller_name.trim();
  return name !== "" && name !== call.caller_id.trim() ? name : null;
}

/** The calls shown once an older page has come: appended, a call already shown (if any) not twice. */
export function withOlderPage(shown: CallSummary[], page: CallPage): CallSummary[] {
  const known = new Set(shown.map((call) => call.id));
  return [...shown, ...page.items.filter((call) => !known.has(call.id))];
}

/** What the count line says: every matching call is shown, or only the newest so far (more to load). */
export function countNote(shown: number, nextCursor: string | null) {
  return { key: nextCursor ? "calls.countNewest" : "calls.countAll", count: shown } as const;
}
