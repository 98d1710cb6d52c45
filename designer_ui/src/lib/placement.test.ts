import { describe, expect, it } from "vitest";
import { COLUMN_GAP, NODE_GAP } from "./layout";
import { PLACEMENT_GAP, boundsOf, freeSpot, groupShift, intersect, pushDownUnder, spotBeside, type Box, type PlacedBox, type Point, type Size } from "./placement";

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

describe("a pasted group's move to free space", () => {
  const moved = (group: Box[], by: Point) => group.map((b) => ({ ...b, x: b.x + by.x, y: b.y + by.y }));
  /** Whether every block of the group, moved by `by`, keeps `gap` from every other block. */
  const groupClear = (group: Box[], by: Point, others: Box[]) => moved(group, by).every((b) => clear(b, b, others));

  it("is no move when every block of the group is clear already, even around a block inside its bounds", () => {
    expect(groupShift([box(0, 0)], [box(400, 0)])).toEqual({ x: 0, y: 0 });
    // A group either side of another block: its blocks are clear of it, so nothing moves.
    expect(groupShift([box(0, 0), box(600, 0)], [box(300, 0)])).toEqual({ x: 0, y: 0 });
  });

  it("for one block is the move to its nearest free spot", () => {
    const others = [box(0, 0, 220, 104), box(0, 134, 220, 104), box(260, 40)];
    const pasted = box(40, 40, 220, 84);
    const spot = freeSpot(pasted, pasted, others);
    expect(groupShift([pasted], others)).toEqual({ x: spot.x - pasted.x, y: spot.y - pasted.y });
  });

  it("pasted again and again at the same place, cascades: no copy on the originals or on an earlier copy", () => {
    // A menu with Sales right of it, pasted 40 px down and right of themselves five times.
    const originals = [box(0, 0, 220, 164), box(310, 0, 220, 104)];
    const pasted = moved(originals, { x: 40, y: 40 });
    const canvas = [...originals];
    const shifts: Point[] = [];
    for (let i = 0; i < 5; i += 1) {
      const shift = groupShift(pasted, canvas);
      expect(groupClear(pasted, shift, canvas)).toBe(true);
      shifts.push(shift);
      canvas.push(...moved(pasted, shift));
    }
    expect(new Set(shifts.map((s) => `${s.x},${s.y}`)).size).toBe(5);
    // The first copy goes just under the originals, the gap kept: the nearest free place.
    expect(shifts[0]).toEqual({ x: 0, y: 164 + PLACEMENT_GAP - 40 });
  });

  it("is the shortest move that clears every block of the group, as a search of every move around finds it", () => {
    const next = random(11);
    const step = 10;
    const size = { width: 220, height: 80 };
    for (let round = 0; round < 25; round += 1) {
      const others = Array.from({ length: 3 + Math.floor(next() * 6) }, () =>
        box(step * Math.floor(next() * 60 - 30), step * Math.floor(next() * 60 - 30), 220, step * (6 + Math.floor(next() * 15))),
      );
      // Two or three blocks in a group's shapes: a chain to the right, a column, a diagonal.
      const group = Array.from({ length: 2 + Math.floor(next() * 2) }, (_, i) =>
        box(step * Math.floor(next() * 30) + i * 250 * Math.floor(next() * 2), step * Math.floor(next() * 30) + i * 110, size.width, size.height),
      );
      const shift = groupShift(group, others);
      expect(groupClear(group, shift, others)).toBe(true);
      let nearest = Infinity;
      for (let x = -1500; x <= 1500; x += step) {
        for (let y = -1500; y <= 1500; y += step) {
          const distance = Math.hypot(x, y);
          if (distance < nearest && groupClear(group, { x, y }, others)) nearest = distance;
        }
      }
      expect(Math.hypot(shift.x, shift.y)).toBeCloseTo(nearest, 6);
    }
  });

  it("a large group pasted into a crowd of 800 blocks lands clear of them all, its bounding box clear, in a moment", () => {
    // No room anywhere inside the crowd: its blocks are 30 px apart, give or take.
    const crowd = Array.from({ length: 800 }, (_, i) => box((i % 40) * 250 + ((i * 37) % 13), Math.floor(i / 40) * 130 + ((i * 17) % 11)));
    // Forty of them copied (from all over it), pasted 40 px off: too many to weigh one by one among 800.
    const group = moved(crowd.filter((_, i) => i % 20 === 0), { x: 40, y: 40 });
    const started = performance.now();
    const shift = groupShift(group, crowd);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(groupClear(group, shift, crowd)).toBe(true);
    const bounds = boundsOf(moved(group, shift));
    expect(clear(bounds, bounds, crowd)).toBe(true);
  });

  it("a few blocks pasted into that crowd go to the nearest room, as near as one by one allows", () => {
    const crowd = Array.from({ length: 800 }, (_, i) => box((i % 40) * 250 + ((i * 37) % 13), Math.floor(i / 40) * 130 + ((i * 17) % 11)));
    // Two side by side from the middle of its 40 columns and 20 rows.
    const group = moved([crowd[10 * 40 + 20]!, crowd[10 * 40 + 21]!], { x: 40, y: 40 });
    const shift = groupShift(group, crowd);
    expect(groupClear(group, shift, crowd)).toBe(true);
    // Out over its top or under its bottom, ten rows of 130 px away, not round its side, twenty columns away.
    expect(shift.x).toBe(0);
    expect(Math.abs(shift.y)).toBeLessThan(11 * 130 + 40);
  });
});
