/**
 * The blocks a call's story names its steps, exits and events by. In the editor's Calls tab (null, the default) they
 * are the canvas's, and a step is a link that shows its block there. On the Calls page there is no canvas, and the
 * one the editor last held may be another scenario's, whose blocks could share the call's ids: there the story names
 * them by the version the call ran, as it was published (none when it cannot be fetched), and a step is plain text.
 */
import { createContext, useContext } from "react";
import type { BlockNode } from "../lib/convert";
import { useEditor } from "../store/editor";

export const StoryBlocks = createContext<readonly BlockNode[] | null>(null);

const NONE: readonly BlockNode[] = [];

/** The blocks the story names things by: the canvas's, unless the page gave the version's. */
export function useStoryBlocks(): readonly BlockNode[] {
  const given = useContext(StoryBlocks);
  // Read from the store only beside the canvas: elsewhere a drag on a canvas no one sees re-renders nothing.
  const canvas = useEditor((s) => (given === null ? s.nodes : NONE));
  return given ?? canvas;
}

/** One block the story names a step by (undefined: none such, or no id); from the store, only that block is watched. */
export function useStoryBlock(id: string | undefined): BlockNode | undefined {
  const given = useContext(StoryBlocks);
  const onCanvas = useEditor((s) => (given === null && id !== undefined ? s.nodes.find((n) => n.id === id) : undefined));
  return given === null ? onCanvas : given.find((n) => n.id === id);
}

/** Whether the story is told beside its scenario's canvas, where a step links to its block. */
export function useBesideCanvas(): boolean {
  return useContext(StoryBlocks) === null;
}
