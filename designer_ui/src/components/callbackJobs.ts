/**
 * The Callbacks page's logic apart from React: its filters and the job opened, kept in its address
 * (`#/callbacks?number=...&job=...`) so a link to a job can be shared; those filters as GET /api/callbacks's query
 * (api/routes/callbacks.py), a page at a time; and where a call's story links the job it scheduled.
 */
import type { CallbackJob, JobQuery, JobStatus } from "../api/client";
import { readHashQuery, withQuery } from "../lib/hashQuery";

/** A job's statuses (api/schemas.py `JobStatus`), in the order the filter offers them. */
const STATUS_ORDER = { pending: 0, dialing: 1, done: 2, failed: 3, expired: 4, cancelled: 5 } satisfies Record<JobStatus, number>;
export const JOB_STATUSES = Object.keys(STATUS_ORDER) as JobStatus[];

/** The filters of the page: "" for none. */
export interface JobFilters {
  /** The client's number as people type it ("+34 600 111 222"): the server cleans it as a call list's. */
  number: string;
  status: JobStatus | "";
  scenario: string;
  /** A call list's campaign id: its jobs in the list's order. */
  campaign: string;
}

/** What the page shows: the jobs its filters pick, and the job opened (its id; "" for none). */
export interface CallbacksView {
  filters: JobFilters;
  job: string;
}

export const NO_JOB_FILTERS: JobFilters = { number: "", status: "", scenario: "", campaign: "" };

export const hasJobFilters = (filters: JobFilters) => Object.values(filters).some((value) => value.trim() !== "");

/** The page's state as its address holds it (after "#/callbacks?"); an unknown status is left unset. */
export function parseCallbacksView(query: string): CallbacksView {
  const params = readHashQuery(query);
  const text = (name: string) => params.get(name)?.trim() ?? "";
  const status = text("status");
  return {
    filters: {
      number: text("number"),
      status: (JOB_STATUSES as string[]).includes(status) ? (status as JobStatus) : "",
      scenario: text("scenario"),
      campaign: text("campaign"),
    },
    job: text("job"),
  };
}

/** The address of `view` ("/callbacks?number=...&job=..."): parameters in a fixed order, those unset left out. */
export function callbacksPath(view: CallbacksView): string {
  const { filters } = view;
  return withQuery("/callbacks", [
    ["number", filters.number.trim()],
    ["status", filters.status],
    ["scenario", filters.scenario.trim()],
    ["campaign", filters.campaign.trim()],
    ["job", view.job.trim()],
  ]);
}

/** The address that opens job `id` on the Callbacks page, as a link's `href`. */
export const jobHref = (id: string) => `#${callbacksPath({ filters: NO_JOB_FILTERS, job: id })}`;

/**
 * Whether `typed` can be a phone number as the server reads one (persistence/phone_numbers.py `phone_number`: a `+`
 * and 2 to 20 digits, spaces, dashes, dots, slashes and brackets dropped, and a spreadsheet's leading `'`). Anything
 * else it refuses (422), and the page says so before asking rather than after.
 */
export function looksLikeNumber(typed: string): boolean {
  return /^\+?\d{2,20}$/.test(typed.trim().replace(/^'/, "").replace(/[\s\-./()]/g, ""));
}

/** How many jobs a page shows; one more is asked for, to know whether there are more (the API gives no total). */
export const JOBS_PAGE = 50;

/** The query of the page of jobs that starts at `offset`: the filters set, and one job past the page. */
export function jobsQuery(filters: JobFilters, offset = 0): JobQuery {
  const query: JobQuery = { limit: JOBS_PAGE + 1, offset };
  if (filters.number.trim()) query.number = filters.number.trim();
  if (filters.status) query.status = filters.status;
  if (filters.scenario.trim()) query.scenario = filters.scenario.trim();
  if (filters.campaign.trim()) query.campaign = filters.campaign.trim();
  return query;
}

/** A page's answer (`JOBS_PAGE + 1` asked) as the jobs to show after `shown` (none twice), and whether more follow. */
export function withJobPage(shown: CallbackJob[], answer: CallbackJob[]): { items: CallbackJob[]; more: boolean } {
  const known = new Set(shown.map((job) => job.id));
  const page = answer.slice(0, JOBS_PAGE).filter((job) => !known.has(job.id));
  return { items: [...shown, ...page], more: answer.length > JOBS_PAGE };
}

/**
 * Where a story's line about a scheduled callback names its job ("… (job 7f3e…)"), to make that id a link: the text
 * before it, the id, and the text after; null when the line does not hold the id (an older record, a cut value).
 */
export function jobInLine(line: string, jobId: unknown): { before: string; id: string; after: string } | null {
  if (typeof jobId !== "string" || jobId === "") return null;
  const at = line.lastIndexOf(jobId);
  if (at < 0) return null;
  return { before: line.slice(0, at), id: jobId, after: line.slice(at + jobId.length) };
}

/** How many attempts a job has had of how many it may have: "1 / 3". */
export const attemptsText = (job: Pick<CallbackJob, "attempts" | "max_attempts">) => `${job.attempts} / ${job.max_attempts}`;
