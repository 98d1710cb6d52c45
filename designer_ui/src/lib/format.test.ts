import { describe, expect, it } from "vitest";
import { runInTimeZone } from "../testSupport";
import { callOffset, formatDateTime, formatDuration } from "./format";

runInTimeZone("Europe/Madrid");

// ICU puts no-break and narrow no-break spaces in dates ("11:03 AM"): compared as plain spaces.
const plain = (text: string) => text.replace(/\s/g, " ");
const moment = "2026-12-05T10:03:58Z"; // 11:03:58 in Madrid

describe("a moment in the interface language (QA: US dates in a Russian or Spanish interface)", () => {
  it.each<[string, string, string, string]>([
    ["dateTime", "Dec 5, 2026, 11:03 AM", "5 dic 2026, 11:03", "5 дек. 2026 г., 11:03"],
    ["dateTimeSeconds", "Dec 5, 2026, 11:03:58 AM", "5 dic 2026, 11:03:58", "5 дек. 2026 г., 11:03:58"],
    ["shortDateTimeSeconds", "12/5/26, 11:03:58 AM", "5/12/26, 11:03:58", "05.12.2026, 11:03:58"],
    ["date", "Dec 5, 2026", "5 dic 2026", "5 дек. 2026 г."],
    ["time", "11:03 AM", "11:03", "11:03"],
    ["timeSeconds", "11:03:58 AM", "11:03:58", "11:03:58"],
    ["weekday", "Sat", "sáb", "сб"],
  ] as const)("%s: %s / %s / %s", (style, en, es, ru) => {
    const shown = (language: string) => plain(formatDateTime(moment, language, style as Parameters<typeof formatDateTime>[2]));
    expect(shown("en")).toBe(en);
    expect(shown("es")).toBe(es);
    expect(shown("ru")).toBe(ru);
  });

  it("never writes a Russian or Spanish date the US way, as toLocaleString() in an English browser does", () => {
    expect(plain(new Date(moment).toLocaleString("en-US"))).toBe("12/5/2026, 11:03:58 AM");
    for (const language of ["es", "ru"]) expect(formatDateTime(moment, language)).not.toMatch(/12\/5\/2026|AM|PM/);
  });

  it("takes a Date or a timestamp as well as the server's ISO text, with any offset", () => {
    expect(plain(formatDateTime(new Date(moment), "ru"))).toBe("5 дек. 2026 г., 11:03");
    expect(plain(formatDateTime(Date.parse(moment), "ru"))).toBe("5 дек. 2026 г., 11:03");
    expect(plain(formatDateTime("2026-12-05T12:03:58.123456+02:00", "ru"))).toBe("5 дек. 2026 г., 11:03");
  });

  it("in another time zone when asked (a campaign's, a calendar day's)", () => {
    expect(plain(formatDateTime(moment, "ru", "time", "America/Bogota"))).toBe("05:03");
    expect(plain(formatDateTime("2026-12-25T00:00:00Z", "es", "date", "UTC"))).toBe("25 dic 2026");
    expect(() => formatDateTime(moment, "ru", "time", "Not/AZone")).toThrow(RangeError);
  });

  it("shows what is no date as it came, and nothing for nothing", () => {
    expect(formatDateTime("soon", "ru")).toBe("soon");
    expect(formatDateTime(null, "ru")).toBe("");
    expect(formatDateTime(undefined, "ru")).toBe("");
    expect(formatDateTime("", "ru")).toBe("");
  });
});

describe("how long a step took, in the interface language", () => {
  it.each<[number, string, string, string]>([
    [350, "350 ms", "350 ms", "350 мс"],
    [2.46, "2.5 ms", "2,5 ms", "2,5 мс"],
    [0.01, "<0.1 ms", "<0,1 ms", "<0,1 мс"],
    [1234, "1.2 sec", "1,2 s", "1,2 с"],
    [15_000, "15 sec", "15 s", "15 с"],
    [125_400, "2 min 5 sec", "2 min 5 s", "2 мин 5 с"],
    [120_000, "2 min", "2 min", "2 мин"],
  ])("%d ms: %s / %s / %s", (ms, en, es, ru) => {
    expect(formatDuration(ms, "en")).toBe(en);
    expect(formatDuration(ms, "es")).toBe(es);
    expect(formatDuration(ms, "ru")).toBe(ru);
  });

  it("shows nothing for what is no duration", () => {
    expect(formatDuration(Number.NaN, "en")).toBe("");
    expect(formatDuration(-5, "en")).toBe("");
  });
});

describe("when a step ran, from the start of the call", () => {
  it("counts minutes and seconds, whatever the offsets and fractions the two times are written with", () => {
    expect(callOffset("2026-01-05T10:00:00+00:00", "2026-01-05T10:00:02.750000+00:00")).toBe("00:02");
    expect(callOffset("2026-01-05T10:00:00+00:00", "2026-01-05T11:01:17+01:00")).toBe("01:17");
    expect(callOffset("2026-01-05T10:00:00Z", "2026-01-05T11:02:03Z")).toBe("01:02:03");
  });

  it("is null when either time is unknown or unreadable", () => {
    expect(callOffset(null, "2026-01-05T10:00:00Z")).toBeNull();
    expect(callOffset("2026-01-05T10:00:00Z", undefined)).toBeNull();
    expect(callOffset("yesterday", "2026-01-05T10:00:00Z")).toBeNull();
  });
});
