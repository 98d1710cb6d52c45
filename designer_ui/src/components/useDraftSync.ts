/**
 * Autosave and live validation. A save sends the revision the analyst edited; a 409 means someone else saved
 * first and opens the conflict view instead of overwriting. Validation runs on the unsaved document, so the
 * problems panel follows the canvas even between saves. Until a save lands, the browser keeps a copy
 * (lib/stash.ts), so closing the tab or leaving the editor mid-edit loses nothing.
 */
import { useCallback, useEffect, useRef } from "react";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { Conflict } from "../api/types";
import { normalizeProblems } from "../lib/problems";
import { clearStash, writeStash } from "../lib/stash";
import { useEditor } from "../store/editor";

const SAVE_DELAY_MS = 800;
const VALIDATE_DELAY_MS = 400;

function hasUnsavedEdits(): boolean {
  const state = useEditor.getState().saveState;
  return state === "dirty" || state === "saving" || state === "error" || state === "conflict";
}

export function useDraftSync(slug: string) {
  const changeSeq = useEditor((s) => s.changeSeq);
  const saveState = useEditor((s) => s.saveState);
  const inFlight = useRef<Promise<boolean> | null>(null);

  /** Keep the browser's copy of what is on the canvas (done before every save and on leaving). */
  const stash = useCallback(() => {
    const state = useEditor.getState();
    if (state.slug === slug && hasUnsavedEdits()) writeStash(localStorage, slug, state.document(), state.revision);
  }, [slug]);

  const save = useCallback(async (): Promise<boolean> => {
    if (inFlight.current) await inFlight.current;
    const state = useEditor.getState();
    if (state.saveState === "conflict" || state.slug !== slug) return false;
    if (state.saveState === "saved") return true;
    const seq = state.changeSeq;
    const document = state.document();
    writeStash(localStorage, slug, document, state.revision);
    state.setSaveState("saving");
    const attempt = (async () => {
      try {
        const result = await api.saveDraft(slug, state.revision, document);
        const after = useEditor.getState();
        if (after.slug === slug) {
          after.saved(result.revision, seq);
          after.setProblems(normalizeProblems(result.problems));
          if (after.changeSeq === seq) clearStash(localStorage, slug);
        } else {
          clearStash(localStorage, slug); // saved on the way out: the copy is on the server now
        }
        return true;
      } catch (e) {
        if (useEditor.getState().slug !== slug) return false; // left meanwhile: the stash keeps the edits
        if (e instanceof ApiError && e.status === 409) useEditor.getState().setConflict(e.body as Conflict);
        else useEditor.getState().setSaveState("error", e instanceof Error ? e.message : String(e));
        return false;
      } finally {
        inFlight.current = null;
      }
    })();
    inFlight.current = attempt;
    return attempt;
  }, [slug]);

  // Autosave a moment after the last edit.
  useEffect(() => {
    if (saveState !== "dirty") return;
    const timer = setTimeout(() => void save(), SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [changeSeq, saveState, save]);

  // Live validation of what is on the canvas.
  useEffect(() => {
    let cancelled = false;
    const timer = setTimeout(async () => {
      const state = useEditor.getState();
      if (state.slug !== slug) return;
      state.setChecking(true);
      try {
        const result = await api.validate(slug, state.document());
        if (!cancelled) useEditor.getState().setProblems(normalizeProblems(result.problems));
      } catch (e) {
        // A draft that breaks the document structure gets 422 with its problems: show them the same way.
        const body = e instanceof ApiError ? (e.body as { problems?: unknown } | null) : null;
        if (!cancelled && body?.problems) useEditor.getState().setProblems(normalizeProblems(body.problems));
      } finally {
        if (!cancelled) useEditor.getState().setChecking(false);
      }
    }, VALIDATE_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [changeSeq, slug]);

  // Leaving: the tab (ask first) or the editor (save on the way out). Either way the copy is written first.
  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (!hasUnsavedEdits()) return;
      stash();
      event.preventDefault();
    };
    const onLeave = () => {
      if (!hasUnsavedEdits()) return;
      stash();
      void save();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    window.addEventListener("hashchange", onLeave);
    return () => {
      window.removeEventListener("beforeunload", onBeforeUnload);
      window.removeEventListener("hashchange", onLeave);
    };
  }, [save, stash]);

  return save;
}
