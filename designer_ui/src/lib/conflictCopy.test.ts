import { describe, expect, it } from "vitest";
import { ApiError } from "../api/http";
import { COPY_ATTEMPTS, MAX_NAME_LENGTH, copyName, copySlug, isSlugTaken, saveCopy } from "./conflictCopy";

/** The API's slug pattern (persistence.scenarios.SLUG_PATTERN). */
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
const taken = (slug: string) =>
  new ApiError(409, { type: "https://ivrgraph.dev/problems/already-exists", detail: `scenario '${slug}' already exists` }, `scenario '${slug}' already exists`);

/** A random source that gives these numbers in turn. */
const randoms = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe("the slug of a conflict's copy", () => {
  it("differs for two copies in the same minute, and in the same second", () => {
    const a = copySlug("sales-inbound", "theirs", new Date("2026-12-05T19:35:05Z"));
    const b = copySlug("sales-inbound", "theirs", new Date("2026-12-05T19:35:48Z"));
    expect(a).not.toBe(b);
    const sameSecond = new Date("2026-12-05T19:35:05Z");
    expect(copySlug("sales-inbound", "theirs", sameSecond, randoms(0.1))).not.toBe(copySlug("sales-inbound", "theirs", sameSecond, randoms(0.9)));
    expect(a).toMatch(/^sales-inbound-theirs-20261205193505-[0-9a-z]{4}$/);
  });

  it("keeps its stamp for a slug of 64 characters, within the API's pattern", () => {
    const long = `a${"-b".repeat(31)}c`; // 64 characters, a dash where it is cut
    const when = new Date("2026-12-05T19:35:05Z");
    const first = copySlug(long, "theirs", when, randoms(0.1));
    const second = copySlug(long, "theirs", when, randoms(0.5));
    for (const slug of [first, second]) {
      expect(slug.length).toBeLessThanOrEqual(64);
      expect(slug).toMatch(SLUG);
      expect(slug).toContain("-theirs-20261205193505-");
      expect(slug).not.toContain("--");
    }
    expect(first).not.toBe(second);
  });
});

describe("saving a conflict's copy", () => {
  it("tries a new slug when the one chosen is taken meanwhile", async () => {
    const tried: string[] = [];
    const create = async (slug: string) => {
      tried.push(slug);
      if (tried.length < 3) throw taken(slug);
    };
    const copy = await saveCopy(create, { slug: "hotline", who: "theirs", name: "Hotline (theirs)", document: {} }, () => new Date("2026-12-05T19:35:05Z"));
    expect(tried).toHaveLength(3);
    expect(new Set(tried).size).toBe(3);
    expect(copy).toEqual({ slug: tried[2], name: "Hotline (theirs)" });
  });

  it("gives up after a few tries, and at once on any other refusal", async () => {
    let calls = 0;
    const alwaysTaken = async (slug: string) => {
      calls += 1;
      throw taken(slug);
    };
    await expect(saveCopy(alwaysTaken, { slug: "hotline", who: "mine", name: "x", document: {} })).rejects.toThrow(/already exists/);
    expect(calls).toBe(COPY_ATTEMPTS);
    calls = 0;
    const refused = async () => {
      calls += 1;
      throw new ApiError(422, { type: "https://ivrgraph.dev/problems/invalid-document" }, "invalid");
    };
    await expect(saveCopy(refused, { slug: "hotline", who: "mine", name: "x", document: {} })).rejects.toThrow("invalid");
    expect(calls).toBe(1);
  });

  it("tells a taken slug from other conflicts", () => {
    expect(isSlugTaken(taken("x"))).toBe(true);
    expect(isSlugTaken(new ApiError(409, { type: "https://ivrgraph.dev/problems/stale-revision" }, "stale"))).toBe(false);
    expect(isSlugTaken(new Error("scenario 'x' already exists"))).toBe(false);
  });
});

describe("the name of a conflict's copy", () => {
  it("is the original's name and the words after it, within the 200 characters the API takes", () => {
    expect(copyName("Hotline", "(theirs, revision 3, 19:35)")).toBe("Hotline (theirs, revision 3, 19:35)");
    const long = copyName("Я".repeat(200), "(моя версия, 19:35)");
    expect([...long].length).toBe(MAX_NAME_LENGTH);
    expect(long.endsWith("… (моя версия, 19:35)")).toBe(true);
  });
});
