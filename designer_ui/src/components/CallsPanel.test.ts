import { describe, expect, it } from "vitest";
import type { CallSummary } from "../api/types";
import { CallDetails, CallTable, type OpenCall } from "./CallsPanel";
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

describe("the note on the version a call ran", () => {
  const note = (html: string) => /<p class="hint" data-testid="version-note"[^>]*>(.*?)<\/p>/.exec(html)?.[1];

  it("says the draft on the canvas differs only when it does", () => {
    expect(note(renderToHtml(CallDetails, { call: failedCall, draftMatches: false }))).toBe(
      "This call ran published version 3; the draft on the canvas differs from it.",
    );
  });

  it("says they match when the draft is that version's flow", () => {
    const html = renderToHtml(CallDetails, { call: failedCall, draftMatches: true });
    expect(note(html)).toBe("This call ran published version 3, the same flow as the draft on the canvas.");
    expect(html).not.toContain("differs");
    expect(html).not.toContain("the canvas shows the draft");
  });

  it("not known (the version could not be fetched): names the version and what the canvas shows", () => {
    expect(note(renderToHtml(CallDetails, { call: failedCall }))).toBe("This call ran published version 3; the canvas shows the draft.");
  });

  it("a call that ran no published version has no note", () => {
    expect(renderToHtml(CallDetails, { call: { ...failedCall, version: null }, draftMatches: false })).not.toContain("version-note");
  });
});

describe("the list of calls", () => {
  const call = (id: string, result: string | null): CallSummary => ({
    id, scenario: "debt-reminder", version: 2, caller_id: "+34600111222", caller_name: "", dialed_number: "",
    started_at: "2026-12-05T10:00:00Z", answered_at: "2026-12-05T10:00:01Z", ended_at: "2026-12-05T10:01:00Z",
    duration_ms: 59000, outcome: "hung_up", result, status: "answered", last_node: "bye", origin_call_id: null,
  });

  const outcomeCells = (items: CallSummary[]) =>
    [...renderToHtml(CallTable, { items, openId: null, onOpen: () => {} }).matchAll(/<td class="call-outcome"[^>]*title="([^"]*)">(.*?)<\/td>/g)].map((m) => ({
      shown: m[2]!.replace(/<[^>]+>/g, " ").trim(),
      title: m[1],
    }));

  it("shows how each call ended as its detail says it, not the register's \"answered\" (QA)", () => {
    const hungUp = call("a", null);
    const ended = { ...call("b", null), outcome: "ended" };
    expect(outcomeCells([hungUp, ended])).toEqual([
      { shown: "the scenario hung up", title: "In the call register: answered" },
      { shown: "ended (an exit led nowhere)", title: "In the call register: answered" },
    ]);
    const html = renderToHtml(CallTable, { items: [hungUp], openId: null, onOpen: () => {} });
    expect(html).toContain("<th>Outcome</th>");
    expect(html).not.toMatch(/>answered</);
  });

  it("says under the outcome when a call was never picked up, or scheduled a callback", () => {
    const missed = { ...call("a", null), outcome: "caller_hangup", status: "missed", answered_at: null };
    const callback = { ...call("b", null), status: "callback_scheduled" };
    expect(outcomeCells([missed, callback]).map((cell) => cell.shown)).toEqual([
      "the caller hung up missed",
      "the scenario hung up callback scheduled",
    ]);
  });

  it("shows what each client answered (the flow's result) beside how the call ended", () => {
    const html = renderToHtml(CallTable, { items: [call("a", "will_pay"), call("b", null)], openId: null, onOpen: () => {} });
    expect(html).toContain("<th>Answer</th>");
    expect([...html.matchAll(/data-testid="call-result">(.*?)<\/td>/g)].map((m) => m[1])).toEqual(["will_pay", ""]);
  });
});
