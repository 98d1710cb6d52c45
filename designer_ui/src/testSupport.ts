/**
 * What several test files share: a time zone set for the whole file, campaigns built from their counts, and a
 * browser storage and a small draft for the tests of saving and stashing.
 */
import { afterAll, type MockedFunction } from "vitest";
import type * as api from "./api/client";
import type { Campaign, SaveResult } from "./api/types";
import type { ScenarioDocument } from "./lib/convert";

/**
 * Run this test file in `zone` (one with summer time makes the offsets show): set at once, before anything is
 * rendered or formatted (Node reads TZ when it changes), and given back when the file's tests are done.
 */
export function runInTimeZone(zone: string): void {
  const before = process.env.TZ;
  process.env.TZ = zone;
  afterAll(() => {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  });
}

/** A campaign of a list with these clients by status (its size is their sum) and these answers. */
export const campaignOf = (statuses: Record<string, number>, results: Record<string, number> = {}, id = "c-1"): Campaign => ({
  campaign_id: id,
  scenario: "debt-reminder",
  name: "",
  created_by: null,
  created_at: "2026-12-01T08:00:00Z",
  jobs: Object.values(statuses).reduce((sum, n) => sum + n, 0),
  statuses,
  results,
  next_due: null,
  cancelled_at: null,
  settings: {},
  // As if every client whose dialing ran its course was rung, and no cancelled one was: override for other stories.
  dialled: (statuses.done ?? 0) + (statuses.failed ?? 0) + (statuses.expired ?? 0),
  spared: statuses.cancelled ?? 0,
  paused: false,
});

/** localStorage's part the stash uses, in memory. */
export class MemoryStorage {
  items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

/** A two-block draft: Start, then a transfer whose label the tests edit. */
export const transferDraft: ScenarioDocument = {
  format: "ivrgraph.scenario/1",
  name: "Menu",
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
    { id: "sales", type: "transfer", position: { x: 300, y: 0 }, config: { target: "101" } },
  ],
  edges: [{ id: "start:next", source: "start", exit: "next", target: "sales" }],
};

/** The transfer's label in a draft. */
export const labelOf = (doc: ScenarioDocument | undefined) => doc?.nodes.find((n) => n.id === "sales")?.label;

/** A draft save (the mocked `api.saveDraft`) the test answers when it likes: the server busy as the analyst moves on. */
export function pendingSave(saveDraft: MockedFunction<typeof api.saveDraft>): {
  answer(result: SaveResult): void;
  fail(error: Error): void;
} {
  let answer!: (result: SaveResult) => void;
  let fail!: (error: Error) => void;
  saveDraft.mockImplementationOnce(() => new Promise<SaveResult>((resolve, reject) => ([answer, fail] = [resolve, reject])));
  return { answer: (result) => answer(result), fail: (error) => fail(error) };
}
