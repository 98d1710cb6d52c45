import { beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import { readStash } from "../lib/stash";
import { useEditor } from "../store/editor";
import { MemoryStorage, labelOf, pendingSave, transferDraft } from "../testSupport";
import { draftSaver, guardUnsavedEdits, savedOnLeaving, type DraftSaver } from "./draftSaver";

vi.mock("../api/client", () => ({ saveDraft: vi.fn() }));
const saveDraft = vi.mocked(api.saveDraft);

const document = transferDraft;

const editor = () => useEditor.getState();

let storage: MemoryStorage;
let saver: DraftSaver;
let window: EventTarget;

beforeEach(() => {
  saveDraft.mockReset();
  storage = new MemoryStorage();
  window = new EventTarget();
  editor().setCatalog(catalogJson as unknown as BlockSpec[]);
  editor().load("menu", structuredClone(document), 7);
  saver = draftSaver("menu", storage);
});

describe("leaving the editor a moment after an edit, before the autosave", () => {
  it("saves the edit on the way out, keeping the browser's copy until the server has it", async () => {
    const release = guardUnsavedEdits(saver, window);
    editor().updateNode("sales", { label: "Ventas rápidas" });
    expect(editor().saveState).toBe("dirty");
    const server = pendingSave(saveDraft);

    release(); // the editor unmounts: no address change reaches it, its autosave timer is gone

    expect(saveDraft).toHaveBeenCalledTimes(1);
    const [slug, revision, sent] = saveDraft.mock.calls[0]!;
    expect([slug, revision, labelOf(sent)]).toEqual(["menu", 7, "Ventas rápidas"]);
    expect(labelOf(readStash(storage, "menu")?.document)).toBe("Ventas rápidas");

    server.answer({ revision: 8, problems: [] });
    await savedOnLeaving("menu");
    expect(readStash(storage, "menu")).toBeNull();
  });

  it("keeps the copy, to offer it back on return, when that save fails", async () => {
    const release = guardUnsavedEdits(saver, window);
    editor().updateNode("sales", { label: "Ventas rápidas" });
    const server = pendingSave(saveDraft);
    release();
    server.fail(new ApiError(0, null, "the server did not answer"));
    await savedOnLeaving("menu");
    expect(labelOf(readStash(storage, "menu")?.document)).toBe("Ventas rápidas");
  });

  it("opening the scenario again waits until that save has landed", async () => {
    const release = guardUnsavedEdits(saver, window);
    editor().updateNode("sales", { label: "Ventas rápidas" });
    const server = pendingSave(saveDraft);
    release();
    let loaded = false;
    const reopening = savedOnLeaving("menu").then(() => (loaded = true));
    await Promise.resolve();
    expect(loaded).toBe(false);
    server.answer({ revision: 8, problems: [] });
    await reopening;
    expect(loaded).toBe(true);
  });

  it("leaves nothing to do when everything is saved", async () => {
    guardUnsavedEdits(saver, window)();
    expect(saveDraft).not.toHaveBeenCalled();
    expect(storage.items.size).toBe(0);
    await expect(savedOnLeaving("menu")).resolves.toBeUndefined();
  });
});

describe("closing the tab with unsaved edits", () => {
  it("asks first and keeps the browser's copy", () => {
    guardUnsavedEdits(saver, window);
    editor().updateNode("sales", { label: "Ventas rápidas" });
    const closing = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(closing);
    expect(closing.defaultPrevented).toBe(true);
    expect(labelOf(readStash(storage, "menu")?.document)).toBe("Ventas rápidas");
  });

  it("lets the tab close without asking when everything is saved", () => {
    guardUnsavedEdits(saver, window);
    const closing = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(closing);
    expect(closing.defaultPrevented).toBe(false);
    expect(storage.items.size).toBe(0);
  });
});

describe("the problems a save answers with", () => {
  const problem = (message: string) => ({ severity: "error" as const, code: "schema", message, node: "sales", path: "$" });

  it("are of the canvas it sent: the live check of a later edit, answered first, is not overwritten", async () => {
    editor().updateNode("sales", { label: "Ventas" });
    const server = pendingSave(saveDraft);
    const saving = saver.save();
    editor().updateNode("sales", { label: "Ventas rápidas" }, false);
    editor().setProblems([problem("of the newer canvas")], editor().changeSeq); // problemChecker's answer
    server.answer({ revision: 8, problems: [problem("of the saved canvas")] });
    await saving;
    expect(editor().problems.map((p) => p.message)).toEqual(["of the newer canvas"]);
    expect(editor().problemsSeq).toBe(editor().changeSeq);
  });

  it("are shown when nothing newer was found meanwhile", async () => {
    editor().updateNode("sales", { label: "Ventas" });
    const server = pendingSave(saveDraft);
    const saving = saver.save();
    server.answer({ revision: 8, problems: [problem("of the saved canvas")] });
    await saving;
    expect(editor().problems.map((p) => p.message)).toEqual(["of the saved canvas"]);
  });
});
