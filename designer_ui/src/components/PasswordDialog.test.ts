import { describe, expect, it } from "vitest";
import type { PasswordForm, PasswordNotice } from "../lib/password";
import { PasswordFields } from "./PasswordDialog";
import { buttonTexts, renderToHtml } from "./renderForTest";

const empty: PasswordForm = { current: "", next: "", repeat: "" };
const fields = (change: { form?: PasswordForm; sending?: boolean; notice?: PasswordNotice | null } = {}) =>
  renderToHtml(PasswordFields, {
    username: "ana",
    form: empty,
    sending: false,
    notice: null,
    onChange: () => {},
    onSubmit: () => {},
    onClose: () => {},
    ...change,
  });
const problemShown = (html: string) => /data-testid="password-problem"[^>]*>(.*?)<\/p>/.exec(html)?.[1];
const input = (html: string, name: string) => new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0] ?? "";

describe("the change-password form", () => {
  it("says the minimum length up front", () => {
    expect(fields()).toContain("The new password needs at least 8 characters.");
  });

  it("asks for the current password and the new one twice, marked for password managers", () => {
    const html = fields();
    // HTML attribute names are case-insensitive (React's server markup writes autoComplete).
    expect(input(html, "current-password")).toMatch(/autocomplete="current-password"/i);
    expect(input(html, "new-password")).toMatch(/autocomplete="new-password"/i);
    expect(input(html, "repeat-password")).toMatch(/autocomplete="new-password"/i);
    for (const name of ["current-password", "new-password", "repeat-password"]) expect(input(html, name)).toContain('type="password"');
    // Whose password it is, for the password manager to update the right entry.
    expect(input(html, "username")).toMatch(/autocomplete="username"/i);
    expect(input(html, "username")).toContain('value="ana"');
  });

  it("cannot be sent twice: the button is disabled and says so while the change is on its way", () => {
    expect(buttonTexts(fields())).toEqual(["Change password", "Cancel"]);
    const sending = fields({ sending: true });
    expect(buttonTexts(sending)).toEqual(["Changing…", "Cancel"]);
    expect(sending).toMatch(/<button type="submit" class="primary" disabled="">Changing…<\/button>/);
  });

  it("says a repeat that can no longer match as it is typed", () => {
    expect(problemShown(fields({ form: { current: "x", next: "new-secret-1", repeat: "new-sec" } }))).toBeUndefined();
    const astray = fields({ form: { current: "x", next: "new-secret-1", repeat: "new-sex" } });
    expect(problemShown(astray)).toBe("The two new passwords are different: type the same one in both fields.");
    expect(input(astray, "repeat-password")).toContain('aria-invalid="true"');
  });

  it("shows what the server answered, as an alert", () => {
    const html = fields({ notice: { kind: "tooManyTries", seconds: 30 } });
    expect(html).toContain('role="alert"');
    expect(problemShown(html)).toBe("Too many wrong passwords: wait 30 seconds, then try again.");
  });
});
