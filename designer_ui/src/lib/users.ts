/**
 * User administration: the pure half of the Users page (components/UsersPage.tsx). A strong temporary password
 * made in the browser, the forms for a new user and for changes to one checked before anything is sent, the
 * requests they stand for (only what changed), and each refusal of /api/users turned into a problem shown at the
 * field it is about.
 */
import { ApiError } from "../api/http";
import type { Role, User } from "../api/types";
import type { components } from "../generated/api";
import type { Translate } from "./i18n";
import { PASSWORD_MAX, PASSWORD_MIN } from "./password";

export type UserCreate = components["schemas"]["UserCreate"];
export type UserUpdate = components["schemas"]["UserUpdate"];

/** A user name as the server takes it (api/schemas.py `Username`). */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.@-]+$/;
export const USERNAME_MAX = 100;

// Letters and digits only, none that read alike (0/O, 1/l/I): a temporary password is often read out or retyped.
export const PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
/** 16 of 57 characters: about 93 bits, far beyond guessing through the sign-in throttle. */
export const GENERATED_LENGTH = 16;

/**
 * A random temporary password from `fill` (the browser's `crypto.getRandomValues`). A byte at or above the largest
 * multiple of the alphabet's size is dropped rather than wrapped around, so that every character is as likely.
 */
export function generatePassword(
  length: number = GENERATED_LENGTH,
  fill: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes),
): string {
  const size = PASSWORD_ALPHABET.length;
  const limit = 256 - (256 % size);
  let password = "";
  while (password.length < length) {
    for (const byte of fill(new Uint8Array(length * 2))) {
      if (byte < limit && password.length < length) password += PASSWORD_ALPHABET[byte % size];
    }
  }
  return password;
}

/** The fields a problem may be about; "form": none of them in particular. */
export type UserField = "username" | "password" | "role" | "seesPersonalData" | "active" | "form";

export type UserProblem =
  | { kind: "needUsername" | "badUsername" | "usernameTooLong" | "needPassword" | "tooShort" | "tooLong" }
  | { kind: "forbidden" | "gone" | "network" | "nothingChanged" }
  /** `existing`: the user who has the name, as the server names them (`Ana` for a new `ana`: case makes no name). */
  | { kind: "usernameTaken"; username: string; existing?: string }
  /** Demoting or deactivating `username`, the last active admin (409 `last_admin`). */
  | { kind: "lastAdmin"; username: string }
  /** An admin without personal data (422 `admin_sees_personal_data`). */
  | { kind: "adminSeesPersonalData" }
  // The server found the password too easy to guess (api/weak_passwords.py).
  | { kind: "passwordIsUsername" | "passwordOneCharacter" | "passwordTooCommon" }
  /** The server's own words (a 422's problem at a path, a 409's detail). */
  | { kind: "server"; message: string };

export type UserProblems = Partial<Record<UserField, UserProblem>>;

export const hasProblems = (problems: UserProblems) => Object.keys(problems).length > 0;

/** Characters as the server counts them (Python's `len`, code points). */
const characters = (text: string) => [...text].length;

function usernameProblem(username: string): UserProblem | null {
  if (username === "") return { kind: "needUsername" };
  if (characters(username) > USERNAME_MAX) return { kind: "usernameTooLong" };
  if (!USERNAME_PATTERN.test(username)) return { kind: "badUsername" };
  return null;
}

/** A password to set: "" is none (required for a new user, "leave it as it is" for a change). */
function passwordProblem(password: string, required: boolean): UserProblem | null {
  if (password === "") return required ? { kind: "needPassword" } : null;
  if (characters(password) < PASSWORD_MIN) return { kind: "tooShort" };
  if (characters(password) > PASSWORD_MAX) return { kind: "tooLong" };
  return null;
}

const collect = (entries: [UserField, UserProblem | null][]): UserProblems =>
  Object.fromEntries(entries.filter((entry): entry is [UserField, UserProblem] => entry[1] !== null));

// -- a new user ------------------------------------------------------------------------------------

export interface NewUserForm {
  username: string;
  password: string;
  /** Made by Generate (and so shown as text), not typed. */
  generated: boolean;
  role: Role;
  /** Ticked or unticked by the admin; null: as the API decides for the role (an admin does, others do not). */
  seesPersonalData: boolean | null;
}

export const emptyNewUser = (): NewUserForm => ({ username: "", password: "", generated: false, role: "viewer", seesPersonalData: null });

/** Whether the personal-data box shows ticked: the admin's choice, else the API's default for the role. */
export const personalDataTicked = (form: Pick<NewUserForm, "role" | "seesPersonalData">) => form.seesPersonalData ?? form.role === "admin";

export function newUserProblems(form: NewUserForm): UserProblems {
  return collect([
    ["username", usernameProblem(form.username)],
    ["password", passwordProblem(form.password, true)],
  ]);
}

/** The request: the personal-data choice only when the admin made one (else the API's default for the role). */
export function newUserRequest(form: NewUserForm): UserCreate {
  const request: UserCreate = { username: form.username, password: form.password, role: form.role };
  if (form.seesPersonalData !== null) request.sees_personal_data = form.seesPersonalData;
  return request;
}

// -- changes to a user ----------------------------------------------------------------------------

export interface UserEditForm {
  role: Role;
  seesPersonalData: boolean;
  /** A new temporary password; "": the password stays. */
  password: string;
  generated: boolean;
}

export const editFormOf = (user: User): UserEditForm => ({ role: user.role, seesPersonalData: user.sees_personal_data, password: "", generated: false });

/**
 * The form after the role is changed to `role`. Made an admin, a user is given personal data (the API does the
 * same); lowered, they keep what the box says unless the admin unticks it.
 */
export function withRole(form: UserEditForm, role: Role): UserEditForm {
  return { ...form, role, seesPersonalData: role === "admin" ? true : form.seesPersonalData };
}

export function editProblems(form: UserEditForm): UserProblems {
  return collect([["password", passwordProblem(form.password, false)]]);
}

/** The PATCH body: only what differs from `user` as listed (what is left out stays as it is). */
export function userChanges(user: User, form: UserEditForm): UserUpdate {
  const changes: UserUpdate = {};
  if (form.role !== user.role) changes.role = form.role;
  if (form.seesPersonalData !== user.sees_personal_data) changes.sees_personal_data = form.seesPersonalData;
  if (form.password !== "") changes.password = form.password;
  return changes;
}

/** An admin lowering their own role: asked to confirm first (they stop managing users at once). */
export const demotesSelf = (user: User, me: Pick<User, "id">, changes: UserUpdate) =>
  user.id === me.id && user.role === "admin" && changes.role !== undefined && changes.role !== "admin";

// -- the server's answers -------------------------------------------------------------------------

/** Where a 422's JSON path (api/errors.py `problems`) is shown. */
const FIELD_OF_PATH: Record<string, UserField> = {
  "$.username": "username",
  "$.password": "password",
  "$.role": "role",
  "$.sees_personal_data": "seesPersonalData",
  "$.active": "active",
};

type ProblemBody = { type?: unknown; detail?: unknown; problems?: unknown };
type ProblemItem = { path?: unknown; message?: unknown; code?: unknown; params?: unknown };

const WEAK_PASSWORD_PROBLEMS: Record<string, "passwordIsUsername" | "passwordOneCharacter" | "passwordTooCommon" | undefined> = {
  password_is_username: "passwordIsUsername",
  password_one_character: "passwordOneCharacter",
  password_too_common: "passwordTooCommon",
};

/** The items of a problem's `problems` (api/errors.py): each with a path, a message and a stable `code`. */
const problemItems = (body: ProblemBody): ProblemItem[] =>
  Array.isArray(body.problems) ? body.problems.filter((item): item is ProblemItem => !!item && typeof item === "object") : [];

/** A string among a problem's `params`, if it has it. */
function param(item: ProblemItem | undefined, name: string): string | undefined {
  const params = item?.params && typeof item.params === "object" ? (item.params as Record<string, unknown>) : {};
  return typeof params[name] === "string" ? params[name] : undefined;
}

/** What was asked: a new user (named), a change (the PATCH body), or deactivating or reactivating one. */
export type UserRequest = { action: "create"; username: string } | { action: "update"; changes: UserUpdate } | { action: "activity" };

/**
 * A refusal of /api/users as problems at the fields they are about. A 422 names its fields by JSON path, each shown
 * there in the API's words but for the codes said in ours (an admin without personal data,
 * `admin_sees_personal_data`); a 409 on a new user is its name taken (`username_taken`, naming who has it: names
 * are one whatever their case), and on a change the last active admin (`last_admin`), shown at the role or the
 * activity that would lose them. A server that names no code is read as before: by the status and the request.
 */
export function userFailure(error: unknown, request: UserRequest): UserProblems {
  if (!(error instanceof ApiError)) return { form: { kind: "server", message: error instanceof Error ? error.message : String(error) } };
  const body: ProblemBody = error.body && typeof error.body === "object" ? (error.body as ProblemBody) : {};
  const detail = typeof body.detail === "string" && body.detail ? body.detail : error.message;
  if (error.status === 0) return { form: { kind: "network" } };
  if (error.status === 403) return { form: { kind: "forbidden" } };
  if (error.status === 404 && request.action !== "create") return { form: { kind: "gone" } };
  const items = problemItems(body);
  if (error.status === 409) {
    const [item] = items;
    const field = FIELD_OF_PATH[String(item?.path ?? "")] ?? "form";
    if (item?.code === "last_admin") return { [field]: { kind: "lastAdmin", username: param(item, "username") ?? "" } };
    if (request.action === "create") {
      const existing = item?.code === "username_taken" ? param(item, "existing_username") : undefined;
      return { username: { kind: "usernameTaken", username: request.username, ...(existing ? { existing } : {}) } };
    }
    if (request.action === "activity") return { active: { kind: "server", message: detail } };
    if (request.changes.role !== undefined) return { role: { kind: "server", message: detail } };
    return { form: { kind: "server", message: detail } };
  }
  if (error.status === 422 && items.length > 0) {
    const problems: UserProblems = {};
    for (const item of items) {
      const field = FIELD_OF_PATH[String(item.path ?? "")] ?? "form";
      if (item.code === "admin_sees_personal_data") {
        problems[field] = { kind: "adminSeesPersonalData" };
        continue;
      }
      const weak = WEAK_PASSWORD_PROBLEMS[String(item.code)];
      if (weak) {
        problems[field] = { kind: weak };
        continue;
      }
      const message = String(item.message ?? "");
      const before = problems[field];
      problems[field] = { kind: "server", message: before?.kind === "server" ? `${before.message}; ${message}` : message };
    }
    return problems;
  }
  return { form: { kind: "server", message: detail } };
}

/** A problem in words: ours in the interface's language, the server's in its own (they name what to change). */
export function userProblemText(problem: UserProblem, t: Translate): string {
  switch (problem.kind) {
    case "server":
      return problem.message;
    case "usernameTaken":
      return problem.existing && problem.existing !== problem.username
        ? t("users.usernameTakenCase", { existing: problem.existing })
        : t("users.usernameTaken", { name: problem.username });
    case "lastAdmin":
      return t("users.lastAdmin", { name: problem.username });
    case "adminSeesPersonalData":
      return t("users.personalDataAdmin");
    case "usernameTooLong":
      return t("users.usernameTooLong", { max: USERNAME_MAX });
    case "tooShort":
      return t("users.tooShort", { min: PASSWORD_MIN });
    case "tooLong":
      return t("users.tooLong", { max: PASSWORD_MAX });
    default:
      return t(`users.${problem.kind}`);
  }
}

/**
 * The problems left once `field` is changed: what was said about it, and about the form as a whole, was about what
 * has just been changed. A role changed may settle the personal data's problem too (an admin must have it).
 */
export function settled(problems: UserProblems, field: UserField): UserProblems {
  const left = { ...problems };
  delete left[field];
  delete left.form;
  if (field === "role") delete left.seesPersonalData;
  return left;
}
