/**
 * A call list's cell as its preview shows it. An XLSX's date cells come from the server as ISO text
 * ("2026-12-30", "2026-12-30T14:30"; api/call_list_files.py), while dates typed as text stay as typed
 * ("25.12.2026"): one column then read two ways. Dates are shown as the interface language writes them; what is sent
 * back to the server is the cell as it came.
 */
import type { Language } from "./i18n";

const ISO_CELL = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/;

/**
 * A date as the language writes it: digits where the supervisor's own files write them so (ru 30.12.2026,
 * es 30/12/2026), English as the designer writes its dates elsewhere ("Dec 30, 2026"), which no reader takes
 * for the 12th of another month.
 */
const DATE_FORMATS: Record<Language, Intl.DateTimeFormatOptions> = {
  en: { dateStyle: "medium" },
  es: { day: "2-digit", month: "2-digit", year: "numeric" },
  ru: { day: "2-digit", month: "2-digit", year: "numeric" },
};

/** The cell's text: an ISO date or date and time in the language's words, anything else as it came. */
export function listCellText(value: string | number | boolean | null | undefined, language: Language): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") return String(value);
  const match = ISO_CELL.exec(value);
  if (!match) return value;
  const [, year, month, day, hour, minute] = match.map(Number) as number[];
  // A wall time with no zone, as the file had it: built and written in UTC so no zone shifts it.
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour || 0, minute || 0));
  if (date.getUTCMonth() !== month! - 1 || date.getUTCDate() !== day!) return value; // 2026-02-31 is no date
  const dateText = new Intl.DateTimeFormat(language, { ...DATE_FORMATS[language], timeZone: "UTC" }).format(date);
  if (match[4] === undefined) return dateText;
  const time = new Intl.DateTimeFormat(language, { timeStyle: "short", timeZone: "UTC" }).format(date);
  return language === "en" ? `${dateText}, ${time}` : `${dateText} ${time}`;
}
