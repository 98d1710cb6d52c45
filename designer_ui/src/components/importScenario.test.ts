import { beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { ScenarioDetail, ScenarioSummary } from "../api/types";
import { importScenarioFile, importSlug } from "./importScenario";

vi.mock("../api/client", () => ({ listScenarios: vi.fn(), importScenario: vi.fn() }));
const listScenarios = vi.mocked(api.listScenarios);
const importScenario = vi.mocked(api.importScenario);

const NOW = 1_796_454_238_000;
const document = { format: "ivrgraph.scenario/1", name: "QA Menu", nodes: [], edges: [] };
const file = JSON.stringify(document, null, 2);
const summary = (name: string, slug = name.toLowerCase().replace(/\W+/g, "-")): ScenarioSummary => ({
  slug, name, description: "", draft_revision: 1, updated_at: "2026-01-05T10:00:00Z", updated_by: "ana", latest_version: null,
});

beforeEach(() => {
  listScenarios.mockReset();
  importScenario.mockReset();
  importScenario.mockImplementation(async (slug) => ({ slug }) as ScenarioDetail);
});

describe("importing a scenario file", () => {
  it("keeps the name when no scenario has it", async () => {
    listScenarios.mockResolvedValue({ items: [summary("QA Menu old")], total: 1 });
    expect(await importScenarioFile(file, "qa-menu.json", NOW)).toEqual({ ok: true, slug: `qa-menu-${NOW.toString(36)}` });
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
