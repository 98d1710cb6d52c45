/**
 * Where blocks go so that none lands on another: a new block in the free space nearest where it was asked for
 * (beside the selected block, mid-canvas, under the mouse of a drop), pasted copies moved as a group to the free
 * space nearest where the paste put them, and the blocks under a block that grew pushed down out of its way. Boxes
 * in canvas coordinates, top-left corners; pure, so it is tested without a browser.
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

/** How far a point is from a region's closure (0 inside it). */
const distanceTo = (p: Point, r: Box) =>
  Math.hypot(Math.max(r.x - p.x, 0, p.x - r.x - r.width), Math.max(r.y - p.y, 0, p.y - r.y - r.height));

/**
 * The top-left corner nearest `wanted` at which a box of `size` overlaps none of `others` and keeps `gap` from
 * each, its left edge at `minX` or right of it and its top at `minY` or below it. `wanted` itself when free.
 */
export function freeSpot(
  wanted: Point,
  size: Size,
  others: readonly Box[],
  { gap = PLACEMENT_GAP, minX = -Infinity, minY = -Infinity }: { gap?: number; minX?: number; minY?: number } = {},
): Point {
  const start = { x: Math.max(wanted.x, minX), y: Math.max(wanted.y, minY) };
  const regions = others.map((other) => forbidden(other, size, gap));
  return nearestOutside(start, regions, 2 * Math.max(size.width, size.height, 1), { minX, minY })!;
}

/** Nearest first; of two as near, the lower one, then the one to the right: a chain grows down and rightwards. */
const preferred = (a: { point: Point; distance: number }, b: { point: Point; distance: number }) =>
  a.distance - b.distance || b.point.y - a.point.y || b.point.x - a.point.x;

/**
 * The point nearest `start` inside none of `regions` (open boxes), with x at `minX` or more and y at `minY` or
 * more, as `start` is; null when finding it would weigh more than `budget` vertical lines times regions.
 *
 * Exact: the nearest free point is `start`, or on the edge of a region, so its x is `start`'s or a region's left
 * or right edge: on each such vertical line the free y nearest `start` is found, and the nearest of those is the
 * point. Only the regions within a radius of `start` can cover a point within it, so the search starts at
 * `radius` and widens: a block added to an 800-block scenario weighs a handful of neighbours, not all of them.
 */
function nearestOutside(
  start: Point,
  regions: readonly Box[],
  radius: number,
  { minX = -Infinity, minY = -Infinity, budget = Infinity }: { minX?: number; minY?: number; budget?: number },
): Point | null {
  for (; ; radius *= 2) {
    const near = regions.filter((r) => distanceTo(start, r) <= radius);
    const everything = near.length === regions.length;
    const within = (x: number) => x >= minX && (everything || Math.abs(x - start.x) <= radius);
    const xs = new Set([start.x, ...near.flatMap((r) => [r.x, r.x + r.width])].filter(within));
    if (xs.size * near.length > budget) return null;
    near.sort((a, b) => a.y - b.y);
    let best: { point: Point; distance: number } | null = null;
    for (const x of xs) {
      const point = { x, y: nearestFreeY(x, start.y, minY, near) };
      const candidate = { point, distance: Math.hypot(point.x - start.x, point.y - start.y) };
      if (!everything && candidate.distance > radius) continue; // a region not weighed yet may cover it
      if (!best || preferred(candidate, best) < 0) best = candidate;
    }
    // With every region weighed there is always one: every vertical line has a free y.
    if (best) return best.point;
  }
}

/**
 * On the vertical line at `x`, the y nearest `wanted` (at `minY` or below it, as `wanted` is) that none of
 * `byTop` (regions sorted by their top) covers; of two as near, the lower one.
 */
function nearestFreeY(x: number, wanted: number, minY: number, byTop: readonly Box[]): number {
  // The regions crossing the line, top down, merged into runs: regions are open, so two that overlap cover the
  // line as one, and two that only touch leave the y they share free.
  let [top, bottom] = [-Infinity, -Infinity];
  for (const r of byTop) {
    if (r.x >= x || x >= r.x + r.width) continue;
    if (r.y < bottom) {
      bottom = Math.max(bottom, r.y + r.height);
      continue;
    }
    if (top < wanted && wanted < bottom) break; // the run that covers `wanted` is complete
    if (r.y >= wanted) return wanted; // every run from here on starts at or below it
    [top, bottom] = [r.y, r.y + r.height];
  }
  if (!(top < wanted && wanted < bottom)) return wanted;
  return top >= minY && wanted - top < bottom - wanted ? top : bottom;
}

/** The smallest box holding all of `boxes` (at least one). */
export function boundsOf(boxes: readonly Box[]): Box {
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  const width = Math.max(...boxes.map((b) => b.x + b.width)) - x;
  const height = Math.max(...boxes.map((b) => b.y + b.height)) - y;
  return { x, y, width, height };
}

/**
 * How much the exact search for a group may weigh before the group is placed by its bounding box instead (each a
 * few tens of milliseconds at most): its blocks times the others, and vertical lines times regions as it widens.
 * A large group pasted into a crowd has a great many ways through it.
 */
const GROUP_PAIRS_BUDGET = 20_000;
const GROUP_SEARCH_BUDGET = 2_000_000;

/**
 * How far to move a group of blocks (pasted copies, `group` their boxes where the paste put them) so that none of
 * them overlaps any of `others` or comes within `gap` of one: the shortest such move, {0, 0} when they are clear
 * already. The group moves as one, so it keeps its shape. A group too large to search exactly among a crowd is
 * moved so that its bounding box is clear: never onto a block, perhaps a little further than it need be.
 */
export function groupShift(
  group: readonly Box[],
  others: readonly Box[],
  { gap = PLACEMENT_GAP }: { gap?: number } = {},
): Point {
  const keepsGap = (b: Box) => {
    const around = { x: b.x - gap, y: b.y - gap, width: b.width + 2 * gap, height: b.height + 2 * gap };
    return others.every((other) => !intersect(around, other));
  };
  if (group.every(keepsGap)) return { x: 0, y: 0 };
  if (group.length * others.length <= GROUP_PAIRS_BUDGET) {
    // A move by t puts a member over (or within `gap` of) another block when t is in the region the member's
    // top-left corner must keep out of, less where the member is: such regions of every member and other block.
    const regions = group.flatMap((member) =>
      others.map((other) => {
        const region = forbidden(other, member, gap);
        return { ...region, x: region.x - member.x, y: region.y - member.y };
      }),
    );
    const largest = Math.max(1, ...group.flatMap((b) => [b.width, b.height]));
    const exact = nearestOutside({ x: 0, y: 0 }, regions, 2 * largest, { budget: GROUP_SEARCH_BUDGET });
    if (exact) return exact;
  }
  const bounds = boundsOf(group);
  const corner = freeSpot(bounds, bounds, others, { gap });
  return { x: corner.x - bounds.x, y: corner.y - bounds.y };
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
