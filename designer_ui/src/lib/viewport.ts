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
/**
 * Screen pixels kept free around the graph by Fit view: more than React Flow's auto-pan margin (40) plus its
 * connection radius (20), so a connection dragged to any block after a fit lands without the canvas panning.
 */
export const FIT_PADDING = 64;
/** Screen pixels kept between the graph and what the canvas draws over its corners. */
export const OVERLAY_GAP = 16;
/** The zooms Fit view stays within: the canvas's own limits (an 800-block tree is 20 thousand pixels tall). */
export const FIT_ZOOM = { min: 0.02, max: 2 };
/**
 * The zooms bringing one connection into sight stays within: a long one is shown in part rather than zoomed out
 * to where no block can be told from another (only Fit view goes that far).
 */
export const SIGHT_ZOOM = { min: 0.1, max: 2 };

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A size in screen pixels. */
export interface Size {
  width: number;
  height: number;
}

/**
 * What the canvas draws over its bottom corners, each as the size it takes from its corner of the pane (its
 * margin included): the minimap at the right, the zoom buttons at the left. A fitted view puts no block there.
 */
export interface Overlays {
  bottomRight: Size;
  bottomLeft: Size;
}

/** The minimap (150 x 100) and the zoom buttons as React Flow draws them, 15 px from the corners. */
export const DEFAULT_OVERLAYS: Overlays = { bottomRight: { width: 165, height: 115 }, bottomLeft: { width: 42, height: 100 } };
export const NO_OVERLAYS: Overlays = { bottomRight: { width: 0, height: 0 }, bottomLeft: { width: 0, height: 0 } };

/** Screen pixels kept free at each side of the pane. */
export interface Insets {
  top: number;
  right: number;
  bottom: number;
  left: number;
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

/** The zoom that fits `bounds` whole within the pane less its insets. */
function fitZoom(bounds: Rect, pane: Size, insets: Insets): number {
  return Math.min(
    (pane.width - insets.left - insets.right) / Math.max(bounds.width, 1),
    (pane.height - insets.top - insets.bottom) / Math.max(bounds.height, 1),
  );
}

/**
 * The insets that keep a fitted graph clear of the overlays: a strip along the bottom as tall as the taller
 * overlay, or a strip at each side as wide as its overlay, whichever lets the graph be drawn larger (a wide graph
 * loses nothing to the bottom strip, a tall one nothing to the side strips). `padding` is kept on every side.
 */
export function clearInsets(bounds: Rect, pane: Size, overlays: Overlays, padding: number): Insets {
  const { bottomLeft, bottomRight } = overlays;
  const below = { top: padding, left: padding, right: padding, bottom: Math.max(padding, bottomLeft.height + OVERLAY_GAP, bottomRight.height + OVERLAY_GAP) };
  const beside = { top: padding, bottom: padding, left: Math.max(padding, bottomLeft.width + OVERLAY_GAP), right: Math.max(padding, bottomRight.width + OVERLAY_GAP) };
  return fitZoom(bounds, pane, beside) > fitZoom(bounds, pane, below) ? beside : below;
}

/**
 * The offset of one axis: the graph [lo, hi] centred between the insets `before` and `after` when it fits in
 * `length` screen pixels, else the focus [focusLo, focusHi] centred as far as the graph allows (no empty canvas
 * shown before its start or after its end).
 */
function axisOffset(lo: number, hi: number, focus: [number, number], length: number, zoom: number, before: number, after: number): number {
  const content = (hi - lo) * zoom;
  if (content + before + after <= length + 1e-9) return before + (length - before - after - content) / 2 - lo * zoom;
  const centred = length / 2 - ((focus[0] + focus[1]) / 2) * zoom;
  const least = length - after - hi * zoom; // the graph's end at the far edge
  const most = before - lo * zoom; // the graph's start at the near edge
  return Math.min(most, Math.max(least, centred));
}

/** The viewport showing `bounds` at `zoom`, placed within the insets around the focus as axisOffset does. */
function placed(bounds: Rect, focus: Rect, pane: Size, zoom: number, insets: Insets): Viewport {
  return {
    x: axisOffset(bounds.x, bounds.x + bounds.width, [focus.x, focus.x + focus.width], pane.width, zoom, insets.left, insets.right),
    y: axisOffset(bounds.y, bounds.y + bounds.height, [focus.y, focus.y + focus.height], pane.height, zoom, insets.top, insets.bottom),
    zoom,
  };
}

/**
 * The Fit view button's viewport: every block in sight, however small, centred, clear of the minimap and the
 * zoom buttons (`overlays`), FIT_PADDING from the pane's edges. Only past the canvas's zoom limits can a graph
 * not fit.
 */
export function fitViewport(nodes: Rect[], pane: Size, overlays: Overlays = DEFAULT_OVERLAYS, zooms = FIT_ZOOM): Viewport {
  const bounds = boundsOf(nodes);
  if (!bounds || pane.width <= 0 || pane.height <= 0) return { x: 0, y: 0, zoom: 1 };
  const insets = clearInsets(bounds, pane, overlays, FIT_PADDING);
  const zoom = Math.min(zooms.max, Math.max(zooms.min, fitZoom(bounds, pane, insets)));
  return placed(bounds, bounds, pane, zoom, insets);
}

/**
 * The viewport to open `nodes` at in a pane of `pane` pixels: fitted whole, clear of the `overlays`, when that
 * zoom is readable (never above OPEN_MAX_ZOOM); else at READABLE_ZOOM, with the Start block (`start`; the graph's top-left corner without
 * one) in sight and the graph's left edge at the pane's, since calls read from Start onwards.
 */
export function openingViewport(nodes: Rect[], start: Rect | null, pane: Size, overlays: Overlays = NO_OVERLAYS): Viewport {
  const bounds = boundsOf(nodes);
  if (!bounds || pane.width <= 0 || pane.height <= 0) return { x: 0, y: 0, zoom: 1 };
  const insets = clearInsets(bounds, pane, overlays, VIEW_PADDING);
  const zoom = Math.min(OPEN_MAX_ZOOM, Math.max(READABLE_ZOOM, fitZoom(bounds, pane, insets)));
  const focus = start ?? { x: bounds.x, y: bounds.y, width: 0, height: 0 };
  return placed(bounds, focus, pane, zoom, insets);
}

/**
 * The viewport that centres one block (a problem's, a call step's) at `zoom` in the part of the pane nothing is
 * drawn over: above the minimap and the zoom buttons, or between them, whichever has more room for it. Centred in
 * the whole pane instead, a tall block, or any block zoomed in, reaches under the minimap. A block too big for
 * that part at `zoom` is shown smaller, whole; the zoom stays within the canvas's limits.
 */
export function centreViewport(block: Rect, pane: Size, zoom: number, overlays: Overlays = DEFAULT_OVERLAYS, zooms = FIT_ZOOM): Viewport {
  const centre = { x: block.x + block.width / 2, y: block.y + block.height / 2 };
  if (pane.width <= 0 || pane.height <= 0) return { x: -centre.x * zoom, y: -centre.y * zoom, zoom };
  const insets = clearInsets(block, pane, overlays, VIEW_PADDING);
  const shown = Math.min(zooms.max, Math.max(zooms.min, Math.min(zoom, fitZoom(block, pane, insets))));
  return {
    x: insets.left + (pane.width - insets.left - insets.right) / 2 - centre.x * shown,
    y: insets.top + (pane.height - insets.top - insets.bottom) / 2 - centre.y * shown,
    zoom: shown,
  };
}
