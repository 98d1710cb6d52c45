/**
 * Giving the focus back when a panel or message closes: to the control it was opened from when that is still in
 * the page, else to a fallback that always is. Without it the focus falls to <body>, and a keyboard user starts
 * again from the top of the page (WCAG 2.4.3).
 */

/** What focusBack needs of an element: the DOM's own, so a test can hand it a stand-in. */
export interface Focusable {
  readonly isConnected: boolean;
  focus(): void;
}

/** Focus the first of `candidates` still in the document; which one it was, or null when none is. */
export function focusBack<T extends Focusable>(...candidates: (T | null | undefined)[]): T | null {
  for (const candidate of candidates) {
    if (candidate?.isConnected) {
      candidate.focus();
      return candidate;
    }
  }
  return null;
}
