import { createElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { refusalText, readClockTime } from "../lib/clockTime";
import { translator, type Language } from "../lib/i18n";
import type { OpeningHours } from "../api/types";
import { defaultCampaign } from "../lib/callList";
import { CampaignSettingsFields, OpeningHoursEditor } from "./CampaignSettingsForm";
import { renderInLanguage } from "./renderForTest";
import { ClockTimeField, clockTimeEdits, plainClockTime, untouchedClockTime, type ClockTimeDraft } from "./ClockTimeField";

const hours: OpeningHours[] = [
  { days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "21:00" },
  { days: ["sat"], from: "22:30", to: "02:00" },
];
/** Each <input> of some markup, as its attributes. */
const inputs = (html: string) =>
  [...html.matchAll(/<input([^>]*)\/?>/g)].map((m) => Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));

describe("a call list's calling hours", () => {
  for (const [language, from, to] of [["es", "Horario 1, de", "Horario 1, a"], ["ru", "Интервал 1, с", "Интервал 1, до"]] as const) {
    it(`are the designer's 24-hour clock-time fields in ${language}, not the browser's own time input`, () => {
      const html = renderInLanguage(language, OpeningHoursEditor, { hours, onChange: () => undefined });
      expect(html).not.toContain('type="time"');
      const times = inputs(html).filter((input) => input.type !== "checkbox");
      const second = (name: string) => name.replace("1", "2");
      expect(times.map((input) => [input["aria-label"], input.value, input.placeholder])).toEqual([
        [from, "09:00", "09:00"],
        [to, "21:00", "18:00"],
        [second(from), "22:30", "09:00"],
        [second(to), "02:00", "18:00"],
      ]);
      for (const input of times) {
        expect(input).toMatchObject({ type: "text", class: "form-control clock-time", autoComplete: "off", required: "" });
        // Not pointing at a schema form's help and error paragraphs, which are not there.
        expect(input["aria-describedby"]).toBeUndefined();
      }
      expect(new Set(times.map((input) => input.id)).size).toBe(4);
    });
  }

  it("are drawn so in the campaign's settings", () => {
    const settings = defaultCampaign(new Date("2026-12-01T10:00:00Z"), "Europe/Madrid");
    const html = renderInLanguage("ru", CampaignSettingsFields, { settings, onChange: () => undefined });
    expect(html).not.toContain('type="time"');
    expect(inputs(html).filter((input) => input.class === "form-control clock-time").map((input) => input.value)).toEqual(["09:00", "21:00"]);
  });
});

/** One calling-hours time as the row holds it: what it hands the row, the field drawn again after each event. */
class HoursTime {
  readonly stored: string[] = [];
  value: string;
  draft: ClockTimeDraft;

  constructor(value: string, readonly language: Language) {
    this.value = value;
    this.draft = untouchedClockTime(value);
  }

  private drawn(): ReactElement {
    const field = plainClockTime({ id: "hours-0-from", label: "from", value: this.value, required: true, onChange: (value) => this.stored.push((this.value = value)) });
    const edits = clockTimeEdits(field, this.draft, (draft) => (this.draft = draft));
    return createElement(ClockTimeField, { ...field, draft: this.draft, edits, t: translator(this.language) });
  }

  private input(): ReactElement<{ onChange(e: unknown): void; onBlur(): void }> {
    const tree = ClockTimeField(this.drawn().props as Parameters<typeof ClockTimeField>[0]) as ReactElement<{ children: ReactElement[] }>;
    return tree.props.children[0] as ReturnType<HoursTime["input"]>;
  }

  type(text: string): this {
    this.input().props.onChange({ target: { value: text } });
    return this;
  }

  leave(): this {
    this.input().props.onBlur();
    return this;
  }

  html(): string {
    return renderToStaticMarkup(this.drawn());
  }
}

describe("a calling-hours time, typed", () => {
  it("is read on the 24-hour clock as people write it, whatever the browser's locale", () => {
    const time = new HoursTime("09:00", "es");
    time.type("18.30").leave();
    time.type("7 pm").leave();
    time.type("2000").leave();
    expect(time.stored).toEqual(["18:30", "19:00", "20:00"]);
  });

  it("is refused in the schema form's words, keeping the last time, and said by the field", () => {
    const time = new HoursTime("09:00", "ru");
    time.type("25:00").leave();
    expect(time.stored).toEqual([]);
    const said = refusalText("25:00", readClockTime("25:00") as Extract<ReturnType<typeof readClockTime>, { kind: "refused" }>, translator("ru"));
    const html = time.html();
    expect(html).toContain(`${said} ${translator("ru")("clockTime.kept", { value: "09:00" })}`);
    expect(html).toMatch(/<input[^>]*aria-invalid="true"[^>]*aria-describedby="hours-0-from__clock"/);
    expect(html).toContain('<p id="hours-0-from__clock" class="text-danger clock-time-refused" role="alert"');
  });

  it("is emptied as an empty time, which the row's required field stops", () => {
    const time = new HoursTime("09:00", "en");
    time.type("").leave();
    expect(time.stored).toEqual([""]);
  });
});
