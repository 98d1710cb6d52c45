/** What several test files share: a time zone set for the whole file, and campaigns built from their counts. */
import { afterAll } from "vitest";
import type { Campaign } from "./api/types";

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
});
