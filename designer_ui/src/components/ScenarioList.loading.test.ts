// Review: right after sign-in the list said "No scenarios yet" while it was still being asked for. Until the first
// answer it now says it is loading (a status, the list marked busy); "No scenarios yet" only after an answer with none.
// Accessibility review (screen reader, Chromium): that status had aria-busy, so it was never read, and was put in
// already filled. It is now the list's one live region, there and empty at the first render, its words written in
// after (liveRegions.test.ts shows it in Chromium), never busy.
import { describe, expect, it, vi } from "vitest";

vi.mock("openapi-fetch", () => ({ default: () => ({ use: () => undefined, GET: vi.fn(), POST: vi.fn(), DELETE: vi.fn() }) }));

import type { User } from "../api/types";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import { translator } from "../lib/i18n";
import { ScenarioList } from "./ScenarioList";
import { ScenarioListStatus, scenarioListStatusText, scenarioListView } from "./ScenarioListStatus";

const user: User = { username: "ana", role: "editor" } as User;

describe("the scenario list before its first answer", () => {
  it("has its status region there from the first render, empty (its words come after), and never busy", () => {
    const html = renderToHtml(ScenarioList, { user });
    expect(html).not.toContain("No scenarios yet");
    expect(html).toContain('<span role="status" data-testid="scenarios-status"></span>');
    expect(html).not.toContain("aria-busy");
    expect(html.match(/role="status"/g)).toHaveLength(1);
  });

  it("says it is loading, not that there are no scenarios, in every interface language", () => {
    expect(scenarioListStatusText("loading", "", translator("en"))).toBe("Loading the scenarios…");
    expect(scenarioListStatusText("loading", "", translator("es"))).toBe("Cargando los escenarios…");
    expect(scenarioListStatusText("loading", "", translator("ru"))).toBe("Загружаем сценарии…");
    expect(renderInLanguage("es", ScenarioListStatus, { view: "loading" })).not.toContain("aria-busy");
  });
});

describe("what the list shows", () => {
  it("loading until the first answer, whatever it holds so far", () => {
    expect(scenarioListView({ answered: false, count: 0, error: null })).toBe("loading");
  });

  it("the empty message only after an answer with none", () => {
    expect(scenarioListView({ answered: true, count: 0, error: null })).toBe("empty");
    expect(scenarioListStatusText("empty", "", translator("en"))).toContain("No scenarios yet");
    expect(scenarioListStatusText("empty", "", translator("en"))).not.toContain("Loading");
  });

  it("the table once there are scenarios, and after a failure (the error says why)", () => {
    expect(scenarioListView({ answered: true, count: 3, error: null })).toBe("table");
    expect(scenarioListView({ answered: true, count: 0, error: "Something went wrong" })).toBe("table");
    expect(scenarioListView({ answered: false, count: 0, error: "Something went wrong" })).toBe("table");
    // The table under an empty region: still there, so the next "nothing matches" is a change it reads out.
    expect(scenarioListStatusText("table", "", translator("en"))).toBe("");
    expect(renderToHtml(ScenarioListStatus, { view: "table" })).toBe('<p><span role="status" data-testid="scenarios-status"></span></p>');
  });
});
