/**
 * Import JSON from the scenario list: read the file, give the copy a name no scenario has ("QA Menu (2)"), create
 * it, or say why not (not JSON, at which line; not a scenario; every problem the server found).
 */
import * as api from "../api/client";
import { distinctName, importFailureOf, nameRoot, readScenarioFile, type ImportFailure } from "../lib/importFile";

export type ImportOutcome = { ok: true; slug: string } | { ok: false; failure: ImportFailure };

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

/** A slug for the copy: the file's, with a suffix of the moment so it is free, within the API's 64 characters. */
export function importSlug(base: string, now: number): string {
  const suffix = `-${now.toString(36)}`;
  return `${(base || "imported").slice(0, 64 - suffix.length)}${suffix}`;
}

export async function importScenarioFile(text: string, fileName: string, now = Date.now()): Promise<ImportOutcome> {
  const read = readScenarioFile(text, fileName);
  if (!read.ok) return read;
  try {
    let document = read.document;
    let name: string | undefined;
    if (typeof document.name === "string" && document.name.trim()) {
      name = distinctName(document.name, await namesLike(nameRoot(document.name)));
      // The list shows the scenario's name and the editor the document's: the two stay the same.
      if (name !== document.name) document = { ...document, name };
    }
    const created = await api.importScenario(importSlug(read.slugBase, now), document, name);
    return { ok: true, slug: created.slug };
  } catch (e) {
    return { ok: false, failure: importFailureOf(e) };
  }
}
