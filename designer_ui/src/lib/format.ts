/**
 * Dates, times and durations as the interface language writes them: every moment the designer shows goes through
 * `formatDateTime`, so a Russian or Spanish interface never shows a US date ("12/5/2026, 7:03:58 AM").
 */
import type { Language } from "./i18n";

/** How much of a moment to show; "short..." writes the date with digits, for narrow columns. */
export type MomentStyle = "dateTime" | "dateTimeSeconds" | "shortDateTimeSeconds" | "date" | "time" | "timeSeconds" | "weekday";

const STYLES: Record<MomentStyle, Intl.DateTimeFormatOptions> = {
  dateTime: { dateStyle: "medium", timeStyle: "short" },
  dateTimeSeconds: { dateStyle: "medium", timeStyle: "medium" },
  shortDateTimeSeconds: { dateStyle: "short", timeStyle: "medium" },
  date: { dateStyle: "medium" },
  time: { timeStyle: "short" },
  timeSeconds: { timeStyle: "medium" },
  weekday: { weekday: "short" },
};

/**
 * A moment (an ISO 8601 string from the server, a timestamp or a Date) in the interface language, in the browser's
 * time zone unless `timeZone` is given. What cannot be read as a date is shown as it came; nothing is shown for
 * nothing. An unknown `timeZone` throws (RangeError), as Intl does: callers that take zones from users catch it.
 */
export function formatDateTime(
  value: string | number | Date | null | undefined,
  language: Language | string,
  style: MomentStyle = "dateTime",
  timeZone?: string,
): string {
  if (value === null || value === undefined || value === "") return "";
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  // A new formatter each time: one made earlier would keep the time zone the computer had then.
  return new Intl.DateTimeFormat(language, timeZone ? { ...STYLES[style], timeZone } : STYLES[style]).format(date);
}

const numberFormats = new Map<string, Intl.NumberFormat>();

function unitFormat(language: string, unit: "millisecond" | "second" | "minute", fractionDigits: number): Intl.NumberFormat {
  const key = `${language}|${unit}|${fractionDigits}`;
  let found = numberFormats.get(key);
  if (!found) {
    found = new Intl.NumberFormat(language, { style: "unit", unit, unitDisplay: "short", maximumFractionDigits: fractionDigits });
    numberFormats.set(key, found);
  }
  return found;
}

/** How long something took: "350 ms", "1.2 s", "2 min 5 s" (Russian "1,2 с", "2 мин 5 с"). */
export function formatDuration(ms: number, language: Language | string): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms > 0 && ms < 0.05) return `<${unitFormat(language, "millisecond", 1).format(0.1)}`;
  if (ms < 1000) return unitFormat(language, "millisecond", ms < 10 ? 1 : 0).format(ms);
  if (ms < 60_000) return unitFormat(language, "second", 1).format(Math.round(ms / 100) / 10);
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  const head = unitFormat(language, "minute", 0).format(minutes);
  return rest ? `${head} ${unitFormat(language, "second", 0).format(rest)}` : head;
}

/** When something happened in a call, from the call's start: "00:07", "01:02:03"; null when either is unknown. */
export function callOffset(start: string | null | undefined, at: string | null | undefined): string | null {
  if (!start || !at) return null;
  const from = Date.parse(start);
  const to = Date.parse(at);
  if (Number.isNaN(from) || Number.isNaN(to)) return null;
  const total = Math.max(0, Math.floor((to - from) / 1000));
  const two = (n: number) => String(n).padStart(2, "0");
  const hours = Math.floor(total / 3600);
  const clock = `${two(Math.floor((total % 3600) / 60))}:${two(total % 60)}`;
  return hours ? `${two(hours)}:${clock}` : clock;
}
