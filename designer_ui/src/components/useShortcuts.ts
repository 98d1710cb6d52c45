/** Keyboard shortcuts of the editor; ignored while typing in a field so text editing keeps its keys. */
import { useEffect } from "react";
import { useEditor } from "../store/editor";
import { useFitView } from "./Canvas";

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

export function useShortcuts(save: () => Promise<boolean>) {
  const fitView = useFitView();
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && key === "s") {
        event.preventDefault();
        void save();
        return;
      }
      if (typing(event.target) || document.querySelector("dialog[open]")) return;
      const editor = useEditor.getState();
      if (event.key === "Delete" || event.key === "Backspace") editor.deleteSelection();
      else if (mod && key === "c") editor.copy();
      else if (mod && key === "v") editor.paste();
      else if (mod && key === "z" && !event.shiftKey) editor.undo();
      else if (mod && (key === "y" || (key === "z" && event.shiftKey))) editor.redo();
      else if (!mod && key === "l") editor.layout();
      else if (!mod && key === "f") fitView();
      else if (event.key === "Escape") editor.select(null);
      else return;
      event.preventDefault();
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [fitView, save]);
}
