// Review (analyst coming from Twilio Studio): "gather", "digits", "split", "connect", "dial", "http", "webhook"
// gave an empty palette and no word why. The built-in blocks are now found by the words Studio (and an analyst
// writing Spanish or Russian) uses for them, and a search that finds nothing says so; for a block the product
// does not have (an HTTP request, a voicemail) it says such blocks come from plugins.
// Accessibility review: that message was a status region put in already filled, and said again on every keystroke.
// It is now plain text; the palette's one live region (there from the start, empty) says it once typing pauses
// (liveRegions.test.ts shows it in Chromium).
import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import { wantsPluginBlock } from "../lib/blockText";
import { translator, type Language } from "../lib/i18n";
import { NoBlockMatches, paletteSearch } from "./Palette";
import { noBlockMatchText, PaletteStatus } from "./PaletteStatus";
import { renderInLanguage, renderToHtml, visibleText } from "./renderForTest";

const catalog = catalogJson as unknown as BlockSpec[];
const found = (query: string, language: Language = "en") =>
  paletteSearch(catalog, query, language).flatMap((group) => group.blocks.map((spec) => spec.type));

describe("palette search by the words of other designers", () => {
  it.each<[string, string[]]>([
    ["gather", ["ivr"]],
    ["Gather Input", ["ivr"]],
    ["digits", ["ivr"]],
    ["DTMF", ["ivr"]],
    ["split", ["condition", "switch"]],
    ["Split Based On", ["condition", "switch"]],
    ["enqueue", ["transfer"]],
    ["subflow", ["goto_scenario"]],
  ])("%s finds exactly %j", (query, types) => {
    expect(found(query).sort()).toEqual(types);
  });

  it.each<[string, string[]]>([
    ["connect", ["transfer"]],
    ["dial", ["transfer"]],
    ["agent", ["transfer"]],
    ["say", ["message", "say_phrase"]],
    ["play", ["message", "say_phrase"]],
    ["variable", ["set_variable"]],
    ["set", ["set_variable"]],
  ])("%s finds %j", (query, types) => {
    expect(found(query)).toEqual(expect.arrayContaining(types));
  });

  it("puts a block found by its title before one found by a keyword", () => {
    expect(found("set")[0]).toBe("set_variable");
    expect(found("menu")[0]).toBe("ivr");
  });

  it.each<[Language, string, string[]]>([
    ["es", "dígitos", ["ivr"]],
    ["es", "digitos", ["ivr"]],
    ["es", "marcar", ["transfer"]],
    ["es", "agente", ["transfer"]],
    ["es", "reproducir", ["message", "say_phrase"]],
    ["es", "variable", ["set_variable"]],
    ["ru", "цифры", ["ivr"]],
    ["ru", "оператор", ["transfer"]],
    ["ru", "соединить", ["transfer"]],
    ["ru", "проиграть", ["message", "say_phrase"]],
    ["ru", "переменн", ["set_variable"]],
  ])("in %s, %s finds %j", (language, query, types) => {
    expect(found(query, language)).toEqual(expect.arrayContaining(types));
  });

  it.each(["voicemail", "run function", "Run Function"])("%s finds nothing: the product has no such block", (query) => {
    expect(found(query)).toEqual([]);
  });

  // Review (Studio migrant): "Say/Play" and "say play", Studio's widget, found nothing; "crm", "http" and "webhook"
  // found nothing either, though a lookup is the SQL block's (docs/from-studio.md: an HTTP lookup becomes one).
  it.each(["Say/Play", "say play", "play"])("%s finds Say Phrase and Message", (query) => {
    expect(found(query)).toEqual(expect.arrayContaining(["message", "say_phrase"]));
  });

  it.each(["http", "HTTP", "api", "url", "webhook", "crm", "Make HTTP Request", "make http request"])(
    "%s finds the SQL Query, a lookup's block",
    (query) => {
      expect(found(query)).toContain("sql");
    },
  );

  it("says a plugin adds the other HTTP uses, and a function, but a CRM is no plugin's", () => {
    for (const query of ["http", "api", "url", "webhook", "make http request", "run function"]) {
      expect(wantsPluginBlock(query), query).toBe(true);
    }
    expect(wantsPluginBlock("crm")).toBe(false);
    expect(translator("en")("palette.noMatchPlugin")).toContain("SQL Query");
  });
});

describe("a palette search that finds nothing", () => {
  it("says so, with the query in English quote marks, as plain text (not a region put in filled)", () => {
    const html = renderInLanguage("en", NoBlockMatches, { query: "xyzzy" });
    expect(visibleText(html)).toBe("No block matches “xyzzy”.");
    expect(html).not.toContain("role=");
  });

  it("is said by the palette's status region, there and empty at first (its words written in after a pause)", () => {
    expect(renderToHtml(PaletteStatus, { added: "", noMatch: "No block matches “xyzzy”." })).toBe(
      '<p class="sr-only" role="status" data-testid="palette-status"></p>',
    );
    expect(noBlockMatchText(" xyzzy ", translator("en"))).toBe("No block matches “xyzzy”.");
    expect(noBlockMatchText("webhook", translator("en"))).toMatch(/^No block matches “webhook”\. Blocks of this kind .*plugin/);
    expect(noBlockMatchText("  ", translator("en"))).toBe("");
  });

  it.each(["http", "Webhook", "voicemail", " HTTP request "])("for %j adds that such blocks come from plugins", (query) => {
    const text = visibleText(renderInLanguage("en", NoBlockMatches, { query }));
    expect(text).toContain(`No block matches “${query.trim()}”.`);
    expect(text).toContain("plugin");
  });

  it("is worded in every interface language", () => {
    expect(visibleText(renderInLanguage("es", NoBlockMatches, { query: "xyzzy" }))).toBe("Ningún bloque coincide con «xyzzy».");
    expect(visibleText(renderInLanguage("ru", NoBlockMatches, { query: "абвгд" }))).toBe("Нет блоков по запросу «абвгд».");
    expect(visibleText(renderInLanguage("es", NoBlockMatches, { query: "webhook" }))).toContain("extensi");
    expect(visibleText(renderInLanguage("ru", NoBlockMatches, { query: "webhook" }))).toContain("плагин");
  });

  it("is not shown for an empty query", () => {
    expect(renderInLanguage("en", NoBlockMatches, { query: "  " })).toBe("");
  });
});
