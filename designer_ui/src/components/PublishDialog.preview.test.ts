// Review (an analyst migrating from Twilio Studio): the publish dialog showed what changed only after publishing,
// and a changed SQL query only as "field Query changed". The draft's changes against the live version are now shown
// before the Publish button, a long text (a query, a TTS text) as it was and as it is, a long list folded.
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import type { DraftPin, ScenarioDetail } from "../api/types";
import { translator } from "../lib/i18n";
import { PublishDialog, PublishPreview, loadPublishPreview, type PublishPreviewState } from "./PublishDialog";
import { buttonTexts, decodeEntities, renderInLanguage, renderToHtml, visibleText } from "./renderForTest";

vi.mock("../api/client", () => ({ publish: vi.fn(), getScenario: vi.fn(), versionChanges: vi.fn() }));
const getScenario = vi.mocked(api.getScenario);
const versionChanges = vi.mocked(api.versionChanges);

const t = translator("en");
const pin = { revision: 7 } as unknown as DraftPin;
const before = "SELECT balance\nFROM debts\nWHERE phone = :caller\nLIMIT 1";
const after = "SELECT balance\nFROM debts\nWHERE phone = :caller\nLIMIT 3";
const queryChange = {
  kind: "block_changed",
  node: "debt",
  label: "Find the debt",
  type: "sql_query",
  fields: ["query", "timeout"],
  values: [{ field: "timeout", before: 5, after: 8 }],
  texts: [{ field: "query", before, after }],
};
const diff = { empty: false, changes: [queryChange], summary: ['block "Find the debt" (sql_query) changed: query, timeout'] };
const shown: PublishPreviewState = { status: "changes", version: 4, diff };

beforeEach(() => {
  getScenario.mockReset();
  versionChanges.mockReset();
});

describe("the publish dialog before Publish is pressed", () => {
  it("has a place for the draft's changes, above the Publish button", () => {
    const html = renderToHtml(PublishDialog, { slug: "debts", name: "Debts", beforePublish: async () => pin, onConflict: () => undefined, onClose: () => undefined });
    const preview = html.indexOf('data-testid="publish-preview"');
    expect(preview).toBeGreaterThan(-1);
    expect(preview).toBeLessThan(html.indexOf('type="submit"'));
    expect(visibleText(html)).toContain("Comparing the draft with the live version…");
  });

  it("shows them under a heading naming the live version", () => {
    const html = renderToHtml(PublishPreview, { preview: shown });
    expect(html).toMatch(/<h3[^>]*>Changes to publish, against live version 4<\/h3>/);
    expect(html).toContain('aria-labelledby="');
    expect(visibleText(html)).toContain("“timeout”: “5” → “8”");
  });

  it("shows a changed query's old and new text, not only that it changed", () => {
    const html = decodeEntities(renderToHtml(PublishPreview, { preview: shown }));
    expect(html).toMatch(/<dt>“query” before<\/dt><dd><pre[^>]*>SELECT balance\nFROM debts\nWHERE phone = :caller\n<del>LIMIT 1<\/del><\/pre><\/dd>/);
    expect(html).toMatch(/<dt>“query” after<\/dt><dd><pre[^>]*>SELECT balance\nFROM debts\nWHERE phone = :caller\n<ins>LIMIT 3<\/ins><\/pre><\/dd>/);
  });

  it("says a side without the text is not set", () => {
    const cleared = { ...diff, changes: [{ ...queryChange, texts: [{ field: "query", before, after: null }] }] };
    const html = renderToHtml(PublishPreview, { preview: { status: "changes", version: 4, diff: cleared } });
    expect(visibleText(html)).toContain("“query” after not set");
  });

  it("folds a long list of changes, with a button to show them all", () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ kind: "setting_changed", field: `f${i}` }));
    const html = renderToHtml(PublishPreview, { preview: { status: "changes", version: 4, diff: { empty: false, changes: many, summary: [] } } });
    expect(html.match(/<li>/g)).toHaveLength(8);
    expect(buttonTexts(html)).toEqual(["Show all 12 changes"]);
    expect(html).toContain('aria-expanded="false"');
  });

  it("says when nothing is live yet, and when nothing changed", () => {
    expect(visibleText(renderToHtml(PublishPreview, { preview: { status: "first" } }))).toContain("Nothing is live yet: this publish makes the first version.");
    expect(visibleText(renderToHtml(PublishPreview, { preview: { status: "changes", version: 4, diff: { empty: true, changes: [], summary: [] } } }))).toContain(
      "No changes.",
    );
  });

  it("is worded in every interface language", () => {
    const es = visibleText(renderInLanguage("es", PublishPreview, { preview: shown }));
    expect(es).toContain("Cambios a publicar, respecto a la versión publicada 4");
    expect(es).toContain("«query» antes");
    const ru = visibleText(renderInLanguage("ru", PublishPreview, { preview: shown }));
    expect(ru).toContain("Что будет опубликовано: изменения относительно действующей версии 4");
    expect(ru).toContain("«query» — было");
  });
});

describe("loading the draft's changes", () => {
  it("saves the canvas, then compares the draft with the live version", async () => {
    const saved = vi.fn(async () => pin);
    getScenario.mockResolvedValue({ latest_version: 4 } as ScenarioDetail);
    versionChanges.mockResolvedValue({ from_version: 4, to_version: null, diff });
    expect(await loadPublishPreview("debts", saved, t)).toEqual(shown);
    expect(saved).toHaveBeenCalledOnce();
    expect(versionChanges).toHaveBeenCalledWith("debts", 4, null);
  });

  it("says a first publish is one, without asking for a diff", async () => {
    getScenario.mockResolvedValue({ latest_version: null } as ScenarioDetail);
    expect(await loadPublishPreview("debts", async () => pin, t)).toEqual({ status: "first" });
    expect(versionChanges).not.toHaveBeenCalled();
  });

  it("says why when the draft could not be saved or compared", async () => {
    expect(await loadPublishPreview("debts", async () => null, t)).toEqual({ status: "failed", message: t("publish.previewNotSaved") });
    getScenario.mockRejectedValue(new Error("offline"));
    expect(await loadPublishPreview("debts", async () => pin, t)).toEqual({ status: "failed", message: "Something went wrong: offline" });
  });
});
