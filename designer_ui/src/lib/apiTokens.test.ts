import { describe, expect, it } from "vitest";
import { ApiError } from "../api/http";
import { runInTimeZone } from "../testSupport";
import { emptyTokenForm, expiryMoment, today, tokenFailure, tokenFormProblem, tokenNoticeText, tokenPersonalData, tokenRequest, tokenRoles } from "./apiTokens";
import { translator } from "./i18n";

runInTimeZone("Europe/Madrid");

const problem = (status: number, body: unknown) => new ApiError(status, body, "refused");

describe("the roles a new token may have", () => {
  it("are yours and those below, yours first (the default)", () => {
    expect(tokenRoles("admin")).toEqual(["admin", "publisher", "editor", "viewer"]);
    expect(tokenRoles("editor")).toEqual(["editor", "viewer"]);
    expect(tokenRoles("viewer")).toEqual(["viewer"]);
  });
});

describe("personal data", () => {
  const form = (change: Partial<ReturnType<typeof emptyTokenForm>> = {}) => ({ ...emptyTokenForm("publisher"), name: "wallboard", ...change });

  it("is not read by a new token unless ticked (least privilege), and always says so to the API", () => {
    expect(emptyTokenForm("publisher").personalData).toBe(false);
    expect(tokenPersonalData(form(), true)).toEqual({ reads: false, fixed: null });
    expect(tokenRequest(form(), true).sees_personal_data).toBe(false);
    expect(tokenPersonalData(form({ personalData: true }), true)).toEqual({ reads: true, fixed: null });
    expect(tokenRequest(form({ personalData: true }), true).sees_personal_data).toBe(true);
  });

  it("is never asked for by a user who reads it masked, whatever the box held", () => {
    expect(tokenPersonalData(form({ personalData: true }), false)).toEqual({ reads: false, fixed: "yours" });
    expect(tokenRequest(form({ personalData: true }), false).sees_personal_data).toBe(false);
  });

  it("is always read by an admin token, as the API requires", () => {
    expect(tokenPersonalData(form({ role: "admin" }), true)).toEqual({ reads: true, fixed: "admin" });
    expect(tokenRequest(form({ role: "admin" }), true).sees_personal_data).toBe(true);
  });
});

describe("the expiry", () => {
  it("is the end of the chosen day where the user is, in UTC", () => {
    expect(expiryMoment("2026-12-31")).toBe("2026-12-31T22:59:59.000Z"); // Madrid is UTC+1 in winter
    expect(expiryMoment("2026-07-01")).toBe("2026-07-01T21:59:59.000Z"); // and UTC+2 in summer
  });

  it("is none when no day is chosen", () => {
    expect(expiryMoment("")).toBeNull();
    expect(tokenRequest({ name: "  ci  ", role: "viewer", expires: "", personalData: false }, true)).toEqual({ name: "ci", role: "viewer", expires_at: null, sees_personal_data: false });
  });
});

describe("the form", () => {
  const now = new Date(2026, 11, 5, 10, 0);

  it("needs a name, not too long, and a day that has not passed", () => {
    expect(tokenFormProblem({ name: " ", role: "viewer", expires: "", personalData: false }, now)).toEqual({ kind: "needName" });
    expect(tokenFormProblem({ name: "x".repeat(201), role: "viewer", expires: "", personalData: false }, now)).toEqual({ kind: "nameTooLong" });
    expect(tokenFormProblem({ name: "ci", role: "viewer", expires: "2026-12-04", personalData: false }, now)).toEqual({ kind: "expiryPassed" });
    expect(tokenFormProblem({ name: "ci", role: "viewer", expires: today(now), personalData: false }, now)).toBeNull();
    expect(tokenFormProblem({ name: "ci", role: "viewer", expires: "", personalData: false }, now)).toBeNull();
  });
});

describe("a refused token in words", () => {
  it("tells a role above yours from other refusals", () => {
    const above = problem(422, { type: "https://ivrgraph.dev/problems/request-refused", problems: [{ path: "$.role", message: "a token cannot have a role above yours (editor): choose one of viewer, editor" }] });
    expect(tokenFailure(above)).toEqual({ kind: "roleRefused" });
    const name = problem(422, { problems: [{ path: "$.name", message: "String should have at least 1 character" }] });
    expect(tokenFailure(name)).toEqual({ kind: "failed", message: "String should have at least 1 character" });
    expect(tokenFailure(problem(403, { type: "https://ivrgraph.dev/problems/session-needed" }))).toEqual({ kind: "sessionNeeded" });
    const masked = problem(422, { problems: [{ path: "$.sees_personal_data", code: "token_personal_data_above_yours", message: "a token cannot read personal data you read masked: leave sees_personal_data out or false" }] });
    expect(tokenFailure(masked)).toEqual({ kind: "personalDataRefused" });
    const admin = problem(422, { problems: [{ path: "$.sees_personal_data", code: "admin_sees_personal_data", message: "an admin token always reads personal data" }] });
    expect(tokenFailure(admin)).toEqual({ kind: "failed", message: "an admin token always reads personal data" });
    expect(tokenFailure(new Error("offline"))).toEqual({ kind: "failed", message: "offline" });
  });

  it("is said in the interface's language", () => {
    expect(tokenNoticeText({ kind: "nameTooLong" }, translator("en"))).toBe("The name is too long: it may have at most 200 characters.");
    expect(tokenNoticeText({ kind: "failed", message: "x" }, translator("es"))).toBe("No se creó el token: x");
    expect(tokenNoticeText({ kind: "needName" }, translator("ru"))).toBe("Дайте токену название, чтобы потом знать, что его использует.");
    expect(tokenNoticeText({ kind: "personalDataRefused" }, translator("en"))).toContain("You read personal data masked now");
  });
});
