// Review (migrating from Twilio Studio): a search that found nothing said "No scenarios yet. Create one…", as if the
// scenarios were gone. With a search typed in, the list now says that nothing matches it, and offers to clear it.
// Accessibility review: said in the list's live region (there from the start, its words written in after), the
// Clear button outside it, so it is not read out as part of the message.
import { describe, expect, it, vi } from "vitest";

vi.mock("openapi-fetch", () => ({ default: () => ({ use: () => undefined, GET: vi.fn(), POST: vi.fn(), DELETE: vi.fn() }) }));

import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";
import { translator } from "../lib/i18n";
import { ScenarioListStatus, scenarioListStatusText, scenarioListView } from "./ScenarioListStatus";

describe("a search that finds no scenario", () => {
  it("is told apart from a list with none", () => {
    expect(scenarioListView({ answered: true, count: 0, error: null, query: "debt" })).toBe("no-match");
    expect(scenarioListView({ answered: true, count: 0, error: null, query: "  " })).toBe("empty");
    expect(scenarioListView({ answered: true, count: 0, error: null, query: "" })).toBe("empty");
    expect(scenarioListView({ answered: false, count: 0, error: null, query: "debt" })).toBe("loading");
    expect(scenarioListView({ answered: true, count: 2, error: null, query: "debt" })).toBe("table");
  });

  it("says nothing matches what was typed, and offers to clear the search", () => {
    const text = scenarioListStatusText("no-match", " debt ", translator("en"));
    expect(text).toBe("No scenario matches “debt”.");
    expect(text).not.toContain("No scenarios yet");
    const html = renderToHtml(ScenarioListStatus, { view: "no-match", query: "debt", onClear: () => undefined });
    expect(buttonTexts(html)).toEqual(["Clear the search"]);
  });

  it("puts the Clear button outside the status region, which is there empty at first", () => {
    const html = renderToHtml(ScenarioListStatus, { view: "no-match", query: "debt", onClear: () => undefined });
    expect(html).toMatch(/^<p><span role="status" data-testid="scenarios-status"><\/span> <button type="button" class="link">Clear the search<\/button><\/p>$/);
  });

  it("in every interface language", () => {
    expect(scenarioListStatusText("no-match", "deuda", translator("es"))).toBe("Ningún escenario coincide con «deuda».");
    expect(buttonTexts(renderInLanguage("es", ScenarioListStatus, { view: "no-match", query: "deuda", onClear: () => undefined }))).toEqual(["Borrar la búsqueda"]);
    expect(scenarioListStatusText("no-match", "долг", translator("ru"))).toBe("Нет сценариев, подходящих под «долг».");
    expect(buttonTexts(renderInLanguage("ru", ScenarioListStatus, { view: "no-match", query: "долг", onClear: () => undefined }))).toEqual(["Очистить поиск"]);
  });
});
