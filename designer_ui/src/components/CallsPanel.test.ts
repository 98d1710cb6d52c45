import { describe, expect, it } from "vitest";
import { CallDetails, type OpenCall } from "./CallsPanel";
import { renderToHtml } from "./renderForTest";

const failedCall: OpenCall = {
  id: "c1",
  version: 3,
  outcome: "failed",
  error: "the data source did not answer within 5 s",
  steps: [
    { node: "start", label: "Start", exit: "next" },
    { node: "lookup", label: "Look up the customer", exit: "error", error: "timeout after 5000 ms" },
    { node: "bye", label: "Goodbye" },
  ],
};

describe("an opened call record", () => {
  it("says why the call failed, next to its outcome", () => {
    const html = renderToHtml(CallDetails, { call: failedCall });
    expect(html).toMatch(/class="outcome"[^>]*>Outcome: failed<\/p><p class="error-text" data-testid="call-error">/);
    expect(html).toContain("Error: the data source did not answer within 5 s");
  });

  it("shows a step's error on that step, and only there", () => {
    const steps = [...renderToHtml(CallDetails, { call: failedCall }).matchAll(/<li>(.*?)<\/li>/gs)].map((m) => m[1]!);
    expect(steps).toHaveLength(3);
    expect(steps[1]).toContain("Look up the customer");
    expect(steps[1]).toContain('data-testid="step-error">Error: timeout after 5000 ms');
    expect(steps[0]).not.toContain("step-error");
    expect(steps[2]).not.toContain("step-error");
  });

  it("shows no error line for a call that went well", () => {
    const html = renderToHtml(CallDetails, { call: { ...failedCall, outcome: "hung_up", error: null, steps: [] } });
    expect(html).not.toContain("call-error");
  });

  it("renders error messages as text, never as markup", () => {
    const hostile = '<img src=x onerror="alert(1)"><b>bold</b>';
    const html = renderToHtml(CallDetails, {
      call: { ...failedCall, error: hostile, steps: [{ node: "lookup", error: hostile }] },
    });
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>");
    expect(html.match(/&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;&lt;b&gt;bold&lt;\/b&gt;/g)).toHaveLength(2);
  });
});
