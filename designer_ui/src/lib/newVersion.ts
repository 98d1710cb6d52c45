/**
 * A tab opened on the release before an upgrade (ops review). Its pages that load when first opened (the editor,
 * the call register, the callbacks: lazy chunks) are asked for by the names that release gave them, which the
 * server no longer has (a 404): the import fails. Told apart from any other error here, so the shell can say
 * "a new version is available" and reload, not go blank.
 *
 * vite dispatches `vite:preloadError` on the window for each chunk (or its CSS) that would not load, with the error
 * as `payload`, before the import rejects with that same error: the surest sign, whatever the browser's wording.
 * The wording is a fallback for an import vite does not wrap.
 */
import { finishBeforeSignOut } from "./beforeSignOut";

/** How long a reload waits for the edits to be saved; past it, the editor's stash keeps what did not land. */
export const RELOAD_SAVE_BOUND_MS = 3000;

/** What browsers say when a dynamic import's module cannot be fetched (Chromium, Firefox, Safari; vite's CSS). */
const CHUNK_FAILED = /dynamically imported module|Importing a module script failed|Unable to preload CSS/i;

const seen = new WeakSet<object>();

/** Whether `error` is a chunk of the app that would not load, rather than a fault of the page's own. */
export function isChunkLoadError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  if (seen.has(error)) return true;
  return error instanceof Error && CHUNK_FAILED.test(error.message);
}

type Listened = Pick<EventTarget, "addEventListener" | "removeEventListener">;

/** Mark the errors of vite's failed preloads, so they are known for what they are when they reach the shell. */
export function watchForNewVersion(target: Listened = window): () => void {
  const onPreloadError = (event: Event) => {
    const payload = (event as Event & { payload?: unknown }).payload;
    if (typeof payload === "object" && payload !== null) seen.add(payload);
    // Not prevented: the import must still reject, so the page that asked for it shows the notice.
  };
  target.addEventListener("vite:preloadError", onPreloadError);
  return () => target.removeEventListener("vite:preloadError", onPreloadError);
}

/**
 * Reload for the new version, the edits saved first: the work that must reach the server before the page ends
 * (the open editor's edits, and saves on their way out: lib/beforeSignOut.ts) runs, for a short while at most.
 * The editor's own `pagehide` save would go too, but `keepalive` only, and not for a large scenario.
 */
export async function reloadForNewVersion(
  reload: () => void = () => window.location.reload(),
  boundMs = RELOAD_SAVE_BOUND_MS,
): Promise<void> {
  await finishBeforeSignOut(boundMs);
  reload();
}
