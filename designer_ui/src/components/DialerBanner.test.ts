import { describe, expect, it } from "vitest";
import type { DialerState } from "../api/client";
import { formatDateTime } from "../lib/format";
import { DialerNotice } from "./DialerBanner";
import { renderInLanguage, renderToHtml } from "./renderForTest";

// As GET /api/dialer answers (tests/api/test_dialer_state.py).
const off: DialerState = { state: "off", reason: "not_configured", paused_until: null, congested_calls: 0, node: null };
const running: DialerState = { state: "running", reason: null, paused_until: null, congested_calls: 0, node: "node-a" };
const until = new Date(2026, 2, 2, 22, 41); // local time: the banner says the hour as the analyst's clock does
const trunkDown: DialerState = {
  state: "paused",
  reason: "trunk_down",
  paused_until: until.toISOString(),
  congested_calls: 4,
  node: "node-a",
};

const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&#x27;/g, "'");

describe("the dialer banner", () => {
  it("says nothing while calls go out, or before the server answered", () => {
    expect(renderToHtml(DialerNotice, { state: running })).toBe("");
    expect(renderToHtml(DialerNotice, { state: null })).toBe("");
  });

  it("warns that nobody will be called when the server has no AMI connection", () => {
    const html = renderToHtml(DialerNotice, { state: off });
    expect(html).toContain('role="status"');
    expect(html).toContain('data-state="off"');
    expect(text(html)).toContain("Nobody will be called: this server has no AMI connection configured");
    expect(text(renderInLanguage("es", DialerNotice, { state: off }))).toContain("No se llamará a nadie");
    expect(text(renderInLanguage("ru", DialerNotice, { state: off }))).toContain("Никому не позвонят");
  });

  it("says until when dialling pauses for a trunk that looks down, and why", () => {
    expect(text(renderToHtml(DialerNotice, { state: trunkDown }))).toBe(
      `Dialling paused until ${formatDateTime(until, "en", "time")}: the trunk looks down (congestion on 4 calls in a row).`,
    );
    expect(text(renderInLanguage("es", DialerNotice, { state: trunkDown }))).toContain("hasta las 22:41");
    expect(text(renderInLanguage("ru", DialerNotice, { state: trunkDown }))).toContain("до 22:41");
    const probing = { ...trunkDown, paused_until: null };
    expect(text(renderToHtml(DialerNotice, { state: probing }))).toContain("one call is checking it now");
  });

  it("names the other reasons a server calls nobody", () => {
    const said = (state: DialerState) => text(renderToHtml(DialerNotice, { state }));
    expect(said({ ...off, reason: "stopped" })).toContain("Asterisk refused this server's AMI login");
    expect(said({ ...running, state: "paused", reason: "ami_unreachable" })).toContain("cannot reach Asterisk");
    expect(said({ ...trunkDown, reason: "originate_refused" })).toContain("Asterisk refuses the dialer's calls");
  });
});
