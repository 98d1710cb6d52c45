import { beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import { exportScenarioFile, playsRecordings } from "./exportScenario";

vi.mock("../api/client", () => ({ exportScenario: vi.fn(), exportScenarioBundle: vi.fn() }));
const exportScenario = vi.mocked(api.exportScenario);
const exportBundle = vi.mocked(api.exportScenarioBundle);

const ASSET = "assets/0123456789abcdef0123456789abcdef";
const withNodes = (...configs: unknown[]) => ({
  format: "ivrgraph.scenario/1",
  name: "Billing",
  nodes: configs.map((config, i) => ({ id: `n${i}`, type: "message", config })),
  edges: [],
  meta: { exported_from: { slug: "billing", name: "Billing" } },
});

beforeEach(() => {
  exportScenario.mockReset();
  exportBundle.mockReset();
});

describe("what an export carries", () => {
  it("finds an uploaded recording wherever a block's settings play one", () => {
    expect(playsRecordings(withNodes({ audio: ASSET }))).toBe(true);
    expect(playsRecordings(withNodes({ text: "Hola" }, { prompt: { audio: ASSET } }))).toBe(true);
    expect(playsRecordings(withNodes({ prompts: [{ text: "a" }, { audio: ASSET }] }))).toBe(true);
    // Asterisk's own sounds are on every installation: nothing to carry.
    expect(playsRecordings(withNodes({ audio: "vm-press" }, { text: "assets/not a prompt" }))).toBe(false);
    expect(playsRecordings(null)).toBe(false);
  });

  it("a scenario playing recordings is saved as a bundle with them", async () => {
    const zip = new Blob(["PK"]);
    exportScenario.mockResolvedValue(withNodes({ audio: ASSET }));
    exportBundle.mockResolvedValue(zip);
    expect(await exportScenarioFile("billing")).toEqual({ fileName: "billing.zip", data: zip });
  });

  it("any other as its JSON document, which names its slug", async () => {
    const document = withNodes({ text: "Hola" });
    exportScenario.mockResolvedValue(document);
    const saved = await exportScenarioFile("billing");
    expect(saved.fileName).toBe("billing.json");
    expect(JSON.parse(await saved.data.text())).toEqual(document);
    expect(exportBundle).not.toHaveBeenCalled();
  });
});
