import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { BlockSpec } from "../lib/catalog";
import type { ScenarioDocument } from "../lib/convert";
import catalogJson from "../lib/fixtures/catalog.json";
import { problemsStatus } from "../lib/problems";
import { useEditor } from "../store/editor";
import { MemoryStorage, labelOf, pendingSave, transferDraft } from "../testSupport";
import { draftSaver } from "./draftSaver";
import { CHECK_DELAY_MS, RETRY_MAX_MS, RETRY_MS, problemChecker, type ProblemChecker } from "./problemChecker";

vi.mock("../api/client", () => ({ saveDraft: vi.fn(), validate: vi.fn() }));
const saveDraft = vi.mocked(api.saveDraft);

const editor = () => useEditor.getState();
const status = () => problemsStatus(editor().changeSeq, editor().problemsSeq, editor().checkFailed);
const shown = () => editor().problems.map((p) => p.message);
const problem = (message: string) => ({ severity: "error" as const, code: "schema", message, node: "sales", path: "$.nodes[1].config.target" });

/** One POST /validate the test answers when it likes: the server busy while the analyst goes on editing. */
interface Request {
  label: string | undefined;
  signal: AbortSignal;
  answer(messages: string[]): Promise<void>;
  fail(error: Error): Promise<void>;
}

let requests: Request[];
let checker: ProblemChecker;

/** Let the answered request's promise chain run to its end. */
const settle = async () => void (await vi.advanceTimersByTimeAsync(0));

beforeEach(() => {
  vi.useFakeTimers();
  saveDraft.mockReset();
  requests = [];
  editor().setCatalog(catalogJson as unknown as BlockSpec[]);
  editor().load("menu", structuredClone(transferDraft), 7);
  checker = problemChecker("menu", (_slug: string, document: ScenarioDocument, signal: AbortSignal) => {
    return new Promise((resolve, reject) => {
      requests.push({
        label: labelOf(document),
        signal,
        answer: (messages) => (resolve({ problems: messages.map(problem) }), settle()),
        fail: (error) => (reject(error), settle()),
      });
    });
  });
});

afterEach(() => {
  checker.stop();
  vi.useRealTimers();
});

/** An edit of the canvas, as useDraftSync hands it on: the store's change, then the check scheduled. */
function edit(label: string): void {
  editor().updateNode("sales", { label }, false);
  checker.schedule();
}

describe("the problems panel follows the canvas, unsaved", () => {
  it("checks the canvas as it is a moment after the last edit, once for a word typed", async () => {
    edit("V");
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS - 100);
    edit("Ve");
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS - 100);
    edit("Ventas");
    expect(status()).toBe("checking"); // from the edit on, not only once the request is sent
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS);
    expect(requests.map((r) => r.label)).toEqual(["Ventas"]);
    expect(status()).toBe("checking");
    await requests[0]!.answer(["Destination is required"]);
    expect(shown()).toEqual(["Destination is required"]);
    expect(status()).toBe("current");
    expect(saveDraft).not.toHaveBeenCalled(); // nothing was saved for it
  });

  it("drops the check in flight when the canvas changes: an older answer landing last never overwrites a newer one", async () => {
    edit("Ventas");
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS);
    const older = requests[0]!;
    edit("Ventas rápidas");
    expect(older.signal.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS);
    const newer = requests[1]!;
    expect(newer.label).toBe("Ventas rápidas");
    await newer.answer(["of the newer canvas"]);
    await older.answer(["of the older canvas"]); // a server that answered anyway, late
    expect(shown()).toEqual(["of the newer canvas"]);
    expect(status()).toBe("current");
  });

  it("keeps a check of a later edit over a save's answer of the canvas before it, whichever lands last", async () => {
    const saver = draftSaver("menu", new MemoryStorage());
    edit("Ventas");
    const server = pendingSave(saveDraft);
    const saving = saver.save(); // the autosave of "Ventas", slow to answer
    edit("Ventas rápidas");
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS);
    await requests.at(-1)!.answer(["of the newer canvas"]);
    server.answer({ revision: 8, problems: [problem("of the saved canvas")] });
    await saving;
    expect(shown()).toEqual(["of the newer canvas"]);
    expect(status()).toBe("current");
  });

  it("when the server does not answer, keeps the last problems, says they may be out of date, and tries again", async () => {
    checker.schedule(); // the editor opens: its canvas is checked
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS);
    await requests[0]!.answer(["Destination is required"]);
    edit("Ventas");
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS);
    await requests[1]!.fail(new ApiError(0, null, "Failed to fetch"));
    expect(shown()).toEqual(["Destination is required"]);
    expect(status()).toBe("stale");
    edit("Ventas rápidas"); // editing goes on meanwhile, and is still told as maybe out of date
    expect(editor().nodes.find((n) => n.id === "sales")?.data.label).toBe("Ventas rápidas");
    expect(status()).toBe("stale");
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS);
    await requests[2]!.fail(new ApiError(503, null, "HTTP 503"));
    await vi.advanceTimersByTimeAsync(RETRY_MS * 2 - 1);
    expect(requests).toHaveLength(3); // waits longer after each failure
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(4);
    await requests[3]!.answer([]);
    expect(shown()).toEqual([]);
    expect(status()).toBe("current");
    expect(editor().checkFailed).toBe(false);
  });

  it("never waits longer than RETRY_MAX_MS between tries", async () => {
    const down = new ApiError(0, null, "Failed to fetch");
    checker.schedule();
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS);
    for (let i = 0; i < 6; i++) {
      await requests.at(-1)!.fail(down);
      await vi.advanceTimersByTimeAsync(RETRY_MAX_MS);
    }
    expect(requests).toHaveLength(7); // every wait so far within the longest
    await requests.at(-1)!.fail(down);
    await vi.advanceTimersByTimeAsync(RETRY_MAX_MS - 1);
    expect(requests).toHaveLength(7);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(8);
  });

  it("shows what a refused document names (422 with problems) as its problems", async () => {
    checker.schedule();
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS);
    await requests[0]!.fail(new ApiError(422, { problems: [{ path: "$.name", message: "text cut in the middle of a character" }] }, "HTTP 422"));
    expect(shown()).toEqual(["text cut in the middle of a character"]);
    expect(status()).toBe("current");
  });

  it("leaves nothing waiting or in flight once the editor goes away", async () => {
    edit("Ventas");
    checker.stop();
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS * 2);
    expect(requests).toHaveLength(0);
    checker.schedule();
    await vi.advanceTimersByTimeAsync(CHECK_DELAY_MS);
    checker.stop();
    expect(requests[0]!.signal.aborted).toBe(true);
    await requests[0]!.answer(["late"]);
    expect(shown()).toEqual([]);
  });

  it("says nothing about a canvas before its first answer", () => {
    expect(editor().problemsSeq).toBeNull();
    expect(status()).toBe("checking");
  });
});
