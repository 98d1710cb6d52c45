// Review (Russian analyst): a new scenario's Start block had no label, so its English id `start` showed among the
// Russian names of the blocks (a publish's refusal, the call's story and path). It is now labelled in the language
// the scenario was created in, and made at the catalog's version of Start rather than a version written here.
import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import { blankScenario, blankStart } from "./ScenarioList";

const catalog = catalogJson as unknown as BlockSpec[];

describe("the Start block a new scenario opens with", () => {
  it.each([
    ["ru", "Начало"],
    ["es", "Inicio"],
    ["en", "Start"],
  ] as const)("is labelled in the %s interface's words (%s)", (language, label) => {
    expect(blankStart(catalog, language).label).toBe(label);
    expect(blankScenario("Взыскание", language, catalog).nodes).toEqual([blankStart(catalog, language)]);
  });

  it("is at the catalog's version of Start, with its defaults", () => {
    const newer = catalog.map((spec) => (spec.type === "start" ? { ...spec, version: 3 } : spec));
    expect(blankStart(newer, "ru")).toEqual({
      id: "start",
      type: "start",
      version: 3,
      label: "Начало",
      config: { answer: true },
      position: { x: 0, y: 0 },
    });
  });

  it("leaves the version to the format's default when the catalog has no Start to say it", () => {
    expect(blankStart([], "es")).toEqual({ id: "start", type: "start", label: "Inicio", config: {}, position: { x: 0, y: 0 } });
  });
});
