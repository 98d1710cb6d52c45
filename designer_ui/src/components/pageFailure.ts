/**
 * A list the Calls or Callbacks page asked for and did not get, in words: what the engineer can do about it, not a
 * status code. A 422 names what the server refused (`problems: [{path: "$.until", message}]`, api/errors.py).
 */
import { ApiError } from "../api/http";
import type { MessageKey, Translate } from "../lib/i18n";

/** The problems of a 422 as the server listed them. */
export function refusedParameters(body: unknown): { path: string; message: string }[] {
  const problems = body && typeof body === "object" ? (body as { problems?: unknown }).problems : undefined;
  if (!Array.isArray(problems)) return [];
  return problems.map((p: { path?: unknown; message?: unknown }) => ({ path: String(p?.path ?? ""), message: String(p?.message ?? "") }));
}

/**
 * `error` in words: the browser's time zone the server does not know (`zone`, sent as `tz`), the parameters it
 * refused, or the failure (`failed`, with `{message}`).
 */
export function listFailureText(t: Translate, error: unknown, zone: string, failed: MessageKey = "callsPage.failed"): string {
  if (error instanceof ApiError && error.status === 422) {
    const refused = refusedParameters(error.body);
    if (refused.some((p) => p.path === "$.tz")) return t("callsPage.badZone", { zone });
    const message = refused.map((p) => `${p.path.replace(/^\$\./, "")}: ${p.message}`).join("; ");
    return t("callsPage.refused", { message: message || error.message });
  }
  return t(failed, { message: error instanceof Error ? error.message : String(error) });
}
