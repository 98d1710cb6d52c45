import { describe, expect, it } from "vitest";
import type { Role } from "../api/types";
import { SidePanelTabs, focusInto, loadSuggestions, panelId, selectsBlock, tabAfterKey, tabId, type SuggestionSource } from "./EditorPage";
import { renderInLanguage, renderToHtml } from "./renderForTest";

/** The API as the suggestions see it, counting what is asked; data sources refused as the server does. */
function api(role: Role) {
  const asked: string[] = [];
  const source: SuggestionSource = {
    scenarioNames: async () => {
      asked.push("scenarios");
      return [{ slug: "menu", name: "Menu", latest_version: 1 }];
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

describe("the side panel's tabs", () => {
  const tabs = (html: string) => [...html.matchAll(/<button[^>]*role="tab"[^>]*>/g)].map((m) => m[0]);
  const attribute = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];

  it("are one Tab stop: only the shown one is in the Tab order", () => {
    const shown = tabs(renderToHtml(SidePanelTabs, { panel: "test", onSelect: () => undefined }));
    expect(shown).toHaveLength(6);
    expect(shown.map((tab) => attribute(tab, "tabindex"))).toEqual(["-1", "-1", "0", "-1", "-1", "-1"]);
    expect(shown.map((tab) => attribute(tab, "aria-selected"))).toEqual(["false", "false", "true", "false", "false", "false"]);
  });

  it("each name the panel they show, which is labelled by its tab", () => {
    const shown = tabs(renderInLanguage("ru", SidePanelTabs, { panel: "block", onSelect: () => undefined }));
    expect(shown.map((tab) => [attribute(tab, "id"), attribute(tab, "aria-controls")])).toEqual([
      ["side-tab-block", "side-panel-block"],
      ["side-tab-scenario", "side-panel-scenario"],
      ["side-tab-test", "side-panel-test"],
      ["side-tab-tests", "side-panel-tests"],
      ["side-tab-versions", "side-panel-versions"],
      ["side-tab-calls", "side-panel-calls"],
    ]);
    expect([tabId("test"), panelId("test")]).toEqual(["side-tab-test", "side-panel-test"]);
  });

  it("have a Tests tab beside the Test call, named in the interface language", () => {
    const names = (language: "en" | "es" | "ru") =>
      [...renderInLanguage(language, SidePanelTabs, { panel: "tests", onSelect: () => undefined }).matchAll(/role="tab"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(names("en")).toEqual(["Block", "Scenario", "Test call", "Tests", "Versions", "Calls"]);
    expect(names("es")[3]).toBe("Pruebas");
    expect(names("ru")[3]).toBe("Тесты");
  });

  it("go from one to the next with the arrows, round at the ends, and to the ends with Home and End", () => {
    expect(tabAfterKey("ArrowRight", 0, 5)).toBe(1);
    expect(tabAfterKey("ArrowRight", 4, 5)).toBe(0);
    expect(tabAfterKey("ArrowLeft", 0, 5)).toBe(4);
    expect(tabAfterKey("ArrowLeft", 3, 5)).toBe(2);
    expect(tabAfterKey("Home", 3, 5)).toBe(0);
    expect(tabAfterKey("End", 1, 5)).toBe(4);
    expect(tabAfterKey("Enter", 1, 5)).toBeNull();
    expect(tabAfterKey("ArrowDown", 1, 5)).toBeNull();
  });
});

describe("the keyboard in the editor", () => {
  const on = (selector: string) => ({ matches: (wanted: string) => wanted === selector });

  it("shows the Block panel when Enter or Space selects a block on the canvas, as a click does", () => {
    expect(selectsBlock("Enter", on(".react-flow__node") as unknown as EventTarget)).toBe(true);
    expect(selectsBlock(" ", on(".react-flow__node") as unknown as EventTarget)).toBe(true);
    expect(selectsBlock("ArrowLeft", on(".react-flow__node") as unknown as EventTarget)).toBe(false);
    // Enter in a field, on a button, on a connection: nothing to show.
    expect(selectsBlock("Enter", on("input") as unknown as EventTarget)).toBe(false);
    expect(selectsBlock("Enter", null)).toBe(false);
  });

  /** A panel holding these elements, in order, each focusable when told. */
  function panelWith(...tags: string[]) {
    const focused: string[] = [];
    const elements = tags.map((tagName) => ({
      tagName,
      tabIndex: 0,
      hasAttribute: () => false,
      focus: () => focused.push(tagName),
    }));
    const panel = {
      querySelector: (selector: string) =>
        elements.find((e) => (selector === "h2" ? e.tagName === "H2" : ["INPUT", "SELECT", "TEXTAREA"].includes(e.tagName))) ?? null,
    };
    return { panel: panel as unknown as HTMLElement, focused, elements };
  }

  it("takes the focus into a panel a command opened: its first field (the Test call's keys)", () => {
    const { panel, focused } = panelWith("H2", "INPUT", "SELECT");
    focusInto(panel);
    expect(focused).toEqual(["INPUT"]);
  });

  it("or, with no field, its heading, made focusable for it", () => {
    const { panel, focused, elements } = panelWith("H2", "P");
    focusInto(panel);
    expect(focused).toEqual(["H2"]);
    expect(elements[0]!.tabIndex).toBe(-1);
  });
});
