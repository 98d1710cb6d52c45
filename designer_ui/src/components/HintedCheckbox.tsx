/**
 * A checkbox with a line under it saying what ticking it does, which is its accessible description: the call list's
 * "Skip duplicates" and "Call again a client who hangs up before the message ends".
 */
import { useId } from "react";

export function HintedCheckbox(props: {
  name: string;
  testId: string;
  label: string;
  hint: string;
  checked: boolean;
  onChange(checked: boolean): void;
}) {
  const hint = useId();
  return (
    <div className="field" data-testid={props.testId}>
      <label className="inline-label">
        <input type="checkbox" name={props.name} aria-describedby={hint} checked={props.checked} onChange={(e) => props.onChange(e.target.checked)} />
        {props.label}
      </label>
      <p className="hint" id={hint}>
        {props.hint}
      </p>
    </div>
  );
}
