import { describe, expect, it } from "vitest";
import { otherScenarios } from "./trace";

/** Steps as the engine records a call that went from its own scenario to "billing" (Go To Scenario). */
const went = (version: number | null | undefined) => [
  { node: "start", exit: "next", events: [{ kind: "answered" }] },
  { node: "go", exit: "goto", events: [{ kind: "goto_scenario", scenario: "billing", ...(version === undefined ? {} : { version }) }] },
  { node: "start", exit: "next", scenario: "Billing", events: [{ kind: "already_answered" }] },
  { node: "hi", exit: "next", scenario: "Billing" },
];

describe("the scenario a step ran in, when a Go To Scenario took the call elsewhere", () => {
  it("is the slug and published version the Go To Scenario noted, for the steps after it", () => {
    expect(otherScenarios(went(3))).toEqual([null, null, { slug: "billing", version: 3 }, { slug: "billing", version: 3 }]);
  });

  it("has no version when the trace names none: a draft in a test call, or a call recorded before versions were", () => {
    expect(otherScenarios(went(null)).at(-1)).toEqual({ slug: "billing", version: null });
    expect(otherScenarios(went(undefined)).at(-1)).toEqual({ slug: "billing", version: null });
  });

  it("follows each Go To Scenario, and the steps back on the call's own scenario have none", () => {
    const steps = [
      ...went(3),
      { node: "back", exit: "goto", scenario: "Billing", events: [{ kind: "goto_scenario", scenario: "entry", version: 1 }] },
      { node: "start", exit: "next" }, // the entry's own version again: the trace does not mark it
      { node: "again", exit: "goto", events: [{ kind: "goto_scenario", scenario: "billing", version: 4 }] },
      { node: "start", scenario: "Billing" }, // billing was republished in between
    ];
    expect(otherScenarios(steps).slice(4)).toEqual([{ slug: "billing", version: 3 }, null, null, { slug: "billing", version: 4 }]);
  });
});
