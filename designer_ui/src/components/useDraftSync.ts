/**
 * Autosave and live validation. Validation runs on the unsaved document, so the problems panel follows the
 * canvas even between saves. The saving itself, and keeping the edits when the editor is left mid-edit (the tab
 * closed, or any route out of the editor), is draftSaver.ts: closing the tab or leaving the editor loses nothing.
 */
import { useEffect, useMemo } from "react";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import { normalizeProblems } from "../lib/problems";
import { useEditor } from "../store/editor";
import { draftSaver, guardUnsavedEdits } from "./draftSaver";

const SAVE_DELAY_MS = 800;
const VALIDATE_DELAY_MS = 400;

export function useDraftSync(slug: string) {
  const changeSeq = useEditor((s) => s.changeSeq);
  const saveState = useEditor((s) => s.saveState);
  const saver = useMemo(() => draftSaver(slug), [slug]);

  // Autosave a moment after the last edit.
  useEffect(() => {
    if (saveState !== "dirty") return;
    const timer = setTimeout(() => void saver.save(), SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [changeSeq, saveState, saver]);

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
        // Unfinished fields and a broken structure come back as problems above; what is refused at the door (422:
        // text cut in the middle of a character) names where it is: show it the same way.
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

  // Closing the tab asks first; the editor going away (its cleanup, whatever the route) saves on the way out.
  useEffect(() => guardUnsavedEdits(saver), [saver]);

  return saver.save;
}
