import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/http";
import { translator, type Language } from "./i18n";
import {
  changeOwnPassword,
  passwordChangeFailure,
  passwordFormProblem,
  passwordNoticeText,
  repeatGoesAstray,
  type PasswordForm,
  type PasswordNotice,
} from "./password";

const form = (change: Partial<PasswordForm> = {}): PasswordForm => ({ current: "old-secret", next: "new-secret-1", repeat: "new-secret-1", ...change });
const problem = (status: number, kind: string, extra: Record<string, unknown> = {}) =>
  new ApiError(status, { type: `https://ivrgraph.dev/problems/${kind}`, status, detail: `${kind} detail`, ...extra }, `${kind} detail`);
const text = (notice: PasswordNotice, language: Language = "en") => passwordNoticeText(notice, translator(language), language);

describe("the form, before anything is sent", () => {
  it("may be sent with the current password and a new one of 8 characters or more, typed twice alike", () => {
    expect(passwordFormProblem(form())).toBeNull();
    expect(passwordFormProblem(form({ next: "12345678", repeat: "12345678" }))).toBeNull();
  });

  it("asks for the current password first", () => {
    expect(passwordFormProblem(form({ current: "" }))).toEqual({ kind: "needCurrent" });
  });

  it("refuses a new password under 8 characters or over 200, counted as the server counts them", () => {
    expect(passwordFormProblem(form({ next: "1234567", repeat: "1234567" }))).toEqual({ kind: "tooShort" });
    // Seven characters, but fourteen UTF-16 units: still too short for the server.
    const emoji = "😀".repeat(7);
    expect(passwordFormProblem(form({ next: emoji, repeat: emoji }))).toEqual({ kind: "tooShort" });
    const long = "x".repeat(201);
    expect(passwordFormProblem(form({ next: long, repeat: long }))).toEqual({ kind: "tooLong" });
  });

  it("refuses a repeat that is not the same as the new password", () => {
    expect(passwordFormProblem(form({ repeat: "new-secret-2" }))).toEqual({ kind: "mismatch" });
    expect(passwordFormProblem(form({ repeat: "" }))).toEqual({ kind: "mismatch" });
    expect(text({ kind: "mismatch" })).toBe("The two new passwords are different: type the same one in both fields.");
  });

  it("says a repeat is astray as soon as it can no longer match, not while it is still being typed", () => {
    expect(repeatGoesAstray(form({ repeat: "" }))).toBe(false);
    expect(repeatGoesAstray(form({ repeat: "new-sec" }))).toBe(false);
    expect(repeatGoesAstray(form({ repeat: "new-sex" }))).toBe(true);
    expect(repeatGoesAstray(form({ repeat: "new-secret-12" }))).toBe(true);
  });
});

describe("the server's answer, in words", () => {
  it("a wrong current password (403 wrong-password): said so, and not taken for a sign-out", () => {
    expect(passwordChangeFailure(problem(403, "wrong-password"))).toEqual({ kind: "wrongCurrent" });
    expect(text({ kind: "wrongCurrent" })).toBe("The current password is wrong. Nothing was changed, and you are still signed in.");
  });

  it("another 403 (a stale CSRF token) is not a wrong password", () => {
    expect(passwordChangeFailure(problem(403, "csrf"))).toEqual({ kind: "failed", message: "csrf detail" });
  });

  it("a new password the server finds too short or too long (422)", () => {
    const invalid = (message: string) =>
      new ApiError(422, { type: "https://ivrgraph.dev/problems/invalid-request", problems: [{ path: "$.new_password", message }] }, "invalid");
    expect(passwordChangeFailure(invalid("String should have at least 8 characters"))).toEqual({ kind: "tooShort" });
    expect(passwordChangeFailure(invalid("String should have at most 200 characters"))).toEqual({ kind: "tooLong" });
    expect(passwordChangeFailure(invalid("String should match pattern '^[^\\x00]*$'"))).toEqual({
      kind: "failed",
      message: "String should match pattern '^[^\\x00]*$'",
    });
    expect(text({ kind: "tooShort" })).toBe("The new password is too short: it needs at least 8 characters.");
  });

  it("a new password the server finds too easy to guess (422, api/weak_passwords.py's codes): its rule, in our words", () => {
    const weak = (code: string) =>
      new ApiError(422, { type: "https://ivrgraph.dev/problems/request-refused", problems: [{ path: "$.new_password", code, message: "the API's words" }] }, "refused");
    expect(passwordChangeFailure(weak("password_is_username"))).toEqual({ kind: "isUsername" });
    expect(passwordChangeFailure(weak("password_one_character"))).toEqual({ kind: "oneCharacter" });
    expect(passwordChangeFailure(weak("password_too_common"))).toEqual({ kind: "tooCommon" });
    expect(text({ kind: "tooCommon" })).toBe("The new password is one of the most common passwords, the first ones an attacker tries: choose another.");
    expect(text({ kind: "isUsername" }, "ru")).toContain("совпадает с вашим именем пользователя");
    expect(text({ kind: "oneCharacter" }, "es")).toContain("un solo carácter repetido");
    // A code it does not know is said in the API's words, as before.
    expect(passwordChangeFailure(weak("password_something_new"))).toEqual({ kind: "failed", message: "the API's words" });
  });

  it("too many tries (429): how long to wait, in whole seconds rounded up, in each language's plural", () => {
    const notice = passwordChangeFailure(problem(429, "too-many-sign-ins", { retry_after: 41.2 }));
    expect(notice).toEqual({ kind: "tooManyTries", seconds: 42 });
    expect(text(notice)).toBe("Too many wrong passwords: wait 42 seconds, then try again.");
    expect(text({ kind: "tooManyTries", seconds: 1 })).toBe("Too many wrong passwords: wait 1 second, then try again.");
    expect(text({ kind: "tooManyTries", seconds: 21 }, "ru")).toBe("Слишком много неверных паролей: подождите 21 секунду и попробуйте снова.");
    expect(text({ kind: "tooManyTries", seconds: 5 }, "ru")).toContain("подождите 5 секунд ");
    expect(text({ kind: "tooManyTries", seconds: 2 }, "es")).toContain("espere 2 segundos");
    expect(passwordChangeFailure(problem(429, "too-many-sign-ins"))).toEqual({ kind: "tooManyTriesLater" });
  });

  it("anything else, with what the server or the network said", () => {
    expect(passwordChangeFailure(new ApiError(0, null, "the server did not answer"))).toEqual({ kind: "failed", message: "the server did not answer" });
    expect(text({ kind: "failed", message: "HTTP 500" })).toBe("The password was not changed: HTTP 500");
  });
});

describe("changing it", () => {
  it("sends nothing while the form has a problem", async () => {
    const send = vi.fn();
    expect(await changeOwnPassword(form({ repeat: "other-secret" }), send)).toEqual({ kind: "mismatch" });
    expect(send).not.toHaveBeenCalled();
  });

  it("sends the current and the new password, and says it is done", async () => {
    const send = vi.fn().mockResolvedValue(undefined);
    expect(await changeOwnPassword(form(), send)).toEqual({ kind: "changed" });
    expect(send).toHaveBeenCalledWith("old-secret", "new-secret-1", false);
    expect(text({ kind: "changed" })).toBe("Your password has been changed. Use the new one the next time you sign in.");
  });

  it("revokes the API tokens when asked, and says what became of them", async () => {
    const send = vi.fn().mockResolvedValue({ tokensRevoked: 3, tokensLive: 0 });
    const revoked = await changeOwnPassword(form(), send, true);
    expect(send).toHaveBeenCalledWith("old-secret", "new-secret-1", true);
    expect(revoked).toEqual({ kind: "changed", tokensRevoked: 3, tokensLive: 0 });
    expect(text(revoked)).toBe("Your password has been changed. Use the new one the next time you sign in. Revoked: 3 API tokens.");
    expect(text(revoked, "ru")).toContain("Отозвано: 3 API-токена.");
    // Kept, they are named, with where to end them: the user may not know a leaked password could have made some.
    const kept = { kind: "changed", tokensRevoked: 0, tokensLive: 1 } as const;
    expect(text(kept)).toContain("Still working: 1 API token (revoke them under API tokens");
    expect(text(kept, "es")).toContain("Siguen funcionando: 1 token de API");
    expect(text({ kind: "changed", tokensRevoked: 0, tokensLive: 5 }, "ru")).toContain("Продолжают работать: 5 API-токенов");
  });

  it("says why the server refused it", async () => {
    const send = vi.fn().mockRejectedValue(problem(403, "wrong-password"));
    expect(await changeOwnPassword(form(), send)).toEqual({ kind: "wrongCurrent" });
  });
});
