/**
 * A modal on the native <dialog>: focus is trapped and Escape closes it, by the browser. Closed, it gives the focus
 * back to what had it when it opened (the button that opened it).
 */
import { useEffect, useRef, type ReactNode } from "react";

/** The parts of a <dialog> a modal uses. */
export interface ModalElement {
  open: boolean;
  showModal(): void;
  close(): void;
}

/** What had the focus before a modal opened: given it back if it is still on the page. */
export interface Focusable {
  isConnected: boolean;
  focus(): void;
}

/**
 * Open `dialog` as a modal, remembering what had the focus (`active`); the function returned closes it and gives
 * that focus back. React removes a closed modal's <dialog> without closing it, and a <dialog> removed while open
 * gives the focus to nothing: it fell to <body>, and a keyboard user had to Tab from the top of the page.
 */
export function openModal(dialog: ModalElement, active: Focusable | null): () => void {
  if (!dialog.open) dialog.showModal();
  return () => {
    if (dialog.open) dialog.close();
    // Gone meanwhile (a menu item whose menu closed): the focus stays where the browser leaves it.
    if (active?.isConnected) active.focus();
  };
}

export function Dialog({ title, onClose, children, wide }: { title: string; onClose(): void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    // Still the opener: a field's autoFocus inside a <dialog> not yet shown takes nothing (it is not rendered).
    const active = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    return openModal(dialog, active);
  }, []);
  return (
    <dialog
      ref={ref}
      className={wide ? "modal wide" : "modal"}
      aria-label={title}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2>{title}</h2>
      {children}
    </dialog>
  );
}
