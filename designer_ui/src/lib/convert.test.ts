import { describe, expect, it } from "vitest";
import { fromScenario, toScenario, type ScenarioDocument } from "./convert";

const document: ScenarioDocument = {
  format: "ivrgraph.scenario/1",
  name: "Menú principal",
  description: "Banco",
  language: "es",
  voice: { engine: "gtts" },
  variables: [{ name: "debt_amount", type: "number", default: 0 }],
  nodes: [
    { id: "start", type: "start", version: 1, label: "Inicio", position: { x: 0, y: 0 }, config: {} },
    {
      id: "menu",
      type: "ivr",
      version: 1,
      label: "Menú",
      position: { x: 300.5, y: 40 },
      config: { prompt: { text: "Pulse 1" }, options: [{ key: "1" }, { key: "2" }] },
      notes: "main menu",
    },
    { id: "sales", type: "transfer", position: { x: 600, y: 0 }, config: { target: "101" } },
  ],
  edges: [
    { id: "e1", source: "start", exit: "next", target: "menu" },
    { source: "menu", exit: "1", target: "sales" },
  ],
  fallback: "sales",
  meta: { author: "ana" },
};

describe("document <-> React Flow", () => {
  it("round-trips without losing or adding anything", () => {
    expect(toScenario(fromScenario(document))).toEqual(document);
  });

  it("maps an edge's exit to React Flow's sourceHandle", () => {
    const graph = fromScenario(document);
    expect(graph.edges[1]).toMatchObject({ source: "menu", sourceHandle: "1", target: "sales" });
    expect(graph.edges[0]!.id).toBe("e1");
    expect(graph.nodes[1]).toMatchObject({ id: "menu", type: "block", position: { x: 300.5, y: 40 } });
    expect(graph.nodes[1]!.data).toMatchObject({ blockType: "ivr", label: "Menú", notes: "main menu" });
  });

  it("does not share config objects with the source document", () => {
    const graph = fromScenario(document);
    (graph.nodes[1]!.data.config.options as { key: string }[]).push({ key: "9" });
    expect((document.nodes[1]!.config as { options: unknown[] }).options).toHaveLength(2);
  });

  it("marks nodes without a position for layout and writes a position back", () => {
    const graph = fromScenario({ ...document, nodes: [{ id: "a", type: "hangup", config: {} }], edges: [] });
    expect(graph.nodes[0]!.data.unplaced).toBe(true);
    const out = toScenario(graph);
    expect(out.nodes[0]).toEqual({ id: "a", type: "hangup", position: { x: 0, y: 0 }, config: {} });
  });

  it("stores the viewport when given", () => {
    const out = toScenario(fromScenario(document), { x: 10, y: -5, zoom: 0.8 });
    expect(out.viewport).toEqual({ x: 10, y: -5, zoom: 0.8 });
  });
});
