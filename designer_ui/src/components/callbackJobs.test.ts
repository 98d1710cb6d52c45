import { describe, expect, it } from "vitest";
import type { CallbackJob } from "../api/client";
import {
  attemptsText,
  callbacksPath,
  jobHref,
  jobInLine,
  JOBS_PAGE,
  jobsQuery,
  looksLikeNumber,
  NO_JOB_FILTERS,
  parseCallbacksView,
  withJobPage,
} from "./callbackJobs";

const job = (id: string): CallbackJob => ({
  id, number: "+34600111222", scenario: "callback-connect", due: "2026-12-08T09:00:00Z", window_end: null, variables: {},
  attempts: 0, max_attempts: 3, status: "pending", outcome: null, last_attempt_at: null, origin_call_id: null, history: [],
});

describe("the Callbacks page's address", () => {
  it("reads the filters and the job a shared link names, a number's + kept", () => {
    expect(parseCallbacksView("number=+34600111222&status=failed&scenario=missed-call&job=7f3e-1")).toEqual({
      filters: { number: "+34600111222", status: "failed", scenario: "missed-call", campaign: "" },
      job: "7f3e-1",
    });
  });

  it("leaves an unknown status unset, and writes the view back in a fixed order that reads back the same", () => {
    expect(parseCallbacksView("status=late").filters.status).toBe("");
    const shown = { filters: { ...NO_JOB_FILTERS, number: "+34 600 111 222", campaign: "c-9" }, job: "7f3e-1" };
    const path = callbacksPath(shown);
    expect(path).toBe("/callbacks?number=+34%20600%20111%20222&campaign=c-9&job=7f3e-1");
    expect(parseCallbacksView(path.slice("/callbacks?".length))).toEqual(shown);
    expect(jobHref("7f3e-1")).toBe("#/callbacks?job=7f3e-1");
  });
});

describe("asking for the jobs", () => {
  it("sends the filters set, and one job past the page to know whether more follow", () => {
    expect(jobsQuery({ number: " +34 600 111 222 ", status: "pending", scenario: "", campaign: "" }, 50)).toEqual({
      number: "+34 600 111 222", status: "pending", limit: JOBS_PAGE + 1, offset: 50,
    });
    expect(jobsQuery(NO_JOB_FILTERS)).toEqual({ limit: JOBS_PAGE + 1, offset: 0 });
  });

  it("shows a page's jobs after those shown, none twice, and says whether more follow", () => {
    const answer = Array.from({ length: JOBS_PAGE + 1 }, (_, i) => job(`j${i}`));
    const first = withJobPage([], answer);
    expect(first.items).toHaveLength(JOBS_PAGE);
    expect(first.more).toBe(true);
    // A job made meanwhile moved every job one place down: the first of the next page was the last shown.
    const next = withJobPage(first.items, [job(`j${JOBS_PAGE - 1}`), job("older")]);
    expect(next.items.map((j) => j.id).slice(-2)).toEqual([`j${JOBS_PAGE - 1}`, "older"]);
    expect(next.more).toBe(false);
  });

  it("takes what the server reads as a number, and says before asking when it is none", () => {
    for (const typed of ["+34 600 111 222", "(600) 123-456", "'+7 495 123 45 67", "0034600111222"]) expect(looksLikeNumber(typed)).toBe(true);
    for (const typed of ["Петрова", "+", "1", "+34 600 111 222 ext 5", "1".repeat(21)]) expect(looksLikeNumber(typed)).toBe(false);
  });

  it("says the attempts of a job as made of allowed", () => {
    expect(attemptsText({ attempts: 1, max_attempts: 3 })).toBe("1 / 3");
  });
});

describe("a callback's job named in a call's story", () => {
  it("is found in the line, to be made a link", () => {
    const line = "Callback to +34600111222 scheduled for Mon, 8 Dec 2026, 09:00 (job 7f3e-1)";
    expect(jobInLine(line, "7f3e-1")).toEqual({ before: "Callback to +34600111222 scheduled for Mon, 8 Dec 2026, 09:00 (job ", id: "7f3e-1", after: ")" });
  });

  it("is no link when the line does not hold it or the event names none", () => {
    expect(jobInLine("callback_scheduled: number = \"+34\"", "7f3e-1")).toBeNull();
    expect(jobInLine("… (job 7f3e-1)", undefined)).toBeNull();
    expect(jobInLine("… (job 7f3e-1)", 42)).toBeNull();
  });
});
