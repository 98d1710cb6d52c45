/**
 * Calling a list of clients (the autoinformer): the pure half of the "Call a list…" dialog. Which column holds
 * the phone numbers, the campaign's settings as the analyst edits them, the body of POST /api/callbacks/batch
 * built from them, and the server's refusal turned into lines to read.
 */
import { ApiError } from "../api/http";
import type { CallbackBatch, CallListRow, OpeningHours, Weekday } from "../api/types";
import { formatDateTime } from "./format";
import type { MessageKey } from "./i18n";

export const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** Column names that are the phone number, in the languages the designer speaks. */
const NUMBER_COLUMNS = ["phone", "number", "telefono", "teléfono", "телефон"];
/** Words that mark a phone column when it is named more fully ("Phone number", "Teléfono móvil"). */
const PHONE_WORDS = ["phone", "telefono", "teléfono", "телефон"];

const plain = (name: string) => name.normalize("NFC").trim().toLowerCase();

/**
 * The column to preselect as the phone number: one named exactly like a phone column, else one whose name
 * contains a word for phone, else the first. "number" only counts on its own: "Account number" is not a phone.
 */
export function guessNumberColumn(columns: readonly string[]): string {
  return (
    columns.find((name) => NUMBER_COLUMNS.includes(plain(name))) ??
    columns.find((name) => PHONE_WORDS.some((word) => plain(name).includes(word))) ??
    columns[0] ??
    ""
  );
}

/** The campaign as the form holds it: `datetime-local` text for moments, as the inputs give and take it. */
export interface CampaignSettings {
  /** The first call, local wall time ("2026-06-01T10:00"); empty means now. */
  firstCall: string;
  /** No call after this, local wall time; empty means no end. */
  end: string;
  /** Off: calls go out at any hour (the rows below are kept, in case it is switched back on). */
  hoursOn: boolean;
  hours: OpeningHours[];
  /** The zone the hours and holidays are read in (IANA name). */
  timezone: string;
  /** "YYYY-MM-DD", days without calls. */
  holidays: string[];
  maxAttempts: number;
  /** Call again a client who hangs up before the message ends (`retry_hung_up_early`); off unless ticked. */
  retryHungUpEarly: boolean;
}

export const MIN_ATTEMPTS = 1;
export const MAX_ATTEMPTS = 20;

/** Attempts as the server takes them: a whole number from 1 to 20 (none typed: 1). */
export function clampAttempts(attempts: number): number {
  return Math.min(MAX_ATTEMPTS, Math.max(MIN_ATTEMPTS, Math.round(attempts) || MIN_ATTEMPTS));
}

/** Every day round the clock: what "calls may go out at any hour" is sent as (no hours get the server's default). */
export const ANY_TIME: OpeningHours[] = [{ days: [...WEEKDAYS], from: "00:00", to: "00:00" }];

/** Office hours, Monday to Friday, starting now, in the browser's own time zone. */
export function defaultCampaign(now: Date, timezone: string): CampaignSettings {
  return {
    firstCall: toLocalInput(now),
    end: "",
    hoursOn: true,
    hours: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "21:00" }],
    timezone,
    holidays: [],
    maxAttempts: 3,
    retryHungUpEarly: false,
  };
}

/** The browser's IANA time zone, or UTC when it will not say. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

const two = (n: number) => String(n).padStart(2, "0");

/** A moment as a `datetime-local` input shows it: the browser's wall time, to the minute. */
export function toLocalInput(date: Date): string {
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}`;
}

/**
 * A `datetime-local` value as ISO 8601 with the browser's offset on that day ("2026-06-01T10:00:00+02:00"), so
 * the server gets the moment the analyst meant, in summer or winter. Null for an empty or unreadable value.
 * The text is rebuilt from the Date, not copied: a wall time skipped by a DST change (02:30 on the day clocks
 * go forward) becomes the moment the browser moved it to, and text and offset agree.
 */
export function localInputToIso(value: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const date = new Date(year!, month! - 1, day!, hour!, minute!, second || 0);
  if (Number.isNaN(date.getTime())) return null;
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const zone = `${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  return `${toLocalInput(date)}:${two(date.getSeconds())}${zone}`;
}

/** The longest campaign name the server takes (`CallbackBatchIn.name`), in characters. */
export const MAX_NAME_LENGTH = 200;

/**
 * A campaign name as the server takes it: trimmed, at most 200 characters, without control characters (which
 * it refuses; a tab pasted from a spreadsheet becomes a space). Sliced by character, not UTF-16 unit, as the
 * server counts.
 */
export function campaignName(text: string): string {
  return Array.from(text.replace(/\p{Cc}+/gu, " ").trim()).slice(0, MAX_NAME_LENGTH).join("").trim();
}

/** The campaign name a list's file suggests: the file's name without its extension ("debts-november.xlsx" -> "debts-november"). */
export function nameFromFile(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  // A leading dot (".csv") is the whole name, not an extension.
  return campaignName(dot > 0 ? fileName.slice(0, dot) : fileName);
}

/**
 * The campaign name once another file is picked: the new file's, unless the analyst typed one of their own,
 * which a fixed list picked again must not undo.
 */
export function nameForNewFile(current: string, previousFile: string, nextFile: string): string {
  const typed = current.trim() !== "" && current !== nameFromFile(previousFile);
  return typed ? current : nameFromFile(nextFile);
}

/** What is wrong with the settings before asking the server: things the form can say in its own words. */
export function campaignIssues(settings: CampaignSettings): MessageKey[] {
  const issues: MessageKey[] = [];
  if (settings.hoursOn && settings.hours.length === 0) issues.push("callList.noHours");
  if (settings.hoursOn && settings.hours.some((row) => row.days.length === 0)) issues.push("callList.noDays");
  if (settings.firstCall && localInputToIso(settings.firstCall) === null) issues.push("callList.badFirstCall");
  if (settings.end && localInputToIso(settings.end) === null) issues.push("callList.badEnd");
  return issues;
}

/** The body of POST /api/callbacks/batch: the list's rows as read, and the campaign in the server's terms. */
export function batchBody(args: {
  scenario: string;
  /** The campaign's name as typed; sent on a check too, so a name the server refuses is said before scheduling. */
  name: string;
  rows: CallListRow[];
  numberColumn: string;
  settings: CampaignSettings;
  dryRun: boolean;
  /** Each row's place in the file, as the server read it: its problems then name "row 5", as the sheet does. */
  rowNumbers?: number[];
}): CallbackBatch {
  const { settings } = args;
  const due = settings.firstCall ? localInputToIso(settings.firstCall) : null;
  const until = settings.end ? localInputToIso(settings.end) : null;
  return {
    scenario: args.scenario,
    name: campaignName(args.name),
    rows: args.rows,
    ...(args.rowNumbers && args.rowNumbers.length === args.rows.length ? { row_numbers: args.rowNumbers } : {}),
    number_column: args.numberColumn,
    // Left out rather than null: "now" and "no end" are the server's defaults.
    ...(due ? { due } : {}),
    ...(until ? { until } : {}),
    // Off means round the clock, said outright: the server calls a list sent without hours only in its default
    // daytime hours (IVRGRAPH_DIAL_DEFAULT_HOURS), never at night unless asked.
    hours: settings.hoursOn
      ? settings.hours.map((row) => ({ days: WEEKDAYS.filter((day) => row.days.includes(day)), from: row.from, to: row.to }))
      : ANY_TIME,
    timezone: settings.timezone,
    holidays: [...new Set(settings.holidays)].sort(),
    max_attempts: clampAttempts(settings.maxAttempts),
    retry_hung_up_early: settings.retryHungUpEarly,
    dry_run: args.dryRun,
  };
}

/** A refusal as the dialog shows it: the server's problems (the first few), or one sentence. */
export type CallListFailure =
  | { kind: "problems"; lines: string[]; hidden: number }
  | { kind: "message"; message: string };

export const SHOWN_PROBLEMS = 10;
// The server lists at most 50 problems and sums up the rest in a last one; its count is kept in the total.
const SERVER_SUMMARY = /^and (\d+) more problems/;

/**
 * The lines to show for a failed call to /lists or /batch. Problems in the domain's words ("client 5,
 * debt_amount: '1,234' is not a number") are shown as they are; a request the schema refused also names the
 * field it is about, since its message alone ("Input should be ...") would not say which.
 */
export function callListFailure(error: unknown, shown = SHOWN_PROBLEMS): CallListFailure {
  const body = error instanceof ApiError ? (error.body as { type?: unknown; problems?: unknown } | null) : null;
  const problems = Array.isArray(body?.problems) ? (body.problems as { path?: unknown; message?: unknown }[]) : [];
  if (problems.length === 0) return { kind: "message", message: error instanceof Error ? error.message : String(error) };
  const schemaRefusal = typeof body?.type === "string" && body.type.endsWith("/invalid-request");
  let extra = 0;
  const lines: string[] = [];
  for (const problem of problems) {
    const message = String(problem.message ?? "");
    const summary = SERVER_SUMMARY.exec(message);
    if (summary && problem.path === "$.rows") extra += Number(summary[1]);
    else lines.push(schemaRefusal && typeof problem.path === "string" ? `${problem.path}: ${message}` : message);
  }
  return { kind: "problems", lines: lines.slice(0, shown), hidden: Math.max(0, lines.length - shown) + extra };
}

/** A moment for people: the browser's date and time; also the campaign zone's clock when that is another. */
export function formatMoment(iso: string, language: string, campaignZone: string, browserZone = browserTimeZone()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const local = formatDateTime(date, language);
  if (campaignZone === browserZone) return local;
  try {
    const there = formatDateTime(date, language, "time", campaignZone);
    return `${local} (${there} ${campaignZone})`;
  } catch {
    return local; // an unknown zone: the server says so when the list is checked
  }
}

/** The `Idempotency-Key` of a Schedule and the body it was sent with. */
export interface ScheduleKey {
  body: string;
  key: string;
}

/**
 * The key to send with a Schedule of `body`: the last one's when it sends the very same body (a double click, a
 * retry after a timeout or a lost answer), so the server answers its campaign again instead of starting a second
 * one and calling every client twice; a new one for another body (another list, setting or name), which the
 * server would refuse under the old key.
 */
export function scheduleKey(last: ScheduleKey | null, body: CallbackBatch, newKey: () => string): ScheduleKey {
  const text = JSON.stringify(body);
  return last && last.body === text ? last : { body: text, key: newKey() };
}
