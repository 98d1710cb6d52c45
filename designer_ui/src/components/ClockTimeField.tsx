/**
 * The designer's clock-time field: a time of day typed as people write it (lib/clockTime.ts), stored as HH:MM, what
 * it cannot read said in words under it. In schema forms (`x-ui` widget `clock_time`, widgets.tsx) and outside them
 * (a call list's calling hours, CampaignSettingsForm.tsx). Its own module: no API client nor editor store with it.
 */
import { ariaDescribedByIds, type WidgetProps } from "@rjsf/utils";
import { useState } from "react";
import { useI18n } from "../i18n";
import { CLOCK_TIME, readClockTime, refusalText, type ClockTimeReading } from "../lib/clockTime";
import type { Translate } from "../lib/i18n";

/** What a clock-time field shows while it is edited. */
export interface ClockTimeDraft {
  /** As typed. */
  text: string;
  /** The stored value it was typed over: once the document holds another (undo, a time stored), that shows. */
  basis: string;
  /** Why the text was not stored when the field was left; null while it is not refused. */
  refused: Extract<ClockTimeReading, { kind: "refused" }> | null;
}

export const untouchedClockTime = (stored: string): ClockTimeDraft => ({ text: stored, basis: stored, refused: null });

type ClockTimeProps = Pick<WidgetProps, "id" | "value" | "options" | "onChange" | "onBlur">;

/**
 * Typing in a clock-time field and leaving it. A whole HH:MM is stored as it is typed; anything else waits until
 * the field is left (read on every key, `1` would be 01:00 before the `8` of 18), and is then stored as HH:MM
 * (`9` -> 09:00, `18.00` -> 18:00), or refused with the reason and not stored: the block keeps its last time, so
 * the document never holds a time the server would refuse. Props only, for tests without a browser.
 */
export function clockTimeEdits(props: ClockTimeProps, draft: ClockTimeDraft, setDraft: (draft: ClockTimeDraft) => void) {
  const stored = typeof props.value === "string" ? props.value : "";
  return {
    type(text: string) {
      if (CLOCK_TIME.test(text)) {
        setDraft(untouchedClockTime(text));
        if (text !== stored) props.onChange(text);
      } else {
        setDraft({ text, basis: stored, refused: null });
      }
    },
    leave() {
      const reading = readClockTime(draft.text);
      if (reading.kind === "refused") {
        setDraft({ ...draft, refused: reading });
        props.onBlur(props.id, stored);
        return;
      }
      const value = reading.kind === "time" ? reading.value : "";
      setDraft(untouchedClockTime(value));
      if (value !== stored) props.onChange(value === "" ? props.options.emptyValue : value);
      props.onBlur(props.id, value);
    },
  };
}

/**
 * A time of day (`x-ui` widget `clock_time`): a text field showing 09:00 as its example, read as people write
 * times (9:00, 18.00, 1800, 6 pm: lib/clockTime.ts) when it is left, and stored as HH:MM; what it cannot read is
 * said in words under it. Not `<input type="time">`: with an English browser that shows 06:00 PM and takes
 * the hours and minutes a spin box at a time.
 */
export function ClockTimeInput(props: WidgetProps) {
  const { t } = useI18n();
  const stored = typeof props.value === "string" ? props.value : "";
  const [draft, setDraft] = useState(() => untouchedClockTime(stored));
  if (draft.basis !== stored) setDraft(untouchedClockTime(stored)); // the document changed under the field
  const shown = draft.basis === stored ? draft : untouchedClockTime(stored);
  return <ClockTimeField {...props} draft={shown} edits={clockTimeEdits(props, shown, setDraft)} t={t} />;
}

/**
 * A clock-time field outside a schema form (a call list's calling hours, CampaignSettingsForm.tsx): the props
 * `clockTimeEdits` and `ClockTimeField` take, storing HH:MM, or "" once emptied; its example, 09:00 unless given
 * (an end of day's field gives another). Pure, for tests without React.
 */
export function plainClockTime(props: { id: string; label: string; value: string; placeholder?: string; required?: boolean; onChange(value: string): void }) {
  return {
    id: props.id,
    label: props.label,
    value: props.value,
    placeholder: props.placeholder,
    required: props.required,
    outsideForm: true,
    options: { emptyValue: "" },
    onChange: (value: string | undefined) => props.onChange(value ?? ""),
    onBlur: () => undefined,
    onFocus: () => undefined,
  } as const;
}

/** `plainClockTime`'s field: the schema form's 24-hour entry, read and refused in the same words. */
export function ClockTimeText(props: Parameters<typeof plainClockTime>[0]) {
  const { t } = useI18n();
  const [draft, setDraft] = useState(() => untouchedClockTime(props.value));
  if (draft.basis !== props.value) setDraft(untouchedClockTime(props.value)); // set from outside (a row removed)
  const shown = draft.basis === props.value ? draft : untouchedClockTime(props.value);
  const field = plainClockTime(props);
  return <ClockTimeField {...field} draft={shown} edits={clockTimeEdits(field, shown, setDraft)} t={t} />;
}

/** What `ClockTimeField` reads of rjsf's widget props; `outsideForm`: no rjsf help and error ids to point at. */
type ClockTimeFieldProps = Pick<WidgetProps, "id" | "label" | "placeholder" | "required" | "disabled" | "readonly" | "rawErrors" | "onFocus"> & {
  outsideForm?: boolean;
};

/** The field and why what was typed is refused, from props alone (no hooks: tests call it without React). */
export function ClockTimeField(props: ClockTimeFieldProps & { draft: ClockTimeDraft; edits: ReturnType<typeof clockTimeEdits>; t: Translate }) {
  const { draft, edits, t } = props;
  const stored = draft.basis;
  const said = draft.refused && refusalText(draft.text, draft.refused, t);
  // A refused time leaves the block with the last one it had: said, as it is not what the field shows.
  const kept = said && CLOCK_TIME.test(stored) ? ` ${t("clockTime.kept", { value: stored })}` : "";
  // In a schema form, marked invalid while rjsf has errors for it and described by rjsf's help and errors (as the
  // other widgets, widgets.tsx fieldAria); outside one there are none.
  const aria = props.outsideForm
    ? { "aria-invalid": undefined, "aria-describedby": undefined }
    : { "aria-invalid": props.rawErrors?.length ? true : undefined, "aria-describedby": ariaDescribedByIds(props.id) };
  const saidId = `${props.id}__clock`;
  return (
    <>
      <input
        id={props.id}
        type="text"
        className="form-control clock-time"
        autoComplete="off"
        spellCheck={false}
        value={draft.text}
        placeholder={props.placeholder || "09:00"}
        required={props.required}
        disabled={props.disabled || props.readonly}
        aria-label={props.label}
        {...aria}
        aria-invalid={said || aria["aria-invalid"] ? true : undefined}
        aria-describedby={[aria["aria-describedby"], said ? saidId : undefined].filter(Boolean).join(" ") || undefined}
        onChange={(e) => edits.type(e.target.value)}
        onBlur={() => edits.leave()}
        onFocus={() => props.onFocus(props.id, stored)}
        onKeyDown={(e) => {
          if (e.key === "Enter") edits.leave();
        }}
      />
      {said && (
        <p id={saidId} className="text-danger clock-time-refused" role="alert" data-testid="clock-time-refused">
          {said + kept}
        </p>
      )}
    </>
  );
}
