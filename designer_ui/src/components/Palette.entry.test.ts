// Review (Russian analyst): in the palette (200px wide) the "недоступен здесь" badge broke over two lines beside the
// block's title and pushed the "плагин" tag past the palette's right edge, cut off. The tags now sit on a line of
// their own under the title, each kept on one line (cut with "…" if it must be) with its meaning in its tooltip;
// checked in real Chromium at the palette's width. And a plugin's title shows in its own Russian words.
import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import { PaletteEntry } from "./Palette";
import { renderInLanguage } from "./renderForTest";

const reason = "the SMS gateway is not configured: set IVRGRAPH_SMS_GATEWAY_URL";
const sms = {
  type: "send_sms",
  version: 1,
  title: "Send SMS",
  category: "Connect",
  icon: "message-circle",
  description: "Sends a text message.",
  translations: { ru: { title: "Отправить SMS" } },
  config_schema: { type: "object" },
  exit_rules: [{ name: "sent" }, { name: "failed" }],
  default_exits: ["sent", "failed"],
  unwired_meaning: {},
  plugin: "send_sms = ivrgraph_sms:SendSmsBlock (from ivrgraph-sms)",
  readiness: { ready: false, reasons: [reason] },
} as BlockSpec;
const hangup = { ...sms, type: "hangup", title: "Hang Up", translations: {}, plugin: "hangup = blocks.builtin.hangup:HangupBlock (from ivrgraph)", readiness: { ready: true, reasons: [] } } as BlockSpec;

describe("a palette entry", () => {
  it("puts its tags under its title, in a block of their own, the title in the plugin's Russian", () => {
    const html = renderInLanguage("ru", PaletteEntry, { spec: sms });
    const entry = /<span class="palette-entry">(.*)<\/span>$/s.exec(html)?.[1] ?? "";
    expect(entry).toMatch(/^<span class="palette-title">Отправить SMS<\/span><span class="palette-tags">/);
    const tags = /<span class="palette-tags">(.*?)<\/span>/s.exec(entry)?.[1] ?? "";
    expect([...tags.matchAll(/<small[^>]*>([^<]*)<\/small>/g)].map((m) => m[1])).toEqual(["недоступен здесь", "плагин"]);
  });

  it("gives each tag its meaning in a tooltip, for one cut short", () => {
    const html = renderInLanguage("ru", PaletteEntry, { spec: sms });
    for (const small of html.match(/<small[^>]*>/g) ?? []) expect(small).toMatch(/ title="[^"]+"/);
    expect(html.match(/<small/g)).toHaveLength(2);
  });

  it("has no tags line for a built-in block that is ready", () => {
    const html = renderInLanguage("es", PaletteEntry, { spec: hangup });
    expect(html).toContain('<span class="palette-title">Colgar</span>');
    expect(html).not.toContain("palette-tags");
  });
});
