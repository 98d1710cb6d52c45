import { describe, expect, it } from "vitest";
import type { DialerState } from "../api/client";
import { formatDateTime } from "../lib/format";
import { DialerNotice } from "./DialerBanner";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";

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

// A restored backup: held for the whole database since the backup, as GET /api/dialer answers it
// (tests/api/test_restored_backup_dials_nobody.py).
const heldAt = new Date(2026, 11, 14, 9, 30);
const restored: DialerState = {
  ...running,
  state: "paused",
  reason: "dialling_held",
  held: { held_at: heldAt.toISOString(), held_by: "ops (ivrgraph db backup)", reason: "backup" },
};
const resume = () => Promise.resolve();

describe("the dialer banner of a database whose dialling is held", () => {
  it("tells everyone that nobody is called by any server, since when, by whom, and what to do first", () => {
    const said = text(renderToHtml(DialerNotice, { state: restored, role: "publisher", onResume: resume }));
    expect(said).toContain("Nobody is being called, by any server: dialling has been held since");
    expect(said).toContain(`${formatDateTime(heldAt, "en")} (ops (ivrgraph db backup))`);
    expect(said).toContain("restored from a backup");
    expect(said).toContain("cancel their jobs first");
    expect(said).toContain("An administrator resumes it on the Callbacks page.");
    expect(text(renderInLanguage("es", DialerNotice, { state: restored }))).toContain("la marcación está retenida desde");
    expect(text(renderInLanguage("ru", DialerNotice, { state: restored }))).toContain("обзвон удерживается с");
  });

  it("offers an admin Resume, and nobody else", () => {
    const admin = renderToHtml(DialerNotice, { state: restored, role: "admin", onResume: resume });
    expect(buttonTexts(admin)).toEqual(["Resume dialling"]);
    expect(text(admin)).not.toContain("An administrator resumes it on the Callbacks page.");
    expect(buttonTexts(renderToHtml(DialerNotice, { state: restored, role: "publisher", onResume: resume }))).toEqual([]);
    expect(buttonTexts(renderToHtml(DialerNotice, { state: restored }))).toEqual([]);
    expect(buttonTexts(renderInLanguage("es", DialerNotice, { state: restored, role: "admin", onResume: resume }))).toEqual([
      "Reanudar la marcación",
    ]);
    expect(buttonTexts(renderInLanguage("ru", DialerNotice, { state: restored, role: "admin", onResume: resume }))).toEqual([
      "Возобновить обзвон",
    ]);
  });

  it("says an admin's hold as such, and a server that dials nobody anyway as well", () => {
    const byAdmin: DialerState = { ...restored, held: { ...restored.held!, held_by: "ana", reason: "admin" } };
    const said = text(renderToHtml(DialerNotice, { state: byAdmin }));
    expect(said).toContain("dialling has been held since");
    expect(said).not.toContain("restored from a backup");
    const offToo = text(renderToHtml(DialerNotice, { state: { ...off, held: restored.held } }));
    expect(offToo).toContain("dialling has been held since");
    expect(offToo).toContain("this server has no AMI connection configured");
  });
});
