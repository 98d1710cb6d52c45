import { describe, expect, it } from "vitest";
import { DEFAULT_OVERLAYS, NO_OVERLAYS, OVERLAY_GAP, VIEW_PADDING, centreViewport, type Rect, type Size } from "./viewport";

// The designer's canvas at 1280 x 720 (palette, side panel and problems panel around it).
const pane: Size = { width: 740, height: 481 };
type View = { x: number; y: number; zoom: number };

const onScreen = (r: Rect, v: View) => ({
  left: r.x * v.zoom + v.x,
  top: r.y * v.zoom + v.y,
  right: (r.x + r.width) * v.zoom + v.x,
  bottom: (r.y + r.height) * v.zoom + v.y,
});
/** The minimap's and the zoom buttons' boxes on the screen, as React Flow draws them in the bottom corners. */
const overlays = (p: Size) => [
  { left: p.width - DEFAULT_OVERLAYS.bottomRight.width, top: p.height - DEFAULT_OVERLAYS.bottomRight.height, right: p.width, bottom: p.height },
  { left: 0, top: p.height - DEFAULT_OVERLAYS.bottomLeft.height, right: DEFAULT_OVERLAYS.bottomLeft.width, bottom: p.height },
];
const covered = (r: Rect, v: View, p: Size = pane) => {
  const s = onScreen(r, v);
  return overlays(p).some((c) => s.left < c.right && c.left < s.right && s.top < c.bottom && c.top < s.bottom);
};
const whole = (r: Rect, v: View, p: Size = pane) => {
  const s = onScreen(r, v);
  return s.left >= 0 && s.top >= 0 && s.right <= p.width && s.bottom <= p.height;
};
/** What centring in the whole pane gives (React Flow's setCenter, as the canvas did before). */
const centredInPane = (r: Rect, zoom: number, p: Size = pane): View => ({
  x: p.width / 2 - (r.x + r.width / 2) * zoom,
  y: p.height / 2 - (r.y + r.height / 2) * zoom,
  zoom,
});

describe("centring the canvas on a block (a problem or a call's step clicked)", () => {
  // A Transfer block with its problem listed in it, far to the right of the graph's origin.
  const transfer: Rect = { x: 1400, y: 320, width: 220, height: 132 };

  it("keeps a block zoomed in on clear of the minimap and the zoom buttons, where the whole pane's centre would not", () => {
    const zoom = 1.94;
    expect(covered(transfer, centredInPane(transfer, zoom))).toBe(true); // what the analyst saw
    const v = centreViewport(transfer, pane, zoom);
    expect(v.zoom).toBe(zoom);
    expect(covered(transfer, v)).toBe(false);
    expect(whole(transfer, v)).toBe(true);
  });

  it("centres it in the part of the pane above the minimap and the zoom buttons", () => {
    const v = centreViewport(transfer, pane, 1);
    const s = onScreen(transfer, v);
    const strip = DEFAULT_OVERLAYS.bottomRight.height + OVERLAY_GAP; // the taller overlay, and the gap kept
    expect((s.left + s.right) / 2).toBeCloseTo(pane.width / 2);
    expect((s.top + s.bottom) / 2).toBeCloseTo((VIEW_PADDING + pane.height - strip) / 2);
  });

  it("puts a tall block (a menu with many keys) between them when above them it would not fit", () => {
    const menu: Rect = { x: 0, y: 0, width: 220, height: 400 };
    const v = centreViewport(menu, pane, 1);
    expect(v.zoom).toBe(1);
    expect(covered(menu, v)).toBe(false);
    expect(whole(menu, v)).toBe(true);
    const s = onScreen(menu, v);
    const left = DEFAULT_OVERLAYS.bottomLeft.width + OVERLAY_GAP;
    const right = pane.width - DEFAULT_OVERLAYS.bottomRight.width - OVERLAY_GAP;
    expect((s.left + s.right) / 2).toBeCloseTo((left + right) / 2);
    expect((s.top + s.bottom) / 2).toBeCloseTo(pane.height / 2);
  });

  it("shows a block too big for the uncovered part at that zoom smaller, whole and clear of them", () => {
    const huge: Rect = { x: -500, y: 200, width: 220, height: 900 };
    const v = centreViewport(huge, pane, 1.5);
    expect(v.zoom).toBeLessThan(1.5);
    expect(covered(huge, v)).toBe(false);
    expect(whole(huge, v)).toBe(true);
  });

  it("stays within the canvas's zoom limits", () => {
    expect(centreViewport(transfer, pane, 3, DEFAULT_OVERLAYS, { min: 0.1, max: 2 }).zoom).toBe(2);
    expect(centreViewport({ x: 0, y: 0, width: 220, height: 1e6 }, pane, 1, DEFAULT_OVERLAYS, { min: 0.1, max: 2 }).zoom).toBe(0.1);
  });

  it("with nothing drawn over the pane, centres in the pane as before", () => {
    const v = centreViewport(transfer, pane, 1.2, NO_OVERLAYS);
    const before = centredInPane(transfer, 1.2);
    expect(v.zoom).toBe(1.2);
    expect(v.x).toBeCloseTo(before.x);
    expect(v.y).toBeCloseTo(before.y);
  });

  it("in a small canvas too", () => {
    const small = { width: 420, height: 300 };
    for (const zoom of [1, 1.5, 2]) {
      const v = centreViewport(transfer, small, zoom);
      expect(covered(transfer, v, small)).toBe(false);
      expect(whole(transfer, v, small)).toBe(true);
    }
  });
});
