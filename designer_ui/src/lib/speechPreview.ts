/**
 * The "▶ Listen" button of a spoken field: what the server renders the field's template with, and what the button
 * then says. The field was sent as written, so `{{ money(debt_amount, "RUB", language) }}` was read aloud as
 * "money", "debt amount", "RUB", "language" (review of a Russian contact centre). Now the server renders it as a
 * call would, with the scenario's declared defaults and the Test call's remembered values, and the words spoken
 * are shown under the button; a name without a value is said in words instead of spoken as nonsense.
 */
import { ApiError } from "../api/http";
import type { Variable } from "../generated/scenario";
import type { Translate } from "./i18n";
import { testCallValues, testVariables, type RememberedTestCall } from "./testCallInputs";

/**
 * The values a preview renders with: each declared variable at its Test call value (its default unless the last
 * test call changed it), and the test call's caller ID and name. A field that cannot be read is left out, as is
 * a variable with no default and no value: the server then names it.
 */
export function previewVariables(declared: readonly Variable[] | undefined, remembered: RememberedTestCall): Record<string, unknown> {
  const values: Record<string, unknown> = testCallValues(testVariables(declared), [], remembered).variables;
  const callerId = remembered.callerId.trim();
  if (callerId) values.caller_id = callerId;
  if (remembered.callerName) values.caller_name = remembered.callerName;
  return values;
}

/** The two server calls a preview makes (api/client.ts), given so that tests can stand in for the server. */
export interface PreviewServer {
  text(template: string, language: string, variables: Record<string, unknown>): Promise<string>;
  audio(template: string, language: string, variables: Record<string, unknown>): Promise<Blob>;
}

/** What a click on Listen came to: the phrase and its audio, names without a value, or the failure's words. */
export type PreviewOutcome = { spoken: string; audio: Blob } | { missing: string[] } | { failed: string };

function missingNames(error: unknown): string[] | null {
  if (!(error instanceof ApiError) || error.status !== 422 || !error.body || typeof error.body !== "object") return null;
  const names = (error.body as Record<string, unknown>).missing_variables;
  return Array.isArray(names) && names.every((name) => typeof name === "string") ? names : null;
}

/**
 * Ask what the template says, then its audio. The text comes first and alone: a template that cannot be rendered
 * is answered there, before anything is synthesized (or counted against the previews a minute).
 */
export async function previewPhrase(server: PreviewServer, template: string, language: string, variables: Record<string, unknown>): Promise<PreviewOutcome> {
  try {
    const spoken = await server.text(template, language, variables);
    return { spoken, audio: await server.audio(template, language, variables) };
  } catch (error) {
    const missing = missingNames(error);
    if (missing) return { missing };
    return { failed: error instanceof Error ? error.message : String(error) };
  }
}

/** The line under the button, in the interface language; `error` marks a preview that was not spoken. */
export function previewLine(outcome: PreviewOutcome, t: Translate): { text: string; error: boolean } {
  if ("spoken" in outcome) return { text: t("editor.previewSpoken", { text: outcome.spoken }), error: false };
  if ("missing" in outcome) return { text: t("editor.previewMissing", { names: outcome.missing.join(", ") }), error: true };
  return { text: t("editor.previewFailed", { message: outcome.failed }), error: true };
}
