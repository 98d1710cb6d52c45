/**
 * A question asked before an action that matters (publish past failing tests, roll back, delete), in the designer
 * rather than by the browser's `window.confirm`: in the interface language, its confirm button naming the action
 * ("Delete “support”", not "OK"), a list read as a list, a destructive action styled as one, and the page not
 * blocked meanwhile. A modal as `Dialog` is (`openModal`: Escape cancels, the focus goes back to the opener), but
 * an alertdialog whose name is its title and whose description is its body.
 *
 * `useConfirm()` gives a `confirm(request)` resolving to the answer, and the dialog to render while it is asked.
 */
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from "react";
import { useI18n } from "../i18n";
import { openModal } from "./Dialog";
import "./confirmDialog.css";

/** What a confirmation asks. */
export interface ConfirmRequest {
  /** The question, the dialog's name: "Delete scenario Support?". */
  title: string;
  /** What will happen, in a sentence or two. */
  body: string;
  /** Listed under the body, one an item (the failing tests). */
  items?: readonly string[];
  /** Said after the list. */
  note?: string;
  /** The confirm button: names the action ("Roll back to v3"), never "OK". */
  confirmLabel: string;
  /** Deleting, or overriding a safeguard: the button is styled as dangerous and the focus starts on Cancel. */
  destructive?: boolean;
  /** A checkbox asked with it (a rollback's "also reset the draft"): each change told to `onChange`. */
  option?: ConfirmOption;
}

/** A choice made along with the confirmation; the asker keeps the answer (`onChange`), `checked` is where it starts. */
export interface ConfirmOption {
  label: string;
  checked: boolean;
  /**
   * What ticking it does, said in the dialog's description (read when it opens) and as the checkbox's: a screen
   * reader hears what the option decides before Enter confirms it.
   */
  description?: string;
  onChange(checked: boolean): void;
}

/** The option's checkbox, checked as asked until changed. Props only. */
function OptionBox({ option, describedBy }: { option: ConfirmOption; describedBy?: string }) {
  const [checked, setChecked] = useState(option.checked);
  return (
    <label className="confirm-option" data-testid="confirm-option">
      <input
        type="checkbox"
        aria-describedby={describedBy}
        checked={checked}
        onChange={(e) => {
          setChecked(e.target.checked);
          option.onChange(e.target.checked);
        }}
      />{" "}
      {option.label}
    </label>
  );
}

/** Ask `request`; true once confirmed, false once cancelled (Cancel, Escape). */
export type Confirm = (request: ConfirmRequest) => Promise<boolean>;

/** Marks the button that has the focus when the dialog opens. */
const INITIAL_FOCUS = "data-initial-focus";

/**
 * The focus starts on the safe choice for a destructive action, so Enter pressed out of habit cancels; on the
 * action otherwise. `onAnswer(false)`: Cancel or Escape; `onAnswer(true)`: the confirm button.
 */
export function ConfirmDialog({ request, onAnswer }: { request: ConfirmRequest; onAnswer(yes: boolean): void }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const active = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const close = openModal(dialog, active);
    // Only now: a button inside a <dialog> not yet shown cannot take the focus (autoFocus would be lost).
    dialog.querySelector<HTMLElement>(`[${INITIAL_FOCUS}]`)?.focus();
    return close;
  }, []);
  const destructive = request.destructive ?? false;
  const items = request.items ?? [];
  return (
    <dialog
      ref={ref}
      className="modal confirm-dialog"
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      data-testid="confirm-dialog"
      onCancel={(e) => {
        e.preventDefault();
        // Opened over another modal (the Publish dialog): Escape answers this one, it does not close that one too.
        e.stopPropagation();
        onAnswer(false);
      }}
    >
      <h2 id={`${id}-title`}>{request.title}</h2>
      <div id={`${id}-body`} className="confirm-body">
        <p>{request.body}</p>
        {items.length > 0 && (
          <ul className="confirm-items">
            {items.map((item, i) => (
              <li key={i}>{item}</li>
            ))}
          </ul>
        )}
        {request.note && <p>{request.note}</p>}
        {request.option?.description && <p id={`${id}-option`}>{request.option.description}</p>}
      </div>
      {request.option && <OptionBox option={request.option} describedBy={request.option.description ? `${id}-option` : undefined} />}
      <div className="row confirm-actions">
        <button type="button" onClick={() => onAnswer(false)} {...(destructive ? { [INITIAL_FOCUS]: "" } : {})}>
          {t("confirm.cancel")}
        </button>
        <button
          type="button"
          className={destructive ? "danger confirm" : "primary confirm"}
          onClick={() => onAnswer(true)}
          {...(destructive ? {} : { [INITIAL_FOCUS]: "" })}
        >
          {request.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** A question being asked (`id`: its own, each one a new dialog), and how to answer whoever awaits it. */
interface Pending {
  id: number;
  request: ConfirmRequest;
  resolve(yes: boolean): void;
}

let asked = 0;

/**
 * `[confirm, dialog]`: `confirm(request)` opens the dialog and resolves to the answer; render `dialog` where the
 * component renders (null while nothing is asked). A question asked while another is open answers that one no.
 */
export function useConfirm(): [Confirm, ReactNode] {
  const [pending, setPending] = useState<Pending | null>(null);
  const confirm = useCallback<Confirm>(
    (request) =>
      new Promise<boolean>((resolve) => {
        asked += 1;
        const next = { id: asked, request, resolve };
        setPending((previous) => {
          // Resolving twice (React may run this twice) does nothing more: a promise keeps its first answer.
          previous?.resolve(false);
          return next;
        });
      }),
    [],
  );
  const dialog = pending && (
    <ConfirmDialog
      key={pending.id}
      request={pending.request}
      onAnswer={(yes) => {
        pending.resolve(yes);
        // Only this question: another may have been asked since (rolling back, then rolling back anyway).
        setPending((current) => (current === pending ? null : current));
      }}
    />
  );
  return [confirm, dialog];
}
