/**
 * A call list's calling windows to a screen reader (a11y review): with two windows, it heard two identical sets of
 * weekday boxes, «de»/«a» fields and «Quitar» buttons, in list items without names; the "to" field's example was
 * 09:00, the start of a day. Each window is now a group named by its number, and everything in it says which
 * window it belongs to.
 */
import { describe, expect, it } from "vitest";
import type { OpeningHours } from "../api/types";
import { LANGUAGES, type Language } from "../lib/i18n";
import { OpeningHoursEditor } from "./CampaignSettingsForm";
import { renderInLanguage } from "./renderForTest";

const hours: OpeningHours[] = [
  { days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "21:00" },
  { days: ["sat"], from: "10:00", to: "14:00" },
];

const attributes = (tag: string) => Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));

/** Each window of the editor: its group's name, and the names of the controls in it, in order. */
function windows(html: string) {
  return [...html.matchAll(/<li[^>]*><div([^>]*role="group"[^>]*)>(.*?)<\/div><\/li>/gs)].map((match) => {
    const inside = match[2]!;
    const inputs = [...inside.matchAll(/<input([^>]*)\/?>/g)].map((m) => attributes(m[1]!));
    return {
      group: attributes(match[1]!)["aria-label"],
      days: inputs.filter((input) => input.type === "checkbox").map((input) => input["aria-label"]),
      times: inputs.filter((input) => input.type === "text").map((input) => [input["aria-label"], input.placeholder]),
      remove: [...inside.matchAll(/<button([^>]*)>/g)].map((m) => attributes(m[1]!)["aria-label"]),
    };
  });
}

const WORDS: Record<Language, { group: (n: number) => string; day: (day: string, n: number) => string; from: (n: number) => string; to: (n: number) => string; remove: (n: number) => string }> = {
  en: { group: (n) => `Calling window ${n}`, day: (d, n) => `${d}, calling window ${n}`, from: (n) => `Calling window ${n}, from`, to: (n) => `Calling window ${n}, to`, remove: (n) => `Remove calling window ${n}` },
  es: { group: (n) => `Horario ${n}`, day: (d, n) => `${d}, horario ${n}`, from: (n) => `Horario ${n}, de`, to: (n) => `Horario ${n}, a`, remove: (n) => `Quitar horario ${n}` },
  ru: { group: (n) => `Интервал ${n}`, day: (d, n) => `${d}, интервал ${n}`, from: (n) => `Интервал ${n}, с`, to: (n) => `Интервал ${n}, до`, remove: (n) => `Убрать интервал ${n}` },
}; // prettier-ignore

describe("a call list's calling windows", () => {
  for (const language of Object.keys(LANGUAGES) as Language[]) {
    it(`are each a group named by its number, whose controls say which window they are in (${language})`, () => {
      const words = WORDS[language];
      const shown = windows(renderInLanguage(language, OpeningHoursEditor, { hours, onChange: () => undefined }));
      expect(shown.map((window) => window.group)).toEqual([words.group(1), words.group(2)]);
      for (const [i, window] of shown.entries()) {
        const n = i + 1;
        expect(window.days).toHaveLength(7);
        // Each box is named by the weekday it shows and its window: never two alike.
        for (const day of window.days) expect(day).toMatch(new RegExp(`^.+, ${words.group(n).toLowerCase()}$`, "i"));
        expect(window.days[0]).toBe(words.day(window.days[0]!.split(",")[0]!, n));
        // The "to" field's example is an end of the working day, not 09:00 again.
        expect(window.times).toEqual([[words.from(n), "09:00"], [words.to(n), "18:00"]]);
        expect(window.remove).toEqual([words.remove(n)]);
      }
      const names = shown.flatMap((window) => [...window.days, ...window.times.map(([name]) => name), ...window.remove]);
      expect(new Set(names).size).toBe(names.length);
    });
  }
});
