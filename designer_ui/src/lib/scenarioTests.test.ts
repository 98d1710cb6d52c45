import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { SimulateRequest, SimulateResult, TestOutcome } from "../api/types";
import { useEditor } from "../store/editor";
import type { ScenarioDocument } from "./convert";
import {
  addTest,
  EXPECTATIONS,
  TEST_FIELDS,
  countOutcomes,
  deletionNow,
  freeName,
  likelyMeant,
  nameProblem,
  offeredExpectations,
  outcomesFor,
  readTestJson,
  removeTest,
  renameTest,
  replaceTest,
  testFromCall,
  testName,
  testsOf,
  untested,
  withTests,
  writeTests,
} from "./scenarioTests";

const PAYS = { name: "pays", keys: ["1"], expect: { outcome: "hung_up" } };
const REFUSES = { name: "refuses", keys: ["2"], expect: { variables: { result: "refused" } } };

describe("a scenario's tests in its document", () => {
  it("are meta.tests; none when it has no meta or no tests", () => {
    expect(testsOf({ tests: [PAYS] })).toEqual({ tests: [PAYS], notList: false });
    expect(testsOf(undefined)).toEqual({ tests: [], notList: false });
    expect(testsOf({ exported_from: { slug: "x" } })).toEqual({ tests: [], notList: false });
  });

  it("are said not to be a list when meta.tests is written as something else, never overwritten as an empty one", () => {
    expect(testsOf({ tests: { keys: ["1"] } })).toEqual({ tests: [], notList: true });
    expect(untested({ tests: { keys: ["1"] } })).toBe(false);
    expect(untested({ tests: [] })).toBe(true);
    expect(untested(undefined)).toBe(true);
    expect(untested({ tests: [PAYS] })).toBe(false);
  });

  it("are written back into meta beside what else it holds, the key gone with the last test", () => {
    const meta = { exported_from: { slug: "x" }, tests: [PAYS] };
    expect(withTests(meta, [PAYS, REFUSES])).toEqual({ exported_from: { slug: "x" }, tests: [PAYS, REFUSES] });
    expect(withTests(meta, [])).toEqual({ exported_from: { slug: "x" } });
    expect(withTests({ tests: [PAYS] }, [])).toBeUndefined();
    expect(withTests(undefined, [PAYS])).toEqual({ tests: [PAYS] });
  });

  it("are named by their name, else by their place from 1, as the server names their outcomes", () => {
    expect(testName(PAYS, 0)).toBe("pays");
    expect(testName({ keys: ["1"] }, 2)).toBe("test 3");
    expect(testName(7, 0)).toBe("test 1");
    expect(testName({ name: "" }, 1)).toBe("test 2");
  });
});

describe("editing the list of tests", () => {
  const tests = [PAYS, REFUSES];

  it("adds, removes, replaces and renames without changing the list it was given", () => {
    expect(addTest(tests, { name: "new" })).toEqual([PAYS, REFUSES, { name: "new" }]);
    expect(removeTest(tests, 0)).toEqual([REFUSES]);
    expect(replaceTest(tests, 1, { name: "other" })).toEqual([PAYS, { name: "other" }]);
    expect(renameTest(tests, 0, "pays in full")).toEqual([{ ...PAYS, name: "pays in full" }, REFUSES]);
    expect(tests).toEqual([PAYS, REFUSES]);
  });

  it("cannot name a test that is no object", () => {
    expect(renameTest([7, PAYS], 0, "seven")).toEqual([7, PAYS]);
  });

  it("refuses an empty name and another test's, but a test keeps its own", () => {
    expect(nameProblem("  ", tests, 0)).toEqual({ message: "tests.nameEmpty" });
    expect(nameProblem("refuses", tests, 0)).toEqual({ message: "tests.nameTaken", params: { name: "refuses" } });
    expect(nameProblem(" refuses ", tests, null)).toEqual({ message: "tests.nameTaken", params: { name: "refuses" } });
    expect(nameProblem("pays", tests, 0)).toBeNull();
    expect(nameProblem("pays later", tests, null)).toBeNull();
  });

  // Review: after a test was deleted and its Undo pressed, "Test … deleted." stayed though the test was back.
  it("tells a deletion still to undo from one undone, and from one another edit came after", () => {
    const tests = [PAYS, REFUSES];
    const deleted = { test: PAYS, index: 0, name: "pays", left: removeTest(tests, 0) };
    expect(deletionNow(deleted, [REFUSES])).toBe("pending");
    expect(deletionNow(deleted, structuredClone(tests))).toBe("restored");
    expect(deletionNow(deleted, [REFUSES, PAYS])).toBe("past");
    expect(deletionNow(deleted, [])).toBe("past");
    expect(deletionNow(deleted, renameTest([REFUSES], 0, "refuses politely"))).toBe("past");
  });

  it("suggests a name no test has", () => {
    expect(freeName("new test", tests)).toBe("new test");
    expect(freeName("pays", tests)).toBe("pays (2)");
    expect(freeName("pays", [...tests, { name: "pays (2)" }])).toBe("pays (3)");
  });
});

/** A tuple of names in graph_engine/scenario_test_format.py, as written there. */
function pythonNames(constant: string): string[] {
  const source = readFileSync(new URL("../../../graph_engine/scenario_test_format.py", import.meta.url), "utf8");
  const tuple = new RegExp(`^${constant}: Final = \\(([^)]*)\\)`, "m").exec(source)?.[1] ?? "";
  return [...tuple.matchAll(/"(\w+)"/g)].map((match) => match[1]!);
}

describe("a test written as JSON", () => {
  const tests = [PAYS, REFUSES];

  it("may have the fields and checks the engine's format knows, no others", () => {
    expect(pythonNames("TEST_FIELDS")).toContain("keys");
    expect([...TEST_FIELDS]).toEqual(pythonNames("TEST_FIELDS"));
    expect([...EXPECTATIONS]).toEqual(pythonNames("EXPECTATIONS"));
  });

  it("is read when it is an object with a name no other test has", () => {
    expect(readTestJson('{"name": " pays twice ", "keys": ["1", "1"]}', tests, null)).toEqual({ test: { name: "pays twice", keys: ["1", "1"] } });
    expect(readTestJson(JSON.stringify(PAYS), tests, 0)).toEqual({ test: PAYS });
  });

  it("that is not JSON says where", () => {
    const read = readTestJson('{"name": "x",}', tests, null);
    expect("problems" in read && read.problems[0]!.message).toBe("test.notJson");
  });

  it("that is no object, or has no name or another test's, says so", () => {
    expect(readTestJson("[1]", tests, null)).toEqual({ problems: [{ message: "tests.notAnObject" }] });
    expect(readTestJson('{"keys": []}', tests, null)).toEqual({ problems: [{ message: "tests.nameEmpty" }] });
    expect(readTestJson(JSON.stringify(PAYS), tests, 1)).toEqual({ problems: [{ message: "tests.nameTaken", params: { name: "pays" } }] });
  });

  it("names every field and check the format does not know, with the one it likely stands for", () => {
    const read = readTestJson('{"name": "typo", "kyes": ["1"], "input": {}, "data": {}, "expect": {"outcom": "hung_up", "foo": 1}}', tests, null);
    expect(read).toEqual({
      problems: [
        { message: "tests.unknownFieldMeant", params: { field: "kyes", meant: "keys" } },
        { message: "tests.unknownField", params: { field: "input" } },
        { message: "tests.unknownFieldMeant", params: { field: "data", meant: "data_rows" } },
        { message: "tests.unknownExpectationMeant", params: { field: "outcom", meant: "outcome" } },
        { message: "tests.unknownExpectation", params: { field: "foo" } },
      ],
    });
    expect(readTestJson('{"name": "x", "expect": ["hung_up"]}', tests, null)).toEqual({ problems: [{ message: "tests.expectNotObject" }] });
  });

  it("guesses the name meant as the server does: by its beginning, else by spelling", () => {
    expect(likelyMeant("Keys", ["keys", "at"])).toBe("keys");
    expect(likelyMeant("visit", ["path", "visits", "not_visits"])).toBe("visits");
    expect(likelyMeant("zzz", ["keys", "at"])).toBeNull();
  });
});

const outcome = (name: string, passed: boolean): TestOutcome => ({ name, passed, failures: passed ? [] : ["outcome was hung_up, expected transferred"], story: [], steps: [] });

describe("a run's outcomes, matched to the tests as they are now", () => {
  const run = { tests: [PAYS, REFUSES], outcomes: [outcome("pays", true), outcome("refuses", false)], seq: 3 };

  it("are each test's in order", () => {
    expect(outcomesFor([PAYS, REFUSES], run).map((o) => o?.passed)).toEqual([true, false]);
    expect(countOutcomes(outcomesFor([PAYS, REFUSES], run))).toEqual({ passed: 1, failed: 1, notRun: 0 });
  });

  it("stay with their test when another is deleted or added before it", () => {
    expect(outcomesFor([REFUSES], run).map((o) => o?.name)).toEqual(["refuses"]);
    expect(outcomesFor([{ name: "new" }, PAYS], run).map((o) => o?.name ?? null)).toEqual([null, "pays"]);
  });

  it("are none for a test changed since (renamed, rewritten): it has not run as it is", () => {
    const changed = [{ ...PAYS, keys: ["9"] }, REFUSES];
    expect(outcomesFor(changed, run).map((o) => o?.name ?? null)).toEqual([null, "refuses"]);
    expect(countOutcomes(outcomesFor(changed, run))).toEqual({ passed: 0, failed: 1, notRun: 1 });
    expect(outcomesFor([PAYS], null)).toEqual([null]);
  });

  it("go to one test each when two are written alike", () => {
    const twice = { tests: [PAYS, PAYS], outcomes: [outcome("pays", true), outcome("pays", false)], seq: 1 };
    expect(outcomesFor([PAYS, PAYS], twice).map((o) => o?.passed)).toEqual([true, false]);
  });
});

/** What the simulate route answered for a call that went to the menu, pressed 2 and was transferred. */
const call = (variables: Record<string, unknown>, extra: Partial<SimulateResult> = {}): SimulateResult => ({
  result: {
    outcome: "transferred",
    steps: [
      { node: "start", exit: "next", events: [{ kind: "answered" }] },
      { node: "menu", exit: "2", keys: "2" },
      { node: "sales", exit: "answered", events: [{ kind: "transfer", target: "queue:sales", outcome: "answered" }] },
    ],
    variables,
  },
  story: [],
  callbacks: [],
  ...extra,
});

const request: SimulateRequest = {
  document: undefined,
  keys: ["2"],
  caller_id: "",
  caller_name: "",
  at: "2026-11-23T10:00:00+01:00",
  transfers: [],
  variables: { debt_amount: 1234.5, greeting: "Hola" },
  data_rows: {},
};

describe("a test call saved as a test", () => {
  it("offers to expect its path, outcome, result variable and the numbers it dialled", () => {
    const offered = offeredExpectations(call({ result: "sold" }));
    expect(offered.map((o) => [o.kind, o.expect])).toEqual([
      ["path", { path: ["start", "menu", "sales"] }],
      ["outcome", { outcome: "transferred" }],
      ["result", { variables: { result: "sold" } }],
      ["transfers", { transfers: ["queue:sales"] }],
    ]);
  });

  it("offers no result when the call set none, nor when the variable is sensitive (the call shows it masked)", () => {
    expect(offeredExpectations(call({})).map((o) => o.kind)).not.toContain("result");
    expect(offeredExpectations(call({ result: "" })).map((o) => o.kind)).not.toContain("result");
    const masked = offeredExpectations(call({ result: "[hidden: 4 characters]" }), [{ name: "result", sensitive: true }]);
    expect(masked.map((o) => o.kind)).not.toContain("result");
  });

  it("offers the callbacks scheduled, and the whole path when a Go To Scenario continued elsewhere", () => {
    const elsewhere = call({}, { callbacks: [{ number: "+34600111222" }] });
    elsewhere.result.steps.push({ node: "start", exit: "next", scenario: "Other" });
    const offered = offeredExpectations(elsewhere);
    expect(offered.find((o) => o.kind === "callbacks")?.expect).toEqual({ callbacks: 1 });
    expect(offered[0]!.expect).toEqual({ path: ["start", "menu", "sales", "start"] });
  });

  it("repeats the call's inputs and expects what was ticked", () => {
    const offered = offeredExpectations(call({ result: "sold" }));
    const chosen = offered.filter((o) => o.kind === "outcome" || o.kind === "result");
    const declared = [{ name: "greeting", default: "Hola" }, { name: "debt_amount", type: "number" as const }];
    expect(testFromCall(" sells ", request, chosen, declared)).toEqual({
      name: "sells",
      keys: ["2"],
      // No caller ID in the test call: written, or the test would call from the format's made-up number.
      caller_id: "",
      at: "2026-11-23T10:00:00+01:00",
      // greeting is at its declared default: the call starts with it anyway.
      variables: { debt_amount: 1234.5 },
      expect: { outcome: "transferred", variables: { result: "sold" } },
    });
  });

  it("keeps the caller, the rows and the transfers when the call had them", () => {
    const full = { ...request, keys: [], caller_id: "+34600111222", caller_name: "Ana", transfers: ["busy"], data_rows: { crm: [{ name: "Ana" }] } };
    const test = testFromCall("busy line", full, offeredExpectations(call({})).slice(0, 1));
    expect(test).toEqual({
      name: "busy line",
      caller_id: "+34600111222",
      caller_name: "Ana",
      at: "2026-11-23T10:00:00+01:00",
      variables: { debt_amount: 1234.5, greeting: "Hola" },
      data_rows: { crm: [{ name: "Ana" }] },
      transfers: ["busy"],
      expect: { path: ["start", "menu", "sales"] },
    });
  });
});

describe("a change of the tests in the editor", () => {
  const draft: ScenarioDocument = {
    format: "ivrgraph.scenario/1",
    name: "Menu",
    nodes: [{ id: "start", type: "start", position: { x: 0, y: 0 }, config: {} }],
    edges: [],
    meta: { exported_from: { slug: "menu" }, tests: [PAYS] },
  };
  const editor = () => useEditor.getState();

  it("is an edit of the draft: in the document saved, to be saved, undone and redone as one step", () => {
    editor().load("menu", draft, 4);
    const seq = editor().changeSeq;

    writeTests(editor(), addTest(testsOf(editor().head.meta).tests, REFUSES));
    writeTests(editor(), renameTest(testsOf(editor().head.meta).tests, 1, "refuses politely"));

    expect(editor().document().meta).toEqual({ exported_from: { slug: "menu" }, tests: [PAYS, { ...REFUSES, name: "refuses politely" }] });
    expect(editor().saveState).toBe("dirty");
    expect(editor().changeSeq).toBe(seq + 2);
    editor().undo();
    expect(editor().document().meta?.tests).toEqual([PAYS, REFUSES]);
    editor().undo();
    expect(editor().document().meta).toEqual(draft.meta);
    editor().redo();
    expect(editor().document().meta?.tests).toEqual([PAYS, REFUSES]);
  });

  it("is refused for a viewer, as every edit is", () => {
    editor().load("menu", draft, 4);
    editor().setReadOnly(true);
    try {
      writeTests(editor(), []);
      expect(editor().document().meta).toEqual(draft.meta);
    } finally {
      editor().setReadOnly(false);
    }
  });
});
