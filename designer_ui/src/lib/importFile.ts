/**
 * Importing a scenario file: what it holds (a scenario document, or why it is none, said plainly), the name the
 * copy gets when one is taken ("QA Menu (2)"), and every problem the server found in a document it refused.
 */
import { ApiError } from "../api/http";
import { slugify } from "./slug";

/** Why a file could not be imported. */
export type ImportFailure =
  /** Not JSON at all (a PDF, a CSV, a file cut short): the line the parser stopped at, when known. */
  | { kind: "notJson"; line: number | null }
  /** JSON, but not an object that could be a scenario document. */
  | { kind: "notScenario" }
  /** The server refused the document (422): every problem it named. */
  | { kind: "problems"; problems: ImportProblem[] }
  /** Anything else, in the server's words (or the network's). */
  | { kind: "message"; message: string };

export interface ImportProblem {
  path: string;
  message: string;
}

/**
 * A file read: the document to send, the slug it was exported under (`fileSlug`: kept when it is free, the
 * dialplan dials it) and the slug a copy starts from; or why there is nothing to send.
 */
export type ScenarioFile =
  | { ok: true; document: Record<string, unknown>; slugBase: string; fileSlug: string | null }
  | { ok: false; failure: ImportFailure };

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** The slug an export names: `meta.exported_from.slug` (the API writes it), or a wrapping file's `slug`. */
function exportedSlug(wrapper: Record<string, unknown>, document: Record<string, unknown>): string | null {
  const meta = isObject(document.meta) ? document.meta : {};
  const note = isObject(meta.exported_from) ? meta.exported_from : {};
  const slug = typeof wrapper.slug === "string" ? wrapper.slug : note.slug;
  return typeof slug === "string" && SLUG.test(slug) ? slug : null;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * What a file holds. An export is the document, naming its slug in `meta.exported_from` (an older export does
 * not); a file that wraps it (`{slug, document}`) is accepted too. A byte-order mark (Windows editors write one)
 * is not an error.
 */
export function readScenarioFile(text: string, fileName: string): ScenarioFile {
  const source = text.replace(/^\uFEFF/, "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    return { ok: false, failure: { kind: "notJson", line: jsonErrorLine(source, error) } };
  }
  if (!isObject(parsed)) return { ok: false, failure: { kind: "notScenario" } };
  const document = parsed.document ?? parsed;
  if (!isObject(document)) return { ok: false, failure: { kind: "notScenario" } };
  const name = typeof document.name === "string" ? document.name : "";
  const fileSlug = exportedSlug(parsed, document);
  const slugBase = fileSlug ?? slugify(name || fileName.replace(/\.json$/i, ""));
  return { ok: true, document, slugBase, fileSlug };
}

/**
 * The 1-based line where JSON.parse gave up on `text`, from its error: V8 and Firefox say where (a line and
 * column, or a character position), a file cut short ends on its last line, and an engine that says nothing of
 * the place gives null (the message then goes without a line).
 */
export function jsonErrorLine(text: string, error: unknown): number | null {
  const message = error instanceof Error ? error.message : "";
  const line = /line (\d+) column/.exec(message);
  if (line) return Number(line[1]);
  const position = /position (\d+)/.exec(message);
  const at = position ? Number(position[1]) : /end of (?:JSON|data)/i.test(message) ? text.trimEnd().length : null;
  return at === null ? null : text.slice(0, at).split("\n").length;
}

/** The root of a name: "QA Menu (2)" -> "QA Menu". */
export function nameRoot(name: string): string {
  return /^(.*\S) \(\d+\)$/.exec(name.trim())?.[1] ?? name.trim();
}

const NAME_MAX = 200; // the API's limit on a scenario name

/**
 * A name no scenario has yet: `name` itself when it is free, else its root with the first free number from 2,
 * "QA Menu (2)", "QA Menu (3)"... Names are compared as the list reads them: trimmed, case aside.
 */
export function distinctName(name: string, taken: Iterable<string>): string {
  const key = (n: string) => n.trim().toLocaleLowerCase();
  const used = new Set([...taken].map(key));
  if (!used.has(key(name))) return name;
  const root = nameRoot(name);
  for (let n = 2; ; n += 1) {
    const suffix = ` (${n})`;
    const candidate = `${root.slice(0, NAME_MAX - suffix.length).trimEnd()}${suffix}`;
    if (!used.has(key(candidate))) return candidate;
  }
}

/** A failed import request as a failure to show: every problem of a refused document, else the message. */
export function importFailureOf(error: unknown): ImportFailure {
  const body = error instanceof ApiError && isObject(error.body) ? error.body : null;
  const problems = Array.isArray(body?.problems) ? (body.problems as unknown[]) : [];
  const named = problems.filter(isObject).map((p) => ({ path: String(p.path ?? ""), message: String(p.message ?? "") }));
  if (named.length > 0) return { kind: "problems", problems: named };
  return { kind: "message", message: error instanceof Error ? error.message : String(error) };
}
