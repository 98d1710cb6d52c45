/** When a call list is called: first call, end, calling hours, time zone, holidays, attempts. Props only. */
import { useId, useMemo, useState } from "react";
import type { OpeningHours, Weekday } from "../api/types";
import { useI18n } from "../i18n";
import { clampAttempts, MAX_ATTEMPTS, MIN_ATTEMPTS, WEEKDAYS, type CampaignSettings } from "../lib/callList";
import { formatDateTime } from "../lib/format";
import { ClockTimeText } from "./ClockTimeField";
import { HintedCheckbox } from "./HintedCheckbox";

/** Short weekday names in the interface language (2024-01-01 was a Monday). */
function useWeekdayNames(): Record<Weekday, string> {
  const { language } = useI18n();
  return useMemo(
    () => Object.fromEntries(WEEKDAYS.map((day, i) => [day, formatDateTime(Date.UTC(2024, 0, 1 + i), language, "weekday", "UTC")])) as Record<Weekday, string>,
    [language],
  );
}

/**
 * One calling window: its weekdays, from and to, and its ✕. A group named by its number ("Calling window 2"), and
 * each control named after it too ("Mon, calling window 2", "Remove calling window 2"): with two windows, a screen
 * reader heard two identical sets of boxes, «de»/«a» fields and «Quitar» buttons (a11y review). The visible words
 * stay the short ones, which begin or end each name.
 */
function HoursRow(props: { number: number; row: OpeningHours; onChange(row: OpeningHours): void; onRemove(): void }) {
  const { t } = useI18n();
  const names = useWeekdayNames();
  const id = useId();
  const { row } = props;
  const n = props.number;
  const toggle = (day: Weekday) =>
    props.onChange({ ...row, days: row.days.includes(day) ? row.days.filter((d) => d !== day) : [...row.days, day] });
  const remove = t("callList.removeHours", { n });
  return (
    <li data-testid="hours-row">
      <div className="hours-row" role="group" aria-label={t("callList.window", { n })}>
        <span className="days">
          {WEEKDAYS.map((day) => (
            <label key={day} className="day-toggle">
              <input type="checkbox" aria-label={t("callList.windowDay", { day: names[day], n })} checked={row.days.includes(day)} onChange={() => toggle(day)} />
              {names[day]}
            </label>
          ))}
        </span>
        {/* The designer's clock-time field, as the Schedule and Callback blocks' hours: 24-hour entry read alike in
            every browser locale (not <input type="time">, 06:00 PM in an English browser), refused in the same words.
            Their examples are a working day's start and end. */}
        <label className="inline-label">
          {t("callList.from")}
          <ClockTimeText id={`${id}-from`} label={t("callList.windowFrom", { n })} placeholder="09:00" required value={row.from} onChange={(from) => props.onChange({ ...row, from })} />
        </label>
        <label className="inline-label">
          {t("callList.to")}
          <ClockTimeText id={`${id}-to`} label={t("callList.windowTo", { n })} placeholder="18:00" required value={row.to} onChange={(to) => props.onChange({ ...row, to })} />
        </label>
        <button type="button" className="link" title={remove} aria-label={remove} onClick={props.onRemove}>
          ✕
        </button>
      </div>
    </li>
  );
}

export function OpeningHoursEditor(props: { hours: OpeningHours[]; onChange(hours: OpeningHours[]): void }) {
  const { t } = useI18n();
  const { hours, onChange } = props;
  return (
    <>
      <ul className="hours">
        {hours.map((row, i) => (
          <HoursRow
            key={i}
            number={i + 1}
            row={row}
            onChange={(next) => onChange(hours.map((r, j) => (j === i ? next : r)))}
            onRemove={() => onChange(hours.filter((_, j) => j !== i))}
          />
        ))}
      </ul>
      <button type="button" onClick={() => onChange([...hours, { days: ["sat"], from: "10:00", to: "14:00" }])}>
        + {t("callList.addHours")}
      </button>
    </>
  );
}

export function HolidaysEditor(props: { holidays: string[]; onChange(holidays: string[]): void }) {
  const { t, language } = useI18n();
  const [day, setDay] = useState("");
  const { holidays, onChange } = props;
  const add = () => {
    if (day && !holidays.includes(day)) onChange([...holidays, day].sort());
    setDay("");
  };
  // A holiday is a date without a time: shown as the calendar day it names, whatever the browser's zone.
  const shown = (iso: string) => formatDateTime(`${iso}T00:00:00Z`, language, "date", "UTC");
  return (
    <div className="holidays">
      <div className="row">
        <input type="date" aria-label={t("callList.holidays")} value={day} onChange={(e) => setDay(e.target.value)} />
        <button type="button" disabled={!day} onClick={add}>{t("callList.addHoliday")}</button>
      </div>
      {holidays.length > 0 && (
        <ul className="chips">
          {holidays.map((holiday) => (
            <li key={holiday}>
              {shown(holiday)}
              <button type="button" className="link" aria-label={t("callList.removeHoliday", { date: holiday })} onClick={() => onChange(holidays.filter((h) => h !== holiday))}>
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function timeZones(current: string): string[] {
  // Not every engine lists zones; the analyst can still type one, and the server names an unknown one.
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set([current, "UTC", ...known])];
}

export function CampaignSettingsFields(props: { settings: CampaignSettings; onChange(settings: CampaignSettings): void }) {
  const { t } = useI18n();
  const zonesId = useId();
  const { settings, onChange } = props;
  const set = <K extends keyof CampaignSettings>(key: K, value: CampaignSettings[K]) => onChange({ ...settings, [key]: value });
  const zones = useMemo(() => timeZones(settings.timezone), [settings.timezone]);
  return (
    <fieldset className="campaign" data-testid="campaign-settings">
      <legend>{t("callList.campaign")}</legend>
      <div className="campaign-grid">
        <label>
          {t("callList.firstCall")}
          <input name="first-call" type="datetime-local" value={settings.firstCall} onChange={(e) => set("firstCall", e.target.value)} />
        </label>
        <label>
          {t("callList.end")}
          <input name="end" type="datetime-local" value={settings.end} min={settings.firstCall || undefined} onChange={(e) => set("end", e.target.value)} />
        </label>
        <label>
          {t("callList.timezone")}
          <input name="timezone" list={zonesId} value={settings.timezone} onChange={(e) => set("timezone", e.target.value.trim())} />
          <datalist id={zonesId}>
            {zones.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
        </label>
        <label>
          {t("callList.attempts")}
          <input
            name="attempts"
            type="number"
            min={MIN_ATTEMPTS}
            max={MAX_ATTEMPTS}
            step={1}
            value={Number.isNaN(settings.maxAttempts) ? "" : settings.maxAttempts}
            onChange={(e) => set("maxAttempts", e.target.valueAsNumber)}
            // What is shown is what is sent: a number out of range (or none) settles on the nearest allowed.
            onBlur={() => set("maxAttempts", clampAttempts(settings.maxAttempts))}
          />
        </label>
      </div>
      <HintedCheckbox
        name="retry-hung-up-early"
        testId="retry-hung-up-early"
        label={t("callList.retryHungUpEarly")}
        hint={t("callList.retryHungUpEarlyHint")}
        checked={settings.retryHungUpEarly}
        onChange={(checked) => set("retryHungUpEarly", checked)}
      />
      <label className="inline-label">
        <input type="checkbox" name="hours-on" checked={settings.hoursOn} onChange={(e) => set("hoursOn", e.target.checked)} />
        {t("callList.hoursOn")}
      </label>
      {settings.hoursOn ? (
        <OpeningHoursEditor hours={settings.hours} onChange={(hours) => set("hours", hours)} />
      ) : (
        <p className="hint">{t("callList.anyHour")}</p>
      )}
      <div className="field">
        <span className="field-label">{t("callList.holidays")}</span>
        <HolidaysEditor holidays={settings.holidays} onChange={(holidays) => set("holidays", holidays)} />
      </div>
    </fieldset>
  );
}
