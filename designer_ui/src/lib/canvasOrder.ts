/**
 * The canvas's Tab order, whole. React Flow draws only the blocks and connections in sight (a big scenario would
 * otherwise be thousands of elements), so the browser's Tab would reach only those: the canvas moves the focus
 * itself, along this order, and brings what is out of sight into it. The order is the one React Flow draws them
 * in when it draws them all: every connection, then every block, each in the scenario's order.
 */

/** A connection or a block on the canvas, as its element names it (`.react-flow__edge` / `.react-flow__node`). */
export interface CanvasItem {
  kind: "edge" | "node";
  id: string;
}

/** The item after `from` (before it, `backwards`), or null at either end: the focus leaves the canvas there. */
export function nextCanvasItem(
  edges: readonly { id: string }[],
  nodes: readonly { id: string }[],
  from: CanvasItem,
  backwards: boolean,
): CanvasItem | null {
  const at = from.kind === "edge" ? edges.findIndex((e) => e.id === from.id) : nodes.findIndex((n) => n.id === from.id);
  if (at < 0) return null;
  const index = (from.kind === "edge" ? at : edges.length + at) + (backwards ? -1 : 1);
  if (index < 0 || index >= edges.length + nodes.length) return null;
  return index < edges.length ? { kind: "edge", id: edges[index]!.id } : { kind: "node", id: nodes[index - edges.length]!.id };
}

/** The canvas item an element is (a block's or a connection's own element), or null for anything else. */
export function canvasItemOf(element: EventTarget | null): CanvasItem | null {
  const el = element as Partial<Element> | null;
  if (typeof el?.getAttribute !== "function" || !el.classList) return null;
  const id = el.getAttribute("data-id");
  if (id === null) return null;
  if (el.classList.contains("react-flow__node")) return { kind: "node", id };
  if (el.classList.contains("react-flow__edge")) return { kind: "edge", id };
  return null;
}

/** The CSS selector of an item's element (an id in a quoted attribute value: its quotes and backslashes escaped). */
export function canvasItemSelector(item: CanvasItem): string {
  return `.react-flow__${item.kind}[data-id="${item.id.replace(/["\\]/g, "\\$&")}"]`;
}
