/**
 * Where blocks go so that none lands on another: a new block in the free space nearest where it was asked for
 * (beside the selected block, mid-canvas, under the mouse of a drop), and the blocks under a block that grew
 * pushed down out of its way. Boxes in canvas coordinates, top-left corners; pure, so it is tested without a
 * browser.
 */
import { COLUMN_GAP, NODE_GAP } from "./layout";

export interface Point {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface Box extends Point, Size {}

/** A block's box, named by the block's id. */
export interface PlacedBox extends Box {
  id: string;
}

/** The space between a new block and its neighbours: the layout's, so a block added looks laid out. */
export const PLACEMENT_GAP = NODE_GAP;

const sideBySide = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width;
/** Whether two boxes share some area (touching edges do not count). */
export const intersect = (a: Box, b: Box) => sideBySide(a, b) && a.y < b.y + b.height && b.y < a.y + a.height;

/** The open region where a box of `size` may not have its top-left corner: over `other`, or within `gap` of it. */
function forbidden(other: Box, size: Size, gap: number): Box {
  return {
    x: other.x - size.width - gap,
    y: other.y - size.height - gap,
    width: other.width + size.width + 2 * gap,
    height: other.height + size.height + 2 * gap,
  };
}

const inside = (p: Point, r: Box) => p.x > r.x && p.x < r.x + r.width && p.y > r.y && p.y < r.y + r.height;
/** How far a point is from a region's closure (0 inside it). */
const distanceTo = (p: Point, r: Box) =>
  Math.hypot(Math.max(r.x - p.x, 0, p.x - r.x - r.width), Math.max(r.y - p.y, 0, p.y - r.y - r.height));

/**
 * The top-left corner nearest `wanted` at which a box of `size` overlaps none of `others` and keeps `gap` from
 * each, its left edge at `minX` or right of it and its top at `minY` or below it. `wanted` itself when free.
 *
 * Exact: the nearest free point is `wanted`, or on the edge of a forbidden region, so its x is `wanted`'s or a
 * region's left or right edge and its y likewise: each such pair is a candidate, nearest first. Only the regions
 * within a radius of `wanted` can forbid a candidate within it, so the search starts near and widens: a block
 * added to an 800-block scenario weighs a handful of neighbours, not all of them.
 */
export function freeSpot(
  wanted: Point,
  size: Size,
  others: readonly Box[],
  { gap = PLACEMENT_GAP, minX = -Infinity, minY = -Infinity }: { gap?: number; minX?: number; minY?: number } = {},
): Point {
  const start = { x: Math.max(wanted.x, minX), y: Math.max(wanted.y, minY) };
  const regions = others.map((other) => forbidden(other, size, gap));
  for (let radius = 2 * Math.max(size.width, size.height, 1); ; radius *= 2) {
    const near = regions.filter((r) => distanceTo(start, r) <= radius);
    const everything = near.length === regions.length;
    const xs = new Set([start.x, ...near.flatMap((r) => [r.x, r.x + r.width])].filter((x) => x >= minX));
    const ys = new Set([start.y, ...near.flatMap((r) => [r.y, r.y + r.height])].filter((y) => y >= minY));
    const candidates: { point: Point; distance: number }[] = [];
    for (const x of xs) {
      for (const y of ys) {
        const distance = Math.hypot(x - start.x, y - start.y);
        if (everything || distance <= radius) candidates.push({ point: { x, y }, distance });
      }
    }
    // Nearest first; of two as near, the lower one, then the one to the right: a chain grows down and rightwards.
    candidates.sort((a, b) => a.distance - b.distance || b.point.y - a.point.y || b.point.x - a.point.x);
    const found = candidates.find(({ point }) => !near.some((r) => inside(point, r)));
    if (found) return found.point;
    // With every region weighed there is always a free candidate (right of them all); this is for safety.
    if (everything) return { x: Math.max(start.x, ...regions.map((r) => r.x + r.width)), y: start.y };
  }
}

/**
 * Where a block added beside `selected` goes: right of it, level with it, as the next block of a chain. When that
 * is taken, the free spot nearest it that is right of the selected block and not above it, or the one under the
 * selected block if that is nearer (the column right of it is crowded).
 */
export function spotBeside(selected: Box, size: Size, others: readonly Box[]): Point {
  const right = selected.x + selected.width;
  const next = { x: right + COLUMN_GAP, y: selected.y };
  const rightOf = freeSpot(next, size, others, { minX: right + PLACEMENT_GAP, minY: selected.y });
  const under = selected.y + selected.height + PLACEMENT_GAP;
  const below = freeSpot({ x: selected.x, y: under }, size, others, { minY: under });
  const away = (p: Point) => Math.hypot(p.x - next.x, p.y - next.y);
  return away(below) < away(rightOf) ? below : rightOf;
}

/**
 * After blocks grew (an IVR menu given more keys is drawn taller): the blocks under them they now overlap are
 * pushed down, each to `gap` below, and push those under them in turn. `grown` has each grown block's box from
 * before it grew. A block the layout placed (`tidy`) is pushed as soon as the growth comes within `gap` of it,
 * keeping the layout's spacing; any other was placed by hand and moves only when it would be overlapped. A block
 * that overlapped the pusher already (the analyst put them so) is no reason to move. Blocks above and beside the
 * growth stay where they are, and a pushed block lands below any block that is not moving rather than on it.
 * Returns the new `y` of each block that moves (none: an empty map).
 */
export function pushDownUnder(
  boxes: readonly PlacedBox[],
  grown: ReadonlyMap<string, Box>,
  tidy: ReadonlySet<string>,
  gap = PLACEMENT_GAP,
): Map<string, number> {
  const now = new Map(boxes.map((b) => [b.id, { ...b }]));
  const before = new Map(boxes.map((b) => [b.id, grown.get(b.id) ?? b]));
  // Top to bottom: when a block's turn comes, every block above it has its final place.
  const order = [...boxes].sort((a, b) => a.y - b.y || a.x - b.x).map((b) => b.id);
  const pushers = new Set(grown.keys()); // what has grown or moved: only these push
  const moved = new Map<string, number>();
  order.forEach((id, index) => {
    if (grown.has(id)) return;
    const box = now.get(id)!;
    const reach = tidy.has(id) ? gap : 0;
    const above = order.slice(0, index).filter((other) => pushers.has(other));
    // What it must not land on: those that will not move any more (every block above has its place by now).
    const settled = order.filter((other, i) => other !== id && (i < index || grown.has(other)));
    let y = box.y;
    for (let again = true, guard = 0; again && guard <= boxes.length; guard += 1) {
      again = false;
      for (const other of above) {
        const pusher = now.get(other)!;
        const reached = sideBySide(pusher, box) && y < pusher.y + pusher.height + reach && y + box.height > pusher.y;
        if (reached && !intersect(before.get(other)!, before.get(id)!)) {
          [y, again] = [pusher.y + pusher.height + gap, true];
        }
      }
      if (y === box.y) break; // not reached by the growth
      for (const other of settled) {
        const obstacle = now.get(other)!;
        if (intersect({ ...box, y }, obstacle) && !intersect(before.get(id)!, before.get(other)!)) {
          [y, again] = [obstacle.y + obstacle.height + gap, true];
        }
      }
    }
    if (y !== box.y) {
      box.y = y;
      pushers.add(id);
      moved.set(id, y);
    }
  });
  return moved;
}
