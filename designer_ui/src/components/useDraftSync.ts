/**
 * Autosave and live validation. Validation runs on the unsaved document, so the problems panel follows the
 * canvas even between saves (problemChecker.ts). The saving itself, and keeping the edits when the editor is left
 * mid-edit (the tab closed, or any route out of the editor), is draftSaver.ts: closing the tab or leaving the
 * editor loses nothing.
 */
import { useEffect, useMemo } from "react";
import { useEditor } from "../store/editor";
import { draftSaver, guardUnsavedEdits } from "./draftSaver";
import { problemChecker } from "./problemChecker";

const SAVE_DELAY_MS = 800;

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

  // Live validation of what is on the canvas, a moment after each change; nothing left waiting once the editor goes.
  const checker = useMemo(() => problemChecker(slug), [slug]);
  useEffect(() => checker.schedule(), [changeSeq, checker]);
  useEffect(() => () => checker.stop(), [checker]);

  // Closing the tab asks first; the editor going away (its cleanup, whatever the route) saves on the way out.
  useEffect(() => guardUnsavedEdits(saver), [saver]);

  return saver.save;
}
