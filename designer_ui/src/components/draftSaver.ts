/**
 * Saving the draft, and keeping it when the editor is left: the part of autosave that needs no React (so it is
 * tested in Node). A save sends the revision the analyst edited, and the scenario it belongs to; a 409 means
 * someone else saved first (or the scenario was deleted and created again) and opens the conflict view instead of
 * overwriting. Until a save lands, the browser keeps a copy (lib/stash.ts).
 *
 * Leaving is taken from the editor going away, not from the address changing: whatever the route (the back link,
 * the browser's Back, signing out, opening another scenario), the editor unmounts, and its listeners with it, in
 * the very event that leaves, before they would hear it. Its autosave timer goes too, so a fresh edit is saved
 * there and then. Signing out is the one way out that cannot wait for that: the session is gone by then, so the
 * edits are saved before it ends (saveBeforeSignOut).
 *
 * A save that fails for a while (no answer, a 5xx, a 429) is tried again on its own while the editor is open,
 * waiting longer each time (saveRetry.ts), and at once when the browser is back online or the tab is looked at
 * again: the analyst need not edit again or press Save for the edits to reach the server. Each try sends the
 * canvas as it is then, never the one that failed, so a late success cannot put older edits over newer ones. A
 * save refused because the session had ended (401) goes as soon as someone signs in again over the page.
 *
 * Closing the tab, reloading it or typing another address unmounts nothing: the editor's cleanup never runs, and
 * an edit made less than the autosave's delay before was left in this browser's stash only. So the page going
 * away (`pagehide`) or out of sight (a hidden tab may be closed without another event, and its timers are slowed
 * down) saves at once, and every save small enough is sent `keepalive`: the browser finishes it after the page
 * is gone. Closing still asks first while a save waits or failed.
 */
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { Conflict } from "../api/types";
import { normalizeProblems } from "../lib/problems";
import { beforeSignOut } from "../lib/beforeSignOut";
import { SESSION_RENEWED } from "../lib/sessionEvents";
import { clearStash, writeStash, type StashStorage } from "../lib/stash";
import { useEditor } from "../store/editor";
import { announceRetry, retryDelayMs } from "./saveRetry";

/**
 * The largest document sent `keepalive`: browsers refuse a keepalive body over 64 KiB (all such requests in flight
 * together), and the save wraps the document in a few more bytes. A bigger one is sent as any request: if the page
 * goes before it lands, its edits are in the stash.
 */
export const KEEPALIVE_DOCUMENT_BYTES = 63 * 1024;

function fitsKeepalive(document: unknown): boolean {
  return new TextEncoder().encode(JSON.stringify(document)).length <= KEEPALIVE_DOCUMENT_BYTES;
}

export function hasUnsavedEdits(): boolean {
  const state = useEditor.getState().saveState;
  return state === "dirty" || state === "saving" || state === "error" || state === "conflict";
}

export interface DraftSaver {
  readonly slug: string;
  /** Save what is on the canvas; true once the server has it (or had it already). */
  save(): Promise<boolean>;
  /** Keep the browser's copy of edits the server may not have yet. */
  stash(): void;
  /** A save waiting to be tried again goes now: the connection, or the analyst, is back. */
  retryNow(): void;
  /** No save is tried again later: the editor is going away (what it could not save stays in the stash). */
  cancelRetry(): void;
  /** Someone signed in again: a save the ended session refused (401) goes now. */
  signedInAgain(): void;
}

export function draftSaver(slug: string, storage: StashStorage = localStorage): DraftSaver {
  let inFlight: Promise<boolean> | null = null;
  /** Saves failed in a row that may pass by themselves: how long the next wait is. */
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** The last save was refused because the session had ended: signing in again is what it waits for. */
  let waitingForSignIn = false;

  function cancelRetry(): void {
    if (retryTimer === null) return;
    clearTimeout(retryTimer);
    retryTimer = null;
    announceRetry(null);
  }

  /** After a failure: try again later if time may mend it, and only while an editor shows this draft. */
  function retryLater(error: unknown): void {
    const delay = openEditor === saver ? retryDelayMs(error, ++failures) : null;
    if (delay === null) {
      failures = 0;
      return;
    }
    cancelRetry();
    retryTimer = setTimeout(() => {
      retryTimer = null;
      announceRetry(null);
      void save();
    }, delay);
    announceRetry(Date.now() + delay);
  }

  function retryNow(): void {
    if (retryTimer === null) return;
    cancelRetry();
    void save();
  }

  function signedInAgain(): void {
    if (!waitingForSignIn) return;
    waitingForSignIn = false;
    void save();
  }

  function stash(): void {
    const state = useEditor.getState();
    if (state.slug === slug && hasUnsavedEdits()) writeStash(storage, slug, state.document(), state.pin());
  }

  async function save(): Promise<boolean> {
    if (inFlight) await inFlight;
    cancelRetry(); // whatever asked for this save, it is the try: no other one is left waiting behind it
    const state = useEditor.getState();
    if (state.saveState === "conflict" || state.slug !== slug) return false;
    if (state.saveState === "saved") return true;
    const seq = state.changeSeq;
    const document = state.document();
    const pin = state.pin();
    writeStash(storage, slug, document, pin);
    state.setSaveState("saving");
    const attempt = (async () => {
      try {
        const keepalive = fitsKeepalive(document); // the save outlives the page if it goes meanwhile
        const result = await api.saveDraft(slug, pin.revision, document, pin.scenarioCreatedAt, { keepalive });
        const after = useEditor.getState();
        if (after.slug === slug) {
          after.saved(result.revision, seq);
          // Of the canvas as it was sent: a live check of a later edit, answered first, is not overwritten by it.
          after.setProblems(normalizeProblems(result.problems), seq);
          if (after.changeSeq === seq) clearStash(storage, slug);
        } else {
          clearStash(storage, slug); // saved on the way out: the copy is on the server now
        }
        failures = 0;
        waitingForSignIn = false;
        return true;
      } catch (e) {
        if (useEditor.getState().slug !== slug) return false; // left meanwhile: the stash keeps the edits
        waitingForSignIn = e instanceof ApiError && e.status === 401;
        if (e instanceof ApiError && e.status === 409) {
          failures = 0;
          useEditor.getState().setConflict(e.body as Conflict);
        } else {
          useEditor.getState().setSaveState("error", e instanceof Error ? e.message : String(e));
          retryLater(e);
        }
        return false;
      } finally {
        inFlight = null;
      }
    })();
    inFlight = attempt;
    return attempt;
  }

  const saver: DraftSaver = { slug, save, stash, retryNow, cancelRetry, signedInAgain };
  return saver;
}

/** Saves started as an editor closed, by scenario: opening that scenario again waits for its save to land. */
const leavingSaves = new Map<string, Promise<boolean>>();

/** The editor open now, if any (its guard registers it): signing out saves its edits before the session ends. */
let openEditor: DraftSaver | null = null;

/** The editor, or the page, is going away: keep the copy first (the tab may close before the save lands), then save. */
export function leaveEditor(saver: DraftSaver): void {
  if (useEditor.getState().slug !== saver.slug || !hasUnsavedEdits()) return;
  saver.stash();
  const saving = saver.save(); // started now, not on a timer: the page may be gone by the next task
  leavingSaves.set(saver.slug, saving);
  void saving.finally(() => {
    if (leavingSaves.get(saver.slug) === saving) leavingSaves.delete(saver.slug);
  });
}

/**
 * Resolves once a save made on leaving `slug` has landed or failed: a draft loaded sooner would be the one
 * before the edit, and the save's answer would then land on a canvas that no longer holds what it sent.
 */
export async function savedOnLeaving(slug: string): Promise<void> {
  await leavingSaves.get(slug);
}

/**
 * Before the session ends (signing out): the open editor's edits are saved now, and saves already on their way
 * out are waited for (lib/beforeSignOut.ts bounds the wait). Left to the editor going away, the save would reach
 * the server after the session ended, get a 401, and leave the edit only in this browser's stash.
 */
export async function saveBeforeSignOut(): Promise<void> {
  if (openEditor) leaveEditor(openEditor);
  await Promise.allSettled(leavingSaves.values());
}

// Registered when the editor's code loads: a shell that never opened an editor has nothing to save.
beforeSignOut(saveBeforeSignOut);

type Listened = Pick<EventTarget, "addEventListener" | "removeEventListener">;
type Page = Listened & { readonly visibilityState: DocumentVisibilityState };

/**
 * Guard the edits while an editor is open: closing the tab asks first and keeps the copy; the page going away or
 * out of sight saves at once, without waiting for the autosave; a failed save is tried again, at once when the
 * browser is back online or the tab visible again (timers of a hidden tab are slowed down, and a network back is
 * the moment a save can land); the function returned (the effect's cleanup, run when the editor goes away) saves
 * on the way out.
 */
export function guardUnsavedEdits(
  saver: DraftSaver,
  target: Listened = window,
  page: Page | undefined = globalThis.document, // none outside a browser (the tests of saving in Node)
): () => void {
  const onBeforeUnload = (event: Event) => {
    if (useEditor.getState().slug !== saver.slug || !hasUnsavedEdits()) return;
    saver.stash();
    event.preventDefault();
  };
  const onOnline = () => saver.retryNow();
  const onSignedIn = () => saver.signedInAgain();
  // The tab closed, reloaded or sent to another address: no cleanup of the editor's runs, so it is saved here.
  const onPageHide = () => leaveEditor(saver);
  const onVisibilityChange = () => {
    if (page?.visibilityState === "visible") saver.retryNow();
    // Edits still waiting for the autosave go now: a hidden tab may be closed with no other word, and its timers
    // are held back. A failed save keeps to its own retries.
    else if (useEditor.getState().saveState === "dirty") leaveEditor(saver);
  };
  target.addEventListener("beforeunload", onBeforeUnload);
  target.addEventListener("pagehide", onPageHide);
  target.addEventListener("online", onOnline);
  target.addEventListener(SESSION_RENEWED, onSignedIn);
  page?.addEventListener("visibilitychange", onVisibilityChange);
  openEditor = saver;
  return () => {
    target.removeEventListener("beforeunload", onBeforeUnload);
    target.removeEventListener("pagehide", onPageHide);
    target.removeEventListener("online", onOnline);
    target.removeEventListener(SESSION_RENEWED, onSignedIn);
    page?.removeEventListener("visibilitychange", onVisibilityChange);
    if (openEditor === saver) openEditor = null;
    // The save on the way out is the last try: its edits are in the stash, offered back when the draft is opened.
    saver.cancelRetry();
    leaveEditor(saver);
  };
}
