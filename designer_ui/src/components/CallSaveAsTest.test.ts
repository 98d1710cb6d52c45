import { afterEach, describe, expect, it } from "vitest";
import { testsOf } from "../lib/scenarioTests";
import { useEditor } from "../store/editor";
import { callAsTest } from "./callAsTest";
import { CallSaveAsTestView, saveIntoDraft, saveRecordedCallTest, testFromRecordedCall } from "./CallSaveAsTest";
import { toScenario } from "../lib/convert";
import type { OpenCall } from "./CallsPanel";
import { buttonTexts, renderInLanguage, renderToHtml, visibleText } from "./renderForTest";

/** debt-reminder's caller pressed 2, the collections desk was busy, and they hung up in the apology. */
const call: OpenCall = {
  id: "c9",
  version: 3,
  outcome: "caller_hangup",
  error: null,
  startedAt: "2026-12-05T10:00:00+01:00",
  steps: [
    { node: "start", type: "start", exit: "next" },
    { node: "menu", type: "ivr", label: "Pay menu", exit: "2", keys: "2", prompts: [{ text: "Pulse 1" }] },
    { node: "operator", type: "transfer", label: "Collections desk", exit: "busy", events: [{ kind: "transfer", target: "queue:collections", outcome: "busy" }] },
    { node: "unavailable", type: "set_variable", exit: "next", variables_changed: { result: "operator_unavailable" } },
    { node: "sorry", type: "say_phrase", label: "Operators busy", exit: "hangup", prompts: [{ text: "Lo sentimos" }] },
  ],
  numbers: { caller_id: "+34*******22", caller_name: "[hidden]", dialed_number: "", callback_job_id: null },
  variables: { caller_id: "+34*******22", debt_amount: 120.5, result: "operator_unavailable" },
};

const view = (patch: Partial<Parameters<typeof CallSaveAsTestView>[0]> = {}) => ({
  call,
  editable: true,
  tests: [],
  notList: false,
  declared: [],
  names: new Map([["menu", "Pay menu"]]),
  onSave: () => undefined,
  onOpenTests: () => undefined,
  ...patch,
});

afterEach(() => useEditor.setState(useEditor.getInitialState(), true));

describe("saving a recorded call as a test", () => {
  it("is offered to a user who may edit the scenario, and not to one who may only view it", () => {
    expect(buttonTexts(renderToHtml(CallSaveAsTestView, view()))).toEqual(["Save as test"]);
    expect(renderToHtml(CallSaveAsTestView, view({ editable: false }))).toBe("");
  });

  it("opens prefilled from the call, saying what it could not carry over, in the interface language", () => {
    const html = renderToHtml(CallSaveAsTestView, view({ open: true }));
    const text = visibleText(html);
    expect(text).toContain("Keys: 2");
    expect(text).toContain("Transfers' outcomes: busy");
    expect(text).toContain("Variables: debt_amount");
    expect(text).toContain("The caller's number is hidden from your role: the test calls from a test number");
    expect(text).toContain("the call's variables are copied into the test as they were: everyone who can open the scenario can read them");
    // A masked reader has no real caller to keep: no box offering it.
    expect(html).not.toContain('name="keep-real-caller"');
    expect(text).toContain('The caller hung up in "Operators busy": the test\'s caller hangs up there too');
    expect(html).toMatch(/<input [^>]*name="test-caller" value="\+34000000000"/);
    expect(html).not.toContain("[hidden]");
    expect(html).toContain('name="expect-path"');
    expect(html).toContain('name="expect-outcome"');
    expect(html).toContain('name="expect-result"');
    expect(visibleText(renderInLanguage("es", CallSaveAsTestView, view({ open: true })))).toContain("Teclas: 2");
    expect(visibleText(renderInLanguage("ru", CallSaveAsTestView, view({ open: true })))).toContain("Номер звонящего скрыт");
  });

  it("says plainly when the hangup point cannot be reproduced", () => {
    const greeted: OpenCall = {
      ...call,
      steps: [
        { node: "greet", type: "say_phrase", label: "Greeting", exit: "next", prompts: [{ text: "Hola" }] },
        { node: "lookup", type: "sql", label: "Find client", exit: "hangup" },
      ],
    };
    const html = renderToHtml(CallSaveAsTestView, view({ call: greeted, open: true }));
    expect(html).toContain('data-reproduced="false"');
    expect(visibleText(html)).toContain('The caller hung up in "Find client" while it played nothing');
    expect(visibleText(html)).toContain("Keys: none pressed");
  });

  it("saves into the draft's tests as one edit, the number typed for the masked caller", () => {
    useEditor.getState().updateHead({ meta: { tests: [{ name: "existing", keys: ["1"], expect: { outcome: "hung_up" } }] } }, false);
    const converted = callAsTest(call);
    const offered = [
      { kind: "path" as const, expect: { path: ["start", "menu", "operator", "unavailable", "sorry"] }, shown: "" },
      { kind: "outcome" as const, expect: { outcome: "caller_hangup" }, shown: "" },
    ];
    const test = testFromRecordedCall(" busy desk ", converted, " +34600111222 ", offered);
    const { tests } = testsOf(useEditor.getState().head.meta);
    saveRecordedCallTest(useEditor.getState(), tests, test);
    const saved = testsOf(useEditor.getState().head.meta).tests;
    expect(saved).toHaveLength(2);
    expect(saved[1]).toEqual({
      name: "busy desk",
      keys: ["2"],
      caller_id: "+34600111222",
      caller_name: "Test caller", // the record's "[hidden]" is no name to call with
      at: "2026-12-05T10:00:00+01:00",
      variables: { debt_amount: 120.5 },
      transfers: ["busy"],
      hangup_in: "sorry",
      expect: { path: ["start", "menu", "operator", "unavailable", "sorry"], outcome: "caller_hangup" },
    });
    // An edit of the draft like any other: undone by Ctrl+Z.
    useEditor.getState().undo();
    expect(testsOf(useEditor.getState().head.meta).tests).toHaveLength(1);
  });

  it("saves into the draft while the canvas shows the version the call ran, bringing the draft back", () => {
    useEditor.getState().updateHead({ meta: { tests: [{ name: "existing", keys: ["1"], expect: { outcome: "hung_up" } }] } }, false);
    const version = toScenario(useEditor.getState().history.present);
    useEditor.getState().viewVersion(2, { ...version, meta: {} }, call.steps, call.id);
    expect(useEditor.getState().readOnly).toBe(true);
    saveIntoDraft({ name: "from the call", keys: ["2"], expect: { outcome: "caller_hangup" } });
    expect(useEditor.getState().versionView).toBeNull();
    expect(testsOf(useEditor.getState().head.meta).tests.map((test) => (test as { name: string }).name)).toEqual(["existing", "from the call"]);
  });

  it("writes a test number and name, never the mask, for a masked reader whatever the caller field holds", () => {
    const converted = callAsTest(call);
    const outcome = [{ kind: "outcome" as const, expect: { outcome: "caller_hangup" }, shown: "" }];
    for (const typed of [converted.request.caller_id, "[hidden]", "+34*******22"]) {
      const test = testFromRecordedCall("masked", converted, typed, outcome, [], true);
      expect(test.caller_id).toBe("+34000000000");
      expect(test.caller_name).toBe("Test caller");
      expect(JSON.stringify(test)).not.toContain("hidden");
    }
  });

  describe("for a reader who sees the caller", () => {
    const seen: OpenCall = {
      ...call,
      numbers: { caller_id: "+34600111222", caller_name: "Ana García", dialed_number: "", callback_job_id: null },
      variables: { caller_id: "+34600111222", debt_amount: 120.5, callback_to: "+34600111222", result: "operator_unavailable" },
    };
    const outcome = [{ kind: "outcome" as const, expect: { outcome: "caller_hangup" }, shown: "" }];

    it("offers to keep the real number and name, unticked, and says what is copied", () => {
      const html = renderToHtml(CallSaveAsTestView, view({ call: seen, open: true }));
      expect(html).toMatch(/<input type="checkbox" name="keep-real-caller"(?! checked)[^>]*>/);
      expect(html).toMatch(/<input [^>]*name="test-caller" value="\+34600000000"/);
      const text = visibleText(html);
      expect(text).toContain(
        "Keep the caller's real number and name (personal data: anyone who can read the scenario will see them)",
      );
      expect(text).toContain("The caller's real number and name are not copied");
      expect(text).toContain("the call's variables are copied into the test as they were");
      expect(text).not.toContain("600111222");
      expect(visibleText(renderInLanguage("es", CallSaveAsTestView, view({ call: seen, open: true })))).toContain("datos personales");
      expect(visibleText(renderInLanguage("ru", CallSaveAsTestView, view({ call: seen, open: true })))).toContain("персональные данные");
    });

    it("saves a test number and name by default, and the real ones only when kept", () => {
      const converted = callAsTest(seen);
      const neutral = testFromRecordedCall("default", converted, converted.request.caller_id, outcome);
      expect(neutral).toMatchObject({ caller_id: "+34600000000", caller_name: "Test caller", variables: { debt_amount: 120.5, callback_to: "+34600000000" } });
      expect(JSON.stringify(neutral)).not.toContain("111222");
      expect(JSON.stringify(neutral)).not.toContain("Ana");
      const kept = testFromRecordedCall("kept", converted, "+34600111222", outcome, [], true);
      expect(kept).toMatchObject({ caller_id: "+34600111222", caller_name: "Ana García", variables: { debt_amount: 120.5, callback_to: "+34600111222" } });
    });
  });
});
