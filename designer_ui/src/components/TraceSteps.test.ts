import { describe, expect, it } from "vitest";
import { TraceSteps } from "./TraceSteps";
import { buttonTexts, renderToHtml } from "./renderForTest";

/** A test call that went on in "billing" (Go To Scenario), whose nodes are not on this canvas. */
const steps = (version: number | null) => [
  { node: "start", label: "Start", exit: "next" },
  { node: "go", label: "To billing", exit: "goto", events: [{ kind: "goto_scenario", scenario: "billing", version }] },
  { node: "start", label: "Start", exit: "next", scenario: "Billing" },
  { node: "hi", label: "Hello", exit: "next", scenario: "Billing" },
];

describe("a test call's steps", () => {
  it("link only the blocks of this scenario: a step elsewhere names its scenario and the version that ran", () => {
    const html = renderToHtml(TraceSteps, { steps: steps(2) });
    // "start" of billing is not this canvas's Start: a link would show the wrong block.
    expect(buttonTexts(html)).toEqual(["Start", "To billing"]);
    const items = [...html.matchAll(/<li>(.*?)<\/li>/gs)].map((m) => m[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim());
    expect(items.slice(2)).toEqual(["Start in scenario Billing, version 2 → next", "Hello in scenario Billing, version 2 → next"]);
  });

  it("name the scenario alone when the trace has no version for it (a draft)", () => {
    expect(renderToHtml(TraceSteps, { steps: steps(null) })).toContain("in scenario Billing</span>");
  });
});
