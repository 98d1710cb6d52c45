/**
 * A recorded call's path drawn on the version it ran, in the draft's place (QA: the path of a call that ran v1 was lit
 * on a draft edited since, a block it went through missing and another's new name shown). The version is read-only,
 * and the draft comes back untouched: never saved over, its undo history not added to.
 */
import { beforeEach, describe, expect, it } from "vitest";
import catalogJson from "../lib/fixtures/catalog.json";
import type { BlockSpec } from "../lib/catalog";
import type { ScenarioDocument } from "../lib/convert";
import { useEditor } from "./editor";

const v1: ScenarioDocument = {
  format: "ivrgraph.scenario/1",
  name: "Debt reminder",
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
    { id: "menu", type: "ivr", label: "Pay menu", position: { x: 300, y: 0 }, config: { prompt: { text: "Hola" }, options: [{ key: "1" }, { key: "2" }] } },
    { id: "will_pay", type: "transfer", position: { x: 600, y: 0 }, config: { target: "101" } },
    { id: "thanks", type: "transfer", position: { x: 900, y: 0 }, config: { target: "102" } },
  ],
  edges: [
    { id: "start:next", source: "start", exit: "next", target: "menu" },
    { id: "menu:1", source: "menu", exit: "1", target: "will_pay" },
    { id: "will_pay:failed", source: "will_pay", exit: "failed", target: "thanks" },
  ],
};

/** The call that ran v1: through Thanks, the block the draft deleted since. */
const steps = [
  { node: "start", exit: "next" },
  { node: "menu", exit: "1" },
  { node: "will_pay", exit: "failed" },
  { node: "thanks", exit: "answered" },
];

const editor = () => useEditor.getState();

/** The draft as QA left it: Thanks deleted and the menu renamed, edits not saved yet. */
function editDraft(): void {
  editor().load("debt-reminder", structuredClone(v1), 3);
  editor().select("thanks");
  editor().deleteSelection();
  editor().updateNode("menu", { label: "Pay menu RENAMED" }, false);
}

beforeEach(() => {
  editor().setCatalog(catalogJson as unknown as BlockSpec[]);
  editor().setReadOnly(false);
  editDraft();
});

const labelOf = (id: string) => editor().nodes.find((n) => n.id === id)?.data.label;

describe("a call's path on the version it ran", () => {
  it("draws the version, read-only, with every step the call took lit, Thanks included", () => {
    editor().viewVersion(1, structuredClone(v1), steps, "c1");
    expect(editor().versionView).toMatchObject({ version: 1, callId: "c1" });
    expect(editor().readOnly).toBe(true);
    expect(editor().nodes.map((n) => n.id)).toContain("thanks");
    expect(labelOf("menu")).toBe("Pay menu");
    expect([...editor().highlight.edges].sort()).toEqual(["menu:1", "start:next", "will_pay:failed"]);
    expect(editor().highlight.last).toBe("thanks");
  });

  it("leaves the draft as the one saved, stashed and published: document(), history and save state untouched", () => {
    const before = { history: editor().history, changeSeq: editor().changeSeq, saveState: editor().saveState, document: editor().document() };
    editor().viewVersion(1, structuredClone(v1), steps, "c1");
    expect(editor().document()).toEqual(before.document);
    expect(editor().document().nodes.map((n) => n.id)).not.toContain("thanks");
    expect(editor()).toMatchObject({ history: before.history, changeSeq: before.changeSeq, saveState: "dirty" });
  });

  it("takes no edit, undo or redo while the version is shown", () => {
    const history = editor().history;
    editor().viewVersion(1, structuredClone(v1), steps, "c1");
    editor().updateNode("menu", { label: "Edited on the version" }, false);
    editor().undo();
    editor().undo();
    editor().select("thanks");
    editor().deleteSelection();
    expect(labelOf("menu")).toBe("Pay menu");
    expect(editor().nodes.map((n) => n.id)).toContain("thanks");
    expect(editor().history).toBe(history);
  });

  it("adds no block while the version is shown: no id for the palette to announce, the side panel left as it was", () => {
    editor().setPanel("calls");
    editor().viewVersion(1, structuredClone(v1), steps, "c1");
    const nodes = editor().nodes;
    expect(editor().addBlock("hangup", { x: 0, y: 900 })).toBeNull();
    expect(editor().nodes).toBe(nodes);
    expect(editor().panel).toBe("calls");
  });

  it("goes back to the draft as it was, editable, no path lit on it", () => {
    const history = editor().history;
    editor().viewVersion(1, structuredClone(v1), steps, "c1");
    editor().leaveVersion();
    expect(editor().versionView).toBeNull();
    expect(editor().readOnly).toBe(false);
    expect(labelOf("menu")).toBe("Pay menu RENAMED");
    expect(editor().nodes.map((n) => n.id)).not.toContain("thanks");
    expect(editor().highlight.edges.size).toBe(0);
    expect(editor().history).toBe(history);
    editor().undo();
    expect(labelOf("menu")).toBe("Pay menu");
  });

  it("comes back to the draft, not to a first version, when a second is shown over it", () => {
    editor().viewVersion(1, structuredClone(v1), steps, "c1");
    editor().viewVersion(2, { ...structuredClone(v1), name: "v2" }, steps.slice(0, 2), "c2");
    expect(editor().versionView).toMatchObject({ version: 2, callId: "c2" });
    editor().leaveVersion();
    expect(labelOf("menu")).toBe("Pay menu RENAMED");
    expect(editor().readOnly).toBe(false);
  });

  it("keeps a viewer's canvas read-only once back, and the role set meanwhile", () => {
    editor().setReadOnly(true);
    editor().viewVersion(1, structuredClone(v1), steps);
    editor().leaveVersion();
    expect(editor().readOnly).toBe(true);
    editor().setReadOnly(false);
    editor().viewVersion(1, structuredClone(v1), steps);
    editor().setReadOnly(true);
    expect(editor().readOnly).toBe(true);
    editor().leaveVersion();
    expect(editor().readOnly).toBe(true);
  });

  it("marks the draft's problems found meanwhile on the draft, not on the version", () => {
    editor().viewVersion(1, structuredClone(v1), steps);
    editor().setProblems([{ code: "unreachable", severity: "error", node: "will_pay", message: "x" }] as never, editor().changeSeq);
    expect(editor().problemMarks.size).toBe(0);
    editor().leaveVersion();
    expect(editor().problemMarks.get("will_pay")).toBe("error");
  });

  it("lighting a path on the draft (a test, a call of the same flow) leaves the version first", () => {
    editor().viewVersion(1, structuredClone(v1), steps);
    editor().showPath(steps.slice(0, 2));
    expect(editor().versionView).toBeNull();
    expect(labelOf("menu")).toBe("Pay menu RENAMED");
    expect([...editor().highlight.edges]).toEqual(["start:next"]);
  });

  it("a draft loaded (a rollback's reset, another scenario) ends the view", () => {
    editor().viewVersion(1, structuredClone(v1), steps);
    editor().load("debt-reminder", structuredClone(v1), 4);
    expect(editor().versionView).toBeNull();
    expect(editor().readOnly).toBe(false);
    expect(editor().document()).toEqual(v1);
  });

  it("a conflict is shown on the draft", () => {
    editor().viewVersion(1, structuredClone(v1), steps);
    editor().setConflict({ current_revision: 9, scenario_created_at: null, document: v1 } as never);
    expect(editor().versionView).toBeNull();
    expect(labelOf("menu")).toBe("Pay menu RENAMED");
  });
});
