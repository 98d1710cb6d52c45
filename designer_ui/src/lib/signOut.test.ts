import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import { draftSaver, guardUnsavedEdits } from "../components/draftSaver";
import { useEditor } from "../store/editor";
import { MemoryStorage, labelOf, pendingSave, transferDraft } from "../testSupport";
import type { BlockSpec } from "./catalog";
import catalogJson from "./fixtures/catalog.json";
import { readStash } from "./stash";
import { signOut } from "./signOut";

vi.mock("../api/client", () => ({ saveDraft: vi.fn(), logout: vi.fn() }));
const saveDraft = vi.mocked(api.saveDraft);
const logout = vi.mocked(api.logout);

const document = transferDraft;

const editor = () => useEditor.getState();

/** Let every promise that can settle do so. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

let storage: MemoryStorage;
let release: () => void;

beforeEach(() => {
  saveDraft.mockReset();
  logout.mockReset().mockResolvedValue(undefined);
  storage = new MemoryStorage();
  editor().setCatalog(catalogJson as unknown as BlockSpec[]);
  editor().load("menu", structuredClone(document), 7);
  release = guardUnsavedEdits(draftSaver("menu", storage), new EventTarget()); // the editor is open
});

afterEach(() => {
  vi.useRealTimers();
});

describe("signing out with an edit not saved yet", () => {
  it("saves the edit first, and ends the session only once the server has it", async () => {
    editor().updateNode("sales", { label: "Ventas rápidas" });
    const server = pendingSave(saveDraft);

    const signingOut = signOut();
    await settle();
    expect(saveDraft).toHaveBeenCalledTimes(1);
    expect(labelOf(saveDraft.mock.calls[0]![2])).toBe("Ventas rápidas");
    expect(logout).not.toHaveBeenCalled(); // the session is still there for the save

    server.answer({ revision: 8, problems: [] });
    await signingOut;
    expect(logout).toHaveBeenCalledTimes(1);
    expect(editor().saveState).toBe("saved");
    release(); // the editor goes away as the sign-in page comes: nothing left to save, no save after the session
    expect(saveDraft).toHaveBeenCalledTimes(1);
  });

  it("waits for a save already on its way out of an editor just left", async () => {
    editor().updateNode("sales", { label: "Ventas rápidas" });
    const server = pendingSave(saveDraft);
    release(); // back to the list: the save goes as the editor goes

    const signingOut = signOut();
    await settle();
    expect(logout).not.toHaveBeenCalled();
    server.answer({ revision: 8, problems: [] });
    await signingOut;
    expect(saveDraft).toHaveBeenCalledTimes(1);
    expect(logout).toHaveBeenCalledTimes(1);
  });

  it("does not wait long for a server that does not answer: signs out, the browser's copy keeping the edit", async () => {
    vi.useFakeTimers();
    editor().updateNode("sales", { label: "Ventas rápidas" });
    const server = pendingSave(saveDraft);

    let signedOut = false;
    const signingOut = signOut(3000).then(() => (signedOut = true));
    await vi.advanceTimersByTimeAsync(2999);
    expect(signedOut).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await signingOut;
    expect(logout).toHaveBeenCalledTimes(1);
    expect(labelOf(readStash(storage, "menu")?.document)).toBe("Ventas rápidas");

    server.fail(new Error("the server did not answer")); // so no later sign-out waits on it
    await vi.advanceTimersByTimeAsync(0);
  });
});

describe("signing out with everything saved", () => {
  it("ends the session at once, saving nothing", async () => {
    await signOut();
    expect(saveDraft).not.toHaveBeenCalled();
    expect(logout).toHaveBeenCalledTimes(1);
    release();
  });

  it("is signed out even when the server says the session had already ended", async () => {
    logout.mockRejectedValueOnce(new Error("HTTP 401"));
    await expect(signOut()).resolves.toBeUndefined();
  });
});
