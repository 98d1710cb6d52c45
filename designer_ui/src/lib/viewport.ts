/**
 * Where the canvas looks when a scenario opens (or is laid out): the whole graph when it fits at a zoom its text
 * can be read at, else a readable zoom on the Start block's corner of it. Only the Fit view button may zoom out
 * further, to show everything however small.
 */
import type { Viewport } from "@xyflow/react";

/** The smallest zoom the canvas opens at: block text (12 px) still about 8 px on the screen. */
export const READABLE_ZOOM = 0.65;
/** The largest zoom a small graph is fitted at: a Start and a Hangup do not fill the screen. */
export const OPEN_MAX_ZOOM = 1.2;
/** Screen pixels kept free around the graph. */
export const VIEW_PADDING = 24;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The smallest rectangle around these, or null for none. */
export function boundsOf(rects: Rect[]): Rect | null {
  if (rects.length === 0) return null;
  const left = Math.min(...rects.map((r) => r.x));
  const top = Math.min(...rects.map((r) => r.y));
  const right = Math.max(...rects.map((r) => r.x + r.width));
  const bottom = Math.max(...rects.map((r) => r.y + r.height));
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/**
 * The offset of one axis: the graph [lo, hi] centred when it fits in `length` screen pixels, else the focus
 * [focusLo, focusHi] centred as far as the graph allows (no empty canvas shown before its start or after its end).
 */
function axisOffset(lo: number, hi: number, focusLo: number, focusHi: number, length: number, zoom: number): number {
  const content = (hi - lo) * zoom;
  if (content + 2 * VIEW_PADDING <= length) return (length - content) / 2 - lo * zoom;
  const centred = length / 2 - ((focusLo + focusHi) / 2) * zoom;
  const least = length - VIEW_PADDING - hi * zoom; // the graph's end at the far edge
  const most = VIEW_PADDING - lo * zoom; // the graph's start at the near edge
  return Math.min(most, Math.max(least, centred));
}

/**
 * The viewport to open `nodes` at in a pane of `pane` pixels: fitted whole when that zoom is readable (never
 * above OPEN_MAX_ZOOM); else at READABLE_ZOOM, with the Start block (`start`; the graph's top-left corner without
 * one) in sight and the graph's left edge at the pane's, since calls read from Start onwards.
 */
export function openingViewport(nodes: Rect[], start: Rect | null, pane: { width: number; height: number }): Viewport {
  const bounds = boundsOf(nodes);
  if (!bounds || pane.width <= 0 || pane.height <= 0) return { x: 0, y: 0, zoom: 1 };
  const fit = Math.min(
    (pane.width - 2 * VIEW_PADDING) / Math.max(bounds.width, 1),
    (pane.height - 2 * VIEW_PADDING) / Math.max(bounds.height, 1),
  );
  const zoom = Math.min(OPEN_MAX_ZOOM, Math.max(READABLE_ZOOM, fit));
  const focus = start ?? { x: bounds.x, y: bounds.y, width: 0, height: 0 };
  return {
    x: axisOffset(bounds.x, bounds.x + bounds.width, focus.x, focus.x + focus.width, pane.width, zoom),
    y: axisOffset(bounds.y, bounds.y + bounds.height, focus.y, focus.y + focus.height, pane.height, zoom),
    zoom,
  };
}
