// Review (Russian analyst): the SMS plugin's palette entry read "Send SMS" in English; a plugin had no way to give
// its block's title and description in the designer's languages. It gives them in the catalog (`translations`,
// graph_engine/block.py); the designer shows the catalog's words for the language, then the server's English. The
// built-ins' titles come the same way (a register export names them alike); their descriptions are still the
// designer's own.
import { describe, expect, it } from "vitest";
import { specTitle } from "./blockText";
import { paletteGroups, type BlockSpec } from "./catalog";
import { specDescription } from "./descriptions";
import catalogJson from "./fixtures/catalog.json";

// As GET /api/blocks serves the example plugin (examples/plugins/ivrgraph-sms; tests/api/test_block_catalog_translations.py).
const sms = {
  type: "send_sms",
  version: 1,
  title: "Send SMS",
  category: "Connect",
  icon: "message-circle",
  description: "Sends a text message through the SMS gateway configured by the administrator.",
  translations: {
    es: { title: "Enviar SMS", description: "Envía un mensaje de texto a través de la pasarela SMS que configura el administrador." },
    ru: { title: "Отправить SMS", description: "Отправляет текстовое сообщение через SMS-шлюз, настроенный администратором." },
  },
  config_schema: { type: "object" },
  exit_rules: [{ name: "sent" }, { name: "failed" }],
  default_exits: ["sent", "failed"],
  unwired_meaning: {},
  plugin: "send_sms = ivrgraph_sms:SendSmsBlock (from ivrgraph-sms)",
} as BlockSpec;
const start = (catalogJson as unknown as BlockSpec[]).find((spec) => spec.type === "start")!;

describe("a plugin's block in the designer's languages", () => {
  it("is titled and described in the words its plugin gives for the language", () => {
    expect(specTitle("ru", sms.type, sms)).toBe("Отправить SMS");
    expect(specTitle("es", sms.type, sms)).toBe("Enviar SMS");
    expect(specDescription("ru", sms)).toBe("Отправляет текстовое сообщение через SMS-шлюз, настроенный администратором.");
    expect(specDescription("es", sms)).toContain("pasarela SMS");
  });

  it("keeps the server's English where the plugin gives no words: a language, or a text, it leaves out", () => {
    expect(specTitle("en", sms.type, sms)).toBe("Send SMS");
    const titleOnly = { ...sms, translations: { ru: { title: "Отправить SMS" } } } as BlockSpec;
    expect(specDescription("ru", titleOnly)).toBe(sms.description);
    expect(specTitle("es", sms.type, titleOnly)).toBe("Send SMS");
    expect(specTitle("ru", sms.type, { ...sms, translations: undefined })).toBe("Send SMS"); // a server from before
  });

  it("is found in the palette by its title in the interface language, and by its English one", () => {
    const groups = (query: string) => paletteGroups([sms, start], query, (spec) => specTitle("ru", spec.type, spec)).flatMap((g) => g.blocks.map((b) => b.type));
    expect(groups("отправить")).toEqual(["send_sms"]);
    expect(groups("send")).toEqual(["send_sms"]);
  });

  it("a built-in is titled as the catalog titles it, as a plugin's block is; its description is the designer's own", () => {
    expect(start.translations?.ru?.title).toBe("Начало");
    expect(specTitle("ru", "start", start)).toBe("Начало");
    const claimed = { ...start, translations: { ru: { title: "Старт", description: "Иначе" } } } as BlockSpec;
    expect(specTitle("ru", "start", claimed)).toBe("Старт");
    expect(specDescription("ru", claimed)).toBe(specDescription("ru", start));
    expect(specDescription("ru", start)).not.toBe(start.description);
  });

  it("a built-in from a catalog without its titles (a server from before), or not loaded yet, keeps the designer's", () => {
    expect(specTitle("es", "start", { ...start, translations: undefined })).toBe("Inicio");
    expect(specTitle("ru", "ivr", undefined)).toBe("Голосовое меню");
  });

  it("a type the catalog does not have is named by its type", () => {
    expect(specTitle("ru", "acme_fax", undefined)).toBe("acme_fax");
  });
});
