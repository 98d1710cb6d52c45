/**
 * A button that refuses a second press while its work runs, and keeps the keyboard's focus. A `disabled` button
 * loses the focus the moment it is disabled: the browser sends it to <body> (inside a modal too), and a keyboard
 * user pressing Enter on Test connection, Publish or Run all tests had to Tab from the top of the page to go on
 * (WCAG 2.4.3, 2.4.7; an accessibility review). Busy, this one stays focusable and says it cannot be pressed
 * (`aria-disabled`) and why (`aria-busy`, and `busyLabel` when it is given); a click or Enter does nothing, a submit
 * button's form is not sent. `disabled` still disables it for any other reason (nothing to run), as a button is.
 */
import type { ButtonHTMLAttributes, MouseEvent, ReactNode, Ref } from "react";
import "./busyButton.css";

export type BusyButtonProps = Omit<ButtonHTMLAttributes<HTMLButtonElement>, "aria-disabled" | "aria-busy"> & {
  /** Its work is running: a press is ignored, the focus stays. */
  busy: boolean;
  /** What it says while busy (its children otherwise): "Testing…", "Publishing…". */
  busyLabel?: ReactNode;
  ref?: Ref<HTMLButtonElement>;
};

export function BusyButton({ busy, busyLabel, disabled, onClick, children, type = "button", ...button }: BusyButtonProps) {
  function press(event: MouseEvent<HTMLButtonElement>) {
    if (busy) {
      event.preventDefault(); // a submit button's form is not sent a second time
      return;
    }
    onClick?.(event);
  }
  return (
    <button
      type={type}
      {...button}
      // Not disabled while busy, whatever else disables it: that would take the focus away.
      disabled={busy ? undefined : disabled}
      aria-disabled={busy ? true : undefined}
      aria-busy={busy ? true : undefined}
      data-busy={busy ? "true" : undefined}
      onClick={press}
    >
      {busy && busyLabel !== undefined ? busyLabel : children}
    </button>
  );
}
