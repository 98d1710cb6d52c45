/**
 * Export from the scenario list. A scenario that plays uploaded recordings (`assets/<id>`) goes out as a bundle,
 * a zip with its recordings, so that the installation importing it plays them under the same ids; any other as
 * the JSON document (which names its slug, as the bundle does). A JSON alone would arrive with its Message blocks
 * pointing at recordings the other installation does not have.
 */
import * as api from "../api/client";

const UPLOADED = "assets/";

/** Whether a document plays an uploaded recording anywhere in its blocks' settings. */
export function playsRecordings(document: unknown): boolean {
  const nodes = document && typeof document === "object" ? (document as Record<string, unknown>).nodes : null;
  if (!Array.isArray(nodes)) return false;
  const pending: unknown[] = nodes.map((node) => (node && typeof node === "object" ? (node as Record<string, unknown>).config : null));
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) pending.push(...value);
    else if (value && typeof value === "object") {
      const audio = (value as Record<string, unknown>).audio;
      if (typeof audio === "string" && audio.startsWith(UPLOADED)) return true;
      pending.push(...Object.values(value));
    }
  }
  return false;
}

/** The file to save for `slug`'s draft: its name and contents. */
export async function exportScenarioFile(slug: string): Promise<{ fileName: string; data: Blob }> {
  const document = await api.exportScenario(slug);
  if (playsRecordings(document)) return { fileName: `${slug}.zip`, data: await api.exportScenarioBundle(slug) };
  return { fileName: `${slug}.json`, data: new Blob([JSON.stringify(document, null, 2)], { type: "application/json" }) };
}
