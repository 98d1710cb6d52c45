/**
 * A time of day as people type it, read into the HH:MM the scenario format stores (blocks/common.py CLOCK_TIME:
 * 00:00-23:59). `9:00` and `9` are 09:00, `18.00`, `18-00`, `18h00`, `18 00` and `1800` are 18:00, `6 pm` is 18:00;
 * so is `18ж00`, typed with the Russian layout where the English one has the colon. Anything that could be read two
 * ways (`9.5`: 09:05? 09:30? 09:50?) or is no time of day (`24:00`, `25:00`, `9:75`) is refused with the reason, for
 * the field to say in words: the designer never guesses a time nor stores one the server would refuse.
 */
import type { Translate } from "./i18n";

/** HH:MM as stored: what the block's schema accepts, so it is kept as typed. */
export const CLOCK_TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** Why typed text is not read as a time: each is said in words (`refusalText`). */
export type ClockTimeRefusal =
  /** One digit after the separator (`9.5`, `9:5`): minutes 05, 50, or half an hour. */
  | "unclear_minutes"
  /** `24:00` (or `2400`): midnight is 00:00, which the hours read as the end of a period as well. */
  | "twenty_four"
  /** Hours past 23 (`25:00`), or past 12 before am/pm (`13 pm`). */
  | "hours"
  /** Minutes past 59 (`9:75`). */
  | "minutes"
  /** Not a time at all (`nueve`, `9:00:30`, `12345`). */
  | "form";

/** `hours`, for unclear minutes: the hours as read (HH), for the refusal's examples. */
export type ClockTimeReading = { kind: "time"; value: string } | { kind: "empty" } | { kind: "refused"; why: ClockTimeRefusal; hours?: string };

const two = (n: number) => String(n).padStart(2, "0");

// Between hours and minutes: the colon, a dot (18.00, as Russian and British writing has it), a comma, a dash, a
// space, "h" (18h00, French and Spanish), and "ж": the colon's key typed with the Russian layout on.
const SEPARATOR = "[:.,\\-\\sжh]";
const SPLIT = new RegExp(`^(\\d{1,2})\\s*${SEPARATOR}\\s*(\\d*)$`, "u");
// "6 pm", "6:30 p. m." (as Spanish writes it), "12am".
const MERIDIEM = /^(.*?)\s*([ap])\.?\s*m\.?$/u;
// "18 h", "18:00 h": the hour's abbreviation after the time, as Spanish signs write it.
const HOURS_UNIT = /^(.*?\d)\s*h$/u;

/** Hours and minutes as written (25:00 too), or one digit of minutes after the hours, or no time. */
type Read = { hours: number; minutes: number | null } | { refused: "form" };

/** Hours and minutes from the text before any am/pm, or why they cannot be read. */
function hoursAndMinutes(text: string): Read {
  if (/^\d{1,2}$/u.test(text)) return { hours: Number(text), minutes: 0 };
  if (/^\d{3,4}$/u.test(text)) return { hours: Number(text.slice(0, -2)), minutes: Number(text.slice(-2)) };
  const withSeconds = /^(\d{1,2}):(\d{2}):00$/u.exec(text); // a pasted 09:00:00
  if (withSeconds) return { hours: Number(withSeconds[1]), minutes: Number(withSeconds[2]) };
  const split = SPLIT.exec(text);
  if (!split) return { refused: "form" };
  const hours = Number(split[1]);
  const minutes = split[2]!;
  if (minutes.length > 2) return { refused: "form" };
  return { hours, minutes: minutes.length === 1 ? null : Number(minutes || "0") };
}

const refused = (why: ClockTimeRefusal): ClockTimeReading => ({ kind: "refused", why });

/** `typed` read as a time of day: HH:MM, nothing typed, or refused with the reason. */
export function readClockTime(typed: string): ClockTimeReading {
  let text = typed.trim().toLowerCase().replace(/\s+/gu, " ");
  if (text === "") return { kind: "empty" };
  const meridiem = MERIDIEM.exec(text);
  if (meridiem) text = meridiem[1]!;
  const unit = meridiem ? null : HOURS_UNIT.exec(text);
  if (unit) text = unit[1]!;
  const read = hoursAndMinutes(text);
  if ("refused" in read) return refused(read.refused);
  const hours = meridiem ? fromTwelveHour(read.hours, meridiem[2] === "p") : read.hours;
  if (hours === null || hours > 24 || (hours === 24 && read.minutes !== 0)) return refused("hours");
  if (read.minutes === null) return { kind: "refused", why: "unclear_minutes", hours: two(hours) };
  if (read.minutes > 59) return refused("minutes");
  if (hours === 24) return refused("twenty_four");
  return { kind: "time", value: `${two(hours)}:${two(read.minutes)}` };
}

/** An hour of the 12-hour clock (1-12) on the 24-hour one: 12 am is 00, 12 pm is 12; null for any other. */
function fromTwelveHour(hours: number, afternoon: boolean): number | null {
  if (hours < 1 || hours > 12) return null;
  return (hours % 12) + (afternoon ? 12 : 0);
}

/** At most this much of what was typed is quoted back in a refusal. */
const QUOTED = 16;

/** Why `typed` was refused, in the interface language: what is wrong with it and how to write it. */
export function refusalText(typed: string, reading: Extract<ClockTimeReading, { kind: "refused" }>, t: Translate): string {
  const trimmed = typed.trim();
  const shown = trimmed.length > QUOTED ? `${trimmed.slice(0, QUOTED)}…` : trimmed;
  switch (reading.why) {
    case "unclear_minutes":
      return t("clockTime.unclearMinutes", { typed: shown, hours: reading.hours ?? "09" });
    case "twenty_four":
      return t("clockTime.twentyFour", { typed: shown });
    case "hours":
      return t("clockTime.hours", { typed: shown });
    case "minutes":
      return t("clockTime.minutes", { typed: shown });
    case "form":
      return t("clockTime.form", { typed: shown });
  }
}
