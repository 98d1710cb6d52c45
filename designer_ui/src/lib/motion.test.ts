import { describe, expect, it } from "vitest";
import { REDUCED_MOTION_QUERY, motionDuration, prefersReducedMotion } from "./motion";

/** A browser's matchMedia answering the reduce-motion query as the system is set, and what it was asked. */
function browserWith(reduce: boolean) {
  const asked: string[] = [];
  const matchMedia = (query: string) => {
    asked.push(query);
    return { matches: reduce && query === REDUCED_MOTION_QUERY };
  };
  return { matchMedia, asked };
}

describe("motion the user asked to be spared", () => {
  it("asks the browser the system's reduce-motion setting", () => {
    const browser = browserWith(true);
    expect(prefersReducedMotion(browser.matchMedia)).toBe(true);
    expect(browser.asked).toEqual(["(prefers-reduced-motion: reduce)"]);
    expect(prefersReducedMotion(browserWith(false).matchMedia)).toBe(false);
  });

  it("without matchMedia (Node, an old browser): no preference", () => {
    expect(prefersReducedMotion(undefined)).toBe(false);
    expect(typeof globalThis.matchMedia).toBe("undefined"); // as these tests run: the default reads it
    expect(prefersReducedMotion()).toBe(false);
  });

  it("an animation keeps its duration, or has none when less motion is asked for", () => {
    expect(motionDuration(200, false)).toBe(200);
    expect(motionDuration(200, true)).toBe(0);
    expect(motionDuration(0, false)).toBe(0);
    expect(motionDuration(300)).toBe(300); // Node: no preference
  });
});
