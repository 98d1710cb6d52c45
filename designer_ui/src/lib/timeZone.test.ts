import { describe, expect, it } from "vitest";
import { invalidScheduleZone, isTimeZone, localInputInZone, scheduleZones, testCallAt, wallTimeInZone, zoneOffsetMinutes, type ZoneNode } from "./timeZone";

const schedule = (id: string, timezone: string | undefined, label = ""): ZoneNode => ({
  id,
  data: { blockType: "schedule", label, config: timezone === undefined ? {} : { timezone } },
});

describe("a test call's date and time read in a time zone", () => {
  it("is sent with that zone's offset on that day: summer and winter time in Madrid", () => {
    expect(wallTimeInZone("2026-07-01T17:59", "Europe/Madrid")).toBe("2026-07-01T17:59:00+02:00");
    expect(wallTimeInZone("2026-01-15T17:59", "Europe/Madrid")).toBe("2026-01-15T17:59:00+01:00");
    expect(new Date(wallTimeInZone("2026-07-01T18:00", "Europe/Madrid")!).toISOString()).toBe("2026-07-01T16:00:00.000Z");
  });

  it("does not depend on the browser's own zone (10:00 in Moscow is 07:00 UTC, whatever the browser)", () => {
    expect(wallTimeInZone("2026-03-02T10:00", "Europe/Moscow")).toBe("2026-03-02T10:00:00+03:00");
    expect(wallTimeInZone("2026-03-02T10:00", "UTC")).toBe("2026-03-02T10:00:00+00:00");
    expect(wallTimeInZone("2026-03-02T10:00", "America/New_York")).toBe("2026-03-02T10:00:00-05:00");
    expect(wallTimeInZone("2026-03-02T10:00", "Asia/Kolkata")).toBe("2026-03-02T10:00:00+05:30");
  });

  it("reads a wall time the clocks skip as the moment they moved it to, and one shown twice as the first", () => {
    // Madrid, 29 March 2026: 02:00 becomes 03:00. 25 October 2026: 03:00 becomes 02:00 again.
    expect(wallTimeInZone("2026-03-29T02:30", "Europe/Madrid")).toBe("2026-03-29T03:30:00+02:00");
    expect(wallTimeInZone("2026-03-29T01:59", "Europe/Madrid")).toBe("2026-03-29T01:59:00+01:00");
    expect(wallTimeInZone("2026-03-29T03:00", "Europe/Madrid")).toBe("2026-03-29T03:00:00+02:00");
    expect(wallTimeInZone("2026-10-25T02:30", "Europe/Madrid")).toBe("2026-10-25T02:30:00+02:00");
    expect(wallTimeInZone("2026-10-25T03:30", "Europe/Madrid")).toBe("2026-10-25T03:30:00+01:00");
  });

  it("is now when the field is empty or half typed, and nothing is read in a zone that is none", () => {
    const now = new Date("2026-05-04T10:11:12Z");
    expect(testCallAt("", "Europe/Madrid", now)).toBe(now.toISOString());
    expect(testCallAt("2026-05-", "Europe/Madrid", now)).toBe(now.toISOString());
    expect(wallTimeInZone("2026-05-04T10:00", "Europe/Moskow")).toBeNull();
  });

  it("starts at now on the zone's wall clock", () => {
    const now = new Date("2026-07-01T16:00:00Z");
    expect(localInputInZone("Europe/Madrid", now)).toBe("2026-07-01T18:00");
    expect(localInputInZone("America/New_York", now)).toBe("2026-07-01T12:00");
    expect(zoneOffsetMinutes("Europe/Madrid", now)).toBe(120);
  });
});

describe("the time zone of a scenario's Schedule blocks", () => {
  const other = (id: string): ZoneNode => ({ id, data: { blockType: "say_phrase", config: {} } });

  it("is the first Schedule block's, the others' listed once", () => {
    const nodes = [other("start"), schedule("hours", "Europe/Madrid", "Office hours"), schedule("night", "America/New_York"), schedule("again", "Europe/Madrid"), schedule("ny", "America/New_York")];
    expect(scheduleZones(nodes)).toEqual({ zone: "Europe/Madrid", block: "Office hours", others: ["America/New_York"] });
  });

  it("is UTC for a Schedule that names none (as the block reads it), and leaves out a zone that is none", () => {
    expect(scheduleZones([schedule("hours", undefined)])).toEqual({ zone: "UTC", block: "hours", others: [] });
    expect(scheduleZones([schedule("bad", "Europe/Moskow"), schedule("good", "Europe/Moscow")])?.zone).toBe("Europe/Moscow");
    expect(isTimeZone("")).toBe(false);
  });

  it("is none without a Schedule block", () => {
    expect(scheduleZones([other("start")])).toBeNull();
  });

  it("names the first Schedule block whose zone is misspelt, to say so rather than that there is none", () => {
    const misspelt = [other("start"), schedule("schedule", "Europe/Madird"), schedule("night", "Europe/Moskow", "Night")];
    expect(scheduleZones(misspelt)).toBeNull();
    expect(invalidScheduleZone(misspelt)).toEqual({ block: "schedule", zone: "Europe/Madird" });
    expect(invalidScheduleZone([schedule("hours", "Europe/Madrid"), schedule("open", undefined)])).toBeNull();
    expect(invalidScheduleZone([schedule("hours", "")])).toEqual({ block: "hours", zone: "" });
  });
});
