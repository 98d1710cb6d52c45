import { beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { ScenarioSummary } from "../api/types";
import { importChosenFile, importScenarioBundle, importScenarioFile, importSlug, isBundle, takenSlugOf } from "./importScenario";

vi.mock("../api/client", () => ({ listScenarios: vi.fn(), importScenario: vi.fn(), importScenarioBundle: vi.fn() }));
const listScenarios = vi.mocked(api.listScenarios);
const importScenario = vi.mocked(api.importScenario);
const importBundle = vi.mocked(api.importScenarioBundle);

const NOW = 1_796_454_238_000;
const document = { format: "ivrgraph.scenario/1", name: "QA Menu", nodes: [], edges: [] };
const file = JSON.stringify(document, null, 2);
const summary = (name: string, slug = name.toLowerCase().replace(/\W+/g, "-")): ScenarioSummary => ({
  slug, name, description: "", draft_revision: 1, updated_at: "2026-01-05T10:00:00Z", updated_by: "ana", latest_version: null, missing_block_types: [],
});
const made = (slug: string, replaced = false) => ({ slug, replaced_draft: replaced }) as api.Imported;
/** The 409 the API answers for a taken slug: it names the slug and the file's scenario name. */
const taken = (slug: string, name: string) =>
  new ApiError(409, { type: "https://ivrgraph.dev/problems/already-exists", slug, name, detail: "send replace_draft=true" }, "already exists");

beforeEach(() => {
  listScenarios.mockReset();
  importScenario.mockReset();
  importBundle.mockReset();
  importScenario.mockImplementation(async (slug, _document, _name, replaceDraft) => made(slug ?? "", replaceDraft));
  importBundle.mockImplementation(async (_file, _name, options = {}) => made(options.slug ?? "billing", options.replaceDraft));
});

describe("importing a scenario file exported before exports named their slug", () => {
  it("keeps the name when no scenario has it", async () => {
    listScenarios.mockResolvedValue({ items: [summary("QA Menu old")], total: 1 });
    expect(await importScenarioFile(file, "qa-menu.json", NOW)).toEqual({ ok: true, slug: `qa-menu-${NOW.toString(36)}`, replacedDraft: false });
    expect(importScenario).toHaveBeenCalledWith(`qa-menu-${NOW.toString(36)}`, document, "QA Menu");
  });

  it("gives a copy of a scenario that exists the next free number, in the list and in the document (QA)", async () => {
    listScenarios.mockResolvedValue({ items: [summary("QA Menu"), summary("QA Menu (2)"), summary("Menu")], total: 3 });
    await importScenarioFile(file, "qa-menu.json", NOW);
    expect(listScenarios).toHaveBeenCalledWith("QA Menu", 1, 200);
    const [, sent, name] = importScenario.mock.calls[0]!;
    expect(name).toBe("QA Menu (3)");
    expect((sent as { name: string }).name).toBe("QA Menu (3)");
  });

  it("looks through every page of names like it", async () => {
    const first = Array.from({ length: 200 }, (_, i) => summary(i === 0 ? "QA Menu" : `QA Menu (${i + 1})`));
    listScenarios.mockResolvedValueOnce({ items: first, total: 201 }).mockResolvedValueOnce({ items: [summary("QA Menu (201)")], total: 201 });
    await importScenarioFile(file, "qa-menu.json", NOW);
    expect(listScenarios).toHaveBeenCalledTimes(2);
    expect(importScenario.mock.calls[0]![2]).toBe("QA Menu (202)");
  });

  it("a file that is not JSON is refused before anything is asked of the server, saying at which line", async () => {
    const broken = file.replace('"nodes": [],', '"nodes": [],,');
    expect(await importScenarioFile(broken, "qa-menu.json", NOW)).toEqual({ ok: false, failure: { kind: "notJson", line: 4 } });
    expect(listScenarios).not.toHaveBeenCalled();
    expect(importScenario).not.toHaveBeenCalled();
  });

  it("a document the server refuses comes back with every problem it found", async () => {
    listScenarios.mockResolvedValue({ items: [], total: 0 });
    const problems = [
      { path: "$.nodes[0]", message: "'id' is a required property" },
      { path: "$.nodes[1].type", message: "42 is not of type 'string'" },
    ];
    importScenario.mockRejectedValue(new ApiError(422, { detail: "the document breaks the scenario format", problems }, "the document breaks the scenario format"));
    expect(await importScenarioFile(file, "qa-menu.json", NOW)).toEqual({ ok: false, failure: { kind: "problems", problems } });
  });

  it("keeps the slug's time suffix within the API's 64 characters", () => {
    const slug = importSlug("m".repeat(64), NOW);
    expect(slug).toHaveLength(64);
    expect(slug.endsWith(`-${NOW.toString(36)}`)).toBe(true);
    expect(importSlug("", NOW)).toBe(`imported-${NOW.toString(36)}`);
  });
});

describe("importing an export that names its slug (staging to production)", () => {
  const exported = { ...document, name: "Billing line", meta: { exported_from: { slug: "billing", name: "Billing line" } } };
  const exportedFile = JSON.stringify(exported);

  it("keeps the file's slug when it is free: the dialplan's AGI(agi://host/billing) reaches it", async () => {
    expect(await importScenarioFile(exportedFile, "billing.json", NOW)).toEqual({ ok: true, slug: "billing", replacedDraft: false });
    expect(importScenario).toHaveBeenCalledWith("billing", exported, undefined, false);
    expect(listScenarios).not.toHaveBeenCalled();
  });

  it("when the slug is taken, chooses nothing: the outcome names the slug and the name, for the analyst to answer", async () => {
    importScenario.mockRejectedValue(taken("billing", "Billing line"));
    expect(await importScenarioFile(exportedFile, "billing.json", NOW)).toEqual({ ok: false, taken: { slug: "billing", name: "Billing line" } });
    expect(importScenario).toHaveBeenCalledTimes(1);
  });

  it("answered 'Replace the draft', the file becomes the draft of the scenario under its slug", async () => {
    expect(await importScenarioFile(exportedFile, "billing.json", NOW, "replaceDraft")).toEqual({ ok: true, slug: "billing", replacedDraft: true });
    expect(importScenario).toHaveBeenCalledWith("billing", exported, undefined, true);
  });

  it("answered 'Import as a copy', it comes in as before: a slug of the moment and a name of its own", async () => {
    listScenarios.mockResolvedValue({ items: [summary("Billing line", "billing")], total: 1 });
    const outcome = await importScenarioFile(exportedFile, "billing.json", NOW, "copy");
    expect(outcome).toEqual({ ok: true, slug: `billing-${NOW.toString(36)}`, replacedDraft: false });
    const [slug, sent, name] = importScenario.mock.calls[0]!;
    expect([slug, name, (sent as { name: string }).name]).toEqual([`billing-${NOW.toString(36)}`, "Billing line (2)", "Billing line (2)"]);
  });

  it("a 409 that is not about the slug (another conflict) is a failure in the server's words", async () => {
    importScenario.mockRejectedValue(new ApiError(409, { detail: "held" }, "held"));
    expect(await importScenarioFile(exportedFile, "billing.json", NOW)).toEqual({ ok: false, failure: { kind: "message", message: "held" } });
    expect(takenSlugOf(new ApiError(404, { slug: "x" }, "gone"))).toBeNull();
  });
});

describe("importing a bundle (the scenario with its recordings)", () => {
  const zip = new Blob([new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3])]);

  it("is told from JSON by its first bytes, whatever its name", async () => {
    expect(await isBundle(zip)).toBe(true);
    expect(await isBundle(new Blob([file]))).toBe(false);
    expect(await isBundle(new Blob([]))).toBe(false);
  });

  it("goes to the bundle import under the slug it names; a taken one is asked about", async () => {
    expect(await importScenarioBundle(zip, "billing.zip", NOW)).toEqual({ ok: true, slug: "billing", replacedDraft: false });
    expect(importBundle).toHaveBeenCalledWith(zip, "billing.zip", {});
    importBundle.mockRejectedValueOnce(taken("billing", "Billing line"));
    expect(await importScenarioBundle(zip, "billing.zip", NOW)).toEqual({ ok: false, taken: { slug: "billing", name: "Billing line" } });
  });

  it("replaces the draft, or comes in as a copy named after the scenario the server named", async () => {
    const answer = { taken: { slug: "billing", name: "Billing line" } };
    await importScenarioBundle(zip, "billing.zip", NOW, { ...answer, choice: "replaceDraft" });
    expect(importBundle).toHaveBeenLastCalledWith(zip, "billing.zip", { slug: "billing", replaceDraft: true });
    listScenarios.mockResolvedValue({ items: [summary("Billing line", "billing")], total: 1 });
    await importScenarioBundle(zip, "billing.zip", NOW, { ...answer, choice: "copy" });
    expect(importBundle).toHaveBeenLastCalledWith(zip, "billing.zip", { slug: `billing-${NOW.toString(36)}`, name: "Billing line (2)" });
  });

  it("the chosen file is sent to the import of its kind", async () => {
    const chosen = new File([zip], "from-staging.zip");
    expect(await importChosenFile(chosen, undefined, NOW)).toMatchObject({ ok: true, slug: "billing" });
    expect(importBundle).toHaveBeenCalledTimes(1);
    expect(importScenario).not.toHaveBeenCalled();
    listScenarios.mockResolvedValue({ items: [], total: 0 });
    expect(await importChosenFile(new File([file], "qa-menu.json"), undefined, NOW)).toMatchObject({ ok: true, slug: `qa-menu-${NOW.toString(36)}` });
  });
});

describe("importing a Twilio Studio flow export", () => {
  const studio = JSON.stringify({ description: "Acme support line", initial_state: "Trigger", states: [], flags: {} });

  it("answers the report of what to check that the server's conversion put in the draft", async () => {
    listScenarios.mockResolvedValue({ items: [], total: 0 });
    const report = ["crm_lookup (make-http-request): not converted: replace the placeholder"];
    importScenario.mockResolvedValueOnce({ ...made("support-line"), name: "Acme support line", draft: { document: { meta: { studio_import: { report } } } } } as unknown as api.Imported);
    const outcome = await importScenarioFile(studio, "support-line.json", NOW);
    expect(outcome).toEqual({ ok: true, slug: "support-line", replacedDraft: false, studioReport: { name: "Acme support line", lines: report.map((text) => ({ text })) } });
  });

  it("lets the server name it after the flow (its name's slug, -2 when taken), not after the file and the moment", async () => {
    listScenarios.mockResolvedValue({ items: [], total: 0 });
    importScenario.mockResolvedValueOnce({ ...made("acme-support-line"), draft: { document: { meta: { studio_import: { report: [] } } } } } as unknown as api.Imported);
    const outcome = await importScenarioFile(studio, "support-line.json", NOW);
    expect(importScenario).toHaveBeenCalledWith(null, JSON.parse(studio), undefined);
    expect(outcome).toMatchObject({ ok: true, slug: "acme-support-line" });
  });

  it("answers no report for a scenario of ours", async () => {
    importScenario.mockResolvedValueOnce({ ...made("qa-menu"), draft: { document: { ...document, meta: {} } } } as unknown as api.Imported);
    expect(await importScenarioFile(JSON.stringify({ ...document, slug: "qa-menu" }), "qa-menu.json", NOW)).not.toHaveProperty("studioReport");
  });
});
