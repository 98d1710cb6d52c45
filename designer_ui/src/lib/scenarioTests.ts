/**
 * A scenario's own tests (`meta.tests`, graph_engine/scenario_tests.py): each a test call with what it must do,
 * which publishing runs and which blocks it while one fails. Here, as the designer's Tests tab lists and edits them
 * (every change is a new list, written into the draft as one edit), matches a run's outcomes to them, and writes one
 * from a test call the analyst ran ("Save as test").
 */
import type { SimulateRequest, SimulateResult, TestOutcome } from "../api/types";
import type { Variable } from "../generated/scenario";
import type { DocumentHead } from "./convert";
import { jsonEqual } from "./exits";
import type { FieldProblem } from "./testCallInputs";
import { testExits } from "./testForcedExits";

/** A test as the list holds it: any JSON value, as written by hand (one that is no object fails when run). */
export type ScenarioTest = unknown;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The tests of a document's `meta`. `notList`: `meta.tests` is there but no list (written by hand): the run
 * fails it as one test saying so, and the designer must not write a list over it.
 */
export function testsOf(meta: DocumentHead["meta"]): { tests: ScenarioTest[]; notList: boolean } {
  const tests = meta?.tests;
  if (tests === undefined || tests === null) return { tests: [], notList: false };
  return Array.isArray(tests) ? { tests, notList: false } : { tests: [], notList: true };
}

/** Whether a document has no tests at all: publishing it checks nothing of what its calls do. */
export function untested(meta: DocumentHead["meta"]): boolean {
  const { tests, notList } = testsOf(meta);
  return tests.length === 0 && !notList;
}

/** `meta` with `tests` as its tests; without the key once none is left, as a scenario never tested has none. */
export function withTests(meta: DocumentHead["meta"], tests: readonly ScenarioTest[]): DocumentHead["meta"] {
  const { tests: _old, ...rest } = meta ?? {};
  if (tests.length > 0) return { ...rest, tests: [...tests] };
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/**
 * Write `tests` into the draft (the editor store's `head.meta`) as one edit of it: saved with the draft like any
 * other, undone by Ctrl+Z, never merged with the edit before it.
 */
export function writeTests(
  editor: { head: DocumentHead; updateHead(patch: Partial<DocumentHead>, coalesce?: boolean): void },
  tests: readonly ScenarioTest[],
): void {
  editor.updateHead({ meta: withTests(editor.head.meta, tests) }, false);
}

/** A test's name, or its place in the list (from 1) when it has none, as the server names its outcome. */
export function testName(test: ScenarioTest, index: number): string {
  const name = isRecord(test) ? test.name : undefined;
  return typeof name === "string" && name !== "" ? name : `test ${index + 1}`;
}

export const addTest = (tests: readonly ScenarioTest[], test: ScenarioTest): ScenarioTest[] => [...tests, test];

export const removeTest = (tests: readonly ScenarioTest[], index: number): ScenarioTest[] => tests.filter((_, i) => i !== index);

export const replaceTest = (tests: readonly ScenarioTest[], index: number, test: ScenarioTest): ScenarioTest[] =>
  tests.map((old, i) => (i === index ? test : old));

/** A test deleted from the list: where it was, and the list the delete left (what its Undo stands for). */
export interface DeletedTest {
  test: ScenarioTest;
  index: number;
  name: string;
  left: readonly ScenarioTest[];
}

/**
 * What became of a deletion as the list changed since: `pending` while the list is the one it left (its Undo would
 * bring the test back), `restored` when it is the list from before it again (an undo: its own, Ctrl+Z, the
 * toolbar's), `past` after any other change (an Undo now would undo that, not the deletion).
 */
export function deletionNow(deleted: DeletedTest, tests: readonly ScenarioTest[]): "pending" | "restored" | "past" {
  if (jsonEqual(tests, deleted.left)) return "pending";
  const before = [...deleted.left.slice(0, deleted.index), deleted.test, ...deleted.left.slice(deleted.index)];
  return jsonEqual(tests, before) ? "restored" : "past";
}

/** The list with test `index` named `name`; a test that is no object (a hand-written `7`) cannot take one. */
export function renameTest(tests: readonly ScenarioTest[], index: number, name: string): ScenarioTest[] {
  const test = tests[index];
  return isRecord(test) ? replaceTest(tests, index, { ...test, name }) : [...tests];
}

/** Why `name` cannot be test `index`'s (null: a new test): none, or another test's, which would read as one. */
export function nameProblem(name: string, tests: readonly ScenarioTest[], index: number | null): FieldProblem | null {
  const trimmed = name.trim();
  if (trimmed === "") return { message: "tests.nameEmpty" };
  const taken = tests.some((test, i) => i !== index && testName(test, i) === trimmed);
  return taken ? { message: "tests.nameTaken", params: { name: trimmed } } : null;
}

/** `base`, or `base (2)`, `base (3)`...: the first no test of the list is named. */
export function freeName(base: string, tests: readonly ScenarioTest[]): string {
  const names = new Set(tests.map(testName));
  if (!names.has(base)) return base;
  let n = 2;
  while (names.has(`${base} (${n})`)) n += 1;
  return `${base} (${n})`;
}

// -- a block renamed ----------------------------------------------------------------------------------------------

/** Where a test names a block of its scenario (scenario_test_format, scenario_test_reach): by its id, or `#id`. */
const NODE_LISTS = ["path", "visits", "not_visits"] as const;
const ROWS_OF_BLOCK = "#";

/** `names` with `from` written `to`; the same list when none is `from`. */
function renamedIn(names: unknown, from: string, to: string): unknown {
  if (!Array.isArray(names) || !names.includes(from)) return names;
  return names.map((name) => (name === from ? to : name));
}

/** `object` with its key `from` written `to`, in its place; the same object when it has no `from`. */
function renamedKey(object: unknown, from: string, to: string): unknown {
  if (!isRecord(object) || !Object.hasOwn(object, from)) return object;
  // A stale `to` (a test naming a block there was none of) gives way to the block renamed to it.
  return Object.fromEntries(Object.entries(object).filter(([key]) => key !== to).map(([key, value]) => [key === from ? to : key, value]));
}

/**
 * `test` naming block `to` wherever it named block `from` of its scenario: `expect.path`, `visits` and
 * `not_visits`, the exit `exits` forces at it, `hangup_in` and its own rows in `data_rows` (`#id`). The same test
 * when it names no `from`, and one written by hand in another shape is left as it is. A block of another scenario
 * (`slug:id`) is not this scenario's: left too.
 */
export function renameNodeInTest(test: ScenarioTest, from: string, to: string): ScenarioTest {
  if (!isRecord(test)) return test;
  const renamed: Record<string, unknown> = { ...test };
  if (renamed.hangup_in === from) renamed.hangup_in = to;
  renamed.exits = renamedKey(test.exits, from, to);
  renamed.data_rows = renamedKey(test.data_rows, `${ROWS_OF_BLOCK}${from}`, `${ROWS_OF_BLOCK}${to}`);
  const expected = test.expect;
  if (isRecord(expected)) {
    const expect: Record<string, unknown> = { ...expected };
    for (const key of NODE_LISTS) if (Object.hasOwn(expect, key)) expect[key] = renamedIn(expect[key], from, to);
    renamed.expect = NODE_LISTS.some((key) => expect[key] !== expected[key]) ? expect : expected;
  }
  for (const key of ["exits", "data_rows"]) if (!Object.hasOwn(test, key)) delete renamed[key];
  return Object.keys(renamed).some((key) => renamed[key] !== test[key]) ? renamed : test;
}

/** `meta` with every test naming block `to` where it named `from`; the same `meta` when no test named it. */
export function renameNodeInTests(meta: DocumentHead["meta"], from: string, to: string): DocumentHead["meta"] {
  const { tests, notList } = testsOf(meta);
  if (notList || tests.length === 0) return meta;
  const renamed = tests.map((test) => renameNodeInTest(test, from, to));
  return renamed.some((test, i) => test !== tests[i]) ? withTests(meta, renamed) : meta;
}

// -- a test written as JSON ---------------------------------------------------------------------------------------

/**
 * A test's fields and `expect`'s checks: graph_engine/scenario_test_format.py's TEST_FIELDS and EXPECTATIONS, which
 * a test compares these with (a field added there and not here would be refused here). The hint listing them
 * (`tests.jsonHint`) also says what people get wrong: blocks are named by id, not by the label the canvas shows, and
 * `exits` takes the exit's name or `{"exit": ..., "set": {...}}`, the variables that exit guarantees (a forced block
 * sets none itself, and a test that does not give them is refused).
 */
export const TEST_FIELDS = [
  "name", "keys", "timed_keys", "caller_id", "caller_name", "dialed_number", "at", "variables", "data_rows",
  "transfers", "hangup_at", "hangup_in", "scheduler", "exits", "expect",
] as const;
export const EXPECTATIONS = ["path", "visits", "not_visits", "outcome", "variables", "said", "callbacks", "scheduled", "transfers"] as const;

/** What a new test written by hand starts as. */
export const NEW_TEST_EXAMPLE = { keys: ["1"], expect: { outcome: "hung_up" } };

/** How alike two names are, from 0 to 1: twice their longest common subsequence over their lengths (difflib's ratio, near enough). */
function likeness(a: string, b: string): number {
  if (a.length + b.length === 0) return 1;
  let row = new Array<number>(b.length + 1).fill(0);
  for (const char of a) {
    const next = [0];
    for (let j = 1; j <= b.length; j += 1) next.push(char === b[j - 1] ? row[j - 1]! + 1 : Math.max(row[j]!, next[j - 1]!));
    row = next;
  }
  return (2 * row[b.length]!) / (a.length + b.length);
}

/**
 * The name in `known` a misspelt or shortened `key` likely stands for, as the server guesses it
 * (scenario_test_format.likely_meant): one it begins ("data" for data_rows), else the closest in spelling ("kyes"
 * for keys) if close enough; null when none is.
 */
export function likelyMeant(key: string, known: readonly string[]): string | null {
  const lowered = key.toLowerCase();
  const begun = known.find((name) => lowered !== "" && name.startsWith(lowered));
  if (begun) return begun;
  let best: { name: string; score: number } | null = null;
  for (const name of known) {
    const score = likeness(lowered, name);
    if (score >= 0.6 && (!best || score > best.score)) best = { name, score };
  }
  return best?.name ?? null;
}

const UNKNOWN = {
  field: { alone: "tests.unknownField", meant: "tests.unknownFieldMeant" },
  expectation: { alone: "tests.unknownExpectation", meant: "tests.unknownExpectationMeant" },
} as const;

function unknownKey(what: keyof typeof UNKNOWN, key: string, known: readonly string[]): FieldProblem {
  const meant = likelyMeant(key, known);
  return meant ? { message: UNKNOWN[what].meant, params: { field: key, meant } } : { message: UNKNOWN[what].alone, params: { field: key } };
}

/**
 * A test typed as JSON, read to go into the list at `index` (null: a new one), or what keeps it out, each in words:
 * not JSON, not an object, no name or another test's, a field or an expectation the format does not know (with the
 * one it likely stands for). The shape of each field is the server's to check, when the test runs.
 */
export function readTestJson(text: string, tests: readonly ScenarioTest[], index: number | null): { test: Record<string, unknown> } | { problems: FieldProblem[] } {
  let test: unknown;
  try {
    test = JSON.parse(text) as unknown;
  } catch (error) {
    return { problems: [{ message: "test.notJson", params: { detail: error instanceof Error ? error.message : String(error) } }] };
  }
  if (!isRecord(test)) return { problems: [{ message: "tests.notAnObject" }] };
  const problems: FieldProblem[] = [];
  const named = nameProblem(typeof test.name === "string" ? test.name : "", tests, index);
  if (named) problems.push(named);
  for (const key of Object.keys(test)) {
    if (!(TEST_FIELDS as readonly string[]).includes(key)) problems.push(unknownKey("field", key, TEST_FIELDS));
  }
  if (test.expect !== undefined && !isRecord(test.expect)) problems.push({ message: "tests.expectNotObject" });
  if (isRecord(test.expect)) {
    for (const key of Object.keys(test.expect)) {
      if (!(EXPECTATIONS as readonly string[]).includes(key)) problems.push(unknownKey("expectation", key, EXPECTATIONS));
    }
  }
  return problems.length > 0 ? { problems } : { test: { ...test, name: (test.name as string).trim() } };
}

/** A test as the JSON field shows it. */
export const testJson = (test: ScenarioTest): string => JSON.stringify(test, null, 2);

// -- a run's outcomes ---------------------------------------------------------------------------------------------

/** A run of the tests: the list as sent, the server's outcome of each (in that order), and the change it was of. */
export interface TestsRun {
  tests: readonly ScenarioTest[];
  outcomes: readonly TestOutcome[];
  /** The editor's `changeSeq` when the run was asked for: an edit since may change the outcomes. */
  seq: number;
}

/**
 * Each test's outcome in `run`, or null for a test not run as it is now (added, renamed or rewritten since): a test
 * finds the outcome of the first test of the run written exactly as it is, so deleting or adding a test leaves the
 * others' outcomes where they belong.
 */
export function outcomesFor(tests: readonly ScenarioTest[], run: TestsRun | null): (TestOutcome | null)[] {
  if (!run) return tests.map(() => null);
  const used = new Set<number>();
  return tests.map((test) => {
    const found = run.tests.findIndex((ran, i) => !used.has(i) && i < run.outcomes.length && jsonEqual(ran, test));
    if (found < 0) return null;
    used.add(found);
    return run.outcomes[found] ?? null;
  });
}

export interface TestsCount {
  passed: number;
  failed: number;
  notRun: number;
}

export function countOutcomes(outcomes: readonly (TestOutcome | null)[]): TestsCount {
  return {
    passed: outcomes.filter((o) => o?.passed === true).length,
    failed: outcomes.filter((o) => o?.passed === false).length,
    notRun: outcomes.filter((o) => o === null).length,
  };
}

// -- a test call saved as a test ----------------------------------------------------------------------------------

/** What a test saved from a test call may expect, each from what the call did. */
export type ExpectationKind = "path" | "outcome" | "result" | "transfers" | "callbacks";

export interface OfferedExpectation {
  kind: ExpectationKind;
  /** What `expect` gets: `{path: [...]}`, `{variables: {result: ...}}`... */
  expect: Record<string, unknown>;
  /** What the call did, for the analyst to read beside the box. */
  shown: string;
}

/** The variable a scenario sets to say how the call went (the examples' and the call lists' `result`). */
export const RESULT_VARIABLE = "result";

function dialled(result: SimulateResult): string[] {
  return result.result.steps.flatMap((step) =>
    (step.events ?? []).filter((event) => event.kind === "transfer" && typeof event.target === "string").map((event) => event.target as string),
  );
}

/**
 * What a test call did, as the expectations a test saved from it may keep: its path (every block, those of a
 * scenario a Go To Scenario continued in too, as the server compares it), its outcome, the `result` variable when
 * the call set it (not when it is sensitive: the call shows it masked, and the test compares the real value), the
 * destinations it dialled and the callbacks it scheduled when there were any.
 */
export function offeredExpectations(result: SimulateResult, declared: readonly Variable[] = []): OfferedExpectation[] {
  const call = result.result;
  const path = call.steps.map((step) => step.node);
  const offered: OfferedExpectation[] = [
    { kind: "path", expect: { path }, shown: path.join(" → ") },
    { kind: "outcome", expect: { outcome: call.outcome }, shown: call.outcome },
  ];
  const value = call.variables?.[RESULT_VARIABLE];
  const sensitive = declared.some((variable) => variable.name === RESULT_VARIABLE && variable.sensitive === true);
  if (value !== undefined && value !== null && value !== "" && !sensitive) {
    offered.push({ kind: "result", expect: { variables: { [RESULT_VARIABLE]: value } }, shown: JSON.stringify(value) });
  }
  const targets = dialled(result);
  if (targets.length > 0) offered.push({ kind: "transfers", expect: { transfers: targets }, shown: targets.join(", ") });
  const callbacks = result.callbacks?.length ?? 0;
  if (callbacks > 0) offered.push({ kind: "callbacks", expect: { callbacks }, shown: String(callbacks) });
  return offered;
}

/**
 * A test of the call `request` made, expecting what `chosen` says. The caller ID is always written: a test without
 * one calls from a made-up number, where the test call had none. Declared variables at their defaults are left
 * out (the call starts with them anyway); keys, rows and transfers only when there were some.
 */
export function testFromCall(
  name: string,
  request: SimulateRequest,
  chosen: readonly OfferedExpectation[],
  declared: readonly Variable[] = [],
): Record<string, unknown> {
  const test: Record<string, unknown> = { name: name.trim() };
  if (request.keys && request.keys.length > 0) test.keys = [...request.keys];
  test.caller_id = request.caller_id ?? "";
  if (request.caller_name) test.caller_name = request.caller_name;
  if (request.at) test.at = request.at;
  const defaults = new Map(declared.filter((v) => Object.hasOwn(v, "default")).map((v) => [v.name, v.default]));
  const variables = Object.fromEntries(
    Object.entries(request.variables ?? {}).filter(([key, value]) => !(defaults.has(key) && jsonEqual(defaults.get(key), value))),
  );
  if (Object.keys(variables).length > 0) test.variables = variables;
  if (request.data_rows && Object.keys(request.data_rows).length > 0) test.data_rows = request.data_rows;
  if (request.transfers && request.transfers.length > 0) test.transfers = [...request.transfers];
  // The exits the call forced on plugin blocks, with the variables each set: the test repeats the same call.
  if (request.exits && Object.keys(request.exits).length > 0) test.exits = testExits(request.exits, request.set);
  test.expect = Object.assign({}, ...chosen.map((expectation) => expectation.expect)) as Record<string, unknown>;
  return test;
}
