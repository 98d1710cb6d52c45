import { describe, expect, it } from "vitest";
import type { Role } from "../api/types";
import { loadSuggestions, type SuggestionSource } from "./EditorPage";

/** The API as the suggestions see it, counting what is asked; data sources refused as the server does. */
function api(role: Role) {
  const asked: string[] = [];
  const source: SuggestionSource = {
    listScenarios: async () => {
      asked.push("scenarios");
      return { items: [{ slug: "menu" }], total: 1 } as Awaited<ReturnType<SuggestionSource["listScenarios"]>>;
    },
    audioAssets: async () => {
      asked.push("audio");
      return [{ name: "welcome", title: "Welcome", url: "/api/audio/1/file" }];
    },
    dataSources: async () => {
      asked.push("data-sources");
      if (role !== "admin") throw new Error("403 Forbidden");
      return ["crm"];
    },
  };
  return { source, asked };
}

describe("the suggestions the block forms offer", () => {
  it.each<Role>(["viewer", "editor", "publisher"])("a %s's editor never asks for the data sources (the server refuses them)", async (role) => {
    const { source, asked } = api(role);
    const found = await loadSuggestions(role, source);
    expect(asked).not.toContain("data-sources");
    expect(asked).toEqual(expect.arrayContaining(["scenarios", "audio"]));
    expect(found).toEqual({ scenarios: ["menu"], audio: [{ name: "welcome", title: "Welcome", url: "/api/audio/1/file" }], dataSources: [] });
  });

  it("an admin's lists them", async () => {
    const { source, asked } = api("admin");
    expect((await loadSuggestions("admin", source)).dataSources).toEqual(["crm"]);
    expect(asked).toContain("data-sources");
  });

  it("a list that fails is left empty; the others still come", async () => {
    const { source } = api("admin");
    const found = await loadSuggestions("admin", { ...source, audioAssets: () => Promise.reject(new Error("down")) });
    expect(found).toMatchObject({ scenarios: ["menu"], audio: [], dataSources: ["crm"] });
  });
});
