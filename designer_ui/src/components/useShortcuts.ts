/**
 * Keyboard shortcuts of the editor. The single keys (Delete, Backspace, L, F, Escape) and copy/paste act on the
 * canvas only, so a key pressed on a palette button or in a panel does not delete, copy or rearrange blocks
 * behind the analyst's back; undo, redo and save work from anywhere. None act while typing in a field, so text
 * editing keeps its keys, nor under an open dialog.
 */
import { useEffect } from "react";
import { focusAfterDelete } from "../lib/canvasLabels";
import { useEditor } from "../store/editor";
import type { CanvasItem } from "../lib/canvasOrder";
import { useFitView, useFocusCanvasItem } from "./Canvas";

export type Shortcut = "save" | "delete" | "copy" | "paste" | "undo" | "redo" | "layout" | "fit" | "unselect";

/** The key pressed, as a shortcut reads it. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/** Where the focus is when the key is pressed. */
export interface KeyPlace {
  typing: boolean;
  inCanvas: boolean;
  dialogOpen: boolean;
}

/** The shortcut a key press means there, or null when the key is left to the browser and the focused control. */
export function shortcutFor(press: KeyPress, place: KeyPlace): Shortcut | null {
  const mod = press.ctrlKey || press.metaKey;
  const key = press.key.toLowerCase();
  if (mod && key === "s") return "save";
  if (place.typing || place.dialogOpen) return null;
  if (mod && key === "z" && !press.shiftKey) return "undo";
  if (mod && (key === "y" || (key === "z" && press.shiftKey))) return "redo";
  if (!place.inCanvas) return null;
  if (press.key === "Delete" || press.key === "Backspace") return "delete";
  if (mod && key === "c") return "copy";
  if (mod && key === "v") return "paste";
  if (!mod && key === "l") return "layout";
  if (!mod && key === "f") return "fit";
  if (press.key === "Escape") return "unselect";
  return null;
}

function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/** The canvas, with its zoom buttons and minimap: `.canvas` in Canvas.tsx. */
function canvasOf(target: EventTarget | null): HTMLElement | null {
  return target instanceof Element ? target.closest<HTMLElement>(".canvas") : null;
}

/**
 * Delete what is selected and keep the focus on the canvas: on the block after the focused one (a connection's
 * own block, when a connection was focused), else the canvas itself, rather than dropped on the page.
 */
function deleteKeepingFocus(canvas: HTMLElement, focusItem: (item: CanvasItem) => boolean) {
  const focused = document.activeElement?.closest<HTMLElement>(".react-flow__node, .react-flow__edge");
  const editor = useEditor.getState();
  const order = editor.nodes.map((n) => n.id);
  const from = focused?.classList.contains("react-flow__edge")
    ? (editor.edges.find((e) => e.id === focused.dataset.id)?.source ?? null)
    : (focused?.dataset.id ?? null);
  editor.deleteSelection();
  const kept = new Set(useEditor.getState().nodes.map((n) => n.id));
  // The deleted element leaves the page once React has drawn the canvas without it, which may take more than one
  // frame on a busy machine (a single frame's wait left the focus on <body> in CI): wait for it, a few frames at most.
  const refocus = (framesLeft: number) => {
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) {
      if (active === focused && framesLeft > 0) requestAnimationFrame(() => refocus(framesLeft - 1));
      return; // still on the page: not deleted (or the focus went elsewhere meanwhile)
    }
    // A connection deleted: its block keeps the focus; a block deleted: the one after it, brought into sight if
    // it is out of it (the canvas draws only what is in sight).
    const next = from !== null && kept.has(from) ? from : focusAfterDelete(order, kept, from);
    if (next === null || !focusItem({ kind: "node", id: next })) canvas.focus();
  };
  requestAnimationFrame(() => refocus(REDRAW_FRAMES));
}

/** How many frames a deleted block may take to leave the page before its focus is handed on. */
const REDRAW_FRAMES = 30;

export function useShortcuts(save: () => Promise<boolean>) {
  const fitView = useFitView();
  const focusItem = useFocusCanvasItem();
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const canvas = canvasOf(event.target);
      const shortcut = shortcutFor(event, {
        typing: typing(event.target),
        inCanvas: canvas !== null,
        dialogOpen: document.querySelector("dialog[open]") !== null,
      });
      if (shortcut === null) return;
      event.preventDefault();
      const editor = useEditor.getState();
      if (shortcut === "save") void save();
      else if (shortcut === "delete" && canvas) deleteKeepingFocus(canvas, focusItem);
      else if (shortcut === "copy") editor.copy();
      else if (shortcut === "paste") editor.paste();
      else if (shortcut === "undo") editor.undo();
      else if (shortcut === "redo") editor.redo();
      else if (shortcut === "layout") editor.layout();
      else if (shortcut === "fit") fitView();
      else if (shortcut === "unselect") editor.select(null);
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [fitView, focusItem, save]);
}
