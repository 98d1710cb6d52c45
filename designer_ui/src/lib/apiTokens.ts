/**
 * API tokens: the pure half of the "API tokens" dialog. Which roles a new token may have (yours and those below,
 * as POST /api/tokens allows), whether it reads personal data, the form checked before anything is sent, the expiry
 * date made a moment, and each refusal of the server turned into what the user reads.
 */
import { ApiError } from "../api/http";
import type { ApiTokenRequest, Role } from "../api/types";
import { hasRole } from "./roles";
import type { Translate } from "./i18n";

/** Every role, lowest first (persistence/users.py `Role`). */
export const ROLES: readonly Role[] = ["viewer", "editor", "publisher", "admin"];

/** The longest name the server accepts (api/schemas.py `Name`), in characters. */
export const TOKEN_NAME_MAX = 200;

/** The roles a token of yours may have: yours and those below it, highest first (yours is the default). */
export function tokenRoles(yours: Role): Role[] {
  return ROLES.filter((role) => hasRole(yours, role)).reverse();
}

export interface TokenForm {
  name: string;
  role: Role;
  /** The last day the token works, as a date input gives it (YYYY-MM-DD); "": the longest the server allows. */
  expires: string;
  /**
   * Whether the token reads personal data unmasked (numbers, names). Unticked for a new token: least privilege, as a
   * wallboard or a report needs. (The API's own default, for scripts that leave it out, is as their user.)
   */
  personalData: boolean;
}

export const emptyTokenForm = (role: Role): TokenForm => ({ name: "", role, expires: "", personalData: false });

/**
 * How the personal-data box of a new token stands for a user who reads it (`yours`) or not: ticked or not, and
 * whether it is theirs to change. Fixed unticked for a user who reads it masked (a token never reads more), fixed
 * ticked for an admin token (the admin's pages show it whole; the API refuses one without it).
 */
export function tokenPersonalData(form: TokenForm, yours: boolean): { reads: boolean; fixed: "yours" | "admin" | null } {
  if (!yours) return { reads: false, fixed: "yours" };
  if (form.role === "admin") return { reads: true, fixed: "admin" };
  return { reads: form.personalData, fixed: null };
}

/** What the dialog tells the user about the form: a problem to fix, or the server's refusal. */
export type TokenNotice =
  | { kind: "needName" | "nameTooLong" | "expiryPassed" | "sessionNeeded" | "roleRefused" | "personalDataRefused" }
  | { kind: "failed"; message: string };

/**
 * The moment a token given "works until `day`" expires: the end of that day where the user is (the API takes a
 * moment with its offset; this one is in UTC). Null for no day, or one that is no date.
 */
export function expiryMoment(day: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const end = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1);
  return Number.isNaN(end.getTime()) ? null : new Date(end.getTime() - 1000).toISOString();
}

/** Today as a date input writes it, where the user is: the earliest last day a new token may have. */
export function today(now: Date = new Date()): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
}

/** Characters as the server counts them (Python's `len`, code points). */
const characters = (text: string) => [...text].length;

/** The first thing to fix before the form may be sent; null when it may. */
export function tokenFormProblem(form: TokenForm, now: Date = new Date()): TokenNotice | null {
  if (form.name.trim() === "") return { kind: "needName" };
  if (characters(form.name) > TOKEN_NAME_MAX) return { kind: "nameTooLong" };
  if (form.expires !== "" && form.expires < today(now)) return { kind: "expiryPassed" };
  return null;
}

/** The request the form stands for, from a user who reads personal data (`yours`) or not; it always says. */
export function tokenRequest(form: TokenForm, yours: boolean): ApiTokenRequest {
  const { reads } = tokenPersonalData(form, yours);
  return { name: form.name.trim(), role: form.role, expires_at: expiryMoment(form.expires), sees_personal_data: reads };
}

type ProblemBody = { type?: unknown; problems?: unknown };

/**
 * A refused token in words. A 422 naming `$.role` is a role above yours: the form offers no such role, so your
 * role was lowered since the page was drawn; one naming `$.sees_personal_data` (`token_personal_data_above_yours`)
 * is personal data you read masked now, which the box offered because you read it then. A 403 `session-needed`
 * cannot come from the designer, which always has a session, but says what it means if it does.
 */
export function tokenFailure(error: unknown): TokenNotice {
  if (!(error instanceof ApiError)) return { kind: "failed", message: error instanceof Error ? error.message : String(error) };
  const body: ProblemBody = error.body && typeof error.body === "object" ? (error.body as ProblemBody) : {};
  if (error.status === 403 && typeof body.type === "string" && body.type.endsWith("/session-needed")) return { kind: "sessionNeeded" };
  if (error.status === 422 && Array.isArray(body.problems)) {
    const problems = body.problems.map((p: { path?: unknown; message?: unknown; code?: unknown }) => ({ path: String(p?.path ?? ""), message: String(p?.message ?? ""), code: String(p?.code ?? "") }));
    if (problems.some((p) => p.path === "$.role")) return { kind: "roleRefused" };
    if (problems.some((p) => p.code === "token_personal_data_above_yours")) return { kind: "personalDataRefused" };
    if (problems.length > 0) return { kind: "failed", message: problems.map((p) => p.message).join("; ") };
  }
  return { kind: "failed", message: error.message };
}

export function tokenNoticeText(notice: TokenNotice, t: Translate): string {
  switch (notice.kind) {
    case "nameTooLong":
      return t("tokens.nameTooLong", { max: TOKEN_NAME_MAX });
    case "failed":
      return t("tokens.failed", { message: notice.message });
    default:
      return t(`tokens.${notice.kind}`);
  }
}
