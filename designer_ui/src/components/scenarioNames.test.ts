import { beforeEach, describe, expect, it, vi } from "vitest";

// The generated client's transport, answering as a server with 226 scenarios does: the paged list stops at 200 a
// page (by slug), the names route lists them all.
const get = vi.hoisted(() => vi.fn());
vi.mock("openapi-fetch", async (actual) => ({
  ...(await actual<typeof import("openapi-fetch")>()),
  default: () => ({ use: () => undefined, GET: get, POST: vi.fn() }),
}));

import type { Role } from "../api/types";
import { loadSuggestions } from "./EditorPage";
import { loadScenarioChoices } from "./useCallPageData";

const WINTER = { slug: "zz-winter-campaign", name: "Winter campaign", latest_version: 3 };
const ALL = [...Array.from({ length: 225 }, (_, n) => ({ slug: `line-${String(n).padStart(3, "0")}`, name: `Line ${n}`, latest_version: null })), WINTER];

function summary(s: (typeof ALL)[number]) {
  return { ...s, description: "", draft_revision: 1, updated_at: "2026-12-01T10:00:00Z", updated_by: "ana", missing_block_types: [] };
}

function answer(data: unknown) {
  return { data, response: new Response(JSON.stringify(data), { status: 200 }) };
}

beforeEach(() => {
  get.mockReset();
  get.mockImplementation(async (path: string, init?: { params?: { query?: { page?: number; page_size?: number } } }) => {
    if (path === "/api/scenarios/-/names") return answer(ALL);
    if (path === "/api/scenarios") {
      const { page = 1, page_size = 50 } = init?.params?.query ?? {};
      const size = Math.min(page_size, 200);
      return answer({ items: ALL.slice((page - 1) * size, page * size).map(summary), total: ALL.length });
    }
    if (path === "/api/audio") return answer({ items: [], total: 0 });
    throw new Error(`not expected here: GET ${path}`);
  });
});

describe("the scenarios the Calls, Callbacks and Reports pages offer and name", () => {
  it("are every scenario, the ones after the first 200 by slug too, by name", async () => {
    const choices = await loadScenarioChoices();
    expect(choices).toHaveLength(226);
    expect(choices).toContainEqual({ slug: "zz-winter-campaign", name: "Winter campaign" });
    const names = choices.map((c) => c.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(get).toHaveBeenCalledWith("/api/scenarios/-/names");
  });

  it("come from the unpaged names, not from pages of the list (which carry every draft's summary)", async () => {
    await loadScenarioChoices();
    expect(get.mock.calls.map((call) => call[0])).toEqual(["/api/scenarios/-/names"]);
  });
});

describe("the scenarios Go To Scenario suggests", () => {
  it.each<Role>(["viewer", "admin"])("are every scenario's slug for a %s, the 226th too", async (role) => {
    const { scenarios } = await loadSuggestions(role, {
      scenarioNames: async () => ALL,
      audioAssets: async () => [],
      dataSources: async () => [],
    });
    expect(scenarios).toHaveLength(226);
    expect(scenarios).toContain("zz-winter-campaign");
  });

  it("from the API's names route by default", async () => {
    const { scenarios } = await loadSuggestions("editor");
    expect(scenarios).toContain("zz-winter-campaign");
    expect(get).toHaveBeenCalledWith("/api/scenarios/-/names");
  });
});
