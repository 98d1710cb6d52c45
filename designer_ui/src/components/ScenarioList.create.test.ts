import { beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import type { ScenarioDetail } from "../api/types";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import { createBlankScenario } from "./ScenarioList";

vi.mock("../api/client", () => ({ createScenario: vi.fn(), blocks: vi.fn() }));
const createScenario = vi.mocked(api.createScenario);

beforeEach(() => {
  createScenario.mockReset();
  createScenario.mockImplementation(async (slug) => ({ slug }) as ScenarioDetail);
  vi.mocked(api.blocks).mockResolvedValue(catalogJson as unknown as BlockSpec[]);
});

describe("a new scenario", () => {
  it.each([
    ["ru", "Взыскание"],
    ["es", "Cobros"],
    ["en", "Collections"],
  ] as const)("created in the %s interface speaks that language (%s)", async (language, name) => {
    await createBlankScenario("collections", name, language);
    const [, , document] = createScenario.mock.calls[0]!;
    expect(document).toMatchObject({ name, language, edges: [] });
  });

  it("opens with its Start block placed, as the palette would drop it (first-run review: an empty canvas)", async () => {
    await createBlankScenario("collections", "Collections", "en");
    const [, , document] = createScenario.mock.calls[0]!;
    expect(document!.nodes).toEqual([
      { id: "start", type: "start", version: 1, label: "Start", config: { answer: true }, position: { x: 0, y: 0 } },
    ]);
    expect(document!.edges).toEqual([]);
  });
});
