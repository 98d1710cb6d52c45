/**
 * Changing your own password: the pure half of the "Change password" dialog. The form checked before anything
 * is sent (the repeat must match, the length the server accepts), and each answer of POST /api/auth/password
 * turned into what the user reads.
 */
import { ApiError } from "../api/http";
import { countText, type Language, type Translate } from "./i18n";

/** The lengths the server accepts (api/schemas.py `Password`), in characters. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;

export interface PasswordForm {
  current: string;
  next: string;
  repeat: string;
}

export const EMPTY_PASSWORD_FORM: PasswordForm = { current: "", next: "", repeat: "" };

/** What the dialog tells the user: a problem with the form, the server's refusal, or that it worked. */
export type PasswordNotice =
  | { kind: "needCurrent" | "tooShort" | "tooLong" | "mismatch" | "wrongCurrent" | "tooManyTriesLater" }
  /** Done; how many API tokens the change revoked and how many still work, when the server said. */
  | { kind: "changed"; tokensRevoked?: number; tokensLive?: number }
  | { kind: WeakPasswordKind }
  | { kind: "tooManyTries"; seconds: number }
  | { kind: "failed"; message: string };

/**
 * Characters as the server counts them (Python's `len`, code points): a JavaScript string's length counts an
 * emoji twice, and would let a 7-character password through the check only for the server to refuse it.
 */
const characters = (text: string) => [...text].length;

/** What the user has typed so far in the repeat field can no longer match the new password. */
export const repeatGoesAstray = (form: PasswordForm) => form.repeat !== "" && !form.next.startsWith(form.repeat);

/** The first thing to fix before the form may be sent; null when it may. */
export function passwordFormProblem(form: PasswordForm): PasswordNotice | null {
  if (form.current === "") return { kind: "needCurrent" };
  if (characters(form.next) < PASSWORD_MIN) return { kind: "tooShort" };
  if (characters(form.next) > PASSWORD_MAX) return { kind: "tooLong" };
  if (form.repeat !== form.next) return { kind: "mismatch" };
  return null;
}

type ProblemBody = { type?: unknown; detail?: unknown; retry_after?: unknown; problems?: unknown };

const bodyOf = (error: ApiError): ProblemBody => (error.body && typeof error.body === "object" ? (error.body as ProblemBody) : {});

/** The server's codes for a password it finds too easy to guess (api/weak_passwords.py), as our notices. */
const WEAK_PASSWORD = {
  password_is_username: "isUsername",
  password_one_character: "oneCharacter",
  password_too_common: "tooCommon",
} as const;
type WeakPasswordKind = (typeof WEAK_PASSWORD)[keyof typeof WEAK_PASSWORD];

/** The weak-password notice a problem's code names, if it names one. */
export function weakPasswordKind(code: unknown): WeakPasswordKind | undefined {
  return typeof code === "string" && Object.hasOwn(WEAK_PASSWORD, code) ? WEAK_PASSWORD[code as keyof typeof WEAK_PASSWORD] : undefined;
}

/** The validation problems of a 422 (api/errors.py), as `{path, message, code}`. */
function validationProblems(body: ProblemBody): { path: string; message: string; code: unknown }[] {
  if (!Array.isArray(body.problems)) return [];
  return body.problems.map((p: { path?: unknown; message?: unknown; code?: unknown }) => ({
    path: String(p?.path ?? ""),
    message: String(p?.message ?? ""),
    code: p?.code,
  }));
}

/**
 * A refused change in words. A 403 is a wrong current password only when the problem says so: a 403 "csrf" is
 * another matter (a stale token), and neither is a sign-out. A 429 says how long to wait (`retry_after`, also in
 * the Retry-After header), rounded up to whole seconds.
 */
export function passwordChangeFailure(error: unknown): PasswordNotice {
  if (!(error instanceof ApiError)) return { kind: "failed", message: error instanceof Error ? error.message : String(error) };
  const body = bodyOf(error);
  if (error.status === 403 && typeof body.type === "string" && body.type.endsWith("/wrong-password")) return { kind: "wrongCurrent" };
  if (error.status === 429) {
    const wait = Number(body.retry_after);
    return Number.isFinite(wait) && wait > 0 ? { kind: "tooManyTries", seconds: Math.ceil(wait) } : { kind: "tooManyTriesLater" };
  }
  if (error.status === 422) {
    const problems = validationProblems(body);
    const onNew = problems.find((p) => p.path.endsWith("new_password"));
    const weak = weakPasswordKind(onNew?.code);
    if (weak) return { kind: weak };
    if (onNew && /at least/i.test(onNew.message)) return { kind: "tooShort" };
    if (onNew && /at most/i.test(onNew.message)) return { kind: "tooLong" };
    if (problems.length > 0) return { kind: "failed", message: problems.map((p) => p.message).join("; ") };
  }
  return { kind: "failed", message: error.message };
}

type TokensCounted = { tokensRevoked: number; tokensLive: number };

/**
 * Check the form, then send it; what to tell the user either way. Nothing is sent while the form has a problem.
 * `revokeTokens`: end the user's API tokens too (a password that leaked may have made some).
 */
export async function changeOwnPassword(
  form: PasswordForm,
  send: (current: string, next: string, revokeTokens: boolean) => Promise<TokensCounted | undefined>,
  revokeTokens = false,
): Promise<PasswordNotice> {
  const problem = passwordFormProblem(form);
  if (problem) return problem;
  try {
    const counted = await send(form.current, form.next, revokeTokens);
    return counted ? { kind: "changed", tokensRevoked: counted.tokensRevoked, tokensLive: counted.tokensLive } : { kind: "changed" };
  } catch (error) {
    return passwordChangeFailure(error);
  }
}

/** What became of the user's API tokens: revoked, or still working (and how to end them), or nothing when none. */
function tokensSentence(notice: { tokensRevoked?: number; tokensLive?: number }, t: Translate, language: Language): string {
  if (notice.tokensRevoked) return t("password.tokensRevoked", { tokens: countText(language, "apiToken", notice.tokensRevoked) });
  if (notice.tokensLive) return t("password.tokensLive", { tokens: countText(language, "apiToken", notice.tokensLive) });
  return "";
}

export function passwordNoticeText(notice: PasswordNotice, t: Translate, language: Language): string {
  switch (notice.kind) {
    case "tooShort":
      return t("password.tooShort", { min: PASSWORD_MIN });
    case "tooLong":
      return t("password.tooLong", { max: PASSWORD_MAX });
    case "tooManyTries":
      return t("password.tooManyTries", { time: countText(language, "second", notice.seconds) });
    case "failed":
      return t("password.failed", { message: notice.message });
    case "changed":
      return [t("password.changed"), tokensSentence(notice, t, language)].filter(Boolean).join(" ");
    default:
      return t(`password.${notice.kind}`);
  }
}
