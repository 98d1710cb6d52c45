// Review (migrating from Twilio Studio): after a rollback the draft still held the change rolled back while the
// editor said "Saved", with no hint that it was not what calls run; the next routine publish shipped it again.
import { describe, expect, it } from "vitest";
import type { ScenarioDocument } from "../lib/convert";
import { transferDraft } from "../testSupport";
import { DraftDiffersNote } from "./EditorPage";
import { renderInLanguage, renderToHtml } from "./renderForTest";

const edited: ScenarioDocument = { ...transferDraft, nodes: transferDraft.nodes.map((n) => (n.id === "sales" ? { ...n, label: "Ventas" } : n)) };
const text = (html: string) => html.replace(/<[^>]+>/g, "");

describe("beside the save state, whether the draft is what calls run", () => {
  it("says the draft differs from the live version, naming it", () => {
    const html = renderToHtml(DraftDiffersNote, { live: { version: 3, document: transferDraft }, draft: edited });
    expect(text(html)).toContain("Draft differs from live version 3: Publish makes its changes live");
    expect(text(renderInLanguage("ru", DraftDiffersNote, { live: { version: 3, document: transferDraft }, draft: edited }))).toContain("3");
  });

  // Accessibility review: the sentence wrapped into an 8-line column in Russian at 1280 px, squeezing the scenario's
  // name to 0 px, and pushed Publish out of view in Spanish at 1024 px. A short badge, the sentence its description.
  it("is a short badge, the whole sentence its accessible description, visually hidden", () => {
    for (const [language, badge] of [["en", "Not published"], ["es", "Sin publicar"], ["ru", "Не опубликовано"]] as const) {
      const html = renderInLanguage(language, DraftDiffersNote, { live: { version: 3, document: transferDraft }, draft: edited });
      const described = /aria-describedby="([^"]+)"/.exec(html)![1]!;
      expect(html).toMatch(new RegExp(`<span[^>]*class="[^"]*draft-differs[^"]*"[^>]*>${badge}</span>`));
      expect(html).toMatch(new RegExp(`<span id="${described}" class="sr-only">[^<]*3[^<]*</span>`));
      expect(html).toMatch(/title="[^"]*3[^"]*"/);
    }
  });

  it("says nothing when the draft is the live version, or nothing is published", () => {
    expect(renderToHtml(DraftDiffersNote, { live: { version: 3, document: transferDraft }, draft: transferDraft })).toBe("");
    expect(renderToHtml(DraftDiffersNote, { live: null, draft: edited })).toBe("");
  });
});
