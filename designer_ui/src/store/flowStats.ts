/**
 * Whether the flow statistics are shown, and the counts the canvas draws. Apart from the editor's store: they are
 * no part of the document, its history or its saves, and every block and edge reads them without the editor
 * knowing.
 */
import { create } from "zustand";
import type { FlowOverlay } from "../components/flowStats";

export interface FlowStatsState {
  /** Off by default; nothing is asked of the server while off. */
  on: boolean;
  /** The counts drawn on the canvas; null while off, before the first answer, and after a failure. */
  overlay: FlowOverlay | null;
  setOn(on: boolean): void;
  setOverlay(overlay: FlowOverlay | null): void;
}

export const useFlowStats = create<FlowStatsState>()((set) => ({
  on: false,
  overlay: null,
  setOn: (on) => set(on ? { on } : { on, overlay: null }),
  setOverlay: (overlay) => set({ overlay }),
}));
