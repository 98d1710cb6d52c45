import { describe, expect, it } from "vitest";
import { canvasItemOf, canvasItemSelector, nextCanvasItem } from "./canvasOrder";

const edges = [{ id: "start:next" }, { id: "menu:1" }];
const nodes = [{ id: "start" }, { id: "menu" }, { id: "sales" }];

describe("the canvas's Tab order, whole, whatever is drawn", () => {
  it("goes through every connection, then every block, in the scenario's order", () => {
    const order = [];
    for (let item = nextCanvasItem(edges, nodes, { kind: "edge", id: "start:next" }, false); item; item = nextCanvasItem(edges, nodes, item, false)) {
      order.push(`${item.kind} ${item.id}`);
    }
    expect(order).toEqual(["edge menu:1", "node start", "node menu", "node sales"]);
  });

  it("goes back with Shift+Tab, from the first block to the last connection", () => {
    expect(nextCanvasItem(edges, nodes, { kind: "node", id: "start" }, true)).toEqual({ kind: "edge", id: "menu:1" });
    expect(nextCanvasItem(edges, nodes, { kind: "node", id: "sales" }, true)).toEqual({ kind: "node", id: "menu" });
  });

  it("leaves the focus to the browser at either end, and for an item no longer on the canvas", () => {
    expect(nextCanvasItem(edges, nodes, { kind: "edge", id: "start:next" }, true)).toBeNull();
    expect(nextCanvasItem(edges, nodes, { kind: "node", id: "sales" }, false)).toBeNull();
    expect(nextCanvasItem(edges, nodes, { kind: "node", id: "gone" }, false)).toBeNull();
    expect(nextCanvasItem([], nodes, { kind: "node", id: "start" }, true)).toBeNull();
  });
});

describe("a canvas item's element", () => {
  const element = (classes: string[], id: string | null) => ({
    getAttribute: (name: string) => (name === "data-id" ? id : null),
    classList: { contains: (name: string) => classes.includes(name) },
  });

  it("is a block's or a connection's own element, nothing inside or beside them", () => {
    expect(canvasItemOf(element(["react-flow__node", "selected"], "menu") as unknown as Element)).toEqual({ kind: "node", id: "menu" });
    expect(canvasItemOf(element(["react-flow__edge"], "menu:1") as unknown as Element)).toEqual({ kind: "edge", id: "menu:1" });
    expect(canvasItemOf(element(["react-flow__handle"], "x") as unknown as Element)).toBeNull();
    expect(canvasItemOf(element(["react-flow__node"], null) as unknown as Element)).toBeNull();
    expect(canvasItemOf(null)).toBeNull();
  });

  it("is found by a selector that keeps quotes in an id inside it", () => {
    expect(canvasItemSelector({ kind: "edge", id: 'a"b:1' })).toBe('.react-flow__edge[data-id="a\\"b:1"]');
    expect(canvasItemSelector({ kind: "node", id: "menu" })).toBe('.react-flow__node[data-id="menu"]');
  });
});
