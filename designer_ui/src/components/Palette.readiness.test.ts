import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import { NotReadyBadge, notReadyReasons } from "./Palette";
import { renderInLanguage, renderToHtml } from "./renderForTest";

// As GET /api/blocks says it on a server without the SMS gateway (tests/api/test_block_readiness.py).
const reason = "the SMS gateway is not configured: set IVRGRAPH_SMS_GATEWAY_URL";
const sms = {
  type: "send_sms",
  version: 1,
  title: "Send SMS",
  category: "Connect",
  icon: "message-circle",
  description: "Sends a text message.",
  config_schema: { type: "object" },
  exit_rules: [{ name: "sent" }, { name: "failed" }],
  default_exits: ["sent", "failed"],
  unwired_meaning: {},
  readiness: { ready: false, reasons: [reason] },
} as BlockSpec;
const ready = { ...sms, readiness: { ready: true, reasons: [] } } as BlockSpec;
const unsaid = { ...sms, readiness: undefined } as BlockSpec; // a server from before readiness

describe("a block this server cannot run, in the palette", () => {
  it("is marked, with the server's reasons in its tooltip", () => {
    const html = renderToHtml(NotReadyBadge, { spec: sms });
    expect(html).toContain(">not ready here<");
    expect(html).toContain(`This server cannot run this block: ${reason}.`);
    expect(html).toContain("cannot be published here");
  });

  it("is worded in every interface language, the reasons as the server gave them", () => {
    const es = renderInLanguage("es", NotReadyBadge, { spec: sms });
    expect(es).toContain(">no disponible aquí<");
    expect(es).toContain(`Este servidor no puede ejecutar este bloque: ${reason}.`);
    const ru = renderInLanguage("ru", NotReadyBadge, { spec: sms });
    expect(ru).toContain(">недоступен здесь<");
    expect(ru).toContain(`Этот сервер не может выполнить этот блок: ${reason}.`);
  });

  it("is not marked when it is ready, or the server does not say", () => {
    expect(renderToHtml(NotReadyBadge, { spec: ready })).toBe("");
    expect(renderToHtml(NotReadyBadge, { spec: unsaid })).toBe("");
    expect(notReadyReasons(ready)).toEqual([]);
    expect(notReadyReasons(sms)).toEqual([reason]);
  });
});
