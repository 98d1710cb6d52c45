/**
 * A range of days picked by preset (today, the last 7 days...) or, with "custom", by its first and last day: the
 * flow statistics' bar and the call report pick their ranges alike. Each caller names its presets and words them.
 */
export interface DayRange<P extends string> {
  preset: P | "custom";
  from: string; // yyyy-mm-dd, the first day
  to: string; // yyyy-mm-dd, the last day, included
}

export interface DayRangePickerProps<P extends string> {
  presets: readonly (P | "custom")[];
  range: DayRange<P>;
  /** The presets' group, as a screen reader names it. */
  label: string;
  presetLabel(preset: P | "custom"): string;
  fromLabel: string;
  toLabel: string;
  className: string;
  onPreset(preset: P | "custom"): void;
  onDays(from: string, to: string): void;
}

export function DayRangePicker<P extends string>(props: DayRangePickerProps<P>) {
  const { range } = props;
  return (
    <>
      <div className={props.className} role="group" aria-label={props.label}>
        {props.presets.map((preset) => (
          <button
            type="button"
            key={preset}
            aria-pressed={range.preset === preset}
            className={range.preset === preset ? "pressed" : undefined}
            onClick={() => props.onPreset(preset)}
          >
            {props.presetLabel(preset)}
          </button>
        ))}
      </div>
      {range.preset === "custom" && (
        <>
          <label>
            {props.fromLabel}
            <input type="date" value={range.from} max={range.to || undefined} onChange={(e) => props.onDays(e.target.value, range.to)} />
          </label>
          <label>
            {props.toLabel}
            <input type="date" value={range.to} min={range.from || undefined} onChange={(e) => props.onDays(range.from, e.target.value)} />
          </label>
        </>
      )}
    </>
  );
}
