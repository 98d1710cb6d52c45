// Review: right after sign-in the list said "No scenarios yet" while it was still being asked for. Until the first
// answer it now says it is loading (a status, the list marked busy); "No scenarios yet" only after an answer with none.
import { describe, expect, it, vi } from "vitest";

vi.mock("openapi-fetch", () => ({ default: () => ({ use: () => undefined, GET: vi.fn(), POST: vi.fn(), DELETE: vi.fn() }) }));

import type { User } from "../api/types";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import { ScenarioList, ScenarioListStatus, scenarioListView } from "./ScenarioList";

const user: User = { username: "ana", role: "editor" } as User;

describe("the scenario list before its first answer", () => {
  it("says it is loading, not that there are no scenarios", () => {
    const html = renderToHtml(ScenarioList, { user });
    expect(html).not.toContain("No scenarios yet");
    expect(html).toMatch(/role="status"[^>]*>Loading the scenarios…</);
    expect(html).toContain('aria-busy="true"');
  });

  it("is worded in every interface language", () => {
    expect(renderInLanguage("es", ScenarioListStatus, { view: "loading" })).toContain("Cargando los escenarios…");
    expect(renderInLanguage("ru", ScenarioListStatus, { view: "loading" })).toContain("Загружаем сценарии…");
  });
});

describe("what the list shows", () => {
  it("loading until the first answer, whatever it holds so far", () => {
    expect(scenarioListView({ answered: false, count: 0, error: null })).toBe("loading");
  });

  it("the empty message only after an answer with none", () => {
    expect(scenarioListView({ answered: true, count: 0, error: null })).toBe("empty");
    expect(renderToHtml(ScenarioListStatus, { view: "empty" })).toContain("No scenarios yet");
    expect(renderToHtml(ScenarioListStatus, { view: "empty" })).not.toContain("Loading");
  });

  it("the table once there are scenarios, and after a failure (the error says why)", () => {
    expect(scenarioListView({ answered: true, count: 3, error: null })).toBe("table");
    expect(scenarioListView({ answered: true, count: 0, error: "Something went wrong" })).toBe("table");
    expect(scenarioListView({ answered: false, count: 0, error: "Something went wrong" })).toBe("table");
  });
});
