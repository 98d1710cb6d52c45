// Review (migrating from Twilio Studio): a search that found nothing said "No scenarios yet. Create one…", as if the
// scenarios were gone. With a search typed in, the list now says that nothing matches it, and offers to clear it.
import { describe, expect, it, vi } from "vitest";

vi.mock("openapi-fetch", () => ({ default: () => ({ use: () => undefined, GET: vi.fn(), POST: vi.fn(), DELETE: vi.fn() }) }));

import { buttonTexts, renderInLanguage, renderToHtml, visibleText } from "./renderForTest";
import { ScenarioListStatus, scenarioListView } from "./ScenarioList";

describe("a search that finds no scenario", () => {
  it("is told apart from a list with none", () => {
    expect(scenarioListView({ answered: true, count: 0, error: null, query: "debt" })).toBe("no-match");
    expect(scenarioListView({ answered: true, count: 0, error: null, query: "  " })).toBe("empty");
    expect(scenarioListView({ answered: true, count: 0, error: null, query: "" })).toBe("empty");
    expect(scenarioListView({ answered: false, count: 0, error: null, query: "debt" })).toBe("loading");
    expect(scenarioListView({ answered: true, count: 2, error: null, query: "debt" })).toBe("table");
  });

  it("says nothing matches what was typed, and offers to clear the search", () => {
    const html = renderToHtml(ScenarioListStatus, { view: "no-match", query: "debt", onClear: () => undefined });
    expect(visibleText(html)).toContain("No scenario matches “debt”.");
    expect(html).not.toContain("No scenarios yet");
    expect(buttonTexts(html)).toEqual(["Clear the search"]);
    expect(html).toContain('role="status"');
  });

  it("in every interface language", () => {
    const es = renderInLanguage("es", ScenarioListStatus, { view: "no-match", query: "deuda", onClear: () => undefined });
    expect(visibleText(es)).toContain("Ningún escenario coincide con «deuda».");
    expect(buttonTexts(es)).toEqual(["Borrar la búsqueda"]);
    const ru = renderInLanguage("ru", ScenarioListStatus, { view: "no-match", query: "долг", onClear: () => undefined });
    expect(visibleText(ru)).toContain("Нет сценариев, подходящих под «долг».");
    expect(buttonTexts(ru)).toEqual(["Очистить поиск"]);
  });
});
