import { describe, expect, it, vi } from "vitest";

// The generated client's transport: what GET /api/calls was asked.
const get = vi.hoisted(() => vi.fn());
vi.mock("openapi-fetch", async (actual) => ({
  ...(await actual<typeof import("openapi-fetch")>()),
  default: () => ({ use: () => undefined, GET: get, POST: vi.fn() }),
}));

import { createQuerySerializer } from "openapi-fetch";
import { callRegister } from "../api/client";
import {
  askedForJobHref,
  callHref,
  callsPath,
  canvasHref,
  NO_REGISTER_FILTERS,
  parseCallsView,
  registerQuery,
  wallTimeAfter,
  wallTimeValue,
  type CallsView,
} from "./callRegister";

const filters = (set: Partial<CallsView["filters"]>) => ({ ...NO_REGISTER_FILTERS, ...set });
const view = (set: Partial<CallsView["filters"]>, call = ""): CallsView => ({ filters: filters(set), call });

describe("the Calls page's address", () => {
  it("reads the filters and the call a shared link names", () => {
    const read = parseCallsView("caller=+34600111222&from=2026-12-07T15:30&to=2026-12-07T16:00&status=missed&uniqueid=pbx1-1795295104.117&call=c-42");
    expect(read).toEqual(
      view({ caller: "+34600111222", from: "2026-12-07T15:30", to: "2026-12-07T16:00", status: "missed", uniqueid: "pbx1-1795295104.117" }, "c-42"),
    );
  });

  it("writes them back in a fixed order, which reads back the same", () => {
    const shown = view({ scenario: "missed-call", from: "2026-12-07T15:30", caller: "Петрова", result: "sale" }, "c-1");
    const path = callsPath(shown);
    expect(path).toBe("/calls?scenario=missed-call&from=2026-12-07T15:30&caller=%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2%D0%B0&result=sale&call=c-1");
    expect(parseCallsView(path.slice("/calls?".length))).toEqual(shown);
    expect(callsPath(view({}))).toBe("/calls");
  });

  it("drops what is no time or no status rather than asking the server something else", () => {
    const read = parseCallsView("from=yesterday&to=2026-02-30T10:00&status=angry&caller=%20+34600111222%20");
    expect(read.filters).toEqual({ ...NO_REGISTER_FILTERS, caller: "+34600111222" });
    expect(wallTimeValue("2026-12-07T25:00", "from")).toBe("");
  });

  it("reads a day alone as the whole day: from its first minute, to its last", () => {
    expect(parseCallsView("from=2026-12-07&to=2026-12-08").filters).toMatchObject({ from: "2026-12-07T00:00", to: "2026-12-08T23:59" });
    expect(wallTimeValue("2026-12-07T15:30:20", "from")).toBe("2026-12-07T15:30:20");
  });

  it("links a call to itself on this page, and to its path on its scenario's canvas", () => {
    expect(callHref("9b1c-7")).toBe("#/calls?call=9b1c-7");
    expect(canvasHref("missed-call", "9b1c-7")).toBe("#/s/missed-call?call=9b1c-7");
  });
});

describe("the range on the browser's clock, as the register's query", () => {
  it("sends the local times without an offset beside the zone they are read on, the end minute included", () => {
    const planned = registerQuery(filters({ from: "2026-12-07T15:30", to: "2026-12-07T15:50" }), "Europe/Madrid");
    expect(planned).toEqual({ query: { tz: "Europe/Madrid", since: "2026-12-07T15:30:00", until: "2026-12-07T15:51:00" } });
  });

  it("ends a range at midnight, at the end of a month and of a year on the next day's wall clock", () => {
    expect(wallTimeAfter("2026-12-31T23:59", 1)).toBe("2027-01-01T00:00:00");
    expect(wallTimeAfter("2026-02-28T23:59", 1)).toBe("2026-03-01T00:00:00");
    expect(wallTimeAfter("2026-12-07T15:30:20", 0)).toBe("2026-12-07T15:30:20");
    expect(wallTimeAfter("soon", 1)).toBeNull();
  });

  it("counts a wall clock, not a time line: the night the clocks go forward still ends a minute later on the clock", () => {
    // 02:00-03:00 does not exist in Madrid on 29 March 2026: the server reads the wall time on its zone (fold=0).
    expect(registerQuery(filters({ from: "2026-03-29T01:59", to: "2026-03-29T03:00" }), "Europe/Madrid")).toEqual({
      query: { tz: "Europe/Madrid", since: "2026-03-29T01:59:00", until: "2026-03-29T03:01:00" },
    });
  });

  it("refuses a range that ends before it starts, and takes one minute as a range", () => {
    expect(registerQuery(filters({ from: "2026-12-07T16:00", to: "2026-12-07T15:00" }), "UTC")).toEqual({ refusal: "fromAfterTo" });
    expect(registerQuery(filters({ from: "2026-12-07T16:00", to: "2026-12-07T16:00" }), "UTC")).toMatchObject({
      query: { since: "2026-12-07T16:00:00", until: "2026-12-07T16:01:00" },
    });
  });

  it("sends a number as a number, a name as a name, and the other filters trimmed, every scenario unless one is chosen", () => {
    const byNumber = registerQuery(filters({ caller: " +34 600 111 222 ", uniqueid: " 1795295104.117 ", status: "answered", result: " sale " }), "UTC");
    expect(byNumber).toEqual({ query: { tz: "UTC", caller: "+34 600 111 222", uniqueid: "1795295104.117", status: "answered", result: "sale" } });
    expect(registerQuery(filters({ caller: "Петрова", scenario: "inbound-hotline" }), "UTC")).toEqual({
      query: { tz: "UTC", caller_name: "Петрова", scenario: "inbound-hotline" },
    });
    expect(registerQuery(filters({}), "UTC")).toEqual({ query: { tz: "UTC" } });
  });
});

describe("calls with errors, and the calls that asked for a callback job", () => {
  it("keeps both in the address, in the API's words, and reads them back", () => {
    const shown = view({ withErrors: "true", scheduledJob: "7f3e-1", status: "answered" }, "c-77");
    const path = callsPath(shown);
    expect(path).toBe("/calls?status=answered&with_errors=true&scheduled_job_id=7f3e-1&call=c-77");
    expect(parseCallsView(path.slice("/calls?".length))).toEqual(shown);
    expect(parseCallsView("with_errors=false").filters).toEqual(filters({ withErrors: "false" }));
    // An errors choice that is neither, or a job of spaces, is dropped rather than asking the server something else.
    expect(parseCallsView("with_errors=yes&scheduled_job_id=%20%20").filters).toEqual(NO_REGISTER_FILTERS);
  });

  it("links from a job to the calls that asked for it, one of them opened", () => {
    expect(askedForJobHref("7f3e-1")).toBe("#/calls?scheduled_job_id=7f3e-1");
    expect(askedForJobHref("7f3e-1", "c-77")).toBe("#/calls?scheduled_job_id=7f3e-1&call=c-77");
  });

  it("asks the register for them: with_errors as true or false, the job's id trimmed", async () => {
    expect(registerQuery(filters({ withErrors: "false", scheduledJob: " 7f3e-1 " }), "UTC")).toEqual({
      query: { tz: "UTC", with_errors: false, scheduled_job_id: "7f3e-1" },
    });
    expect(registerQuery(filters({ withErrors: "true" }), "UTC")).toEqual({ query: { tz: "UTC", with_errors: true } });
    get.mockReset().mockResolvedValue({ data: { items: [], next_cursor: null }, response: new Response(null, { status: 200 }) });
    const planned = registerQuery(filters({ withErrors: "false", scheduledJob: "7f3e-1" }), "Europe/Madrid");
    await callRegister("query" in planned ? planned.query : { tz: "none" });
    const [path, options] = get.mock.calls[0]!;
    expect(path).toBe("/api/calls");
    expect(createQuerySerializer()(options.params.query)).toBe("tz=Europe%2FMadrid&scheduled_job_id=7f3e-1&with_errors=false&page_size=50");
  });
});
