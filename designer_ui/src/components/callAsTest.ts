/**
 * A recorded call as the inputs of a scenario test (graph_engine/scenario_tests.py), for "Save as test" in its
 * details: the keys pressed at each step as the test format writes them, the caller, the moment, the variables, the
 * transfers' outcomes, and the block the caller hung up in (`hangup_in`). What the record cannot give back (a masked
 * number or entry, a hangup while the block did nothing on the line) is said, not guessed: a test that silently
 * calls another way than the real call did would check the wrong call.
 */
import type { SimulateRequest, SimulateResult, TraceStep } from "../api/types";
import { callerHungUpAt, otherScenarios, stepKeys } from "../lib/trace";
import { CHANNEL_FACTS } from "../lib/variables";
import type { OpenCall } from "./CallsPanel";

/** The test format's key tokens (graph_engine/scripted.py): nothing pressed, the caller hanging up, a barge-in. */
export const NO_INPUT = "-";
const BARGE_IN = "!";

/** How the engine masks a value the user may not see (graph_engine/sensitive.py), and how the API masks a number. */
const isMaskedText = (value: string) => value.includes("[hidden");
export const isMaskedNumber = (number: string) => number.includes("*");

/**
 * The digits of a caller's number a test number zeroes at its end: no subscriber is told apart by the rest (the
 * country, an operator's or an area's prefix), which a scenario may still route on. Erasure writes the same
 * (persistence/privacy.py, test_number).
 */
const TEST_NUMBER_ZEROED = 6;
/** A test's caller when nothing of the number's shape is known (hidden text, a SIP address). */
export const TEST_NUMBER = "+10000000000";
/** A test's caller's name in place of a real one: whether a name was sent still leads where it did. */
export const TEST_CALLER_NAME = "Test caller";

/** `written` with each digit (or a mask's `*`) after its first `kept` ones a 0. */
function zeroed(written: string, kept: number): string {
  let seen = 0;
  return [...written]
    .map((char) => {
      if (!/[0-9*]/.test(char)) return char;
      seen += 1;
      return seen <= kept && char !== "*" ? char : "0";
    })
    .join("");
}

/**
 * The neutral number a test calls from in place of the caller's `written` (as the record shows it, masked or not):
 * its last digits zeroed, every other character kept (`+34 600 111 222` is `+34 600 000 000`, a masked
 * `+34*******22` `+34000000000`), so the same e164 form, length and prefix lead the call where the real one did. A
 * word (`anonymous`) is no one's and stays; other text (a hidden one, a SIP address) is `TEST_NUMBER`.
 */
export function testNumber(written: string): string {
  const text = written.trim();
  if (!text || /^[a-z]+$/i.test(text)) return text;
  if (/[a-z[\]]/i.test(text)) return TEST_NUMBER;
  const digits = [...text].filter((char) => /[0-9*]/.test(char)).length;
  const neutral = zeroed(text, digits - TEST_NUMBER_ZEROED);
  return neutral !== text ? neutral : zeroed(text, 0);
}

/** The digits a value names the caller by: the last nine of their number (its national part, in any form). */
function callerKey(callerId: string): string | null {
  const digits = callerId.replace(/\D/g, "");
  return digits.length >= 7 && !isMaskedNumber(callerId) ? digits.slice(-9) : null;
}

const NUMBER_RUN = /\+?[0-9](?:[0-9 \-().]*[0-9])?/g;

/** `value` with the caller's number, wherever it is written in it, replaced by its `testNumber`. */
function withoutCaller(value: unknown, key: string): unknown {
  if (typeof value === "string") {
    return value.replace(NUMBER_RUN, (run) => (run.replace(/\D/g, "").endsWith(key) ? testNumber(run) : run));
  }
  if (typeof value === "number" && Number.isInteger(value) && String(value).endsWith(key)) return Number(testNumber(String(value)));
  if (Array.isArray(value)) return value.map((item) => withoutCaller(item, key));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, withoutCaller(item, key)]));
  }
  return value;
}

/** The record's caller, kept only when the analyst asks to (personal data, read by everyone who opens the scenario). */
export interface RealCaller {
  callerId: string;
  callerName: string;
  /** The variables as recorded, the caller's number in them too. */
  variables: Record<string, unknown>;
}

/** Where the caller hung up, and whether the test can hang up there. */
export interface CallHangup {
  /** The step's node as a test names it: `menu`, or `slug:menu` in a scenario a Go To Scenario continued in. */
  node: string;
  /** Its label as the trace noted it, for the analyst. */
  label: string;
  /**
   * Whether `hangup_in` reproduces it: the test's caller hangs up at a channel operation of the block (a prompt, a
   * key entry, a transfer), which a block that did none there (a query) has not.
   */
  reproduced: boolean;
}

/** A recorded call as a test's inputs, with what could not be carried over. */
export interface CallAsTest {
  /** The test call's inputs, as `testFromCall` writes them into a test. */
  request: SimulateRequest;
  /** The number the call rang, when the role sees it (the test format's `dialed_number`). */
  dialedNumber: string;
  /** The caller's number came masked: the test calls from a test number, for the user to change. */
  callerMasked: boolean;
  /**
   * The caller as recorded, where it differs from the test's (`request` has test values in its place: a test number
   * and name, the number taken out of the variables); null when there is nothing real to keep (masked, or none).
   */
  realCaller: RealCaller | null;
  /** Keys typed into a sensitive variable came masked: those entries are written as nothing pressed. */
  keysMasked: boolean;
  /** Variables left out because they came masked. */
  maskedVariables: string[];
  hangup: CallHangup | null;
  /** What the call did, in the shape `offeredExpectations` reads a test call's result. */
  result: SimulateResult;
}

/** A step's node as a test names it (scenario_tests.step_name). */
function testNames(steps: TraceStep[]): string[] {
  const others = otherScenarios(steps);
  return steps.map((step, i) => {
    const slug = others[i]?.slug;
    return slug ? `${slug}:${step.node}` : step.node;
  });
}

/** Whether the step listened for keys: a menu or an entry reads them (a barge-in Message's key is in `keys`). */
const listened = (step: TraceStep) => step.type === "ivr" || Boolean(step.keys);

/**
 * The key tokens a step took, in order: each failed try's keys (with the terminator that ended it) or `-` for a try
 * with no key in time, then the keys that counted, `!k` for a key that interrupted a Message. `masked`: a try's keys
 * came masked, and are written as nothing pressed.
 */
export function stepTokens(step: TraceStep): { tokens: string[]; masked: boolean } {
  if (!listened(step)) return { tokens: [], masked: false };
  if (step.type !== "ivr") {
    const key = step.keys ?? "";
    return isMaskedText(key) ? { tokens: [NO_INPUT], masked: true } : { tokens: [`${BARGE_IN}${key}`], masked: false };
  }
  let masked = false;
  const tokens: string[] = [];
  for (const event of step.events ?? []) {
    if (event.kind === "no_input") tokens.push(String(event.terminator ?? "") || NO_INPUT);
    else if (event.kind === "invalid") {
      const typed = `${String(event.keys ?? "")}${typeof event.terminator === "string" ? event.terminator : ""}`;
      masked ||= isMaskedText(typed);
      tokens.push(isMaskedText(typed) ? NO_INPUT : typed || NO_INPUT);
    }
  }
  const { pressed } = stepKeys(step);
  // Nothing counted: every try failed (each noted above), or the caller hung up during the last one.
  if (pressed) {
    masked ||= isMaskedText(pressed);
    tokens.push(isMaskedText(pressed) ? NO_INPUT : pressed);
  }
  return { tokens, masked };
}

/** Whether the trace says the step did something on the line (played, listened, dialled): where a test hangs up. */
const usedTheLine = (step: TraceStep) =>
  (step.prompts?.length ?? 0) > 0 || step.type === "ivr" || step.type === "transfer" || (step.events ?? []).some((event) => event.kind === "transfer");

/** A moment the test format takes: ISO 8601 with its offset; else null. */
function testMoment(value: string | null | undefined): string | null {
  if (!value) return null;
  return /(Z|[+-]\d\d:?\d\d)$/.test(value) ? value : null;
}

/**
 * The recorded call `call` as a test's inputs. Its variables are those it ended with that no step changed and are
 * no channel fact: a record keeps the variables at the end, not at the start, and one a block set the test call sets
 * again.
 */
export function callAsTest(call: OpenCall): CallAsTest {
  const steps = call.steps;
  const names = testNames(steps);
  // The step the caller hung up in: bookkeeping blocks wired to its `hangup` exit may run after it.
  const hungUpStep = call.outcome === "caller_hangup" ? steps.findIndex((step) => callerHungUpAt(step)) : -1;

  const keys: string[] = [];
  let keysMasked = false;
  steps.forEach((step, i) => {
    if (hungUpStep >= 0 && i > hungUpStep) return;
    const { tokens, masked } = stepTokens(step);
    keys.push(...tokens);
    keysMasked ||= masked;
  });

  const hangup: CallHangup | null =
    hungUpStep >= 0
      ? { node: names[hungUpStep]!, label: steps[hungUpStep]!.label ?? "", reproduced: usedTheLine(steps[hungUpStep]!) }
      : null;

  const numbers = call.numbers;
  const callerId = numbers?.caller_id ?? "";
  const callerMasked = isMaskedNumber(callerId);
  const callerName = numbers?.caller_name ?? "";
  const dialed = numbers?.dialed_number ?? "";

  const changed = new Set(steps.flatMap((step) => Object.keys(step.variables_changed ?? {})));
  const facts = new Set([...CHANNEL_FACTS, "channel_language"]);
  const variables: Record<string, unknown> = {};
  const maskedVariables: string[] = [];
  for (const [name, value] of Object.entries(call.variables ?? {})) {
    if (facts.has(name) || changed.has(name)) continue;
    if (typeof value === "string" && isMaskedText(value)) maskedVariables.push(name);
    else variables[name] = value;
  }

  const transfers = steps.flatMap((step) =>
    (step.events ?? []).filter((event) => event.kind === "transfer" && typeof event.outcome === "string").map((event) => event.outcome as string),
  );

  const at = testMoment(call.startedAt);
  // Neither the caller's number nor their name by default: the scenario's tests are read by every viewer.
  const key = callerKey(callerId);
  const neutralVariables = key ? (withoutCaller(variables, key) as Record<string, unknown>) : variables;
  const request: SimulateRequest = {
    keys,
    caller_id: testNumber(callerId),
    caller_name: callerName ? TEST_CALLER_NAME : "",
    variables: neutralVariables,
    transfers,
    data_rows: {},
    ...(at ? { at } : {}),
  };
  // Named as a test names them, so `path` is what the server compares.
  const result: SimulateResult = {
    result: { outcome: call.outcome, steps: steps.map((step, i) => ({ ...step, node: names[i]! })), variables: call.variables ?? {} },
    story: [],
    callbacks: [],
  };
  const real: RealCaller = { callerId, callerName, variables };
  const personal =
    !callerMasked &&
    !isMaskedText(callerName) &&
    (callerId !== request.caller_id || callerName !== request.caller_name || JSON.stringify(variables) !== JSON.stringify(neutralVariables));
  return {
    request,
    dialedNumber: isMaskedNumber(dialed) ? "" : dialed,
    callerMasked,
    realCaller: personal ? real : null,
    keysMasked,
    maskedVariables,
    hangup,
    result,
  };
}
