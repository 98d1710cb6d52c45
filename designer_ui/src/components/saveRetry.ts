/**
 * When a draft save that failed is tried again on its own (draftSaver.ts does the trying). Only failures that
 * time can mend are: no answer at all (the network down, the API restarting), a 5xx, a 429. The others wait for
 * the analyst, since trying again would get the same answer: a 409 opens the conflict view, a 401 asks for the
 * password (and the save goes once it is given: draftSaver.ts), a 413 or a 422 (too large, refused as it is) needs the draft changed.
 */
import { create } from "zustand";
import { ApiError } from "../api/http";

/** The first wait, doubled at each failure in a row (2 s, 4 s, 8 s...) up to the longest. */
export const FIRST_RETRY_MS = 2_000;
export const LONGEST_RETRY_MS = 30_000;
/**
 * A Retry-After is waited out up to this: past it, a header gone wrong would leave the edits unsaved for as long
 * as it says. Coming back online, or to the tab, still tries at once.
 */
export const LONGEST_RETRY_AFTER_MS = 5 * 60_000;

/** The failure is of a kind that may pass by itself: the server did not answer, was busy, or broke for a while. */
export function mayPassByItself(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false; // not the server's answer: a fault here, that comes back each time
  return error.status === 0 || error.status === 429 || error.status >= 500;
}

/**
 * How long to wait before trying again after `failures` failed saves in a row, or null when trying again would
 * not help. Never sooner than the server asked (Retry-After), nor than the backoff: a server that asks for 1 s
 * and fails again is not asked ten times a minute.
 */
export function retryDelayMs(error: unknown, failures: number, now: number = Date.now()): number | null {
  if (!mayPassByItself(error)) return null;
  const backoff = Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1), LONGEST_RETRY_MS);
  const asked = retryAfterMs((error as ApiError).retryAfter, now);
  return asked === null ? backoff : Math.max(backoff, Math.min(asked, LONGEST_RETRY_AFTER_MS));
}

/** A Retry-After header in milliseconds from `now`: seconds, or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  const value = header?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and month in words; Date.parse alone would take "-5" for the year 5 BC.
  const when = /[a-z]/i.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(when) ? null : Math.max(0, when - now);
}

/** The save status's countdown: whole seconds until the save waiting to be tried again goes; null if none waits. */
export const useRetryCountdown = create<{ secondsLeft: number | null }>(() => ({ secondsLeft: null }));

let ticking: ReturnType<typeof setInterval> | null = null;

/**
 * A save will be tried again at `at` (epoch ms), or none will (null): the countdown is kept here, once a second,
 * so the status only reads it (rendering stays free of the clock).
 */
export function announceRetry(at: number | null): void {
  if (ticking !== null) clearInterval(ticking);
  ticking = null;
  const update = () =>
    useRetryCountdown.setState({ secondsLeft: at === null ? null : Math.max(1, Math.ceil((at - Date.now()) / 1000)) });
  update();
  if (at !== null) ticking = setInterval(update, 1000);
}
