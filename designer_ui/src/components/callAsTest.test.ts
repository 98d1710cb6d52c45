import { describe, expect, it } from "vitest";
import type { TraceStep } from "../api/types";
import { callAsTest, stepTokens, TEST_CALLER_NAME, TEST_NUMBER, testNumber } from "./callAsTest";
import type { OpenCall } from "./CallsPanel";

/** A recorded call of debt-reminder, as GET /api/calls/{id} gives it and `openedCall` keeps it. */
function recorded(steps: TraceStep[], patch: Partial<OpenCall> = {}): OpenCall {
  return {
    id: "c1",
    version: 3,
    outcome: "hung_up",
    error: null,
    steps,
    startedAt: "2026-12-05T10:00:00+01:00",
    numbers: { caller_id: "+34600111222", caller_name: "Ana", dialed_number: "", callback_job_id: null },
    variables: { call_id: "c1", caller_id: "+34600111222", language: "es", debt_amount: 120.5, result: "will_pay" },
    ...patch,
  };
}

const start: TraceStep = { node: "start", type: "start", exit: "next" };
const greet: TraceStep = { node: "greet", type: "say_phrase", label: "Greeting", exit: "next", prompts: [{ text: "Hola" }] };
const debt: TraceStep = { node: "debt", type: "say_phrase", label: "Debt", exit: "next", prompts: [{ text: "Debe 120" }] };

describe("a recorded call as a test's inputs", () => {
  it("writes each try of a menu in order: a wrong key, no key in time, then the key that counted", () => {
    const menu: TraceStep = {
      node: "menu", type: "ivr", label: "Pay menu", exit: "1", keys: "51", prompts: [{ text: "Pulse 1" }],
      events: [{ kind: "attempt", number: 1 }, { kind: "invalid", attempt: 1, keys: "5" }, { kind: "attempt", number: 2 },
        { kind: "no_input", attempt: 2 }, { kind: "attempt", number: 3 }],
    };
    const will_pay: TraceStep = { node: "will_pay", type: "set_variable", exit: "next", variables_changed: { result: "will_pay" } };
    const converted = callAsTest(recorded([start, greet, debt, menu, will_pay]));
    expect(converted.request.keys).toEqual(["5", "-", "1"]);
    expect(converted.hangup).toBeNull();
    expect(converted.request.caller_id).toBe("+34600000000");
    expect(converted.callerMasked).toBe(false);
    expect(converted.request.at).toBe("2026-12-05T10:00:00+01:00");
    // Channel facts and what a block set (`result`) are not the call's start: the test call sets them again.
    expect(converted.request.variables).toEqual({ debt_amount: 120.5 });
  });

  it("writes a menu that heard nothing in any try as one no-input token a try, and a capture's terminator", () => {
    const silent: TraceStep = {
      node: "menu", type: "ivr", exit: "max_tries",
      events: [{ kind: "no_input", attempt: 1 }, { kind: "no_input", attempt: 2 }, { kind: "no_input", attempt: 3 }],
    };
    expect(stepTokens(silent).tokens).toEqual(["-", "-", "-"]);
    const account: TraceStep = {
      node: "account", type: "ivr", exit: "next", keys: "12#12345678#",
      events: [{ kind: "invalid", attempt: 1, keys: "12", terminator: "#", reason: "too_short" }],
    };
    expect(stepTokens(account).tokens).toEqual(["12#", "12345678#"]);
    const message: TraceStep = { node: "info", type: "message", exit: "next", keys: "5", prompts: [{ audio: "info" }] };
    expect(stepTokens(message).tokens).toEqual(["!5"]);
    expect(stepTokens(greet).tokens).toEqual([]);
  });

  it("writes a masked entry as nothing pressed and says so", () => {
    const pin: TraceStep = { node: "pin", type: "ivr", exit: "next", keys: "[hidden: 4 characters]#" };
    const converted = callAsTest(recorded([start, pin]));
    expect(converted.request.keys).toEqual(["-"]);
    expect(converted.keysMasked).toBe(true);
  });

  it("gives a masked caller a test number of the mask's shape and a test name, never the mask, and says so", () => {
    const converted = callAsTest(
      recorded([start, greet], {
        numbers: { caller_id: "+34*******22", caller_name: "[hidden]", dialed_number: "+34*******77", callback_job_id: null },
        variables: { caller_id: "+34*******22", pin: "[hidden: 4 characters]", debt_amount: 5 },
      }),
    );
    expect(converted.callerMasked).toBe(true);
    expect(converted.request.caller_id).toBe("+34000000000");
    expect(converted.request.caller_name).toBe(TEST_CALLER_NAME);
    expect(converted.realCaller).toBeNull(); // nothing real to keep
    expect(converted.dialedNumber).toBe("");
    expect(converted.maskedVariables).toEqual(["pin"]);
    expect(converted.request.variables).toEqual({ debt_amount: 5 });
  });

  it("names the block the caller hung up in, after the keys of that block's failed tries", () => {
    // debt-reminder: greeted, then the caller pressed 5 at "Pay menu" and hung up in its second try. A `hangup` key
    // would be taken by the greeting; `hangup_in` names the menu.
    const menu: TraceStep = {
      node: "menu", type: "ivr", label: "Pay menu", exit: "hangup", keys: "5", prompts: [{ text: "Pulse 1" }],
      events: [{ kind: "attempt", number: 1 }, { kind: "invalid", attempt: 1, keys: "5" }, { kind: "attempt", number: 2 }],
    };
    // A bookkeeping block on the hangup exit runs after it: the hangup is still the menu's.
    const noted: TraceStep = { node: "note", type: "set_variable", exit: "next", variables_changed: { result: "hung_up" } };
    const converted = callAsTest(recorded([start, greet, debt, menu, noted], { outcome: "caller_hangup" }));
    expect(converted.request.keys).toEqual(["5"]);
    expect(converted.hangup).toEqual({ node: "menu", label: "Pay menu", reproduced: true });
    expect(converted.result.result.outcome).toBe("caller_hangup");
  });

  it("says a hangup while the block did nothing on the line (a query) cannot be reproduced", () => {
    const lookup: TraceStep = { node: "lookup", type: "sql", label: "Find client", exit: "hangup", events: [{ kind: "query", cancelled: true }] };
    const converted = callAsTest(recorded([start, greet, lookup], { outcome: "caller_hangup" }));
    expect(converted.hangup).toEqual({ node: "lookup", label: "Find client", reproduced: false });
  });

  it("has no hangup for a call the scenario ended", () => {
    expect(callAsTest(recorded([start, greet])).hangup).toBeNull();
  });

  it("carries the transfers' outcomes in turn and names another scenario's steps as a test does", () => {
    const operator: TraceStep = {
      node: "operator", type: "transfer", exit: "busy",
      events: [{ kind: "transfer", target: "queue:collections", outcome: "busy" }],
    };
    const goto: TraceStep = { node: "elsewhere", type: "goto_scenario", exit: null, events: [{ kind: "goto_scenario", scenario: "inbound-hotline", version: 2 }] };
    const there: TraceStep = { node: "start", type: "start", exit: "next", scenario: "Inbound hotline" };
    const converted = callAsTest(recorded([start, operator, goto, there], { startedAt: "2026-12-05T09:00:00" }));
    expect(converted.request.transfers).toEqual(["busy"]);
    expect(converted.result.result.steps.map((step) => step.node)).toEqual(["start", "operator", "elsewhere", "inbound-hotline:start"]);
    // A moment without its offset would be refused by the test format: left for the test to run now.
    expect(converted.request.at).toBeUndefined();
  });

  it("copies neither the caller's number nor their name by default, and keeps them aside for an analyst who asks", () => {
    const converted = callAsTest(
      recorded([start, greet], {
        numbers: { caller_id: "+34 600 111 222", caller_name: "Ana García", dialed_number: "+34910000000", callback_job_id: null },
        variables: { caller_id: "+34 600 111 222", debt_amount: 120.5, callback_to: "600-111-222", account: 34600111222, other: "+34911222333" },
      }),
    );
    expect(converted.request.caller_id).toBe("+34 600 000 000");
    expect(converted.request.caller_name).toBe(TEST_CALLER_NAME);
    // The caller's number written in a variable, in any form, is the test number in that form; another number stays.
    expect(converted.request.variables).toEqual({ debt_amount: 120.5, callback_to: "600-000-000", account: 34600000000, other: "+34911222333" });
    expect(JSON.stringify(converted.request)).not.toContain("111");
    expect(converted.realCaller).toEqual({
      callerId: "+34 600 111 222",
      callerName: "Ana García",
      variables: { debt_amount: 120.5, callback_to: "600-111-222", account: 34600111222, other: "+34911222333" },
    });
    expect(converted.dialedNumber).toBe("+34910000000"); // the number rung is the organisation's, not the caller's
  });

  it("has nothing to keep for a caller without a number or name", () => {
    const converted = callAsTest(recorded([start, greet], { numbers: { caller_id: "anonymous", caller_name: "", dialed_number: "", callback_job_id: null } }));
    expect(converted.request.caller_id).toBe("anonymous");
    expect(converted.request.caller_name).toBe("");
    expect(converted.realCaller).toBeNull();
  });

  it("makes a test number of the same form and prefix, as erasure does", () => {
    expect(testNumber("+34600111222")).toBe("+34600000000");
    expect(testNumber("0034600111222")).toBe("0034600000000");
    expect(testNumber("600111222")).toBe("600000000");
    expect(testNumber("+34600000000")).toBe("+00000000000"); // a test number already: nobody's prefix kept
    expect(testNumber("+34*******22")).toBe("+34000000000");
    expect(testNumber("[hidden]")).toBe(TEST_NUMBER);
    expect(testNumber("sip:ana@example.com")).toBe(TEST_NUMBER);
    expect(testNumber("")).toBe("");
  });
});
