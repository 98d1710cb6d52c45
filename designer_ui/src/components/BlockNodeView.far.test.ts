import { Position } from "@xyflow/react";
import { describe, expect, it } from "vitest";
import { FarBlockBody } from "./BlockNodeView";
import { renderToHtml } from "./renderForTest";

// Where React Flow measured a menu's handles: its input on the left, two exits on the right.
const handles = {
  target: [{ id: "in", type: "target" as const, nodeId: "ivr", position: Position.Left, x: -5, y: 52, width: 10, height: 10 }],
  source: [
    { id: "1", type: "source" as const, nodeId: "ivr", position: Position.Right, x: 215, y: 70, width: 10, height: 10 },
    { id: "error", type: "source" as const, nodeId: "ivr", position: Position.Right, x: 215, y: 90, width: 10, height: 10 },
  ],
};
const render = (selected = false) => renderToHtml(FarBlockBody, { id: "ivr", blockType: "ivr", selected, width: 220, height: 124, handles });

describe("a block seen from far away", () => {
  it("keeps the size React Flow measured, so nothing is measured anew or moved", () => {
    expect(render()).toMatch(/^<div class="block-node block-far[^"]*" style="width:220px;height:124px;box-sizing:border-box"/);
  });

  it("has its handles where React Flow measured them, as React Flow finds handles, so its connections stay put", () => {
    const html = render();
    expect(html).toContain('<div class="target" data-handleid="in" data-handlepos="left" style="position:absolute;left:-5px;top:52px;width:10px;height:10px" aria-hidden="true">');
    expect(html).toContain('<div class="source" data-handleid="1" data-handlepos="right" style="position:absolute;left:215px;top:70px;width:10px;height:10px"');
    expect(html).toContain('data-handleid="error" data-handlepos="right" style="position:absolute;left:215px;top:90px');
  });

  it("draws no words, and shows its selection as the block near does", () => {
    expect(render().replace(/<[^>]+>/g, "")).toBe("");
    expect(render(true)).toMatch(/class="block-node block-far [^"]*selected"/);
  });
});
