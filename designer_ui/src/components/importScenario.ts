/**
 * Import from the scenario list: a JSON export, or a bundle (.zip: the scenario with its recordings).
 *
 * A file exported by this version names its scenario's slug, which the dialplan dials: it is imported under that
 * slug when it is free. When it is taken, nothing is chosen for the analyst: the outcome says so (`taken`), and the
 * list asks whether the file replaces the draft of that scenario (moving it from staging to production) or comes
 * in as a copy beside it (a slug and a name of its own, "QA Menu (2)"). An export from before slugs were named
 * comes in as a copy, as it always did. A failure says why (not JSON, at which line; not a scenario; every
 * problem the server found). A Twilio Studio flow export is sent without a slug: the server names it after the
 * flow (`acme-support-line`, -2 when taken), the name the dialplan will dial, not after the file and the moment.
 */
import * as api from "../api/client";
import { ApiError } from "../api/http";
import { distinctName, importFailureOf, nameRoot, readScenarioFile, type ImportFailure } from "../lib/importFile";
import { slugify } from "../lib/slug";
import { studioReportOf, type StudioReportLine } from "./StudioImportReport";

/** A slug the file names that a scenario here has already, and the name the file gives its scenario. */
export interface TakenSlug {
  slug: string;
  name: string;
}

/** What the analyst chose for a taken slug. */
export type ImportChoice = "replaceDraft" | "copy";

export type ImportOutcome =
  | { ok: true; slug: string; replacedDraft: boolean; studioReport?: { name: string; lines: StudioReportLine[] } }
  | { ok: false; failure: ImportFailure }
  | { ok: false; taken: TakenSlug };

const PAGE = 200; // the API's largest page
const MAX_PAGES = 25;

/** The names of the scenarios whose name (or slug, or description) holds `text`: every one a copy could clash with. */
async function namesLike(text: string): Promise<string[]> {
  const names: string[] = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const found = await api.listScenarios(text, page, PAGE);
    names.push(...found.items.map((item) => item.name));
    if (found.items.length < PAGE || names.length >= found.total) break;
  }
  return names;
}

/** A name for a copy that no scenario has ("QA Menu (2)"). */
async function copyName(name: string): Promise<string> {
  return distinctName(name, await namesLike(nameRoot(name)));
}

/** A slug for the copy: the file's, with a suffix of the moment so it is free, within the API's 64 characters. */
export function importSlug(base: string, now: number): string {
  const suffix = `-${now.toString(36)}`;
  return `${(base || "imported").slice(0, 64 - suffix.length)}${suffix}`;
}

/** The slug and name a 409 names when an import's slug is taken; null for any other failure. */
export function takenSlugOf(error: unknown): TakenSlug | null {
  if (!(error instanceof ApiError) || error.status !== 409 || !error.body || typeof error.body !== "object") return null;
  const body = error.body as Record<string, unknown>;
  return typeof body.slug === "string" ? { slug: body.slug, name: typeof body.name === "string" ? body.name : body.slug } : null;
}

/** A Twilio Studio export has `states` or `initial_state` and no `format` of ours (graph_engine.studio_import). */
const isStudioFlow = (document: Record<string, unknown>): boolean =>
  !("format" in document) && ("states" in document || "initial_state" in document);

/** A Twilio Studio flow comes in converted: the outcome carries what the conversion says to check. */
const imported = (result: api.Imported): ImportOutcome => {
  const lines = studioReportOf(result);
  const studioReport = lines ? { name: result.name, lines } : null;
  return { ok: true, slug: result.slug, replacedDraft: result.replaced_draft, ...(studioReport ? { studioReport } : {}) };
};

function refused(error: unknown): ImportOutcome {
  const taken = takenSlugOf(error);
  return taken ? { ok: false, taken } : { ok: false, failure: importFailureOf(error) };
}

/** A JSON export: under its slug, or as `choice` says once that slug was found taken. */
export async function importScenarioFile(text: string, fileName: string, now = Date.now(), choice?: ImportChoice): Promise<ImportOutcome> {
  const read = readScenarioFile(text, fileName);
  if (!read.ok) return read;
  try {
    if (isStudioFlow(read.document)) return imported(await api.importScenario(null, read.document, undefined));
    if (read.fileSlug !== null && choice !== "copy") {
      return imported(await api.importScenario(read.fileSlug, read.document, undefined, choice === "replaceDraft"));
    }
    let document = read.document;
    let name: string | undefined;
    if (typeof document.name === "string" && document.name.trim()) {
      name = await copyName(document.name);
      // The list shows the scenario's name and the editor the document's: the two stay the same.
      if (name !== document.name) document = { ...document, name };
    }
    return imported(await api.importScenario(importSlug(read.slugBase, now), document, name));
  } catch (e) {
    return refused(e);
  }
}

/**
 * A bundle (a zip the browser cannot look into): under the slug it names, or as `answer` says for the slug the
 * server found taken; a copy is named after the scenario the server named.
 */
export async function importScenarioBundle(file: Blob, fileName: string, now = Date.now(), answer?: { choice: ImportChoice; taken: TakenSlug }): Promise<ImportOutcome> {
  try {
    if (answer?.choice === "copy") {
      const name = await copyName(answer.taken.name);
      const slug = importSlug(answer.taken.slug || slugify(fileName.replace(/\.zip$/i, "")), now);
      return imported(await api.importScenarioBundle(file, fileName, { slug, name }));
    }
    const replaceDraft = answer?.choice === "replaceDraft";
    return imported(await api.importScenarioBundle(file, fileName, replaceDraft ? { slug: answer!.taken.slug, replaceDraft } : {}));
  } catch (e) {
    return refused(e);
  }
}

const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04]; // "PK\3\4"

/** Whether a chosen file is a bundle: by its first bytes, whatever its name says. */
export async function isBundle(file: Blob): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, ZIP_SIGNATURE.length).arrayBuffer());
  return ZIP_SIGNATURE.every((byte, i) => head[i] === byte);
}

/** The file the analyst chose, whichever kind it is; `answer` once its slug was found taken. */
export async function importChosenFile(file: File, answer?: { choice: ImportChoice; taken: TakenSlug }, now = Date.now()): Promise<ImportOutcome> {
  try {
    if (await isBundle(file)) return await importScenarioBundle(file, file.name, now, answer);
    return await importScenarioFile(await file.text(), file.name, now, answer?.choice);
  } catch (e) {
    // The file could not be read at all (removed since it was chosen, no permission).
    return { ok: false, failure: { kind: "message", message: e instanceof Error ? e.message : String(e) } };
  }
}
