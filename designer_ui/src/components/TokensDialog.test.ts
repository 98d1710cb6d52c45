import { describe, expect, it } from "vitest";
import type { ApiToken, ApiTokenCreated } from "../api/types";
import type { TokenForm, TokenNotice } from "../lib/apiTokens";
import { runInTimeZone } from "../testSupport";
import { NewTokenFields, TokenSecret, TokenTable } from "./TokensDialog";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";

runInTimeZone("Europe/Madrid");

const token = (change: Partial<ApiToken> = {}): ApiToken => ({
  id: 1,
  name: "dashboard",
  role: "viewer",
  created_at: "2026-12-01T08:00:00Z",
  expires_at: null,
  last_used_at: null,
  ...change,
});

const table = (change: Partial<Parameters<typeof TokenTable>[0]> = {}) =>
  renderToHtml(TokenTable, { tokens: [token()], confirming: null, revoking: false, onRevoke: () => {}, onConfirm: () => {}, onCancel: () => {}, ...change });

const cells = (html: string) =>
  [...html.matchAll(/<tr data-token="\d+">(.*?)<\/tr>/gs)].map((row) => [...row[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].slice(0, 5).map((c) => c[1]));

const fields = (change: { role?: ApiToken["role"]; form?: TokenForm; sending?: boolean; notice?: TokenNotice | null } = {}) =>
  renderToHtml(NewTokenFields, { role: "publisher", form: { name: "", role: "publisher", expires: "" }, sending: false, notice: null, onChange: () => {}, onSubmit: () => {}, ...change });

const options = (html: string) => [...html.matchAll(/<option value="(\w+)"[^>]*>([^<]*)<\/option>/g)].map((m) => [m[1], m[2]]);

describe("the list of tokens", () => {
  it("shows each token's name, role, creation, expiry and last use", () => {
    const html = table({
      tokens: [token(), token({ id: 2, name: "ci", role: "publisher", expires_at: "2027-01-01T22:59:59Z", last_used_at: "2026-12-04T09:30:00Z" })],
    });
    expect(cells(html)).toEqual([
      ["dashboard", "viewer", "Dec 1, 2026, 9:00 AM", "never", "not yet"],
      ["ci", "publisher", "Dec 1, 2026, 9:00 AM", "Jan 1, 2027, 11:59 PM", "Dec 4, 2026, 10:30 AM"],
    ]);
    expect(html).toContain('data-role="publisher"');
  });

  it("says when there are none", () => {
    expect(table({ tokens: [] })).toContain("You have no API tokens.");
  });

  it("asks before revoking, and cannot be confirmed twice", () => {
    expect(buttonTexts(table())).toEqual(["Revoke"]);
    expect(table()).toContain('aria-label="Revoke token dashboard"');
    const asking = table({ confirming: 1 });
    expect(asking).toContain("Revoke “dashboard”? Whatever uses it is refused from its next request. This cannot be undone.");
    expect(buttonTexts(asking)).toEqual(["Revoke", "Revoke it", "Keep it"]);
    expect(asking).toMatch(/<button type="button" aria-label="Revoke token dashboard" disabled="">/);
    expect(buttonTexts(table({ confirming: 1, revoking: true }))).toEqual(["Revoke", "Revoking…", "Keep it"]);
  });
});

describe("the new token form", () => {
  it("offers your role and those below it, yours first", () => {
    expect(options(fields())).toEqual([["publisher", "publisher"], ["editor", "editor"], ["viewer", "viewer"]]);
    expect(options(fields({ role: "viewer", form: { name: "", role: "viewer", expires: "" } }))).toEqual([["viewer", "viewer"]]);
    expect(fields()).toContain("Your role is publisher: a token may have it or a lower one.");
  });

  it("takes an optional last day", () => {
    expect(fields()).toMatch(/<input type="date" min="\d{4}-\d{2}-\d{2}" name="token-expires" value=""\/>/);
    // Without a day, the server gives the longest it allows (IVRGRAPH_TOKEN_MAX_DAYS): no token works for ever.
    expect(fields()).toContain("Left empty, it works for the longest the server allows (90 days unless the administrator set another limit).");
  });

  it("shows a problem as an alert, and cannot be sent twice", () => {
    const html = fields({ notice: { kind: "roleRefused" }, sending: true });
    expect(html).toMatch(/role="alert"[^>]*data-kind="roleRefused"/);
    expect(buttonTexts(html)).toEqual(["Creating…"]);
  });

  it("speaks Spanish and Russian", () => {
    const props = { role: "editor" as const, form: { name: "", role: "editor" as const, expires: "" }, sending: false, notice: null, onChange: () => {}, onSubmit: () => {} };
    expect(buttonTexts(renderInLanguage("es", NewTokenFields, props))).toEqual(["Crear token"]);
    expect(buttonTexts(renderInLanguage("ru", NewTokenFields, props))).toEqual(["Создать токен"]);
  });
});

describe("the new token's secret", () => {
  const created: ApiTokenCreated = { ...token(), token: "ivrg_s3cret" };
  const secret = (copied: boolean | null = null) => renderToHtml(TokenSecret, { token: created, copied, onCopy: () => {}, onDone: () => {} });

  it("is shown once, with a copy button and a clear warning", () => {
    const html = secret();
    expect(html).toContain('value="ivrg_s3cret"');
    expect(html).toContain("you will not see this token again");
    expect(html).toContain("Token “dashboard” made, with the role viewer.");
    expect(buttonTexts(html)).toEqual(["Copy", "I have saved it"]);
  });

  it("says whether the copy worked", () => {
    expect(secret(true)).toContain("Copied.");
    expect(secret(false)).toContain("select the token and press Ctrl+C");
  });
});
