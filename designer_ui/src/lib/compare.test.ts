import { describe, expect, it } from "vitest";
import { transferDraft } from "../testSupport";
import { sameFlow } from "./compare";
import { fromScenario, toScenario, type ScenarioDocument } from "./convert";

const published = (): ScenarioDocument => structuredClone(transferDraft);

describe("whether the draft is the flow a version published", () => {
  it("the version opened in the editor and given back is the same flow", () => {
    expect(sameFlow(published(), toScenario(fromScenario(published())))).toBe(true);
  });

  it("blocks moved, listed in another order, or a view saved: still the same flow", () => {
    const draft = published();
    draft.nodes = draft.nodes.map((n) => ({ ...n, position: { x: n.position!.x + 40, y: n.position!.y - 25 } })).reverse();
    draft.viewport = { x: 10, y: 20, zoom: 0.7 };
    draft.fallback = undefined; // as the editor leaves a cleared setting: no key in JSON
    expect(sameFlow(published(), draft)).toBe(true);
  });

  it("a block's setting, a label, a connection, a block or a scenario setting changed: another flow", () => {
    const changes: ((d: ScenarioDocument) => void)[] = [
      (d) => (d.nodes[1]!.config = { target: "102" }),
      (d) => (d.nodes[1]!.label = "Ventas"),
      (d) => (d.edges = []),
      (d) => d.nodes.push({ id: "bye", type: "hangup", position: { x: 0, y: 0 }, config: {} }),
      (d) => (d.name = "Menu 2"),
      (d) => (d.fallback = "sales"),
    ];
    for (const change of changes) {
      const draft = published();
      change(draft);
      expect(sameFlow(published(), draft)).toBe(false);
    }
  });
});
