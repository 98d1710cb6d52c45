/**
 * The list's warning for a live scenario whose published version uses block types the server lacks (the API's
 * `missing_block_types`): a plugin author uninstalled the plugin and the list showed the scenario as normal while
 * every call failed at its blocks (review). The badge names the types; its hint says what that means and what to do.
 */
import { describe, expect, it } from "vitest";
import type { ScenarioSummary } from "../api/types";
import { LANGUAGES, translator, type Language } from "../lib/i18n";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import { VersionCell } from "./ScenarioList";

type Versioned = Pick<ScenarioSummary, "latest_version" | "missing_block_types">;
const live = (missing: string[]): Versioned => ({ latest_version: 3, missing_block_types: missing });
const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim();

describe("a live scenario using block types the server lacks", () => {
  it("shows a warning badge beside its version, naming the types", () => {
    const html = renderToHtml(VersionCell, { item: live(["crm_ticket_create", "crm_lookup"]) });
    expect(html).toContain('class="missing-blocks"');
    const badge = html.match(/<span class="missing-blocks"[^>]*>(.*?)<\/span><span class="sr-only">/s)![1]!;
    expect(text(badge)).toBe("⚠ Blocks not installed: crm_ticket_create, crm_lookup");
    expect(text(html).startsWith("v3 ")).toBe(true);
  });

  it("says why it matters in the badge's tooltip, and to a screen reader after it", () => {
    const html = renderToHtml(VersionCell, { item: live(["crm_ticket_create"]) });
    const hint = translator("en")("list.missingBlocksHint", { version: 3 });
    expect(hint).toContain("Version 3");
    expect(html).toContain(`title="${hint}"`);
    expect(html).toContain(`<span class="sr-only"> ${hint}</span>`);
  });

  it.each(Object.keys(LANGUAGES) as Language[])("is worded in %s, in every part", (language) => {
    const t = translator(language);
    const html = renderInLanguage(language, VersionCell, { item: live(["crm_ticket_create"]) });
    expect(text(html)).toContain(t("list.missingBlocks", { types: "crm_ticket_create" }));
    expect(text(html)).toContain(t("list.missingBlocksHint", { version: 3 }));
    if (language !== "en") {
      expect(t("list.missingBlocks", { types: "x" })).not.toBe(translator("en")("list.missingBlocks", { types: "x" }));
      expect(t("list.missingBlocksHint", { version: 3 })).not.toBe(translator("en")("list.missingBlocksHint", { version: 3 }));
    }
  });
});

describe("no badge", () => {
  it("when every block type of the live version is installed", () => {
    expect(renderToHtml(VersionCell, { item: live([]) })).toBe("<td>v3</td>");
  });

  it("when nothing is published (a draft's unknown blocks are the canvas's to tell)", () => {
    expect(renderToHtml(VersionCell, { item: { latest_version: null, missing_block_types: [] } })).toBe("<td>never</td>");
  });
});
