import { describe, expect, it } from "vitest";
import { highlightPath, otherScenarios, stepsShort } from "./trace";

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

describe("a call's path on the canvas, numbered by the steps of the call", () => {
  const edges = [
    { id: "start:next", source: "start", sourceHandle: "next", target: "greeting" },
    { id: "greeting:next", source: "greeting", sourceHandle: "next", target: "debt" },
    { id: "debt:next", source: "debt", sourceHandle: "next", target: "pay" },
    { id: "pay:9", source: "pay", sourceHandle: "9", target: "debt" },
  ];
  // debt-reminder called with keys "9 hangup": the menu's 9 repeats the debt, and the caller hangs up during it.
  const hungUp = [
    { node: "start", type: "start", exit: "next" },
    { node: "greeting", type: "say_phrase", exit: "next" },
    { node: "debt", type: "say_phrase", exit: "next" },
    { node: "pay", type: "ivr", exit: "9", keys: "9" },
    { node: "debt", type: "say_phrase", exit: "hangup" },
  ];

  it("keeps every step a block ran at, a block passed twice at both", () => {
    const lit = highlightPath(hungUp, edges);
    expect([...lit.nodes]).toEqual([["start", [1]], ["greeting", [2]], ["debt", [3, 5]], ["pay", [4]]]);
    expect([...lit.edges].sort()).toEqual(["debt:next", "greeting:next", "pay:9", "start:next"]);
    expect(lit.last).toBe("debt");
  });

  it("numbers late blocks of a loop by their own step, not by the order blocks were first seen", () => {
    const loop = [{ node: "start", exit: "next" }, ...Array.from({ length: 7 }, () => [{ node: "menu", exit: "1" }, { node: "set", exit: "next" }]).flat(), { node: "end" }];
    const lit = highlightPath(loop, []);
    expect(lit.nodes.get("set")).toEqual([3, 5, 7, 9, 11, 13, 15]);
    expect(lit.nodes.get("end")).toEqual([16]);
  });

  it("counts the steps run in another scenario, as the story's rows do", () => {
    const lit = highlightPath(
      [{ node: "start", exit: "next" }, { node: "go", exit: "goto" }, { node: "start", exit: "next", scenario: "Billing" }, { node: "hi", exit: "goto", scenario: "Billing" }, { node: "back", exit: "next" }],
      [],
    );
    expect([...lit.nodes]).toEqual([["start", [1]], ["go", [2]], ["back", [5]]]);
  });

  it("tells a call the caller hung up from one the scenario ended", () => {
    expect(highlightPath(hungUp, edges).callerHungUp).toBe(true);
    const ended = [...hungUp.slice(0, 4), { node: "bye", type: "hangup", exit: "hangup" }];
    expect(highlightPath(ended, edges)).toMatchObject({ last: "bye", callerHungUp: false });
    // Hung up in the scenario a Go To Scenario went on in: not at the last block of this canvas.
    const elsewhere = [...hungUp.slice(0, 4), { node: "start", type: "start", exit: "hangup", scenario: "Billing" }];
    expect(highlightPath(elsewhere, edges)).toMatchObject({ last: "pay", callerHungUp: false });
  });

  it("shows a few of a block's steps on its badge, the count of the rest after them", () => {
    expect(stepsShort([3])).toBe("3");
    expect(stepsShort([2, 9])).toBe("2, 9");
    expect(stepsShort([2, 9, 14])).toBe("2, 9, 14");
    expect(stepsShort([2, 9, 14, 20, 31])).toBe("2, 9 +3");
  });
});
