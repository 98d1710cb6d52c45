import { describe, expect, it } from "vitest";
import { COLUMN_GAP, NODE_GAP } from "./layout";
import { PLACEMENT_GAP, freeSpot, intersect, pushDownUnder, spotBeside, type Box, type PlacedBox, type Point, type Size } from "./placement";

const box = (x: number, y: number, width = 220, height = 100): Box => ({ x, y, width, height });
const placed = (id: string, x: number, y: number, height = 100): PlacedBox => ({ id, ...box(x, y, 220, height) });
const hangUp: Size = { width: 220, height: 84 };

/** Whether a box of `size` at `at` keeps `gap` from every other box. */
function clear(at: Point, size: Size, others: Box[], gap = PLACEMENT_GAP): boolean {
  const grown = { x: at.x - gap, y: at.y - gap, width: size.width + 2 * gap, height: size.height + 2 * gap };
  return others.every((other) => !intersect(grown, other));
}

/** A small deterministic random sequence (mulberry32), so a failing case can be run again. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("a new block's free spot", () => {
  it("is where it was asked for when nothing is there", () => {
    expect(freeSpot({ x: 40, y: 50 }, hangUp, [box(400, 50)])).toEqual({ x: 40, y: 50 });
    expect(freeSpot({ x: 40, y: 50 }, hangUp, [])).toEqual({ x: 40, y: 50 });
  });

  it("is never over another block: a block asked for exactly over one goes the layout's gap beside it", () => {
    // The QA case: Enter in the palette put a Hang Up exactly over the Transfer "Sales".
    const sales = box(600, 0, 220, 104);
    const spot = freeSpot({ x: 600, y: 0 }, hangUp, [sales]);
    expect(clear(spot, hangUp, [sales])).toBe(true);
    // The nearest way out of a 104 px tall block for an 84 px one: above it, the gap kept.
    expect(spot).toEqual({ x: 600, y: -84 - PLACEMENT_GAP });
  });

  it("a second block asked for at the same spot (Enter twice mid-canvas) lands beside the first, not on it", () => {
    const blocks: Box[] = [];
    for (let i = 0; i < 6; i += 1) {
      const spot = freeSpot({ x: 0, y: 0 }, hangUp, blocks);
      expect(clear(spot, hangUp, blocks)).toBe(true);
      blocks.push({ ...spot, ...hangUp });
    }
    // Close by: each within a couple of blocks of the spot asked for.
    for (const b of blocks) expect(Math.hypot(b.x, b.y)).toBeLessThan(2 * (220 + PLACEMENT_GAP));
  });

  it("is the nearest free spot, as a search of every point around finds it", () => {
    const next = random(7);
    const step = 10; // every size, gap and place below a multiple of it: the free spots nearest are on its grid
    for (let round = 0; round < 40; round += 1) {
      const others = Array.from({ length: 3 + Math.floor(next() * 8) }, () =>
        box(step * Math.floor(next() * 60 - 30), step * Math.floor(next() * 60 - 30), 220, step * (6 + Math.floor(next() * 20))),
      );
      const wanted = { x: step * Math.floor(next() * 40 - 20), y: step * Math.floor(next() * 40 - 20) };
      const size = { width: 220, height: 80 };
      const spot = freeSpot(wanted, size, others);
      expect(clear(spot, size, others)).toBe(true);
      let nearest = Infinity;
      for (let x = -1200; x <= 1200; x += step) {
        for (let y = -1200; y <= 1200; y += step) {
          const distance = Math.hypot(x - wanted.x, y - wanted.y);
          if (distance < nearest && clear({ x, y }, size, others)) nearest = distance;
        }
      }
      expect(Math.hypot(spot.x - wanted.x, spot.y - wanted.y)).toBeCloseTo(nearest, 6);
    }
  });

  it("finds room in a crowded canvas of 800 blocks", () => {
    // A grid of blocks 10 px apart: no room between them, the nearest room is at its edge.
    const grid = Array.from({ length: 800 }, (_, i) => box((i % 40) * 230, Math.floor(i / 40) * 110));
    const spot = freeSpot({ x: 20 * 230, y: 10 * 110 }, hangUp, grid);
    expect(clear(spot, hangUp, grid)).toBe(true);
  });

  it("keeps right of `minX` and below `minY` when asked to", () => {
    const spot = freeSpot({ x: 0, y: 0 }, hangUp, [box(300, 0)], { minX: 250, minY: -20 });
    expect(spot.x).toBeGreaterThanOrEqual(250);
    expect(spot.y).toBeGreaterThanOrEqual(-20);
    expect(clear(spot, hangUp, [box(300, 0)])).toBe(true);
  });
});

describe("a block added beside the selected one", () => {
  const selected = box(300, 0, 220, 164);

  it("goes right of it, level with it, a layout's column apart", () => {
    expect(spotBeside(selected, hangUp, [selected])).toEqual({ x: 300 + 220 + COLUMN_GAP, y: 0 });
  });

  it("with that spot taken, goes to the nearest free spot still right of the selected block, not above it", () => {
    // The QA case: "Sales" sat right of the menu, where the new Hang Up went; "Support" under it.
    const sales = box(610, 0, 220, 104);
    const support = box(610, 134, 220, 104);
    const others = [selected, sales, support];
    const spot = spotBeside(selected, hangUp, others);
    expect(clear(spot, hangUp, others)).toBe(true);
    expect(spot.x).toBeGreaterThanOrEqual(selected.x + selected.width + PLACEMENT_GAP);
    expect(spot.y).toBeGreaterThanOrEqual(selected.y);
    // Level with the menu, right of Sales: nearer than under Support.
    expect(spot).toEqual({ x: 610 + 220 + PLACEMENT_GAP, y: 0 });
  });

  it("goes under the selected block when the columns right of it are crowded and under it is nearer", () => {
    const crowd = Array.from({ length: 60 }, (_, i) => box(550 + (i % 6) * 250, -300 + Math.floor(i / 6) * 130));
    const others = [selected, ...crowd];
    const spot = spotBeside(selected, hangUp, others);
    expect(clear(spot, hangUp, others)).toBe(true);
    expect(spot).toEqual({ x: 300, y: 164 + PLACEMENT_GAP });
  });
});

describe("blocks under a block that grew", () => {
  const ys = (boxes: PlacedBox[], moved: Map<string, number>) => Object.fromEntries(boxes.map((b) => [b.id, moved.get(b.id) ?? b.y]));
  const before = (id: string, boxes: PlacedBox[], height: number) => new Map([[id, { ...boxes.find((b) => b.id === id)!, height }]]);
  const after = (boxes: PlacedBox[], moved: Map<string, number>) => boxes.map((b) => ({ ...b, y: moved.get(b.id) ?? b.y }));
  const overlaps = (boxes: Box[]) => boxes.flatMap((a, i) => boxes.slice(i + 1).filter((b) => intersect(a, b)));

  // A column as the layout leaves it (30 px apart), the menu grown from 100 to 220 px; a block in the next column.
  const column = () => [placed("menu", 0, 0, 220), placed("a", 0, 130), placed("b", 0, 260), placed("next", 310, 0)];
  const laidOut = new Set(["menu", "a", "b", "next"]);

  it("pushes laid-out blocks below it down, each keeping the gap, and leaves other columns alone", () => {
    const boxes = column();
    const moved = pushDownUnder(boxes, before("menu", boxes, 100), laidOut);
    expect(ys(boxes, moved)).toEqual({ menu: 0, a: 220 + NODE_GAP, b: 220 + NODE_GAP + 100 + NODE_GAP, next: 0 });
    expect(overlaps(after(boxes, moved))).toEqual([]);
  });

  it("moves only as far as it must: a block the growth does not reach stays", () => {
    const boxes = [placed("menu", 0, 0, 150), placed("a", 0, 130), placed("far", 0, 600)];
    expect(ys(boxes, pushDownUnder(boxes, before("menu", boxes, 100), laidOut.add("far")))).toEqual({ menu: 0, a: 180, far: 600 });
  });

  it("pushes a block placed by hand only when it would be overlapped: the menu grown over Closed", () => {
    // The QA case: no layout placed these; "Closed" sat 20 px under the menu, which grew 60 px with three keys.
    const boxes = [placed("menu", 0, 0, 164), placed("closed", 0, 124), placed("sales", 310, 0)];
    const moved = pushDownUnder(boxes, before("menu", boxes, 104), new Set());
    expect(ys(boxes, moved)).toEqual({ menu: 0, closed: 164 + NODE_GAP, sales: 0 });
    expect(overlaps(after(boxes, moved))).toEqual([]);
  });

  it("leaves a block placed by hand that the growth comes near but does not overlap", () => {
    const boxes = [placed("menu", 0, 0, 164), placed("closed", 0, 170)];
    expect(pushDownUnder(boxes, before("menu", boxes, 104), new Set()).size).toBe(0);
  });

  it("leaves a block the analyst put over the grown one: that overlap was theirs", () => {
    const boxes = [placed("menu", 0, 0, 164), placed("note", 40, 90)];
    expect(pushDownUnder(boxes, before("menu", boxes, 104), new Set()).size).toBe(0);
  });

  it("a pushed block pushes the block under it in turn: nothing overlaps, whoever placed them", () => {
    const boxes = [placed("menu", 0, 0, 220), placed("a", 0, 130), placed("mine", 0, 240)];
    const moved = pushDownUnder(boxes, before("menu", boxes, 100), new Set(["menu", "a"]));
    expect(ys(boxes, moved)).toEqual({ menu: 0, a: 250, mine: 380 });
    expect(overlaps(after(boxes, moved))).toEqual([]);
  });

  it("does not drop a pushed block onto a block that grew too: it goes below it", () => {
    const boxes = [placed("menu", 0, 0, 220), placed("a", 0, 130), placed("b", 0, 260), placed("menu2", 0, 420, 100)];
    const grown = new Map([...before("menu", boxes, 100), ...before("menu2", boxes, 80)]);
    const moved = pushDownUnder(boxes, grown, new Set(["menu", "a"]));
    expect(ys(boxes, moved)).toEqual({ menu: 0, a: 250, b: 420 + 100 + NODE_GAP, menu2: 420 });
    expect(overlaps(after(boxes, moved))).toEqual([]);
  });

  it("moves nothing when nothing is reached", () => {
    const boxes = column().map((b) => (b.id === "menu" ? { ...b, height: 100 } : b));
    expect(pushDownUnder(boxes, before("menu", boxes, 90), laidOut).size).toBe(0);
  });
});
