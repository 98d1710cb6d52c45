/**
 * Autosave and live validation. A save sends the revision the analyst edited; a 409 means someone else saved
 * first and opens the conflict view instead of overwriting. Validation runs on the unsaved document, so the
 * problems panel follows the canvas even between saves.
 */
import { useCallback, useEffect, useRef } from "react";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { Conflict } from "../api/types";
import { normalizeProblems } from "../lib/problems";
import { useEditor } from "../store/editor";

const SAVE_DELAY_MS = 800;
const VALIDATE_DELAY_MS = 400;

/** The analyst's version is kept in the browser while a conflict is open, so even closing the tab loses nothing. */
export function stashKey(slug: string): string {
  return `ivrgraph.conflict.${slug}`;
}

export function useDraftSync(slug: string) {
  const changeSeq = useEditor((s) => s.changeSeq);
  const saveState = useEditor((s) => s.saveState);
  const inFlight = useRef<Promise<boolean> | null>(null);

  const save = useCallback(async (): Promise<boolean> => {
    if (inFlight.current) await inFlight.current;
    const state = useEditor.getState();
    if (state.saveState === "conflict" || state.slug !== slug) return false;
    if (state.saveState === "saved") return true;
    const seq = state.changeSeq;
    const document = state.document();
    state.setSaveState("saving");
    const attempt = (async () => {
      try {
        const result = await api.saveDraft(slug, state.revision, document);
        useEditor.getState().saved(result.revision, seq);
        useEditor.getState().setProblems(normalizeProblems(result.problems));
        return true;
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) {
          localStorage.setItem(stashKey(slug), JSON.stringify(document));
          useEditor.getState().setConflict(e.body as Conflict);
        } else {
          useEditor.getState().setSaveState("error", e instanceof Error ? e.message : String(e));
        }
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

  // Leaving with unsaved edits asks first.
  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      const state = useEditor.getState().saveState;
      if (state === "dirty" || state === "saving" || state === "conflict") event.preventDefault();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, []);

  return save;
}
