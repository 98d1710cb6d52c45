// Review (analyst coming from Twilio Studio): "gather", "digits", "split", "connect", "dial", "http", "webhook"
// gave an empty palette and no word why. The built-in blocks are now found by the words Studio (and an analyst
// writing Spanish or Russian) uses for them, and a search that finds nothing says so; for a block the product
// does not have (an HTTP request, a voicemail) it says such blocks come from plugins.
import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import type { Language } from "../lib/i18n";
import { NoBlockMatches, paletteSearch } from "./Palette";
import { renderInLanguage, visibleText } from "./renderForTest";

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

  it.each(["http", "webhook", "voicemail"])("%s finds nothing: the product has no such block", (query) => {
    expect(found(query)).toEqual([]);
  });
});

describe("a palette search that finds nothing", () => {
  it("says so, with the query", () => {
    const html = renderInLanguage("en", NoBlockMatches, { query: "xyzzy" });
    expect(visibleText(html)).toBe("No block matches «xyzzy».");
    expect(html).toContain('role="status"');
  });

  it.each(["http", "Webhook", "voicemail", " HTTP request "])("for %j adds that such blocks come from plugins", (query) => {
    const text = visibleText(renderInLanguage("en", NoBlockMatches, { query }));
    expect(text).toContain(`No block matches «${query.trim()}».`);
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
