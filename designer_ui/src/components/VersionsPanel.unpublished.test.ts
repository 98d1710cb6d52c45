// Accessibility review (keyboard + screen reader, en/es/ru): with an unpublished edit in the draft, the rollback
// confirmation read only "Version 1 will be published again…", "Also reset the draft to version 1" ticked outside
// its description, the focus on "Roll back to v1": Enter discarded the edit unannounced. Now the description says
// the changes will be discarded and what the option does, and the focus starts on Cancel.
import { beforeEach, describe, expect, it, vi } from "vitest";

const post = vi.hoisted(() => vi.fn());
vi.mock("openapi-fetch", () => ({ default: () => ({ use: () => undefined, GET: vi.fn(), POST: post }) }));

import type { PublishResult } from "../api/types";
import type { ScenarioDocument } from "../lib/convert";
import { translator } from "../lib/i18n";
import { transferDraft } from "../testSupport";
import { answering } from "./confirmForTest";
import { draftWorkLost, rollBackIfConfirmed } from "./VersionsPanel";

const t = translator("en");
const published = { version: { number: 5 }, diff: {}, tests: [], problems: [], draft_reset: { revision: 8, replaced_revision: 7 } } as unknown as PublishResult;
const answered = (data: unknown) => ({ data, response: new Response(null, { status: 200 }) });
const pinDraft = async () => ({ revision: 7, scenarioCreatedAt: "2026-03-01T08:00:00Z" });
const edited: ScenarioDocument = { ...transferDraft, nodes: transferDraft.nodes.map((n) => (n.id === "sales" ? { ...n, label: "Ventas" } : n)) };
const older: ScenarioDocument = { ...transferDraft, nodes: transferDraft.nodes.map((n) => (n.id === "sales" ? { ...n, label: "Old" } : n)) };
/** The markup of the dialog's description, and the button that has the focus first. */
const described = (html: string) => {
  const id = /aria-describedby="([^"]+)"/.exec(html)![1]!;
  return new RegExp(`<div id="${id}"[^>]*>(.*?)</div>`, "s").exec(html)![1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
};
const firstFocus = (html: string) => /<button[^>]*data-initial-focus=""[^>]*>(.*?)<\/button>/.exec(html)?.[1];

beforeEach(() => post.mockReset());

describe("whether resetting the draft discards unpublished work", () => {
  it("does when the draft is neither the live version nor the one restored", () => {
    expect(draftWorkLost(edited, transferDraft, older)).toBe(true);
  });

  it("does not when the draft is the live version, or already the one restored", () => {
    expect(draftWorkLost(transferDraft, transferDraft, older)).toBe(false);
    expect(draftWorkLost(older, transferDraft, older)).toBe(false);
  });
});

describe("a rollback that would discard unpublished changes", () => {
  it("says so in its description, with what the option does, and starts on Cancel", async () => {
    post.mockResolvedValueOnce(answered(published));
    const asked = answering([true]);
    await rollBackIfConfirmed(t, "hotline", 1, asked.confirm, pinDraft, true);
    const html = asked.shown[0]!;
    expect(described(html)).toContain("Your unpublished changes to the draft will be discarded");
    expect(described(html)).toContain("Also reset the draft to version 1");
    expect(firstFocus(html)).toBe("Cancel");
    expect(html).toContain('class="danger confirm"');
    expect(html).toContain(">Roll back to v1</button>"); // e2e clicks it by this name
    expect(html).toMatch(/<input type="checkbox"[^>]*aria-describedby="[^"]+"[^>]*checked=""/);
  });

  it("is said in Spanish and Russian too, without a missing parameter", async () => {
    for (const language of ["es", "ru"] as const) {
      const asked = answering([false], language);
      await rollBackIfConfirmed(translator(language), "hotline", 1, asked.confirm, pinDraft, true);
      const text = described(asked.shown[0]!);
      expect(text).not.toMatch(/\{\w+\}/);
      expect(text).toContain(translator(language)("versions.resetDraft", { version: 1 }));
    }
  });
});

describe("a rollback with nothing to lose", () => {
  it("stays as it was: focus on the action, the option explained in the description", async () => {
    const asked = answering([false]);
    await rollBackIfConfirmed(t, "hotline", 1, asked.confirm, pinDraft, false);
    const html = asked.shown[0]!;
    expect(described(html)).not.toContain("discarded");
    expect(described(html)).toContain("Version 1 will be published again");
    expect(described(html)).toContain("Also reset the draft to version 1");
    expect(firstFocus(html)).toBe("Roll back to v1");
  });
});
