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
  sees_personal_data: false,
  created_at: "2026-12-01T08:00:00Z",
  expires_at: null,
  last_used_at: null,
  ...change,
});

const table = (change: Partial<Parameters<typeof TokenTable>[0]> = {}) =>
  renderToHtml(TokenTable, { tokens: [token()], confirming: null, revoking: false, onRevoke: () => {}, onConfirm: () => {}, onCancel: () => {}, ...change });

const cells = (html: string) =>
  [...html.matchAll(/<tr data-token="\d+">(.*?)<\/tr>/gs)].map((row) => [...row[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].slice(0, 6).map((c) => c[1]));

const fields = (change: { role?: ApiToken["role"]; seesPersonalData?: boolean; form?: TokenForm; sending?: boolean; notice?: TokenNotice | null } = {}) =>
  renderToHtml(NewTokenFields, { role: "publisher", seesPersonalData: true, form: { name: "", role: "publisher", expires: "", personalData: false }, sending: false, notice: null, onChange: () => {}, onSubmit: () => {}, ...change });

/** The personal-data box of the form: whether it is ticked, and whether it may be changed. */
const personalDataBox = (html: string) => {
  const box = /<input type="checkbox"[^>]*name="token-personal-data"[^>]*\/>/.exec(html)![0];
  return { ticked: box.includes('checked=""'), fixed: box.includes('disabled=""') };
};
const personalDataHint = (html: string) => /data-testid="token-personal-data-hint">([^<]*)</.exec(html)![1];

const options = (html: string) => [...html.matchAll(/<option value="(\w+)"[^>]*>([^<]*)<\/option>/g)].map((m) => [m[1], m[2]]);

describe("the list of tokens", () => {
  it("shows each token's name, role, personal data, creation, expiry and last use", () => {
    const html = table({
      tokens: [token(), token({ id: 2, name: "ci", role: "publisher", sees_personal_data: true, expires_at: "2027-01-01T22:59:59Z", last_used_at: "2026-12-04T09:30:00Z" })],
    });
    expect(cells(html)).toEqual([
      ["dashboard", "viewer", "masked", "Dec 1, 2026, 9:00 AM", "never", "not yet"],
      ["ci", "publisher", "unmasked", "Dec 1, 2026, 9:00 AM", "Jan 1, 2027, 11:59 PM", "Dec 4, 2026, 10:30 AM"],
    ]);
    expect(html).toContain('data-role="publisher"');
    expect(html).toContain("<th>Personal data</th>");
    expect(html).toContain('data-sees="false"');
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
    expect(options(fields({ role: "viewer", form: { name: "", role: "viewer", expires: "", personalData: false } }))).toEqual([["viewer", "viewer"]]);
    expect(fields()).toContain("Your role is publisher: a token may have it or a lower one.");
  });

  it("takes an optional last day", () => {
    expect(fields()).toMatch(/<input type="date" min="\d{4}-\d{2}-\d{2}" name="token-expires" value=""\/>/);
    // Without a day, the server gives the longest it allows (IVRGRAPH_TOKEN_MAX_DAYS): no token works for ever.
    expect(fields()).toContain("Left empty, it works for the longest the server allows (90 days unless the administrator set another limit).");
  });

  it("reads personal data masked unless ticked, and says why", () => {
    const html = fields();
    expect(html).toContain("Reads personal data (numbers, names)");
    expect(personalDataBox(html)).toEqual({ ticked: false, fixed: false });
    expect(personalDataHint(html)).toContain("Unticked, the token reads callers&#x27; and clients&#x27; numbers, names and call data masked (+34*******56)");
    // The API's own default is as the user, for the scripts written before: the hint says the box differs from it.
    expect(personalDataHint(html)).toContain("without saying gets one that reads them as you do");
    expect(html).toMatch(/name="token-personal-data"[^>]*aria-describedby="token-personal-data-hint"|aria-describedby="token-personal-data-hint"[^>]*name="token-personal-data"/);
    expect(personalDataBox(fields({ form: { name: "", role: "publisher", expires: "", personalData: true } }))).toEqual({ ticked: true, fixed: false });
  });

  it("cannot give a token personal data you read masked, nor take it from an admin token", () => {
    const masked = fields({ seesPersonalData: false, form: { name: "", role: "publisher", expires: "", personalData: true } });
    expect(personalDataBox(masked)).toEqual({ ticked: false, fixed: true });
    expect(personalDataHint(masked)).toBe("You read personal data masked, so your tokens do too.");
    const admin = fields({ role: "admin", form: { name: "", role: "admin", expires: "", personalData: false } });
    expect(personalDataBox(admin)).toEqual({ ticked: true, fixed: true });
    expect(personalDataHint(admin)).toContain("An admin token always reads personal data");
  });

  it("says a refusal of personal data in words", () => {
    expect(fields({ notice: { kind: "personalDataRefused" } })).toMatch(/role="alert"[^>]*data-kind="personalDataRefused">You read personal data masked now/);
  });

  it("shows a problem as an alert, and cannot be sent twice", () => {
    const html = fields({ notice: { kind: "roleRefused" }, sending: true });
    expect(html).toMatch(/role="alert"[^>]*data-kind="roleRefused"/);
    expect(buttonTexts(html)).toEqual(["Creating…"]);
  });

  it("speaks Spanish and Russian", () => {
    const props = { role: "editor" as const, seesPersonalData: true, form: { name: "", role: "editor" as const, expires: "", personalData: false }, sending: false, notice: null, onChange: () => {}, onSubmit: () => {} };
    const es = renderInLanguage("es", NewTokenFields, props);
    const ru = renderInLanguage("ru", NewTokenFields, props);
    expect(buttonTexts(es)).toEqual(["Crear token"]);
    expect(buttonTexts(ru)).toEqual(["Создать токен"]);
    expect(es).toContain("Ve datos personales (números, nombres)");
    expect(personalDataHint(es)).toMatch(/^Sin marcar, el token ve enmascarados/);
    expect(ru).toContain("Видит персональные данные (номера, имена)");
    expect(personalDataHint(ru)).toMatch(/^Если флажок не отмечен, токен видит/);
  });
});

describe("the new token's secret", () => {
  const created: ApiTokenCreated = { ...token(), token: "ivrg_s3cret" };
  const secret = (copied: boolean | null = null) => renderToHtml(TokenSecret, { token: created, copied, onCopy: () => {}, onDone: () => {} });

  it("is shown once, with a copy button and a clear warning", () => {
    const html = secret();
    expect(html).toContain('value="ivrg_s3cret"');
    expect(html).toContain("you will not see this token again");
    expect(html).toContain("Token “dashboard” made, with the role viewer. It reads personal data masked.");
    expect(buttonTexts(html)).toEqual(["Copy", "I have saved it"]);
    const whole = renderToHtml(TokenSecret, { token: { ...created, sees_personal_data: true }, copied: null, onCopy: () => {}, onDone: () => {} });
    expect(whole).toContain("It reads personal data unmasked, as long as you may.");
  });

  it("says whether the copy worked", () => {
    expect(secret(true)).toContain("Copied.");
    expect(secret(false)).toContain("select the token and press Ctrl+C");
  });
});
