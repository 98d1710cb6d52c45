import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import { SESSION_RENEWED } from "../lib/sessionEvents";
import { readStash } from "../lib/stash";
import { useEditor } from "../store/editor";
import { MemoryStorage, labelOf, pendingSave, transferDraft } from "../testSupport";
import { KEEPALIVE_DOCUMENT_BYTES, draftSaver, guardUnsavedEdits, savedOnLeaving, type DraftSaver } from "./draftSaver";
import { useRetryCountdown } from "./saveRetry";

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

  it("asks first while a save is on its way", () => {
    guardUnsavedEdits(saver, window);
    editor().updateNode("sales", { label: "Ventas rápidas" });
    pendingSave(saveDraft);
    void saver.save();
    const closing = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(closing);
    expect(closing.defaultPrevented).toBe(true);
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

describe("a save that fails for a while is tried again on its own", () => {
  const failure = (status: number, retryAfter: string | null = null) => new ApiError(status, null, status ? `HTTP ${status}` : "Failed to fetch", retryAfter);
  const tries = () => saveDraft.mock.calls.length;
  const sentLabel = (call: number) => labelOf(saveDraft.mock.calls[call]![2]);
  const secondsLeft = () => useRetryCountdown.getState().secondsLeft;
  let page: EventTarget & { visibilityState: DocumentVisibilityState };
  let release: () => void;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-03-02T10:00:00.250Z"));
    page = Object.assign(new EventTarget(), { visibilityState: "visible" as DocumentVisibilityState });
    release = guardUnsavedEdits(saver, window, page);
  });

  afterEach(async () => {
    saveDraft.mockResolvedValue({ revision: 99, problems: [] });
    release();
    await savedOnLeaving("menu");
    vi.useRealTimers();
  });

  it("waits 2 s, 4 s, 8 s... up to 30 s between tries, and says so, until the server takes it", async () => {
    editor().updateNode("sales", { label: "Ventas rápidas" });
    for (const status of [0, 503, 500, 502, 504, 0]) saveDraft.mockRejectedValueOnce(failure(status));
    await saver.save();
    expect(editor().saveState).toBe("error");
    expect(secondsLeft()).toBe(2);

    const waits: number[] = [];
    for (let failed = 1; failed < 6; failed++) {
      const before = tries();
      let waited = 0;
      while (tries() === before) {
        await vi.advanceTimersByTimeAsync(1000);
        waited += 1000;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([2000, 4000, 8000, 16000, 30000]);
    expect(secondsLeft()).toBe(30);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(secondsLeft()).toBe(1); // counted down as the time goes

    saveDraft.mockResolvedValueOnce({ revision: 8, problems: [] });
    await vi.advanceTimersByTimeAsync(1000);
    expect(tries()).toBe(7);
    expect([editor().saveState, editor().revision, secondsLeft()]).toEqual(["saved", 8, null]);
    expect(readStash(storage, "menu")).toBeNull();

    // Saved: nothing more is sent, and the next failure starts again from the first wait.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(tries()).toBe(7);
    editor().updateNode("sales", { label: "Ventas" });
    saveDraft.mockRejectedValueOnce(failure(503));
    await saver.save();
    expect(secondsLeft()).toBe(2);
  });

  it("sends the canvas as it is at each try, never the one that failed", async () => {
    editor().updateNode("sales", { label: "Ventas" });
    const server = pendingSave(saveDraft);
    const saving = saver.save();
    editor().updateNode("sales", { label: "Ventas rápidas" }); // typed while the first try is on its way
    server.fail(failure(503));
    await saving;
    expect(editor().saveState).toBe("error"); // the autosave waits on "dirty": only the retry will send this edit

    saveDraft.mockResolvedValueOnce({ revision: 8, problems: [] });
    await vi.advanceTimersByTimeAsync(2000);
    expect([sentLabel(0), sentLabel(1)]).toEqual(["Ventas", "Ventas rápidas"]);
    expect(saveDraft.mock.calls[1]![1]).toBe(7); // over the draft it was loaded as: the failed try saved nothing
    expect([editor().saveState, editor().revision]).toEqual(["saved", 8]);
  });

  it("does not try again behind a save made meanwhile (an edit's autosave, Save now)", async () => {
    editor().updateNode("sales", { label: "Ventas" });
    saveDraft.mockRejectedValueOnce(failure(503));
    await saver.save();
    editor().updateNode("sales", { label: "Ventas rápidas" });
    saveDraft.mockResolvedValueOnce({ revision: 8, problems: [] });
    await vi.advanceTimersByTimeAsync(800);
    await saver.save(); // the autosave of the new edit
    expect(secondsLeft()).toBeNull();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(tries()).toBe(2);
    expect(sentLabel(1)).toBe("Ventas rápidas");
  });

  it("waits as long as a 429 or a 503 asks (Retry-After), in seconds or as a date", async () => {
    editor().updateNode("sales", { label: "Ventas rápidas" });
    saveDraft.mockRejectedValueOnce(failure(429, "10"));
    await saver.save();
    expect(secondsLeft()).toBe(10);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(tries()).toBe(1);

    saveDraft.mockRejectedValueOnce(failure(503, new Date(Date.now() + 1 + 20_000).toUTCString()));
    await vi.advanceTimersByTimeAsync(1);
    expect(tries()).toBe(2);
    await vi.advanceTimersByTimeAsync(19_000);
    expect(tries()).toBe(2);
    saveDraft.mockResolvedValueOnce({ revision: 8, problems: [] });
    await vi.advanceTimersByTimeAsync(1_000);
    expect([tries(), editor().saveState]).toEqual([3, "saved"]);
  });

  it.each([
    [401, "error"],
    [403, "error"],
    [413, "error"],
    [422, "error"],
    [409, "conflict"],
  ] as const)("leaves a %i to the analyst: no try again", async (status, state) => {
    editor().updateNode("sales", { label: "Ventas rápidas" });
    const body = status === 409 ? { current_revision: 9, document, scenario_created_at: null } : null;
    saveDraft.mockRejectedValueOnce(new ApiError(status, body, `HTTP ${status}`));
    await saver.save();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect([tries(), editor().saveState, secondsLeft()]).toEqual([1, state, null]);
    page.dispatchEvent(new Event("visibilitychange"));
    window.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(0);
    expect(tries()).toBe(1);
  });

  it("sends the edits a 401 refused once someone signs in again over the page, and only those", async () => {
    editor().updateNode("sales", { label: "Ventas rápidas" });
    saveDraft.mockRejectedValueOnce(new ApiError(401, null, "HTTP 401"));
    await saver.save();
    expect([tries(), editor().saveState]).toEqual([1, "error"]);

    saveDraft.mockResolvedValueOnce({ revision: 8, problems: [] });
    window.dispatchEvent(new Event(SESSION_RENEWED));
    await vi.advanceTimersByTimeAsync(0);
    expect([tries(), sentLabel(1), editor().saveState, editor().revision]).toEqual([2, "Ventas rápidas", "saved", 8]);
    expect(readStash(storage, "menu")).toBeNull();

    window.dispatchEvent(new Event(SESSION_RENEWED)); // saved: a later sign-in sends nothing
    await vi.advanceTimersByTimeAsync(0);
    expect(tries()).toBe(2);
  });

  it("does not send again on sign-in what the server refused for another reason (422)", async () => {
    editor().updateNode("sales", { label: "Ventas rápidas" });
    saveDraft.mockRejectedValueOnce(new ApiError(422, null, "HTTP 422"));
    await saver.save();
    window.dispatchEvent(new Event(SESSION_RENEWED));
    await vi.advanceTimersByTimeAsync(0);
    expect([tries(), editor().saveState]).toEqual([1, "error"]);
  });

  it("tries at once when the browser is back online", async () => {
    editor().updateNode("sales", { label: "Ventas rápidas" });
    saveDraft.mockRejectedValueOnce(failure(0));
    await saver.save();
    saveDraft.mockResolvedValueOnce({ revision: 8, problems: [] });
    window.dispatchEvent(new Event("online"));
    await vi.advanceTimersByTimeAsync(0);
    expect([tries(), editor().saveState, secondsLeft()]).toEqual([2, "saved", null]);
  });

  it("tries at once when the tab is shown again, not when it is hidden", async () => {
    editor().updateNode("sales", { label: "Ventas rápidas" });
    saveDraft.mockRejectedValueOnce(failure(503));
    await saver.save();
    page.visibilityState = "hidden";
    page.dispatchEvent(new Event("visibilitychange"));
    await vi.advanceTimersByTimeAsync(0);
    expect(tries()).toBe(1);
    saveDraft.mockResolvedValueOnce({ revision: 8, problems: [] });
    page.visibilityState = "visible";
    page.dispatchEvent(new Event("visibilitychange"));
    await vi.advanceTimersByTimeAsync(0);
    expect([tries(), editor().saveState]).toEqual([2, "saved"]);
  });

  it("stops once the editor goes away: the save on the way out is the last try, the stash keeps the edits", async () => {
    editor().updateNode("sales", { label: "Ventas rápidas" });
    saveDraft.mockRejectedValue(failure(503));
    await saver.save();
    release();
    release = () => undefined;
    await savedOnLeaving("menu");
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect([tries(), secondsLeft()]).toEqual([2, null]);
    expect(labelOf(readStash(storage, "menu")?.document)).toBe("Ventas rápidas");
  });

  it("stops when another scenario was opened before the editor went away", async () => {
    editor().updateNode("sales", { label: "Ventas rápidas" });
    saveDraft.mockRejectedValueOnce(failure(503));
    await saver.save();
    editor().load("other", structuredClone(document), 3);
    release();
    release = () => undefined;
    expect(secondsLeft()).toBeNull(); // the other scenario's status is not told of this one's retry
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(tries()).toBe(1);
  });

  it("keeps asking before the tab closes while a try is waiting", async () => {
    editor().updateNode("sales", { label: "Ventas rápidas" });
    saveDraft.mockRejectedValueOnce(failure(503));
    await saver.save();
    const closing = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(closing);
    expect(closing.defaultPrevented).toBe(true);
  });
});

describe("the page going away a moment after an edit, before the autosave (no cleanup of the editor runs)", () => {
  let page: EventTarget & { visibilityState: DocumentVisibilityState };
  let release: () => void;

  beforeEach(() => {
    page = Object.assign(new EventTarget(), { visibilityState: "visible" as DocumentVisibilityState });
    release = guardUnsavedEdits(saver, window, page);
  });

  afterEach(async () => {
    saveDraft.mockResolvedValue({ revision: 99, problems: [] });
    release();
    await savedOnLeaving("menu");
  });

  it("saves the edit when the page is hidden away (the tab closed, a reload, another address), sent to outlive it", async () => {
    editor().updateNode("sales", { label: "Ventas rápidas" });
    const server = pendingSave(saveDraft);

    window.dispatchEvent(new Event("pagehide"));

    expect(saveDraft).toHaveBeenCalledTimes(1); // now, not when the autosave's timer would have gone
    const [slug, revision, sent, , options] = saveDraft.mock.calls[0]!;
    expect([slug, revision, labelOf(sent), options]).toEqual(["menu", 7, "Ventas rápidas", { keepalive: true }]);
    expect(labelOf(readStash(storage, "menu")?.document)).toBe("Ventas rápidas");
    server.answer({ revision: 8, problems: [] });
    await savedOnLeaving("menu");
    expect([editor().saveState, editor().revision]).toEqual(["saved", 8]);
    expect(readStash(storage, "menu")).toBeNull();
  });

  it("saves the edit when the tab is hidden: it may be closed with no other word", async () => {
    editor().updateNode("sales", { label: "Ventas rápidas" });
    saveDraft.mockResolvedValueOnce({ revision: 8, problems: [] });
    page.visibilityState = "hidden";
    page.dispatchEvent(new Event("visibilitychange"));
    expect(saveDraft).toHaveBeenCalledTimes(1);
    expect(saveDraft.mock.calls[0]![4]).toEqual({ keepalive: true });
    await savedOnLeaving("menu");
    expect(editor().saveState).toBe("saved");
  });

  it("sends nothing when everything is saved", () => {
    window.dispatchEvent(new Event("pagehide"));
    page.visibilityState = "hidden";
    page.dispatchEvent(new Event("visibilitychange"));
    expect(saveDraft).not.toHaveBeenCalled();
  });

  it("sends a draft too big for keepalive as any request, its edits kept in the stash", async () => {
    editor().updateNode("sales", { label: "Ventas rápidas", notes: "ё".repeat(KEEPALIVE_DOCUMENT_BYTES / 2 + 1) });
    saveDraft.mockResolvedValueOnce({ revision: 8, problems: [] });
    window.dispatchEvent(new Event("pagehide"));
    expect(saveDraft.mock.calls[0]![4]).toEqual({ keepalive: false });
    expect(labelOf(readStash(storage, "menu")?.document)).toBe("Ventas rápidas");
    await savedOnLeaving("menu");
  });
});

describe("every save small enough", () => {
  it("is sent keepalive, so one on its way when the page goes still lands", async () => {
    editor().updateNode("sales", { label: "Ventas" });
    saveDraft.mockResolvedValueOnce({ revision: 8, problems: [] });
    await saver.save();
    expect(saveDraft.mock.calls[0]![4]).toEqual({ keepalive: true });
  });
});
