import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { BlockSpec } from "./catalog";
import { localDescription, SCENARIO_FIELD_HELP } from "./descriptions";
import catalogJson from "./fixtures/catalog.json";
import { localizeSchema } from "./schemaText";

const specs = catalogJson as unknown as BlockSpec[];
const scenarioSchema = JSON.parse(readFileSync(new URL("../../../schemas/scenario.schema.json", import.meta.url), "utf8"));

/** Every `description` string anywhere in a schema, with where it is. */
function descriptionsIn(value: unknown, at = ""): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((child, i) => descriptionsIn(child, `${at}/${i}`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]): [string, string][] =>
    key === "description" && typeof child === "string" ? [[at, child]] : descriptionsIn(child, `${at}/${key}`),
  );
}

const builtIn: [string, string][] = [
  ...specs.flatMap((spec): [string, string][] => [[spec.type, spec.description], ...descriptionsIn(spec.config_schema, spec.type)]),
  ...descriptionsIn(scenarioSchema, "scenario"),
];

describe("the descriptions of the built-in blocks and the scenario format", () => {
  it("has Spanish and Russian words for every one (a new block or field without them fails here)", () => {
    expect(builtIn.length).toBeGreaterThan(40);
    for (const [where, english] of builtIn) {
      expect(localDescription(english, "es"), `${where}: ${english}`).not.toBe(english);
      // Russian: mostly Cyrillic, whatever code names and examples it keeps.
      expect(localDescription(english, "ru"), `${where}: ${english}`).toMatch(/[а-яё]{4}/i);
    }
  });

  it("keeps English as the server sends it", () => {
    for (const [, english] of builtIn) expect(localDescription(english, "en")).toBe(english);
  });

  it("gives examples that suit the language", () => {
    const sayPhrase = specs.find((spec) => spec.type === "say_phrase")!.description;
    expect(localDescription(sayPhrase, "ru")).toContain("«Здравствуйте, {{ contact.name }}, ваш долг {{ debt_amount }} рублей»");
    expect(localDescription(sayPhrase, "es")).toContain("«Hola {{ contact.name }}, debe {{ debt_amount }} euros»");
    expect(localDescription("IANA name, e.g. Europe/Madrid, Europe/Moscow, Asia/Almaty.", "ru")).toContain("Europe/Moscow");
  });

  it("shows a description the server reworded, and a plugin's, as the server sends it", () => {
    const reworded = "Plays a menu and routes by the key pressed, or captures a number the caller types.";
    expect(localDescription(reworded, "es")).toBe(reworded);
    expect(localDescription("Sends a text message through the SMS gateway.", "ru")).toBe("Sends a text message through the SMS gateway.");
  });

  it("translates the descriptions on the schema the form is drawn from, next to its titles", () => {
    const ivr = localizeSchema(specs.find((spec) => spec.type === "ivr")!.config_schema, "ru");
    const mode = ivr.properties!.mode!;
    expect(mode.title).toBe("Режим");
    expect(mode.description).toMatch(/^Меню: по выходу на каждую клавишу/);
    expect(JSON.stringify(ivr)).not.toContain("Leave empty to use the scenario's language.");
  });

  it("takes the settings panel's help from the scenario format, word for word", () => {
    expect(SCENARIO_FIELD_HELP.language).toBe(scenarioSchema.properties.language.description);
    expect(SCENARIO_FIELD_HELP.variableType).toBe(scenarioSchema.$defs.variable.properties.type.description);
  });
});
