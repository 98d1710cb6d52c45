import { describe, expect, it } from "vitest";
import catalogJson from "./fixtures/catalog.json";
import { catalogFrom, type BlockSpec } from "./catalog";
import type { BlockNode, ExitEdge } from "./convert";
import {
  connect,
  connectionRefusal,
  copySelection,
  freshId,
  newBlockNode,
  orphanEdges,
  pasteClipboard,
  removeNodes,
} from "./graph";

const catalog = catalogFrom(catalogJson as unknown as BlockSpec[]);

function node(id: string, blockType: string, config: Record<string, unknown> = {}, selected = false): BlockNode {
  return { id, type: "block", position: { x: 0, y: 0 }, data: { blockType, config }, selected };
}

const nodes = [
  node("start", "start"),
  node("menu", "ivr", { options: [{ key: "1" }, { key: "2" }] }),
  node("sales", "transfer", { target: "101" }),
  node("support", "transfer", { target: "102" }),
];
const edges: ExitEdge[] = [
  { id: "start:next", source: "start", sourceHandle: "next", target: "menu" },
  { id: "menu:1", source: "menu", sourceHandle: "1", target: "sales" },
];
const link = (source: string, sourceHandle: string, target: string) => ({ source, sourceHandle, target, targetHandle: null });

describe("connectionRefusal", () => {
  it("allows a free exit into a block", () => {
    expect(connectionRefusal(link("menu", "2", "support"), nodes, edges, catalog)).toBeNull();
    expect(connectionRefusal(link("menu", "error", "support"), nodes, edges, catalog)).toBeNull();
  });
  it("refuses a second edge on the same exit", () => {
    expect(connectionRefusal(link("menu", "1", "support"), nodes, edges, catalog)).toBe("exit_taken");
  });
  it("refuses an exit the config does not have", () => {
    expect(connectionRefusal(link("menu", "9", "support"), nodes, edges, catalog)).toBe("unknown_exit");
  });
  it("refuses connecting into Start and to missing nodes", () => {
    expect(connectionRefusal(link("menu", "2", "start"), nodes, edges, catalog)).toBe("into_entry");
    expect(connectionRefusal(link("menu", "2", "ghost"), nodes, edges, catalog)).toBe("missing_node");
  });
  it("keeps exits of an uninstalled block type that are already wired", () => {
    const plugin = node("p", "acme.crm", {});
    const wired: ExitEdge[] = [{ id: "p:found", source: "p", sourceHandle: "found", target: "sales" }];
    expect(connectionRefusal(link("p", "error", "support"), [...nodes, plugin], wired, catalog)).toBeNull();
    expect(connectionRefusal(link("p", "other", "support"), [...nodes, plugin], wired, catalog)).toBe("unknown_exit");
  });
});

describe("graph edits", () => {
  it("connect names the edge after its exit", () => {
    expect(connect(link("menu", "2", "support"), edges).at(-1)).toEqual({
      id: "menu:2",
      source: "menu",
      sourceHandle: "2",
      target: "support",
    });
  });

  it("finds edges whose exit disappeared from the config", () => {
    const edited = nodes.map((n) => (n.id === "menu" ? node("menu", "ivr", { options: [{ key: "2" }] }) : n));
    expect(orphanEdges(edited, edges, catalog).map((e) => e.id)).toEqual(["menu:1"]);
    expect(orphanEdges(nodes, edges, catalog)).toEqual([]);
  });

  it("gives readable fresh ids", () => {
    expect(freshId("ivr", new Set())).toBe("ivr");
    expect(freshId("ivr", new Set(["ivr", "ivr_2"]))).toBe("ivr_3");
    expect(freshId("a b/c", new Set())).toBe("a_b_c");
  });

  it("new blocks start with their schema defaults", () => {
    const ivr = newBlockNode(catalog.get("ivr")!, { x: 5, y: 6 }, new Set(["ivr"]));
    expect(ivr.id).toBe("ivr_2");
    expect(ivr.data).toMatchObject({ blockType: "ivr", version: 1, config: { mode: "menu", options: [], timeout: 5 } });
    expect(ivr.data.label).toBeUndefined();
  });

  it("copy and paste keeps inner edges, renames nodes and drops edges leaving the selection", () => {
    const clip = copySelection(nodes, edges, new Set(["menu", "sales"]));
    expect(clip.edges.map((e) => e.id)).toEqual(["menu:1"]);
    const pasted = pasteClipboard(clip, new Set(nodes.map((n) => n.id)));
    expect(pasted.nodes.map((n) => n.id)).toEqual(["menu_2", "sales_2"]);
    expect(pasted.edges).toEqual([{ id: "menu_2:1", source: "menu_2", sourceHandle: "1", target: "sales_2" }]);
    expect(pasted.nodes[0]!.position).toEqual({ x: 40, y: 40 });
    // The clipboard is a copy: editing the paste does not touch the original.
    (pasted.nodes[0]!.data.config.options as unknown[]).push({ key: "9" });
    expect((nodes[1]!.data.config.options as unknown[]).length).toBe(2);
  });

  it("removing nodes removes every edge touching them", () => {
    const left = removeNodes(nodes, edges, new Set(["menu"]));
    expect(left.nodes.map((n) => n.id)).toEqual(["start", "sales", "support"]);
    expect(left.edges).toEqual([]);
  });
});
