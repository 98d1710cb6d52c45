// Findings: a rollback's status ("Version 1 is live again as version 3.") came in a role="status" paragraph
// inserted already filled, which screen readers often do not read (accessibility review, WCAG 4.1.3): the region is
// in the panel from the start now. And a rollback's version showed its message in English in every language
// ("rollback to version 1", as the API stores it for its clients): the API now says which version it rolled back
// to (`rolled_back_to`), and the list says it in the interface language.
import { describe, expect, it } from "vitest";
import type { VersionSummary } from "../api/types";
import { translator } from "../lib/i18n";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import { VersionMessage, VersionsPanel, VersionsStatus, versionWords } from "./VersionsPanel";

const version = (number: number, message: string, rolledBackTo: number | null = null): VersionSummary => ({
  number,
  message,
  created_at: "2026-03-10T09:00:00Z",
  created_by: "ana",
  rolled_back_to: rolledBackTo,
  validation_summary: {},
});
const text = (html: string) => html.replace(/<[^>]+>/g, "");

describe("what a rollback did, said to a screen reader", () => {
  it("is a live region in the panel before anything is rolled back, empty", () => {
    const html = renderToHtml(VersionsPanel, { slug: "hotline", refreshKey: 0, canRollBack: true, onChanged: () => undefined });
    expect(html).toContain('<div role="status" data-testid="versions-status"></div>');
  });

  it("then only what is in it changes", () => {
    const said = translator("ru")("versions.rolledBack", { version: 1, newVersion: 3 });
    expect(renderToHtml(VersionsStatus, { message: said })).toBe(
      '<div role="status" data-testid="versions-status"><p>Версия 1 снова действует как версия 3.</p></div>',
    );
  });
});

describe("a rollback's version in the list", () => {
  const rolled = version(3, "rollback to version 1", 1);

  it("is said in the interface language, not the API's English", () => {
    expect(text(renderInLanguage("ru", VersionMessage, { item: rolled }))).toBe("Возврат к версии 1");
    expect(text(renderInLanguage("es", VersionMessage, { item: rolled }))).toBe("Vuelta a la versión 1");
    expect(text(renderToHtml(VersionMessage, { item: rolled }))).toBe("Rollback to version 1");
  });

  it("keeps a message its publisher wrote, and says apart that it is a rollback", () => {
    const own = version(4, "menu 2 back for the holidays", 2);
    expect(versionWords(translator("ru"), own)).toEqual({ message: "menu 2 back for the holidays", rollback: "Возврат к версии 2" });
    expect(text(renderInLanguage("ru", VersionMessage, { item: own }))).toBe("menu 2 back for the holidays — Возврат к версии 2");
  });

  it("is not guessed from a publish's message that reads like one, nor from a server that does not say", () => {
    const t = translator("es");
    expect(versionWords(t, version(2, "rollback to version 1"))).toEqual({ message: "rollback to version 1", rollback: null });
    const older = { message: "rollback to version 1" } as Pick<VersionSummary, "message" | "rolled_back_to">; // no field: an older server
    expect(versionWords(t, older)).toEqual({ message: "rollback to version 1", rollback: null });
    expect(versionWords(t, version(5, "second"))).toEqual({ message: "second", rollback: null });
  });
});
