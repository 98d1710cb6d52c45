import { describe, expect, it } from "vitest";
import { DEFAULT_OVERLAYS, FIT_ZOOM, SIGHT_ZOOM, centreViewport, fitViewport, type Rect } from "./viewport";

// The canvas of a 1280 x 720 window, beside the palette and the side panel, above the problems.
const pane = { width: 740, height: 480 };

/** An 800-block tree as analysts draw them: 29 columns 320 px apart, its widest 103 blocks 190 px apart. */
function tree(): Rect[] {
  const blocks: Rect[] = [];
  for (let column = 0; column < 29; column += 1) {
    const rows = Math.min(103, 1 + column * 4);
    for (let row = 0; row < rows; row += 1) blocks.push({ x: column * 320, y: row * 190, width: 220, height: 164 });
  }
  return blocks;
}

describe("Fit view on a big scenario", () => {
  it("shows an 800-block tree, 20 thousand pixels tall, whole within the pane", () => {
    const blocks = tree();
    expect(blocks.length).toBeGreaterThan(800);
    const v = fitViewport(blocks, pane, DEFAULT_OVERLAYS);
    expect(v.zoom).toBeGreaterThanOrEqual(FIT_ZOOM.min);
    for (const b of blocks) {
      expect(b.x * v.zoom + v.x).toBeGreaterThanOrEqual(0);
      expect(b.y * v.zoom + v.y).toBeGreaterThanOrEqual(0);
      expect((b.x + b.width) * v.zoom + v.x).toBeLessThanOrEqual(pane.width);
      expect((b.y + b.height) * v.zoom + v.y).toBeLessThanOrEqual(pane.height);
    }
  });

  it("still zooms a connection into sight no further out than blocks can be told apart", () => {
    const long = { x: 0, y: 0, width: 540, height: 19_000 };
    expect(centreViewport(long, pane, 1, DEFAULT_OVERLAYS, SIGHT_ZOOM).zoom).toBe(SIGHT_ZOOM.min);
    expect(SIGHT_ZOOM.min).toBeGreaterThan(FIT_ZOOM.min);
  });
});
