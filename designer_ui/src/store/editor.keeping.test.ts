/**
 * What edits keep: the connections of exits that go away for a moment, the blocks a config names when one is
 * renamed, the block selected across undo, and the analyst's later edits when edits kept before a reload come back.
 */
import { beforeEach, describe, expect, it } from "vitest";
import catalogJson from "../lib/fixtures/catalog.json";
import type { BlockSpec } from "../lib/catalog";
import type { ScenarioDocument } from "../lib/convert";
import { useEditor } from "./editor";

const menuConfig = {
  prompt: { text: "Departments" },
  options: [{ key: "1" }, { key: "2" }, { key: "3" }, { key: "0" }],
};

/** The inbound hotline's "Departments" menu: four keys and "too many tries" wired. */
const hotline: ScenarioDocument = {
  format: "ivrgraph.scenario/1",
  name: "Inbound hotline",
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
    { id: "departments", type: "ivr", position: { x: 300, y: 0 }, config: menuConfig },
    { id: "sales", type: "transfer", position: { x: 600, y: 0 }, config: { target: "101" } },
    { id: "support", type: "transfer", position: { x: 600, y: 150 }, config: { target: "102" } },
    { id: "billing", type: "transfer", position: { x: 600, y: 300 }, config: { target: "103" } },
    { id: "operator", type: "transfer", position: { x: 600, y: 450 }, config: { target: "100" } },
    { id: "bye", type: "hangup", position: { x: 600, y: 600 }, config: {} },
    { id: "back", type: "goto", position: { x: 900, y: 0 }, config: { target: "departments" } },
  ],
  edges: [
    { id: "start:next", source: "start", exit: "next", target: "departments" },
    { id: "departments:1", source: "departments", exit: "1", target: "sales" },
    { source: "departments", exit: "2", target: "support" },
    { id: "departments:3", source: "departments", exit: "3", target: "billing" },
    { id: "departments:0", source: "departments", exit: "0", target: "operator" },
    { id: "departments:max_tries", source: "departments", exit: "max_tries", target: "bye" },
  ],
};

const editor = () => useEditor.getState();
const wiring = () => editor().edges.map((e) => `${e.source}:${e.sourceHandle}->${e.target}`);
const setMenu = (patch: Record<string, unknown>, coalesce = false) =>
  editor().updateNode("departments", { config: { ...menuConfig, ...patch } }, coalesce);
const sorted = (edges: ScenarioDocument["edges"]) => [...edges].sort((a, b) => `${a.source}:${a.exit}`.localeCompare(`${b.source}:${b.exit}`));
const withKeys = (...keys: string[]) => ({ options: keys.map((key) => ({ key })) });

beforeEach(() => {
  editor().setCatalog(catalogJson as unknown as BlockSpec[]);
  editor().load("hotline", structuredClone(hotline), 1);
});

describe("the connections of exits a config change takes away", () => {
  it("come back with the exits: an IVR switched to capture and back to menu keeps its keys' connections", () => {
    setMenu({ mode: "capture" });
    // While in capture mode the keys are no exits: neither drawn nor saved.
    expect(wiring()).toEqual(["start:next->departments", "departments:max_tries->bye"]);
    expect(editor().document().edges.map((e) => e.exit)).toEqual(["next", "max_tries"]);

    setMenu({ mode: "menu" });
    const { nodes, edges, ...head } = editor().document();
    expect(head).toEqual({ format: hotline.format, name: hotline.name });
    expect(nodes.find((n) => n.id === "departments")!.config).toEqual({ ...menuConfig, mode: "menu" });
    // The same connections, written as they were (an edge without an id stays without one), if not in that order.
    expect(sorted(edges)).toEqual(sorted(hotline.edges));
  });

  it("retyping a key (3, 4, 3) keeps that key's connection", () => {
    setMenu(withKeys("1", "2", "4", "0"), true);
    expect(wiring()).not.toContain("departments:3->billing");
    setMenu(withKeys("1", "2", "", "0"), true);
    setMenu(withKeys("1", "2", "3", "0"), true);
    expect(wiring()).toContain("departments:3->billing");
    expect(sorted(editor().document().edges)).toEqual(sorted(hotline.edges));
  });

  it("undo and redo go through the same states, and an exit back after a redo still gets its connection", () => {
    setMenu({ mode: "capture" });
    editor().undo();
    expect(editor().document()).toEqual(hotline);
    editor().redo();
    expect(wiring()).toEqual(["start:next->departments", "departments:max_tries->bye"]);
    setMenu({ mode: "menu" });
    expect(wiring()).toContain("departments:1->sales");
    editor().undo();
    expect(wiring()).not.toContain("departments:1->sales");
  });

  it("a connection to a block deleted meanwhile does not come back; one to a renamed block follows it", () => {
    setMenu({ mode: "capture" });
    editor().select("sales");
    editor().deleteSelection();
    editor().renameNode("support", "helpdesk");
    // A new block taking the deleted one's id is not the block the key went to.
    editor().addBlock("hangup", { x: 0, y: 900 });
    editor().renameNode(editor().nodes.at(-1)!.id, "sales");
    setMenu({ mode: "menu" });
    expect(wiring()).not.toContain("departments:1->sales");
    expect(wiring()).toContain("departments:2->helpdesk");
  });

  it("an exit wired anew while its old connection was kept keeps the new one", () => {
    setMenu(withKeys("1", "2", "0"));
    setMenu(withKeys("1", "2", "0", "3"));
    expect(wiring()).toContain("departments:3->billing");
    setMenu(withKeys("1", "2", "0"));
    setMenu(withKeys("1", "2", "0", "3"));
    editor().setExitTarget("departments", "3", "operator");
    setMenu(withKeys("1", "2", "0"));
    setMenu(withKeys("1", "2", "0", "3"));
    expect(wiring()).toContain("departments:3->operator");
  });

  it("are forgotten when another document is opened", () => {
    setMenu({ mode: "capture" });
    editor().load("hotline", structuredClone(hotline), 2);
    editor().updateNode("departments", { config: { ...menuConfig, mode: "capture" } }, false);
    editor().load("hotline", { ...structuredClone(hotline), edges: [] }, 3);
    setMenu({ mode: "menu" });
    expect(editor().edges).toEqual([]);
  });
});

describe("renaming a block", () => {
  it("rewrites the Go To that jumps to it, in the same undo step", () => {
    expect(editor().renameNode("departments", "main_menu")).toBe(true);
    expect(editor().nodes.find((n) => n.id === "back")!.data.config).toEqual({ target: "main_menu" });
    editor().undo();
    expect(editor().document()).toEqual(hotline);
  });

  it("finds the references from the block's schema (x-ui widget node), at any depth, and only there", () => {
    const router: BlockSpec = {
      ...(catalogJson as unknown as BlockSpec[]).find((s) => s.type === "goto")!,
      type: "router",
      config_schema: {
        type: "object",
        properties: {
          routes: {
            type: "array",
            items: {
              type: "object",
              properties: {
                when: { type: "string", "x-ui": { widget: "expression" } },
                block: { type: "string", "x-ui": { widget: "node" } },
              },
            },
          },
          otherwise: { oneOf: [{ type: "string", "x-ui": { widget: "node" } }, { type: "null" }] },
          note: { type: "string" },
        },
      },
    };
    editor().setCatalog([...(catalogJson as unknown as BlockSpec[]), router]);
    const config = {
      routes: [
        { when: "sales", block: "sales" },
        { when: "x", block: "support" },
      ],
      otherwise: "sales",
      note: "sales",
    };
    editor().load("hotline", { ...structuredClone(hotline), nodes: [...structuredClone(hotline.nodes), { id: "r", type: "router", position: { x: 0, y: 0 }, config }] }, 1);
    editor().renameNode("sales", "ventas");
    expect(editor().nodes.find((n) => n.id === "r")!.data.config).toEqual({
      routes: [
        { when: "sales", block: "ventas" },
        { when: "x", block: "support" },
      ],
      otherwise: "ventas",
      note: "sales",
    });
  });
});

describe("the selected block across undo and redo", () => {
  it("stays selected: undoing an edit of its form does not close the form", () => {
    editor().updateNode("sales", { label: "Ventas" }, false);
    editor().select("sales");
    editor().undo();
    expect(editor().nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["sales"]);
    expect(editor().nodes.find((n) => n.id === "sales")!.data.label).toBeUndefined();
    editor().redo();
    expect(editor().nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["sales"]);
  });

  it("is cleared when the undo takes the block away", () => {
    editor().addBlock("hangup", { x: 0, y: 900 });
    editor().undo();
    expect(editor().nodes.filter((n) => n.selected)).toEqual([]);
    editor().redo();
    // Nothing was selected when redone: the block comes back unselected rather than reopening a form.
    expect(editor().nodes.filter((n) => n.selected)).toEqual([]);
  });
});

describe("restoring edits kept before a reload, after this tab saved newer ones", () => {
  /** What the browser kept before the reload: a label on "sales", at the revision loaded (1). */
  const kept = (): ScenarioDocument => ({
    ...structuredClone(hotline),
    nodes: hotline.nodes.map((n) => (n.id === "sales" ? { ...n, label: "Kept before reloading" } : n)),
  });

  function editAndSave(): void {
    editor().updateNode("support", { label: "Later" }, false);
    editor().saved(2, editor().changeSeq);
  }

  it("never replaces the later edits: both are offered, as from this browser, against the revision saved here", () => {
    editAndSave();
    editor().restoreUnsaved(kept(), 1);
    expect(editor().nodes.find((n) => n.id === "support")!.data.label).toBe("Later");
    expect(editor().revision).toBe(2);
    expect(editor().conflict).toMatchObject({ current_revision: 2, document: kept(), kept: true });
    expect(editor().saveState).toBe("conflict");
  });

  it("taking the kept edits puts them on the canvas as an undoable edit saved over this tab's revision", () => {
    editAndSave();
    editor().restoreUnsaved(kept(), 1);
    editor().takeTheirs();
    expect(editor()).toMatchObject({ conflict: null, saveState: "dirty", revision: 2 });
    expect(editor().document()).toEqual(kept());
    editor().undo();
    expect(editor().nodes.find((n) => n.id === "support")!.data.label).toBe("Later");
  });

  it("keeping the later edits leaves the canvas and its revision as they are", () => {
    editAndSave();
    editor().restoreUnsaved(kept(), 1);
    const before = editor().document();
    editor().keepMine();
    expect(editor()).toMatchObject({ conflict: null, revision: 2 });
    expect(editor().document()).toEqual(before);
  });

  it("a save landing while the choice is open does not end it", () => {
    editor().updateNode("support", { label: "Later" }, false);
    const seq = editor().changeSeq;
    editor().restoreUnsaved(kept(), 1);
    editor().saved(2, seq);
    expect(editor().saveState).toBe("conflict");
    editor().keepMine();
    expect(editor()).toMatchObject({ conflict: null, revision: 2 });
  });

  it("offers nothing when the kept edits are what is on the canvas already", () => {
    editor().updateNode("sales", { label: "Kept before reloading" }, false);
    editor().saved(2, editor().changeSeq);
    editor().restoreUnsaved(kept(), 1);
    expect(editor()).toMatchObject({ conflict: null, saveState: "saved", revision: 2 });
  });

  it("without edits here since the load, restores them as before (the server names any conflict)", () => {
    editor().restoreUnsaved(kept(), 1);
    expect(editor()).toMatchObject({ conflict: null, saveState: "dirty", revision: 1 });
    expect(editor().document()).toEqual(kept());
  });
});
