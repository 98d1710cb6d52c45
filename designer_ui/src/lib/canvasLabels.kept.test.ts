import { describe, expect, it } from "vitest";
import catalogJson from "./fixtures/catalog.json";
import { blockAriaLabels, canvasLabeller, edgeAriaLabels, type LabelledBlock, type LabelledEdge } from "./canvasLabels";
import { catalogFrom, type BlockSpec } from "./catalog";
import { translator, type Translate } from "./i18n";
import type { Problem } from "./problems";

const catalog = catalogFrom(catalogJson as unknown as BlockSpec[]);

/** The English wording, counting the words it looks up: a name worked out looks up at least one. */
function countingWording() {
  const t = translator("en");
  const counted = { looked: 0 };
  const wording = { language: "en" as const, catalog, t: ((key, params) => ((counted.looked += 1), t(key, params))) as Translate };
  return { wording, counted };
}

// A chain of menus: each IVR's key 1 to the next one, key 2 to a Hang Up of its own.
function chain(length: number): { blocks: LabelledBlock[]; edges: LabelledEdge[] } {
  const blocks: LabelledBlock[] = [];
  const edges: LabelledEdge[] = [];
  for (let i = 0; i < length; i += 1) {
    blocks.push({ id: `ivr${i}`, data: { blockType: "ivr", config: { options: [{ key: "1" }, { key: "2" }] } } });
    blocks.push({ id: `end${i}`, data: { blockType: "hangup", label: `End ${i}`, config: {} } });
    edges.push({ id: `ivr${i}:2`, source: `ivr${i}`, sourceHandle: "2", target: `end${i}` });
    if (i > 0) edges.push({ id: `ivr${i - 1}:1`, source: `ivr${i - 1}`, sourceHandle: "1", target: `ivr${i}` });
  }
  return { blocks, edges };
}

const fromScratch = (blocks: LabelledBlock[], edges: LabelledEdge[], problems: Problem[] = [], steps = new Map<string, number[]>(), hungUpAt: string | null = null) => {
  const w = { language: "en" as const, catalog, t: translator("en") };
  return { blocks: blockAriaLabels(w, blocks, edges, problems, steps, undefined, hungUpAt), edges: edgeAriaLabels(w, blocks, edges) };
};

describe("the canvas's names, kept between changes", () => {
  it("are the names worked out from scratch, after every kind of change", () => {
    const { wording } = countingWording();
    const label = canvasLabeller();
    let { blocks, edges } = chain(5);
    expect(label(wording, blocks, edges, [])).toEqual(fromScratch(blocks, edges));
    // A block renamed: its own name, and the names of the exits and connections leading to it.
    blocks = blocks.map((b) => (b.id === "end2" ? { ...b, data: { ...b.data, label: "Goodbye" } } : b));
    expect(label(wording, blocks, edges, [])).toEqual(fromScratch(blocks, edges));
    // Two blocks given one title: both named in full wherever they are led to.
    blocks = blocks.map((b) => (b.id === "end3" ? { ...b, data: { ...b.data, label: "Goodbye" } } : b));
    expect(label(wording, blocks, edges, [])).toEqual(fromScratch(blocks, edges));
    // A connection made, one taken away; a key added (a config change).
    edges = [...edges.filter((e) => e.id !== "ivr0:2"), { id: "ivr4:1", source: "ivr4", sourceHandle: "1", target: "end0" }];
    blocks = blocks.map((b) => (b.id === "ivr1" ? { ...b, data: { ...b.data, config: { options: [{ key: "1" }, { key: "2" }, { key: "3" }] } } } : b));
    expect(label(wording, blocks, edges, [])).toEqual(fromScratch(blocks, edges));
    // Problems found, a call's path lit, a block deleted.
    const problems: Problem[] = [
      { severity: "error", code: "schema", message: "x", node: "ivr2" },
      { severity: "warning", code: "unreachable", message: "y", node: "end4" },
    ];
    const steps = new Map([["ivr0", [1, 3]], ["ivr1", [2]]]);
    expect(label(wording, blocks, edges, problems, steps)).toEqual(fromScratch(blocks, edges, problems, steps));
    // The same blocks lit, the caller hanging up at one of them: that block's name says so.
    expect(label(wording, blocks, edges, problems, steps, "ivr1")).toEqual(fromScratch(blocks, edges, problems, steps, "ivr1"));
    expect(label(wording, blocks, edges, problems, steps, "ivr1").blocks.get("ivr1")).toMatch(/; the caller hung up here$/);
    blocks = blocks.filter((b) => b.id !== "end1");
    edges = edges.filter((e) => e.target !== "end1");
    expect(label(wording, blocks, edges, problems)).toEqual(fromScratch(blocks, edges, problems));
  });

  it("work out again only the names a change touches", () => {
    const { wording, counted } = countingWording();
    const label = canvasLabeller();
    const { blocks, edges } = chain(200);
    label(wording, blocks, edges, []);
    const whole = counted.looked;
    counted.looked = 0;
    label(wording, [...blocks], [...edges], []);
    expect(counted.looked).toBe(0);
    // One problem found: one block's name, a handful of words, not 400 blocks' and 599 connections'.
    label(wording, blocks, edges, [{ severity: "error", code: "schema", message: "x", node: "ivr7" }]);
    expect(counted.looked).toBeGreaterThan(0);
    expect(counted.looked).toBeLessThan(10);
    expect(whole).toBeGreaterThan(1000);
  });

  it("start again in another language", () => {
    const label = canvasLabeller();
    const { blocks, edges } = chain(2);
    label({ language: "en", catalog, t: translator("en") }, blocks, edges, []);
    const es = { language: "es" as const, catalog, t: translator("es") };
    expect(label(es, blocks, edges, []).blocks).toEqual(blockAriaLabels(es, blocks, edges, []));
  });
});
