import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import { BlockPanelHeading } from "./BlockPanel";
import { renderInLanguage, renderToHtml } from "./renderForTest";

/** A plugin's block that ships its own Spanish and Russian words (BlockType.translations), as the catalog sends it. */
const sms = {
  type: "acme.send_sms",
  version: 1,
  title: "Send SMS",
  category: "Connect",
  icon: "message-circle",
  description: "Sends a text message to `caller_id`.",
  translations: {
    es: { title: "Enviar SMS", description: "Envía un mensaje de texto a `caller_id`." },
    ru: { title: "Отправить SMS", description: "Отправляет SMS на номер `caller_id`." },
  },
  config_schema: { type: "object" },
  exit_rules: [{ name: "sent" }, { name: "failed" }],
  default_exits: ["sent", "failed"],
  unwired_meaning: {},
  plugin: "send_sms = acme_sms:SendSmsBlock (from acme-sms)",
} as BlockSpec;
const builtin = (type: string) => (catalogJson as unknown as BlockSpec[]).find((b) => b.type === type)!;

const heading = (html: string) => /<h2>(.*?)<\/h2>/s.exec(html)?.[1];
const description = (html: string) => /<p class="muted description">(.*?)<\/p>/s.exec(html)?.[1];

describe("the block panel's heading", () => {
  it("names a plugin's block and describes it in the words its plugin gives for the language, as the palette does", () => {
    const ru = renderInLanguage("ru", BlockPanelHeading, { type: sms.type, spec: sms });
    expect(heading(ru)).toBe("Отправить SMS");
    expect(description(ru)).toBe("Отправляет SMS на номер <code>caller_id</code>.");
    const es = renderInLanguage("es", BlockPanelHeading, { type: sms.type, spec: sms });
    expect(heading(es)).toBe("Enviar SMS");
    expect(description(es)).toBe("Envía un mensaje de texto a <code>caller_id</code>.");
  });

  it("keeps the server's English where the plugin gives nothing for the language, and in English", () => {
    const titleOnly = { ...sms, translations: { ru: { title: "Отправить SMS" } } } as BlockSpec;
    const ru = renderInLanguage("ru", BlockPanelHeading, { type: sms.type, spec: titleOnly });
    expect(heading(ru)).toBe("Отправить SMS");
    expect(description(ru)).toBe("Sends a text message to <code>caller_id</code>.");
    const en = renderToHtml(BlockPanelHeading, { type: sms.type, spec: sms });
    expect([heading(en), description(en)]).toEqual(["Send SMS", "Sends a text message to <code>caller_id</code>."]);
  });

  it("shows a description a plugin gives only in a translation", () => {
    const untold = { ...sms, description: "" } as BlockSpec;
    expect(description(renderInLanguage("es", BlockPanelHeading, { type: sms.type, spec: untold }))).toBe("Envía un mensaje de texto a <code>caller_id</code>.");
    expect(description(renderToHtml(BlockPanelHeading, { type: sms.type, spec: untold }))).toBeUndefined();
  });

  it("still gives a built-in block the designer's own words", () => {
    const transfer = builtin("transfer");
    expect(heading(renderInLanguage("es", BlockPanelHeading, { type: "transfer", spec: transfer }))).toBe("Transferir");
  });

  it("says the catalog does not have a type it is not given", () => {
    const html = renderToHtml(BlockPanelHeading, { type: "acme.gone", spec: undefined });
    expect(heading(html)).toBe("acme.gone");
    expect(html).toContain('class="error-text"');
  });
});
