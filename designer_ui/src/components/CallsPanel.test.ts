import { createElement } from "react";
import { describe, expect, it } from "vitest";
import type { CallSummary } from "../api/types";
import { CallDetails, CallTable, type OpenCall } from "./CallsPanel";
import { runInTimeZone } from "../testSupport";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";
import { StoryBlocks } from "./storyBlocks";

runInTimeZone("Europe/Madrid");

/** The call's ids as the detail lists them, as text. */
const identity = (html: string) =>
  /<dl class="call-identity[^"]*"[^>]*>(.*?)<\/dl>/s.exec(html)![1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();

/** The story's part of the detail: its step links are its only buttons. */
const story = (html: string) => /<ol class="story call-story"[^>]*>.*<\/ol>/s.exec(html)?.[0] ?? "";

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
    const steps = [...story(renderToHtml(CallDetails, { call: failedCall })).matchAll(/<li[^>]*>(.*?)<\/li>/gs)].map((m) => m[1]!);
    expect(steps).toHaveLength(3);
    expect(steps[1]).toContain("Look up the customer");
    expect(steps[1]).toContain('data-testid="step-error">Error: timeout after 5000 ms');
    expect(steps[0]).not.toContain("step-error");
    expect(steps[2]).not.toContain("step-error");
  });

  it("names Asterisk's UniqueID as such and the channel beside it, so a CDR line, Asterisk's log and this trace match", () => {
    const html = renderToHtml(CallDetails, { call: { ...failedCall, uniqueid: "pbx1-1795295104.117", channel: "PJSIP/trunk-0000002a" } });
    const facts = identity(html);
    expect(facts).toContain("Asterisk UniqueID pbx1-1795295104.117");
    expect(facts).toContain("Channel PJSIP/trunk-0000002a");
    expect(html).not.toContain("Asterisk channel");
    expect(renderInLanguage("es", CallDetails, { call: { ...failedCall, uniqueid: "1795295104.117" } })).toContain("UniqueID de Asterisk");
    // Recorded before they were kept: neither is shown, empty.
    expect(renderToHtml(CallDetails, { call: failedCall })).not.toMatch(/call-uniqueid|call-channel/);
  });

  it("shows the call's id, which the log lines are keyed by, with a button that copies it", () => {
    const html = renderToHtml(CallDetails, { call: failedCall });
    expect(identity(html)).toMatch(/^Call ID c1 Copy/);
    expect(html).toMatch(/<button type="button" class="link" aria-label="Copy the call ID">Copy<\/button>/);
    // The status region is there before anything is copied, so "Copied" is heard when it comes.
    expect(html).toContain('<span role="status" class="muted" data-testid="call-id-copied"></span>');
  });

  it("says in words how the server itself ended a call", () => {
    const html = renderToHtml(CallDetails, { call: { ...failedCall, outcome: "unknown_scenario", error: null } });
    expect(html).toContain("Outcome: no such scenario: the fallback message played");
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

/** A real call's trace (inbound-hotline, pressing 9, nothing, then 2), as the engine records it: trimmed. */
const hotline: OpenCall = {
  id: "c2",
  version: 4,
  outcome: "transferred",
  error: null,
  startedAt: "2026-01-05T10:00:00+00:00",
  steps: [
    { index: 0, node: "start", type: "start", label: "Start", at: "2026-01-05T10:00:00+00:00", exit: "next", keys: "", prompts: [], events: [{ kind: "answered" }], duration_ms: 0 },
    {
      index: 1, node: "welcome", type: "say_phrase", label: "Welcome", at: "2026-01-05T10:00:00.250000+00:00", exit: "next", keys: "",
      prompts: [{ audio: "tts-52217186286b3550", text: "Bienvenido a Ejemplo Telecom.", language: "es" }], events: [], duration_ms: 2000,
    },
    {
      index: 2, node: "menu", type: "ivr", label: "Departments", at: "2026-01-05T10:00:02+00:00", exit: "2", keys: "92",
      prompts: [
        { audio: "tts-fad7", text: "Para soporte pulse 2.", language: "es" },
        { audio: "tts-3c5b", text: "La opción marcada no es válida.", language: "es" },
        { audio: "beep-retry" },
      ],
      events: [{ kind: "attempt", number: 1 }, { kind: "invalid", attempt: 1, keys: "9" }, { kind: "attempt", number: 2 }, { kind: "no_input", attempt: 2 }, { kind: "attempt", number: 3 }],
      variables_changed: { department: "2" },
      duration_ms: 15000,
    },
    {
      index: 3, node: "support", type: "transfer", label: "Support", at: "2026-01-05T10:01:17+00:00", exit: "answered", keys: "", prompts: [],
      events: [{ kind: "transfer", target: "queue:support", outcome: "answered" }], duration_ms: 350,
    },
  ],
};

/** Each step of the rendered story: its markup and its visible text. */
const storySteps = (html: string) =>
  [...html.matchAll(/<li class="call-step"[^>]*>(.*?)<\/li>/gs)].map((m) => ({ html: m[1]!, text: m[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim() }));

describe("what happened in a recorded call, step by step (QA: the detail showed only the path)", () => {
  it("tells, per step, when it ran, the block, what the caller heard, the keys pressed, the exit and how long it took", () => {
    const steps = storySteps(renderToHtml(CallDetails, { call: hotline }));
    expect(steps.map((step) => step.text)).toEqual([
      // Each step numbered, as the canvas's badges number the blocks it ran.
      "1 00:00 Start start → next Call answered",
      "2 00:00 Welcome say_phrase → next 2 sec Said “Bienvenido a Ejemplo Telecom.”",
      "3 00:02 Departments ivr → 2 15 sec Said “Para soporte pulse 2.” Said “La opción marcada no es válida.” Played beep-retry " +
        "Wrong key 9 · No key in time · Pressed 2 department = &quot;2&quot;",
      // With no catalog loaded (as here) the Transfer's outcome is named by its exit's code.
      "4 01:17 Support transfer → answered 350 ms Dialed queue:support: answered",
    ]);
  });

  it("says the phrases as the caller heard them: the text said, else the name of the audio played", () => {
    const said = [...renderToHtml(CallDetails, { call: hotline }).matchAll(/data-testid="step-said">(.*?)<\/div>/g)].map((m) => m[1]);
    expect(said).toEqual([
      "Said “Bienvenido a Ejemplo Telecom.”",
      "Said “Para soporte pulse 2.”",
      "Said “La opción marcada no es válida.”",
      "Played beep-retry",
    ]);
  });

  it("keeps each block a link to it on the canvas, under the heading the Test call's story has", () => {
    const html = renderToHtml(CallDetails, { call: hotline });
    expect(html).toContain("<h3>What happened</h3>");
    expect(buttonTexts(story(html))).toEqual(["Start", "Welcome", "Departments", "Support"]);
  });

  it("counts the times from the first step when the call's start is not known", () => {
    const steps = storySteps(renderToHtml(CallDetails, { call: { ...hotline, startedAt: null } }));
    expect(steps.map((step) => step.text.slice(2, 7))).toEqual(["00:00", "00:00", "00:02", "01:17"]);
  });

  it("says when the caller hung up at a step, and a step's error under it", () => {
    const call: OpenCall = {
      ...hotline,
      steps: [
        { node: "menu", type: "ivr", label: "Departments", exit: "hangup", keys: "" },
        { node: "lookup", type: "sql", label: "Customer", exit: "error", error: "timeout after 5000 ms" },
      ],
    };
    const [menu, lookup] = storySteps(renderToHtml(CallDetails, { call }));
    expect(menu!.text).toBe("1 Departments ivr → caller hung up The caller hung up");
    expect(lookup!.html).toContain('data-testid="step-error">Error: timeout after 5000 ms');
  });

  // Supervisor review: a step that ended the call read "→ абонент положил трубку" as if the caller had hung up.
  it("says the call ended where the scenario ended it, the Hang Up block or another one", () => {
    const call: OpenCall = {
      ...hotline,
      outcome: "hung_up",
      steps: [
        { node: "bye", type: "hangup", label: "Bye", exit: "hangup", keys: "" },
        { node: "vm", type: "voicemail_end", label: "Voicemail", exit: "hangup", keys: "" },
      ],
    };
    const steps = storySteps(renderInLanguage("ru", CallDetails, { call }));
    expect(steps.map((step) => step.text)).toEqual(["1 Bye Завершить → звонок завершён", "2 Voicemail voicemail_end → звонок завершён"]);
  });

  it("renders what the caller heard as text, never as markup", () => {
    const call: OpenCall = { ...hotline, steps: [{ node: "x", prompts: [{ audio: "a", text: "<img src=x onerror=alert(1)>" }] }] };
    const html = renderToHtml(CallDetails, { call });
    expect(html).not.toContain("<img");
    expect(html).toContain("Said “&lt;img src=x onerror=alert(1)&gt;”");
  });

  it("says so when a call recorded no steps", () => {
    expect(renderToHtml(CallDetails, { call: { ...hotline, steps: [] } })).toContain("No steps were recorded for this call.");
  });

  it("names the published version of the scenario a Go To Scenario continued in, on the steps taken there", () => {
    const steps = (version?: number | null) => [
      { node: "go", type: "goto_scenario", label: "To billing", exit: "goto", events: [{ kind: "goto_scenario", scenario: "billing", version }] },
      { node: "hi", type: "say_phrase", label: "Hello", exit: "next", scenario: "Billing" },
    ];
    const [go, hi] = storySteps(renderToHtml(CallDetails, { call: { ...hotline, startedAt: null, steps: steps(5) } }));
    expect(hi!.text).toBe("2 Hello say_phrase in scenario Billing, version 5 → next");
    // The Go To step itself ran in the call's own scenario: not marked as another's, its event says where it went.
    expect(go!.html).not.toContain('data-testid="other-scenario"');
    expect(go!.text).toContain("Continued in scenario billing, version 5");
    // A call recorded before versions were, or a test call's draft: the scenario alone, as before.
    const [, old] = storySteps(renderToHtml(CallDetails, { call: { ...hotline, startedAt: null, steps: steps(undefined) } }));
    expect(old!.text).toBe("2 Hello say_phrase in scenario Billing → next");
    expect(buttonTexts(story(renderToHtml(CallDetails, { call: { ...hotline, steps: steps(5) } })))).toEqual(["To billing"]);
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
    id, asterisk_uniqueid: "", scenario: "debt-reminder", version: 2, caller_id: "+34600111222", caller_name: "", dialed_number: "",
    started_at: "2026-12-05T10:00:00Z", answered_at: "2026-12-05T10:00:01Z", ended_at: "2026-12-05T10:01:00Z",
    duration_ms: 59000, outcome: "hung_up", result, status: "answered", last_node: "bye", node: "ivr-1", origin_call_id: null,
    recorded_at: "2026-12-05T10:01:00Z",
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
      { shown: "ended after its last block", title: "In the call register: answered" },
    ]);
    const html = renderToHtml(CallTable, { items: [hungUp], openId: null, onOpen: () => {} });
    expect(html).toContain("<th>Outcome</th>");
    expect(html).not.toMatch(/>answered</);
  });

  it("says under the outcome when a call was never picked up, or scheduled a callback", () => {
    const missed = { ...call("a", null), outcome: "caller_hangup", status: "missed" as const, answered_at: null };
    const callback = { ...call("b", null), status: "callback_scheduled" as const };
    expect(outcomeCells([missed, callback]).map((cell) => cell.shown)).toEqual([
      "the caller hung up missed",
      "the scenario hung up callback scheduled",
    ]);
  });

  // Review: beside the canvas the fifth header read "Versio" at 1280 px, cut at the panel's edge.
  it("writes the version under when the call began beside the canvas, and in a column of its own on the Calls page", () => {
    const items = [call("a", null), { ...call("b", null), version: null }];
    const headers = (html: string) => [...html.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1]);
    const beside = renderToHtml(CallTable, { items, openId: null, onOpen: () => {} });
    expect(headers(beside)).toEqual(["When", "Caller → dialled", "Outcome", "Answer"]);
    expect([...beside.matchAll(/data-testid="call-version">(.*?)<\/span><\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, "|"))).toEqual([
      "|Version 2||v2|",
    ]);
    const page = renderToHtml(() => createElement(StoryBlocks.Provider, { value: [] }, createElement(CallTable, { items, openId: null, onOpen: () => {} })), {});
    expect(headers(page)).toEqual(["When", "Caller → dialled", "Outcome", "Answer", "Version"]);
    expect(page).not.toContain("call-version");
    expect(page).toContain("<td>v2</td>");
  });

  it("writes when each call began as the interface language does, to the second (QA: US dates in Russian)", () => {
    const when = (html: string) => [...html.matchAll(/title="[^"]*">([^<]*)<\/button>/g)].map((m) => m[1]!.replace(/\s/g, " "));
    const items = [call("a", null)]; // 10:00:00 UTC, 11:00:00 in Madrid
    expect(when(renderInLanguage("ru", CallTable, { items, openId: null, onOpen: () => {} }))).toEqual(["05.12.2026, 11:00:00"]);
    expect(when(renderInLanguage("es", CallTable, { items, openId: null, onOpen: () => {} }))).toEqual(["5/12/26, 11:00:00"]);
    expect(when(renderToHtml(CallTable, { items, openId: null, onOpen: () => {} }))).toEqual(["12/5/26, 11:00:00 AM"]);
  });

  it("shows what each client answered (the flow's result) beside how the call ended", () => {
    const html = renderToHtml(CallTable, { items: [call("a", "will_pay"), call("b", null)], openId: null, onOpen: () => {} });
    expect(html).toContain("<th>Answer</th>");
    expect([...html.matchAll(/data-testid="call-result">(.*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ""))).toEqual(["will_pay", ""]);
  });

  it("shows the label the call's scenario gives its result, the code in the tooltip", () => {
    const items = [{ ...call("a", "will_pay"), result_label: "Pagará" }, call("b", "no_response")];
    const html = renderInLanguage("es", CallTable, { items, openId: null, onOpen: () => {} });
    expect([...html.matchAll(/data-testid="call-result">(.*?)<\/td>/g)].map((m) => m[1])).toEqual([
      '<span class="result-label" data-result="will_pay" title="Código: will_pay"><bdi>Pagará</bdi></span>',
      '<span data-result="no_response"><bdi>no_response</bdi></span>',
    ]);
  });
});
