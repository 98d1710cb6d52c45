import { describe, expect, it } from "vitest";
import { ApiError } from "../api/http";
import { LONGEST_RETRY_AFTER_MS, mayPassByItself, retryAfterMs, retryDelayMs } from "./saveRetry";

const failure = (status: number, retryAfter: string | null = null) => new ApiError(status, null, `HTTP ${status}`, retryAfter);
const now = Date.parse("2026-03-02T10:00:00Z");

describe("which failed saves are tried again", () => {
  it("those time may mend: no answer, a 5xx, a 429", () => {
    expect([0, 429, 500, 502, 503, 504].filter((status) => mayPassByItself(failure(status)))).toEqual([0, 429, 500, 502, 503, 504]);
  });

  it("not those the same save would get again, nor a fault of the page itself", () => {
    expect([400, 401, 403, 404, 409, 413, 422].filter((status) => mayPassByItself(failure(status)))).toEqual([]);
    expect(mayPassByItself(new TypeError("cannot read properties of undefined"))).toBe(false);
    expect(retryDelayMs(failure(422), 1, now)).toBeNull();
  });
});

describe("how long a failed save waits", () => {
  it("doubles from 2 s at each failure in a row, up to 30 s", () => {
    expect([1, 2, 3, 4, 5, 6, 20].map((failures) => retryDelayMs(failure(503), failures, now))).toEqual([
      2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
  });

  it("waits as long as the server asked, but not less than the backoff", () => {
    expect(retryDelayMs(failure(429, "10"), 1, now)).toBe(10_000);
    expect(retryDelayMs(failure(503, "1"), 3, now)).toBe(8_000);
    expect(retryDelayMs(failure(503, "Mon, 02 Mar 2026 10:00:45 GMT"), 1, now)).toBe(45_000);
  });

  it("waits a Retry-After of hours out for a few minutes only", () => {
    expect(retryDelayMs(failure(503, "86400"), 1, now)).toBe(LONGEST_RETRY_AFTER_MS);
  });

  it("reads Retry-After as seconds or as a date, and ignores what is neither", () => {
    expect(retryAfterMs(" 120 ", now)).toBe(120_000);
    expect(retryAfterMs("Mon, 02 Mar 2026 09:59:00 GMT", now)).toBe(0);
    expect([retryAfterMs(null, now), retryAfterMs("", now), retryAfterMs("soon", now), retryAfterMs("-5", now)]).toEqual([null, null, null, null]);
  });
});
