/**
 * A campaign's settings and moments as its page shows them: when its clients are called, how often and until
 * when ("Звонки пн–вс 09:00–21:00 (Europe/Moscow) · до 3 попыток · без даты окончания"), and its moments short
 * enough for a table cell, with the zone they are read in.
 */
import { countText, type Language, type Translate } from "./i18n";
import { hoursSummary } from "./summary";

const WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** Every day from 00:00 to 00:00: how the call-list form asks for calls at any time (callList.ts ANY_TIME). */
function anyTime(hours: unknown[]): boolean {
  return hours.some((h) => {
    const r = (h ?? {}) as Record<string, unknown>;
    const days = Array.isArray(r.days) ? r.days : [];
    return WEEK.every((day) => days.includes(day)) && r.from === "00:00" && r.to === "00:00";
  });
}

/**
 * A moment in the browser's zone, to the minute, its year said only when it is not this year's ("7 дек., 20:00";
 * "7 дек. 2027 г., 20:00"): a supervisor reads the campaigns of this year, and the year made the state cell too wide.
 */
export function campaignMoment(iso: string, language: Language | string, now: Date = new Date(), timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const zone = timeZone ? { timeZone } : {};
  const yearOf = (d: Date) => new Intl.DateTimeFormat("en", { year: "numeric", ...zone }).format(d);
  if (yearOf(date) !== yearOf(now)) return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short", ...zone }).format(date);
  // Date and time apart, as each language's medium style joins them (", "): a day-and-month pattern cannot be asked
  // of `dateStyle`, and the time keeps the language's own form (ru "08:30", en "8:30 AM").
  const day = new Intl.DateTimeFormat(language, { day: "numeric", month: "short", ...zone }).format(date);
  const time = new Intl.DateTimeFormat(language, { timeStyle: "short", ...zone }).format(date);
  return `${day}, ${time}`;
}

/** The zone a moment is shown in, as the language abbreviates it ("GMT+3", "CET", "EST"), at that moment. */
export function zoneAbbreviation(iso: string, language: Language | string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const parts = new Intl.DateTimeFormat(language, { timeZoneName: "short", ...(timeZone ? { timeZone } : {}) }).formatToParts(date);
  return parts.find((part) => part.type === "timeZoneName")?.value ?? "";
}

/** A moment of the campaign with the zone it is read in: "7 дек., 20:00 (GMT+3)". */
export function campaignMomentWithZone(iso: string, language: Language | string, now: Date = new Date(), timeZone?: string): string {
  const zone = zoneAbbreviation(iso, language, timeZone);
  const moment = campaignMoment(iso, language, now, timeZone);
  return zone ? `${moment} (${zone})` : moment;
}

/**
 * When and how the campaign calls, as it was started: its hours in its zone, its attempts, and its end. Empty for
 * a list imported before campaigns kept their settings, which knows none of them.
 */
export function campaignSettingsText(settings: Record<string, unknown>, t: Translate, language: Language, now: Date = new Date()): string {
  const parts: string[] = [];
  const hours = Array.isArray(settings.hours) ? settings.hours : [];
  const zone = typeof settings.timezone === "string" ? settings.timezone : "";
  if (hours.length > 0) {
    const when = anyTime(hours) ? t("campaigns.settingsAnyTime") : t("campaigns.settingsHours", { hours: hoursSummary(hours, language) });
    parts.push(zone ? `${when} (${zone})` : when);
  }
  if (typeof settings.max_attempts === "number") parts.push(countText(language, "attempt", settings.max_attempts));
  if (typeof settings.until === "string" && settings.until) {
    parts.push(t("campaigns.settingsUntil", { time: campaignMomentWithZone(settings.until, language, now) }));
  } else if ("until" in settings) {
    parts.push(t("campaigns.settingsNoEnd"));
  }
  return parts.join(" · ");
}
