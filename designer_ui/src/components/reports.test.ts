import { describe, expect, it } from "vitest";
import { runInTimeZone } from "../testSupport";
import { numberText, periodText, reportDays, reportQuery, resultsText, shareText, talkText, type ReportRow } from "./reports";

runInTimeZone("Europe/Madrid");

const MADRID = "Europe/Madrid";
// 00:30 on Monday 26 October 2026 in Madrid, winter time: still the 25th in UTC.
const JUST_AFTER_MIDNIGHT = new Date("2026-10-25T23:30:00Z");

describe("the days a preset covers, on the browser's clock", () => {
  it("takes yesterday as the day before today there, not in UTC", () => {
    expect(reportDays({ preset: "yesterday", from: "", to: "" }, MADRID, JUST_AFTER_MIDNIGHT)).toEqual({ from: "2026-10-25", to: "2026-10-25" });
    expect(reportDays({ preset: "yesterday", from: "", to: "" }, "UTC", JUST_AFTER_MIDNIGHT)).toEqual({ from: "2026-10-24", to: "2026-10-24" });
    expect(reportDays({ preset: "yesterday", from: "", to: "" }, MADRID, new Date("2026-03-01T10:00:00Z"))).toEqual({ from: "2026-02-28", to: "2026-02-28" });
  });

  it("takes today as today there, not in UTC", () => {
    expect(reportDays({ preset: "today", from: "", to: "" }, MADRID, JUST_AFTER_MIDNIGHT)).toEqual({ from: "2026-10-26", to: "2026-10-26" });
    expect(reportDays({ preset: "today", from: "", to: "" }, "UTC", JUST_AFTER_MIDNIGHT)).toEqual({ from: "2026-10-25", to: "2026-10-25" });
  });

  it("takes the last 7 days with today, and this month from its 1st to today", () => {
    expect(reportDays({ preset: "last7", from: "", to: "" }, MADRID, JUST_AFTER_MIDNIGHT)).toEqual({ from: "2026-10-20", to: "2026-10-26" });
    expect(reportDays({ preset: "thisMonth", from: "", to: "" }, MADRID, JUST_AFTER_MIDNIGHT)).toEqual({ from: "2026-10-01", to: "2026-10-26" });
    expect(reportDays({ preset: "thisMonth", from: "", to: "" }, MADRID, new Date("2026-12-31T23:30:00Z"))).toEqual({ from: "2027-01-01", to: "2027-01-01" });
    expect(reportDays({ preset: "custom", from: "2026-01-05", to: "2026-01-09" }, MADRID)).toEqual({ from: "2026-01-05", to: "2026-01-09" });
  });
});

describe("the report's query", () => {
  it("asks from the first day's midnight to the midnight after the last, with their offsets, the zone named", () => {
    const planned = reportQuery({ preset: "yesterday", from: "", to: "" }, "hour", "", MADRID, JUST_AFTER_MIDNIGHT);
    // The 25th, whose clock goes back: summer time at its start, winter time at its end.
    expect(planned).toEqual({ query: { since: "2026-10-25T00:00:00+02:00", until: "2026-10-26T00:00:00+01:00", tz: MADRID, group: "hour" } });
    const one = reportQuery({ preset: "custom", from: "2026-12-01", to: "2026-12-07" }, "day", "hotline", MADRID);
    expect(one).toEqual({ query: { since: "2026-12-01T00:00:00+01:00", until: "2026-12-08T00:00:00+01:00", tz: MADRID, group: "day", scenario: "hotline" } });
  });

  it("asks nothing for days missing, running backwards, or more than the server reports on", () => {
    const custom = (from: string, to: string) => reportQuery({ preset: "custom", from, to }, "day", "", MADRID);
    expect(custom("", "2026-12-07")).toEqual({ refusal: "needDays" });
    expect(custom("2026-12-08", "2026-12-07")).toEqual({ refusal: "fromAfterTo" });
    expect(custom("2028-01-01", "2028-12-31")).toHaveProperty("query"); // a leap year: 366 days
    expect(custom("2027-01-01", "2028-01-02")).toEqual({ refusal: "tooLong" }); // 367
  });
});

const row = (over: Partial<ReportRow>): ReportRow => ({
  calls: 0,
  answered: 0,
  statuses: {},
  abandoned: 0,
  transfers: 0,
  transfers_answered: 0,
  with_errors: 0,
  transfer_outcomes: {},
  talk_ms_total: 0,
  talk_ms_average: null,
  results: [],
  day: "2026-10-25",
  hour: null,
  scenario: null,
  start: "2026-10-24T22:00:00Z",
  end: "2026-10-25T23:00:00Z",
  local_start: "2026-10-25T00:00:00+02:00",
  ...over,
});

describe("what a row shows", () => {
  it("writes a day as the interface language writes dates", () => {
    const day = row({});
    expect(periodText(day, [day], "en", MADRID)).toBe("Oct 25, 2026");
    expect(periodText(day, [day], "es", MADRID)).toBe("25 oct 2026");
    expect(periodText(day, [day], "ru", MADRID)).toMatch(/^25 окт\.? 2026/);
    expect(periodText(row({ day: null, scenario: "hotline" }), [], "en", MADRID)).toBe("");
  });

  it("writes an hour with its day, and the offset of an hour the clock repeats, so that the two read apart", () => {
    const hours = [
      row({ hour: 2, start: "2026-10-25T00:00:00Z", local_start: "2026-10-25T02:00:00+02:00" }),
      row({ hour: 2, start: "2026-10-25T01:00:00Z", local_start: "2026-10-25T02:00:00+01:00" }),
      row({ hour: 3, start: "2026-10-25T02:00:00Z", local_start: "2026-10-25T03:00:00+01:00" }),
    ];
    expect(hours.map((hour) => periodText(hour, hours, "en", MADRID))).toEqual([
      "Oct 25, 2026, 2:00 AM (UTC+02:00)",
      "Oct 25, 2026, 2:00 AM (UTC+01:00)",
      "Oct 25, 2026, 3:00 AM",
    ]);
    expect(periodText(hours[1]!, hours, "es", MADRID)).toBe("25 oct 2026, 2:00 (UTC+01:00)");
    expect(periodText(hours[2]!, hours, "ru", MADRID)).toMatch(/^25 окт\.? 2026( г\.)?, 03:00$/);
  });

  it("groups digits, writes shares, talk times and results as the language does", () => {
    expect([numberText(12345, "en"), numberText(12345, "es"), numberText(12345, "ru").replace(/\s/g, " ")]).toEqual(["12,345", "12.345", "12 345"]);
    expect([shareText(9, 10, "en"), shareText(9, 10, "es").replace(/\s/g, " "), shareText(0, 0, "en")]).toEqual(["90%", "90 %", ""]);
    expect([talkText(65_000, "en"), talkText(null, "en")]).toEqual(["1 min 5 sec", ""]);
    expect(resultsText({ results: [{ result: "sale", calls: 1200 }, { result: "callback", calls: 3 }] }, "es")).toBe("sale 1200 · callback 3");
    expect(resultsText({ results: [{ result: "sale", calls: 12000 }] }, "en")).toBe("sale 12,000");
  });
});
