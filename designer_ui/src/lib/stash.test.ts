import { describe, expect, it } from "vitest";
import type { ScenarioDocument } from "./convert";
import { MemoryStorage } from "../testSupport";
import { clearStash, readStash, stashKey, stashToOffer, writeStash } from "./stash";

const doc = (name: string): ScenarioDocument => ({ format: "ivrgraph.scenario/1", name, nodes: [], edges: [] });

describe("unsaved-draft stash", () => {
  it("keeps a copy per scenario and reads it back", () => {
    const store = new MemoryStorage();
    writeStash(store, "menu", doc("mine"), { revision: 4, scenarioCreatedAt: null }, new Date("2026-01-05T10:00:00Z"));
    expect(readStash(store, "menu")).toEqual({ document: doc("mine"), revision: 4, savedAt: "2026-01-05T10:00:00.000Z" });
    expect(readStash(store, "other")).toBeNull();
    clearStash(store, "menu");
    expect(readStash(store, "menu")).toBeNull();
  });

  it("offers the copy only when it differs from the server's draft, and forgets an identical one", () => {
    const store = new MemoryStorage();
    writeStash(store, "menu", doc("mine"), { revision: 4, scenarioCreatedAt: null });
    expect(stashToOffer(store, "menu", doc("server"))?.document.name).toBe("mine");
    expect(stashToOffer(store, "menu", doc("mine"))).toBeNull();
    expect(store.items.has(stashKey("menu"))).toBe(false);
  });

  it("ignores garbage and survives a storage that throws", () => {
    const store = new MemoryStorage();
    store.setItem(stashKey("menu"), "{not json");
    expect(readStash(store, "menu")).toBeNull();
    store.setItem(stashKey("menu"), JSON.stringify({ document: { nodes: "x" }, revision: 1 }));
    expect(readStash(store, "menu")).toBeNull();
    const broken = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("quota");
      },
      removeItem: () => {
        throw new Error("denied");
      },
    };
    expect(() => writeStash(broken, "menu", doc("x"), { revision: 1, scenarioCreatedAt: null })).not.toThrow();
    expect(readStash(broken, "menu")).toBeNull();
    expect(() => clearStash(broken, "menu")).not.toThrow();
  });
});
