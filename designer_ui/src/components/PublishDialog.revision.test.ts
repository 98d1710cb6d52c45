import { beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { Conflict, PublishResult } from "../api/types";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import { translator } from "../lib/i18n";
import { readStash } from "../lib/stash";
import { useEditor } from "../store/editor";
import { MemoryStorage, labelOf, pendingSave, transferDraft } from "../testSupport";
import { draftSaver } from "./draftSaver";
import { publishFailureText, publishSaved } from "./PublishDialog";

vi.mock("../api/client", () => ({ saveDraft: vi.fn(), publish: vi.fn() }));
const saveDraft = vi.mocked(api.saveDraft);
const publish = vi.mocked(api.publish);

const editor = () => useEditor.getState();
const CREATED = "2026-12-01T08:00:00.123456Z";
const REBORN = "2026-12-05T09:30:00.654321Z";

const published = { version: { number: 1 }, diff: {}, tests: [], problems: [] } as unknown as PublishResult;

/** What the server answers when the draft has moved on: a save's 409, with the draft there is now. */
function staleAnswer(revision: number, createdAt: string, name: string): ApiError {
  const body = {
    type: "https://ivrgraph.dev/problems/stale-revision",
    status: 409,
    detail: "the draft of 'menu' was changed by someone else (now at revision 3); reload it and apply your change again",
    current_revision: revision,
    scenario_created_at: createdAt,
    document: { ...transferDraft, name },
  };
  return new ApiError(409, body, body.detail);
}

let storage: MemoryStorage;

beforeEach(() => {
  saveDraft.mockReset();
  publish.mockReset();
  storage = new MemoryStorage();
  editor().setCatalog(catalogJson as unknown as BlockSpec[]);
  editor().load("menu", structuredClone(transferDraft), 1, CREATED);
});

describe("publishing from the editor", () => {
  it("sends the revision its save returned, and the scenario it was opened from", async () => {
    editor().updateNode("sales", { label: "Reviewed" });
    saveDraft.mockResolvedValueOnce({ revision: 2, problems: [] });
    publish.mockResolvedValueOnce(published);
    const saver = draftSaver("menu", storage);
    const beforePublish = async () => ((await saver.save()) ? editor().pin() : null);

    const outcome = await publishSaved("menu", "Ana: reviewed text", beforePublish, editor().setConflict);

    expect(outcome).toEqual({ kind: "published", result: published });
    expect(saveDraft.mock.calls[0]!.slice(0, 2)).toEqual(["menu", 1]);
    expect(saveDraft.mock.calls[0]![3]).toBe(CREATED);
    expect(publish).toHaveBeenCalledWith("menu", "Ana: reviewed text", { revision: 2, scenarioCreatedAt: CREATED });
  });

  it("opens the save conflict's view when a colleague saved after that revision, instead of publishing theirs", async () => {
    const refusal = staleAnswer(3, CREATED, "Bob's");
    publish.mockRejectedValueOnce(refusal);

    const outcome = await publishSaved("menu", "Ana", async () => editor().pin(), editor().setConflict);

    expect(outcome).toEqual({ kind: "stale", error: refusal });
    expect(editor().saveState).toBe("conflict");
    expect(editor().conflict).toMatchObject({ current_revision: 3, scenario_created_at: CREATED, document: { name: "Bob's" } });
  });

  it("publishes nothing when the draft could not be saved first", async () => {
    const outcome = await publishSaved("menu", "Ana", async () => null, editor().setConflict);
    expect(outcome).toEqual({ kind: "not-saved" });
    expect(publish).not.toHaveBeenCalled();
  });

  it("says, in every interface language, that nothing was published and the other draft is shown", () => {
    const refusal = staleAnswer(3, CREATED, "Bob's");
    const english = publishFailureText(translator("en"), refusal);
    expect(english).toContain("Not published");
    expect(english).toContain("revision 3");
    for (const language of ["es", "ru"] as const) {
      const text = publishFailureText(translator(language), refusal);
      expect(text).toContain("3");
      expect(text).not.toContain("{revision}");
      expect(text).not.toBe(english);
    }
  });
});

describe("a conflict with a scenario deleted and created again", () => {
  it("keeping either draft adopts the new scenario's stamp, so the next save is not refused again", () => {
    editor().setConflict(staleAnswer(1, REBORN, "Bob's import").body as Conflict);
    editor().keepMine();
    expect(editor().pin()).toEqual({ revision: 1, scenarioCreatedAt: REBORN });
    expect(editor()).toMatchObject({ conflict: null, saveState: "dirty" });

    editor().load("menu", structuredClone(transferDraft), 1, CREATED);
    const conflict = staleAnswer(1, REBORN, "Bob's import").body as Conflict;
    editor().setConflict(conflict);
    editor().replaceDocument(conflict.document, conflict.current_revision, conflict.scenario_created_at);
    expect(editor().pin()).toEqual({ revision: 1, scenarioCreatedAt: REBORN });
  });

  it("a browser's copy names the scenario its edits were made on, and restoring it saves against that one", async () => {
    editor().updateNode("sales", { label: "Old tab" });
    const saver = draftSaver("menu", storage);
    saver.stash();
    expect(readStash(storage, "menu")).toMatchObject({ revision: 1, scenarioCreatedAt: CREATED });

    // The scenario is deleted and imported again; the copy is offered on top of the new one.
    editor().load("menu", structuredClone(transferDraft), 1, REBORN);
    const stash = readStash(storage, "menu")!;
    editor().restoreUnsaved(stash.document, stash.revision, stash.scenarioCreatedAt);
    const server = pendingSave(saveDraft);
    const saving = saver.save();
    expect(saveDraft.mock.calls[0]![1]).toBe(1);
    expect(labelOf(saveDraft.mock.calls[0]![2])).toBe("Old tab");
    expect(saveDraft.mock.calls[0]![3]).toBe(CREATED);
    server.fail(staleAnswer(1, REBORN, "Bob's import"));
    expect(await saving).toBe(false);
    expect(editor().saveState).toBe("conflict");
  });
});
