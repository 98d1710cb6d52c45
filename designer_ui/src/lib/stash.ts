/**
 * The browser's copy of a draft that may not have reached the server: written while edits are unsaved, removed
 * when a save lands. A tab closed mid-edit, a lost session or a conflict left open therefore loses nothing; the
 * next time the scenario opens, the analyst is offered the copy back.
 */
import type { DraftPin } from "../api/types";
import type { ScenarioDocument } from "./convert";
import { jsonEqual } from "./exits";

export interface Stash {
  document: ScenarioDocument;
  /** The server revision the edits started from. */
  revision: number;
  /** When the scenario they were made on was created: not the one there is now, if it was deleted since. */
  scenarioCreatedAt?: string;
  savedAt: string;
}

/** Where the copy is kept: the browser's localStorage, or a stand-in in tests. */
export type StashStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export function stashKey(slug: string): string {
  return `ivrgraph.unsaved.${slug}`;
}

export function writeStash(store: StashStorage, slug: string, document: ScenarioDocument, base: DraftPin, now = new Date()): void {
  const { revision, scenarioCreatedAt } = base;
  try {
    store.setItem(stashKey(slug), JSON.stringify({ document, revision, scenarioCreatedAt, savedAt: now.toISOString() }));
  } catch {
    // A full or disabled storage must never break editing; the server save is still the real one.
  }
}

export function readStash(store: StashStorage, slug: string): Stash | null {
  try {
    const raw = store.getItem(stashKey(slug));
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<Stash>;
    if (!value.document || !Array.isArray(value.document.nodes) || typeof value.revision !== "number") return null;
    const stash: Stash = { document: value.document, revision: value.revision, savedAt: String(value.savedAt ?? "") };
    // A copy written before the designer knew the stamp has none: restoring it checks the revision alone.
    if (typeof value.scenarioCreatedAt === "string") stash.scenarioCreatedAt = value.scenarioCreatedAt;
    return stash;
  } catch {
    return null;
  }
}

export function clearStash(store: StashStorage, slug: string): void {
  try {
    store.removeItem(stashKey(slug));
  } catch {
    // see writeStash
  }
}

/** A copy worth offering: it exists and differs from what the server has (position moves count as edits). */
export function stashToOffer(store: StashStorage, slug: string, serverDocument: ScenarioDocument): Stash | null {
  const stash = readStash(store, slug);
  if (!stash) return null;
  if (jsonEqual(stash.document, serverDocument)) {
    clearStash(store, slug);
    return null;
  }
  return stash;
}
