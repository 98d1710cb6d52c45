import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ScenarioDocument } from "./convert";
import {
  DEFAULT_OVERLAYS,
  FIT_PADDING,
  OPEN_MAX_ZOOM,
  READABLE_ZOOM,
  VIEW_PADDING,
  boundsOf,
  fitViewport,
  openingViewport,
  type Rect,
} from "./viewport";

const pane = { width: 700, height: 560 };
const block = (x: number, y: number, height = 100): Rect => ({ x, y, width: 220, height });

/** Where a canvas rectangle lands on the screen at a viewport. */
const onScreen = (r: Rect, v: { x: number; y: number; zoom: number }) => ({
  left: r.x * v.zoom + v.x,
  top: r.y * v.zoom + v.y,
  right: (r.x + r.width) * v.zoom + v.x,
  bottom: (r.y + r.height) * v.zoom + v.y,
});
const inPane = (r: Rect, v: { x: number; y: number; zoom: number }) => {
  const s = onScreen(r, v);
  return s.left >= 0 && s.top >= 0 && s.right <= pane.width && s.bottom <= pane.height;
};

describe("the viewport a scenario opens at", () => {
  it("fits a small graph whole, centred, no larger than the largest opening zoom", () => {
    const nodes = [block(0, 0), block(300, 0)];
    const v = openingViewport(nodes, nodes[0]!, pane);
    expect(v.zoom).toBe(OPEN_MAX_ZOOM);
    expect(nodes.every((n) => inPane(n, v))).toBe(true);
    const all = onScreen(boundsOf(nodes)!, v);
    expect(all.left).toBeCloseTo(pane.width - all.right);
    expect(all.top).toBeCloseTo(pane.height - all.bottom);
  });

  it("fits a graph whole when that zoom is still readable", () => {
    const nodes = [block(0, 0), block(300, 300), block(600, 0)];
    const v = openingViewport(nodes, nodes[0]!, pane);
    expect(v.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    expect(v.zoom).toBeLessThan(OPEN_MAX_ZOOM);
    expect(nodes.every((n) => inPane(n, v))).toBe(true);
  });

  it("opens the inbound-hotline example readable, on its Start block at the left edge", () => {
    const example = JSON.parse(readFileSync(new URL("../../../examples/inbound-hotline.json", import.meta.url), "utf8")) as ScenarioDocument;
    const nodes = example.nodes.map((n) => block(n.position!.x, n.position!.y));
    const start = nodes[example.nodes.findIndex((n) => n.type === "start")]!;
    const v = openingViewport(nodes, start, pane);
    // Fitting it whole would take a zoom of about a quarter: text 3 px high.
    const b = boundsOf(nodes)!;
    expect(Math.min(pane.width / b.width, pane.height / b.height)).toBeLessThan(0.3);
    expect(v.zoom).toBe(READABLE_ZOOM);
    expect(inPane(start, v)).toBe(true);
    expect(onScreen(b, v).left).toBeCloseTo(VIEW_PADDING);
  });

  it("in a tall graph, keeps Start in sight with no empty canvas above the graph's top", () => {
    const start = block(0, 1000);
    const nodes = [start, ...Array.from({ length: 20 }, (_, i) => block(300, i * 130))];
    const v = openingViewport(nodes, start, pane);
    expect(v.zoom).toBe(READABLE_ZOOM);
    expect(inPane(start, v)).toBe(true);
    // Start is centred vertically: the pane shows the graph on both sides of it.
    const s = onScreen(start, v);
    expect((s.top + s.bottom) / 2).toBeCloseTo(pane.height / 2);

    const nearTop = [block(0, 0), ...nodes.slice(1)];
    const w = openingViewport(nearTop, nearTop[0]!, pane);
    expect(onScreen(boundsOf(nearTop)!, w).top).toBeCloseTo(VIEW_PADDING);
  });

  it("without a Start block, opens on the graph's top-left corner", () => {
    const nodes = Array.from({ length: 30 }, (_, i) => block((i % 6) * 300, Math.floor(i / 6) * 200 + 50));
    const v = openingViewport(nodes, null, pane);
    expect(v.zoom).toBe(READABLE_ZOOM);
    const b = onScreen(boundsOf(nodes)!, v);
    expect([b.left, b.top]).toEqual([VIEW_PADDING, VIEW_PADDING]);
  });

  it("an empty canvas or a pane not drawn yet keeps the default view", () => {
    expect(openingViewport([], null, pane)).toEqual({ x: 0, y: 0, zoom: 1 });
    expect(openingViewport([block(0, 0)], null, { width: 0, height: 0 })).toEqual({ x: 0, y: 0, zoom: 1 });
  });
});

describe("the viewport Fit view and a fresh layout show, clear of the minimap and the zoom buttons", () => {
  const wide = { width: 900, height: 560 };
  // Screen boxes of the minimap (bottom right) and the zoom buttons (bottom left) in that pane.
  const corners = (p: { width: number; height: number }) => [
    { left: p.width - DEFAULT_OVERLAYS.bottomRight.width, top: p.height - DEFAULT_OVERLAYS.bottomRight.height, right: p.width, bottom: p.height },
    { left: 0, top: p.height - DEFAULT_OVERLAYS.bottomLeft.height, right: DEFAULT_OVERLAYS.bottomLeft.width, bottom: p.height },
  ];
  const underAnOverlay = (nodes: Rect[], v: { x: number; y: number; zoom: number }, p: { width: number; height: number }) =>
    nodes.filter((n) => {
      const s = onScreen(n, v);
      return corners(p).some((c) => s.left < c.right && c.left < s.right && s.top < c.bottom && c.top < s.bottom);
    });
  // The layouts the analyst saw: left to right, the last block at the bottom right; and one laid out top-down.
  const leftToRight = [block(0, 0), block(300, 0), block(600, -120), block(600, 120), block(900, 160)];
  const topDown = Array.from({ length: 6 }, (_, i) => block((i % 2) * 260, i * 160));

  it.each([
    ["left to right", leftToRight],
    ["top down", topDown],
    ["a single block", [block(0, 0)]],
  ])("Fit view puts no block under them (%s)", (_, nodes) => {
    for (const p of [wide, pane, { width: 1200, height: 400 }]) {
      const v = fitViewport(nodes, p);
      expect(underAnOverlay(nodes, v, p)).toEqual([]);
      expect(nodes.every((n) => inPaneOf(n, v, p, FIT_PADDING - 0.5))).toBe(true);
    }
  });

  it("gives up the bottom for a wide graph and the sides for a tall one, whichever costs less", () => {
    const flat = fitViewport(leftToRight, wide);
    const bottom = onScreen(boundsOf(leftToRight)!, flat);
    expect(bottom.bottom).toBeLessThanOrEqual(wide.height - DEFAULT_OVERLAYS.bottomRight.height);
    const tall = fitViewport(topDown, wide);
    const sides = onScreen(boundsOf(topDown)!, tall);
    expect(sides.bottom).toBeGreaterThan(wide.height - DEFAULT_OVERLAYS.bottomRight.height); // the bottom is used...
    expect(sides.right).toBeLessThanOrEqual(wide.width - DEFAULT_OVERLAYS.bottomRight.width); // ...beside the minimap
  });

  it("opens a laid-out graph that fits with no block under them either", () => {
    for (const p of [wide, pane]) {
      const v = openingViewport(leftToRight, leftToRight[0]!, p, DEFAULT_OVERLAYS);
      expect(underAnOverlay(leftToRight, v, p)).toEqual([]);
    }
  });
});

/** Whether a block lies within a pane, `margin` pixels from its edges. */
function inPaneOf(r: Rect, v: { x: number; y: number; zoom: number }, p: { width: number; height: number }, margin: number): boolean {
  const s = onScreen(r, v);
  return s.left >= margin && s.top >= margin && s.right <= p.width - margin && s.bottom <= p.height - margin;
}
