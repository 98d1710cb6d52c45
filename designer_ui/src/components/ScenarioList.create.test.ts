import { beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import type { ScenarioDetail } from "../api/types";
import { createBlankScenario } from "./ScenarioList";

vi.mock("../api/client", () => ({ createScenario: vi.fn() }));
const createScenario = vi.mocked(api.createScenario);

beforeEach(() => {
  createScenario.mockReset();
  createScenario.mockImplementation(async (slug) => ({ slug }) as ScenarioDetail);
});

describe("a new scenario", () => {
  it.each([
    ["ru", "Взыскание"],
    ["es", "Cobros"],
    ["en", "Collections"],
  ] as const)("created in the %s interface speaks that language (%s)", async (language, name) => {
    await createBlankScenario("collections", name, language);
    const [, , document] = createScenario.mock.calls[0]!;
    expect(document).toMatchObject({ name, language, nodes: [], edges: [] });
  });
});
