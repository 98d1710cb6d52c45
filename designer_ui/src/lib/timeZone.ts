/**
 * The time zone a test call's date and time are read in. A Schedule block decides open or closed in its own
 * time zone, so an analyst testing 17:59 against 18:00 at the office means the office's 17:59, not the browser's:
 * the field is read in the zone of the scenario's Schedule block by default, and the moment is sent with that
 * zone's offset on that day (summer or winter time), found with the browser's Intl time zone data.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const two = (n: number) => String(n).padStart(2, "0");

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of `zone` (year ... second), read by Intl; a formatter per zone, made once. */
function wallClock(zone: string, at: Date): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** Whether the browser knows `zone` as an IANA time zone ("Europe/Madrid"; not "Europe/Moskow", not ""). */
export function isTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The browser's own time zone, "UTC" when it does not say. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** Every time zone the browser knows, for the analyst to choose from; UTC among them. */
export function allTimeZones(): string[] {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return known.includes("UTC") ? known : ["UTC", ...known];
}

/** Minutes `zone` is ahead of UTC at the moment `at`: 120 in Madrid in July, 60 in January. */
export function zoneOffsetMinutes(zone: string, at: Date): number {
  const whole = Math.floor(at.getTime() / 1000) * 1000; // the wall clock is read to the second
  const c = wallClock(zone, new Date(whole));
  return Math.round((Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second) - whole) / 60000);
}

/** "+02:00", "-05:00", "+05:30": an ISO 8601 offset. */
export function offsetText(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  return `${sign}${two(Math.floor(Math.abs(minutes) / 60))}:${two(Math.abs(minutes) % 60)}`;
}

/** The moment as `zone`'s wall clock with its offset then: "2026-07-01T17:59:00+02:00". */
export function isoInZone(at: Date, zone: string): string {
  const c = wallClock(zone, at);
  const wall = `${c.year}-${two(c.month)}-${two(c.day)}T${two(c.hour)}:${two(c.minute)}:${two(c.second)}`;
  return `${wall}${offsetText(zoneOffsetMinutes(zone, at))}`;
}

/** A `datetime-local` value of `zone`'s wall clock at `now` ("2026-07-01T17:59"): what the field starts at. */
export function localInputInZone(zone: string, now: Date = new Date()): string {
  return isoInZone(now, zone).slice(0, 16);
}

/**
 * A `datetime-local` value read as a wall time of `zone`, as ISO 8601 with that zone's offset on that day; null
 * for an empty or unreadable value. A wall time the clocks skip (02:30 in Madrid on the last Sunday of March) is
 * the moment the clocks moved it to (03:30 summer time); one they show twice (02:30 on the last Sunday of
 * October) is the first of the two, as a browser reads its own. The text is rebuilt from the moment, so text
 * and offset always agree.
 */
export function wallTimeInZone(value: string, zone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!match || !isTimeZone(zone)) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const wall = Date.UTC(year!, month! - 1, day!, hour!, minute!, second || 0);
  if (Number.isNaN(wall)) return null;
  // The zone's offsets a day either side: the wall time is read with whichever of them gives it back.
  const before = zoneOffsetMinutes(zone, new Date(wall - DAY_MS));
  const after = zoneOffsetMinutes(zone, new Date(wall + DAY_MS));
  const readings = [...new Set([before, after])]
    .map((offset) => wall - offset * 60000)
    .filter((moment) => zoneOffsetMinutes(zone, new Date(moment)) * 60000 === wall - moment)
    .sort((a, b) => a - b);
  const moment = readings[0] ?? wall - before * 60000; // skipped: moved forward by the change, as the clocks were
  return isoInZone(new Date(moment), zone);
}

/**
 * The moment a test call happens: the field's wall time read in `zone`. A field left empty (or half typed) is
 * now, as the field starts: not a "could not run: Invalid time value", and not the server's fixed default day.
 */
export function testCallAt(value: string, zone: string, now: Date = new Date()): string {
  return wallTimeInZone(value, zone) ?? now.toISOString();
}

/** A block as the time zone lookup needs it (the editor's nodes are such). */
export interface ZoneNode {
  id: string;
  data: { blockType: string; label?: string; config: Record<string, unknown> };
}

/** The time zone a scenario's Schedule blocks read the clock in: the first one's, and the others'. */
export interface ScheduleZones {
  /** The first Schedule block's time zone. */
  zone: string;
  /** That block's label (its id when it has none). */
  block: string;
  /** The other time zones the other Schedule blocks use, each once, in the order of the blocks. */
  others: string[];
}

/**
 * The Schedule blocks' time zones, in the order of the blocks (a Schedule without one reads UTC, as the block
 * does); null when there is no Schedule block with a zone the browser knows. A misspelt zone is left out: the
 * test call shows that block's error, and the field is read in a zone that exists.
 */
export function scheduleZones(nodes: readonly ZoneNode[]): ScheduleZones | null {
  const schedules = zonesOfSchedules(nodes).filter(({ zone }) => isTimeZone(zone));
  const first = schedules[0];
  if (!first) return null;
  const others = [...new Set(schedules.map((s) => s.zone))].filter((zone) => zone !== first.zone);
  return { zone: first.zone, block: first.block, others };
}

/** A Schedule block (its label, else its id) and the time zone it names, as written. */
export interface ScheduleZone {
  block: string;
  zone: string;
}

/** Each Schedule block and the zone it names, UTC where it names none, as the block reads it. */
function zonesOfSchedules(nodes: readonly ZoneNode[]): ScheduleZone[] {
  return nodes
    .filter((node) => node.data.blockType === "schedule")
    .map((node) => ({ block: node.data.label || node.id, zone: String(node.data.config.timezone ?? "UTC") }));
}

/**
 * The first Schedule block whose time zone is none the browser knows ("Europe/Madird"); null when every Schedule's
 * is one. `scheduleZones` leaves it out, and the test call says why the date and time are not read in it.
 */
export function invalidScheduleZone(nodes: readonly ZoneNode[]): ScheduleZone | null {
  return zonesOfSchedules(nodes).find(({ zone }) => !isTimeZone(zone)) ?? null;
}
