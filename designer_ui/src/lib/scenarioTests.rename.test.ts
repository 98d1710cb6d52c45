import { beforeEach, describe, expect, it } from "vitest";
import { useEditor } from "../store/editor";
import type { BlockSpec } from "./catalog";
import type { ScenarioDocument } from "./convert";
import catalogJson from "./fixtures/catalog.json";
import { renameNodeInTest, renameNodeInTests } from "./scenarioTests";

// Every field of a test that names a block of its scenario (graph_engine/scenario_test_format.py,
// scenario_test_reach.py): expect.path, visits and not_visits, exits, hangup_in, data_rows' `#id`.
const NAMES_IT = {
  name: "operator busy",
  keys: ["0"],
  hangup_in: "transfer_4",
  transfers: ["busy"],
  exits: { transfer_4: "busy", sms: { exit: "failed", set: {} } },
  data_rows: { crm: [{ name: "Ana" }], "#transfer_4": [], "#other": [] },
  expect: {
    path: ["start", "menu", "transfer_4", "hangup"],
    visits: ["transfer_4"],
    not_visits: ["transfer_3", "inbound-hotline:transfer_4"],
    outcome: "hung_up",
    transfers: ["transfer_4"],
  },
};

describe("a block renamed, in a scenario's tests", () => {
  it("is renamed wherever a test names it by id: its path, visits, a forced exit, the hang-up point, its rows", () => {
    expect(renameNodeInTest(NAMES_IT, "transfer_4", "operator")).toEqual({
      name: "operator busy",
      keys: ["0"],
      hangup_in: "operator",
      transfers: ["busy"],
      exits: { operator: "busy", sms: { exit: "failed", set: {} } },
      data_rows: { crm: [{ name: "Ana" }], "#operator": [], "#other": [] },
      expect: {
        path: ["start", "menu", "operator", "hangup"],
        visits: ["operator"],
        // Another scenario's block of the same id is that scenario's; a destination dialled is no block.
        not_visits: ["transfer_3", "inbound-hotline:transfer_4"],
        outcome: "hung_up",
        transfers: ["transfer_4"],
      },
    });
  });

  it("keeps the order of a test's exits and rows, and gives the block renamed the place of a stale name", () => {
    const test = { exits: { a: "x", old: "y", b: "z", new: "stale" }, expect: { outcome: "hung_up" } };
    const renamed = renameNodeInTest(test, "old", "new") as typeof test;
    expect(Object.entries(renamed.exits)).toEqual([["a", "x"], ["new", "y"], ["b", "z"]]);
  });

  it("leaves a test that does not name it, or is written in another shape, as it is: the same object", () => {
    const other = { name: "other", expect: { path: ["start", "menu"] } };
    expect(renameNodeInTest(other, "transfer_4", "operator")).toBe(other);
    const handWritten = { hangup_in: 3, exits: ["transfer_4"], data_rows: "transfer_4", expect: { path: "transfer_4" } };
    expect(renameNodeInTest(handWritten, "transfer_4", "operator")).toBe(handWritten);
    expect(renameNodeInTest(7, "transfer_4", "operator")).toBe(7);
    expect(renameNodeInTest({ name: "no expect" }, "a", "b")).not.toHaveProperty("exits");
  });

  it("is renamed in every test of meta, the rest of meta kept; the same meta when no test names it", () => {
    const meta = { exported_from: { slug: "x" }, tests: [NAMES_IT, { name: "other", expect: { outcome: "hung_up" } }] };
    const renamed = renameNodeInTests(meta, "transfer_4", "operator");
    expect(renamed?.exported_from).toEqual({ slug: "x" });
    expect((renamed?.tests as { hangup_in?: string }[]).map((test) => test.hangup_in)).toEqual(["operator", undefined]);
    expect((renamed?.tests as unknown[])[1]).toBe(meta.tests[1]);
    expect(renameNodeInTests(meta, "nowhere", "operator")).toBe(meta);
    expect(renameNodeInTests(undefined, "transfer_4", "operator")).toBeUndefined();
    // meta.tests written as no list is the run's to refuse, never rewritten here.
    const notList = { tests: { transfer_4: 1 } };
    expect(renameNodeInTests(notList, "transfer_4", "operator")).toBe(notList);
  });
});

describe("renaming a block in the editor", () => {
  const tested = { name: "operator", keys: ["0"], expect: { path: ["start", "menu", "sales"] } };
  const draft: ScenarioDocument = {
    format: "ivrgraph.scenario/1",
    name: "Menu",
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
      { id: "menu", type: "ivr", position: { x: 300, y: 0 }, config: { prompt: { text: "Hola" }, options: [{ key: "1" }] } },
      { id: "sales", type: "transfer", position: { x: 600, y: 0 }, config: { target: "101" } },
    ],
    edges: [
      { id: "start:next", source: "start", exit: "next", target: "menu" },
      { id: "menu:1", source: "menu", exit: "1", target: "sales" },
    ],
    meta: { tests: [tested] },
  };
  const editor = () => useEditor.getState();

  beforeEach(() => {
    editor().setCatalog(catalogJson as unknown as BlockSpec[]);
    editor().load("menu", structuredClone(draft), 3);
  });

  it("renames it in the scenario's tests too, in the same edit: one undo puts back the block and the tests", () => {
    const seq = editor().changeSeq;
    expect(editor().renameNode("sales", "operator")).toBe(true);
    expect(editor().document().meta?.tests).toEqual([{ ...tested, expect: { path: ["start", "menu", "operator"] } }]);
    expect(editor().changeSeq).toBe(seq + 1);
    editor().undo();
    expect(editor().document()).toEqual(draft);
    editor().redo();
    expect(editor().nodes.map((n) => n.id)).toContain("operator");
    expect(editor().document().meta?.tests).toEqual([{ ...tested, expect: { path: ["start", "menu", "operator"] } }]);
  });

  it("leaves the tests as they are when none names the block", () => {
    editor().load("menu", { ...structuredClone(draft), meta: { tests: [{ name: "ends", expect: { outcome: "hung_up" } }] } }, 3);
    const meta = editor().head.meta;
    editor().renameNode("sales", "operator");
    expect(editor().head.meta).toBe(meta);
  });
});
