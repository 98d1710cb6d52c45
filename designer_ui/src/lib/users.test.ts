import { describe, expect, it } from "vitest";
import { ApiError } from "../api/http";
import type { User } from "../api/types";
import { LANGUAGES, translator } from "./i18n";
import {
  GENERATED_LENGTH,
  PASSWORD_ALPHABET,
  demotesSelf,
  editFormOf,
  editProblems,
  emptyNewUser,
  generatePassword,
  newUserProblems,
  newUserRequest,
  personalDataTicked,
  settled,
  userChanges,
  userFailure,
  userProblemText,
  withRole,
  type NewUserForm,
  type UserProblem,
} from "./users";

const user = (change: Partial<User> = {}): User => ({ id: 2, username: "ana", role: "viewer", active: true, sees_personal_data: false, ...change });
const newUser = (change: Partial<NewUserForm> = {}): NewUserForm => ({ ...emptyNewUser(), username: "ana", password: "temporary-1", ...change });

// The bodies as the API answers them (api/errors.py), taken from a real `ivrgraph serve`: POST /api/users with a
// name taken, with an admin without personal data, with a bad name and a short password; PATCH of the last admin.
const TAKEN = { type: "https://ivrgraph.dev/problems/already-exists", title: "already exists", status: 409, detail: "user 'ana' already exists" };
const ADMIN_WITHOUT_DATA = {
  type: "https://ivrgraph.dev/problems/request-refused",
  title: "request refused",
  status: 422,
  detail: "the request cannot be carried out: an admin always sees personal data: give the user a lower role to take it away",
  problems: [{ path: "$.sees_personal_data", message: "an admin always sees personal data: give the user a lower role to take it away" }],
};
const OUT_OF_SCHEMA = {
  type: "https://ivrgraph.dev/problems/invalid-request",
  title: "invalid request",
  status: 422,
  detail: "the request does not match its schema",
  problems: [
    { path: "$.username", message: "String should match pattern '^[A-Za-z0-9_.@-]{1,100}$'" },
    { path: "$.password", message: "String should have at least 8 characters" },
  ],
};
const LAST_ADMIN = {
  type: "https://ivrgraph.dev/problems/conflict",
  title: "conflict",
  status: 409,
  detail: "the last active admin cannot be demoted or deactivated: make another admin first",
};
// The same refusals with their codes, as the API answers now (from a real `ivrgraph serve`): `Ana` beside `ana`,
// the last admin deactivated and lowered, an admin made without personal data.
const TAKEN_CASE = {
  type: "https://ivrgraph.dev/problems/already-exists",
  title: "already exists",
  status: 409,
  detail: "user 'Ana' already exists as 'ana': user names are the same whatever their case",
  problems: [{
    path: "$.username",
    code: "username_taken",
    message: "user 'Ana' already exists as 'ana': user names are the same whatever their case",
    params: { username: "Ana", existing_username: "ana", existing_id: 2 },
  }],
}; // prettier-ignore
const lastAdminAt = (path: string) => ({
  ...LAST_ADMIN,
  problems: [{ path, code: "last_admin", message: LAST_ADMIN.detail, params: { username: "root" } }],
});
const ADMIN_WITHOUT_DATA_CODED = {
  ...ADMIN_WITHOUT_DATA,
  problems: [{ ...ADMIN_WITHOUT_DATA.problems[0], code: "admin_sees_personal_data" }],
};
const refusal = (body: { status: number; detail: string }) => new ApiError(body.status, body, body.detail);

describe("a generated password", () => {
  it("takes each character from the random bytes, dropping those that would favour the first characters", () => {
    const size = PASSWORD_ALPHABET.length;
    const limit = 256 - (256 % size); // 228 for 57 characters: bytes 228..255 would wrap onto the first 28
    const bytes = [0, 1, limit, 255, size - 1, size, limit - 1, 2];
    const password = generatePassword(6, (buffer) => {
      buffer.set(bytes.slice(0, buffer.length));
      return buffer;
    });
    expect(password).toBe(["A", "B", PASSWORD_ALPHABET[size - 1], "A", PASSWORD_ALPHABET[(limit - 1) % size], "C"].join(""));
  });

  it("asks the source again until it has every character", () => {
    let asked = 0;
    const password = generatePassword(4, (buffer) => {
      asked += 1;
      buffer.fill(asked < 3 ? 255 : 5); // two answers of nothing usable, then bytes
      return buffer;
    });
    expect(password).toBe("FFFF");
    expect(asked).toBe(3);
  });

  it("is long and strong enough from the browser's crypto, never the same twice, and passes the server's check", () => {
    const made = Array.from({ length: 200 }, () => generatePassword());
    expect(new Set(made).size).toBe(200);
    for (const password of made) {
      expect(password).toHaveLength(GENERATED_LENGTH);
      expect([...password].every((c) => PASSWORD_ALPHABET.includes(c))).toBe(true);
      expect(newUserProblems(newUser({ password }))).toEqual({});
    }
    expect(GENERATED_LENGTH * Math.log2(PASSWORD_ALPHABET.length)).toBeGreaterThan(90);
    // No characters that read alike when it is read out or copied by hand.
    expect(PASSWORD_ALPHABET).not.toMatch(/[0O1lI]/);
  });
});

describe("a new user", () => {
  it("is checked before sending: the name as the server takes it, the password's length as it counts it", () => {
    expect(newUserProblems(newUser())).toEqual({});
    expect(newUserProblems(newUser({ username: "", password: "" }))).toEqual({ username: { kind: "needUsername" }, password: { kind: "needPassword" } });
    expect(newUserProblems(newUser({ username: "ana maría" })).username).toEqual({ kind: "badUsername" });
    expect(newUserProblems(newUser({ username: "аня" })).username).toEqual({ kind: "badUsername" });
    expect(newUserProblems(newUser({ username: "a".repeat(101) })).username).toEqual({ kind: "usernameTooLong" });
    expect(newUserProblems(newUser({ username: "ana.garcia@example-1_x" }))).toEqual({});
    expect(newUserProblems(newUser({ password: "1234567" })).password).toEqual({ kind: "tooShort" });
    // Seven characters, one of them an emoji (two UTF-16 units): the server counts seven, too short.
    expect(newUserProblems(newUser({ password: "abcdef😀" })).password).toEqual({ kind: "tooShort" });
    expect(newUserProblems(newUser({ password: "x".repeat(201) })).password).toEqual({ kind: "tooLong" });
  });

  it("reads personal data as the API decides unless the admin chose: an admin does, others do not", () => {
    expect(personalDataTicked({ role: "viewer", seesPersonalData: null })).toBe(false);
    expect(personalDataTicked({ role: "admin", seesPersonalData: null })).toBe(true);
    expect(personalDataTicked({ role: "viewer", seesPersonalData: true })).toBe(true);
    expect(personalDataTicked({ role: "admin", seesPersonalData: false })).toBe(false);
    // Left to the API when not chosen; sent as chosen otherwise, also when the API will refuse it.
    expect(newUserRequest(newUser({ role: "admin" }))).toEqual({ username: "ana", password: "temporary-1", role: "admin" });
    expect(newUserRequest(newUser({ seesPersonalData: true }))).toEqual({ username: "ana", password: "temporary-1", role: "viewer", sees_personal_data: true });
    expect(newUserRequest(newUser({ role: "admin", seesPersonalData: false })).sees_personal_data).toBe(false);
  });
});

describe("changes to a user", () => {
  it("sends only what changed", () => {
    const ana = user();
    expect(userChanges(ana, editFormOf(ana))).toEqual({});
    expect(userChanges(ana, { ...editFormOf(ana), role: "editor" })).toEqual({ role: "editor" });
    expect(userChanges(ana, { ...editFormOf(ana), seesPersonalData: true, password: "new-secret-1" })).toEqual({
      sees_personal_data: true,
      password: "new-secret-1",
    });
    expect(editProblems({ ...editFormOf(ana), password: "short" })).toEqual({ password: { kind: "tooShort" } });
    expect(editProblems(editFormOf(ana))).toEqual({}); // no password: it stays
  });

  it("gives personal data to whoever is made an admin, and keeps it when they are lowered unless unticked", () => {
    const ana = user();
    const promoted = withRole(editFormOf(ana), "admin");
    expect(promoted.seesPersonalData).toBe(true);
    expect(userChanges(ana, promoted)).toEqual({ role: "admin", sees_personal_data: true });
    const admin = user({ role: "admin", sees_personal_data: true });
    const lowered = withRole(editFormOf(admin), "viewer");
    expect(userChanges(admin, lowered)).toEqual({ role: "viewer" });
    expect(userChanges(admin, { ...lowered, seesPersonalData: false })).toEqual({ role: "viewer", sees_personal_data: false });
  });

  it("asks an admin lowering their own role to confirm, not one lowering another admin", () => {
    const me = user({ id: 1, role: "admin", sees_personal_data: true });
    expect(demotesSelf(me, me, { role: "publisher" })).toBe(true);
    expect(demotesSelf(me, me, { role: "admin" })).toBe(false);
    expect(demotesSelf(me, me, { password: "new-secret-1" })).toBe(false);
    expect(demotesSelf(user({ id: 3, role: "admin" }), me, { role: "viewer" })).toBe(false);
  });
});

describe("the server's refusals, at the fields they are about", () => {
  it("puts a taken name at the name", () => {
    expect(userFailure(refusal(TAKEN), { action: "create", username: "ana" })).toEqual({ username: { kind: "usernameTaken", username: "ana" } });
  });

  it("names the user who has the name in another case, as the server names them", () => {
    expect(userFailure(refusal(TAKEN_CASE), { action: "create", username: "Ana" })).toEqual({
      username: { kind: "usernameTaken", username: "Ana", existing: "ana" },
    });
  });

  it("says the codes it knows in its own words, at the field their path names", () => {
    expect(userFailure(refusal(lastAdminAt("$.active")), { action: "activity" })).toEqual({ active: { kind: "lastAdmin", username: "root" } });
    expect(userFailure(refusal(lastAdminAt("$.role")), { action: "update", changes: { role: "editor", password: "x".repeat(8) } })).toEqual({
      role: { kind: "lastAdmin", username: "root" },
    });
    expect(userFailure(refusal(ADMIN_WITHOUT_DATA_CODED), { action: "update", changes: { sees_personal_data: false } })).toEqual({
      seesPersonalData: { kind: "adminSeesPersonalData" },
    });
  });

  it("puts a 422's problems at the fields their paths name, in the API's words", () => {
    expect(userFailure(refusal(ADMIN_WITHOUT_DATA), { action: "create", username: "bob" })).toEqual({
      seesPersonalData: { kind: "server", message: "an admin always sees personal data: give the user a lower role to take it away" },
    });
    expect(userFailure(refusal(ADMIN_WITHOUT_DATA), { action: "update", changes: { sees_personal_data: false } })).toEqual({
      seesPersonalData: { kind: "server", message: "an admin always sees personal data: give the user a lower role to take it away" },
    });
    expect(userFailure(refusal(OUT_OF_SCHEMA), { action: "create", username: "b b" })).toEqual({
      username: { kind: "server", message: "String should match pattern '^[A-Za-z0-9_.@-]{1,100}$'" },
      password: { kind: "server", message: "String should have at least 8 characters" },
    });
    const elsewhere = { ...OUT_OF_SCHEMA, problems: [{ path: "$", message: "a" }, { path: "$.extra", message: "b" }] };
    expect(userFailure(refusal(elsewhere), { action: "create", username: "ana" })).toEqual({ form: { kind: "server", message: "a; b" } });
  });

  it("says a password too easy to guess (api/weak_passwords.py) in our words, at the password", () => {
    const weak = (code: string) => ({
      status: 422,
      detail: "refused",
      type: "https://ivrgraph.dev/problems/request-refused",
      problems: [{ path: "$.password", code, message: "the API's words" }],
    });
    expect(userFailure(refusal(weak("password_too_common")), { action: "create", username: "ana" })).toEqual({
      password: { kind: "passwordTooCommon" },
    });
    expect(userFailure(refusal(weak("password_is_username")), { action: "update", changes: { password: "Ana12345" } })).toEqual({
      password: { kind: "passwordIsUsername" },
    });
    expect(userFailure(refusal(weak("password_one_character")), { action: "create", username: "ana" })).toEqual({
      password: { kind: "passwordOneCharacter" },
    });
    for (const language of ["en", "es", "ru"] as const) {
      for (const kind of ["passwordTooCommon", "passwordIsUsername", "passwordOneCharacter"] as const) {
        const said = userProblemText({ kind }, translator(language));
        expect(said, `${language} ${kind}`).not.toContain("users.");
      }
    }
  });

  it("puts the last admin's refusal at the role or the activity that would lose them", () => {
    const message = { kind: "server", message: LAST_ADMIN.detail };
    expect(userFailure(refusal(LAST_ADMIN), { action: "update", changes: { role: "editor" } })).toEqual({ role: message });
    expect(userFailure(refusal(LAST_ADMIN), { action: "activity" })).toEqual({ active: message });
    expect(userFailure(refusal(LAST_ADMIN), { action: "update", changes: { password: "x".repeat(8) } })).toEqual({ form: message });
  });

  it("says a lost role, a user gone, a server not answering and anything else for the whole form", () => {
    const forbidden = new ApiError(403, { type: "https://ivrgraph.dev/problems/forbidden", detail: "this needs the admin role" }, "this needs the admin role");
    expect(userFailure(forbidden, { action: "create", username: "ana" })).toEqual({ form: { kind: "forbidden" } });
    const gone = new ApiError(404, { type: "https://ivrgraph.dev/problems/not-found", detail: "user 999 does not exist" }, "user 999 does not exist");
    expect(userFailure(gone, { action: "activity" })).toEqual({ form: { kind: "gone" } });
    expect(userFailure(new ApiError(0, null, "Failed to fetch"), { action: "activity" })).toEqual({ form: { kind: "network" } });
    expect(userFailure(new ApiError(500, { detail: "unexpected error; it has been logged" }, "x"), { action: "activity" })).toEqual({
      form: { kind: "server", message: "unexpected error; it has been logged" },
    });
    expect(userFailure(new TypeError("boom"), { action: "activity" })).toEqual({ form: { kind: "server", message: "boom" } });
  });

  it("forgets what was said about a field once it is changed, and the personal data's problem with a new role", () => {
    const problems = { username: { kind: "needUsername" }, seesPersonalData: { kind: "server", message: "m" }, form: { kind: "network" } } as const;
    expect(settled(problems, "username")).toEqual({ seesPersonalData: { kind: "server", message: "m" } });
    expect(settled(problems, "role")).toEqual({ username: { kind: "needUsername" } });
    expect(problems.form).toEqual({ kind: "network" }); // not changed in place
  });
});

describe("the problems in words", () => {
  const every: UserProblem[] = [
    { kind: "needUsername" }, { kind: "badUsername" }, { kind: "usernameTooLong" }, { kind: "needPassword" }, { kind: "tooShort" },
    { kind: "tooLong" }, { kind: "forbidden" }, { kind: "gone" }, { kind: "network" }, { kind: "nothingChanged" },
    { kind: "usernameTaken", username: "ana" }, { kind: "usernameTaken", username: "Ana", existing: "ana" },
    { kind: "lastAdmin", username: "root" }, { kind: "adminSeesPersonalData" },
  ]; // prettier-ignore

  it("says each in English, the server's own as it said them", () => {
    const t = translator("en");
    expect(userProblemText({ kind: "usernameTaken", username: "ana" }, t)).toBe("There is a user named ana already: choose another name.");
    expect(userProblemText({ kind: "usernameTaken", username: "Ana", existing: "ana" }, t)).toBe(
      "There is a user named ana already, and user names are the same whatever their capitals: choose another name.",
    );
    expect(userProblemText({ kind: "lastAdmin", username: "root" }, t)).toBe(
      "root is the last active administrator: make another user an administrator first.",
    );
    expect(userProblemText({ kind: "adminSeesPersonalData" }, t)).toBe(t("users.personalDataAdmin"));
    expect(userProblemText({ kind: "tooShort" }, t)).toBe("The password is too short: it needs at least 8 characters.");
    expect(userProblemText({ kind: "usernameTooLong" }, t)).toBe("The user name is too long: it may have at most 100 characters.");
    expect(userProblemText({ kind: "server", message: LAST_ADMIN.detail }, t)).toBe(LAST_ADMIN.detail);
  });

  it("says each in Spanish and Russian, every parameter filled", () => {
    for (const language of ["es", "ru"] as const) {
      const t = translator(language);
      for (const problem of every) {
        const text = userProblemText(problem, t);
        expect(text, `${language} ${problem.kind}`).not.toMatch(/[{}]/);
        expect(text, `${language} ${problem.kind}`).not.toBe(userProblemText(problem, translator("en")));
      }
    }
    expect(Object.keys(LANGUAGES.en).filter((key) => key.startsWith("users.")).length).toBeGreaterThan(60);
  });
});
