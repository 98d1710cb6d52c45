import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ScenarioDocument } from "./convert";
import { OPEN_MAX_ZOOM, READABLE_ZOOM, VIEW_PADDING, boundsOf, openingViewport, type Rect } from "./viewport";

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
