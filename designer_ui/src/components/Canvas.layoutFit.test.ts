// Review: after Auto layout half of a 9-block flow was off the screen. The canvas fitted the view after a layout as
// it does on open: at a readable zoom on the Start block, which leaves a long flow's end out of sight. Auto layout
// now asks for every block in sight (Fit view's own viewport), and a scenario just opened still opens readable.
import type { Viewport } from "@xyflow/react";
import { beforeEach, describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import type { ScenarioDocument } from "../lib/convert";
import catalogJson from "../lib/fixtures/catalog.json";
import { DEFAULT_OVERLAYS, type Rect, type Size } from "../lib/viewport";
import { useEditor } from "../store/editor";
import { viewportAfterFitRequest } from "./Canvas";

const editor = () => useEditor.getState();

/** A chain of nine blocks, all drawn at one spot (as an import with no positions, before Auto layout). */
function nineBlocks(): ScenarioDocument {
  const ids = ["start", ...Array.from({ length: 7 }, (_, i) => `say_${i + 1}`), "bye"];
  return {
    format: "ivrgraph.scenario/1",
    name: "Nine",
    nodes: ids.map((id, i) => ({
      id,
      type: i === 0 ? "start" : i === ids.length - 1 ? "hangup" : "message",
      position: { x: 0, y: 0 },
      config: i === 0 || i === ids.length - 1 ? {} : { prompt: { text: `Paso ${i}` } },
    })),
    edges: ids.slice(1).map((id, i) => ({ id: `${ids[i]}:next`, source: ids[i]!, exit: "next", target: id })),
  };
}

const boxes = (): Rect[] => editor().nodes.map((n) => ({ ...n.position, width: 220, height: 80 }));
const startBox = () => boxes()[editor().nodes.findIndex((n) => n.id === "start")]!;
const pane: Size = { width: 1000, height: 640 };

/** The blocks not wholly in the pane at this viewport. */
function outOfSight(viewport: Viewport): number {
  return boxes().filter((b) => {
    const [left, top] = [b.x * viewport.zoom + viewport.x, b.y * viewport.zoom + viewport.y];
    return left < 0 || top < 0 || left + b.width * viewport.zoom > pane.width || top + b.height * viewport.zoom > pane.height;
  }).length;
}

beforeEach(() => {
  editor().setCatalog(catalogJson as unknown as BlockSpec[]);
  editor().setReadOnly(false);
  editor().load("nine", nineBlocks(), 1);
});

describe("the view after Auto layout", () => {
  it("asks the canvas for every block in sight", () => {
    const fits = editor().fitRequest;
    editor().layout();
    expect(editor().fitRequest).toBe(fits + 1);
    expect(editor().fitWhole).toBe(true);
  });

  it("has all nine blocks of a long chain in sight", () => {
    editor().layout();
    const viewport = viewportAfterFitRequest(editor().fitWhole, boxes(), startBox(), pane, DEFAULT_OVERLAYS);
    expect(outOfSight(viewport)).toBe(0);
  });

  it("is not the opening view, which leaves a long chain's end out of sight", () => {
    editor().layout();
    const opening = viewportAfterFitRequest(false, boxes(), startBox(), pane, DEFAULT_OVERLAYS);
    expect(outOfSight(opening)).toBeGreaterThan(0);
  });
});

describe("the view on open", () => {
  it("stays the readable opening view, even after an Auto layout in the scenario opened before", () => {
    editor().layout();
    editor().load("nine", nineBlocks(), 1);
    expect(editor().fitWhole).toBe(false);
  });
});
