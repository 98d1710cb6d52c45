/** The SQL block's column -> variable rows: the column labelled in the interface language, not rjsf's "fio Key"
 * (review of a Russian contact centre), and a column named as a Russian CRM names it (`Сумма`) taken as it is. */
import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import type { Language } from "../lib/i18n";
import { BlockConfigForm } from "./BlockPanel";
import validator from "@rjsf/validator-ajv8";
import type { RJSFSchema } from "@rjsf/utils";
import { MAP_FIELD, withKeyTitles, withoutBlankEntries, withoutBlankKeyErrors } from "./MapEntryTemplate";
import { renderInLanguage } from "./renderForTest";

const spec = (type: string) => (catalogJson as unknown as BlockSpec[]).find((b) => b.type === type)!;
const formContext = { variables: [], nodes: [], scenarios: [], audio: [], dataSources: [], language: "ru" };

function form(language: Language, block: BlockSpec, config: Record<string, unknown>): string {
  return renderInLanguage(language, BlockConfigForm, { nodeId: "q", spec: block, config, formContext, readOnly: false, onChange: () => undefined });
}

const sqlForm = (language: Language, columns: Record<string, string>) =>
  form(language, spec("sql"), { source: "crm", query: "SELECT ФИО, Сумма FROM должники", columns });

/** The label of each map entry's key input, by the key. */
const keyLabels = (html: string) =>
  Object.fromEntries([...html.matchAll(/<label class="control-label" for="cfg-q_[a-z]+_(.*?)-key">(.*?)<\/label>/g)].map((m) => [m[1]!, m[2]!]));

/** The label of each map entry's value input, by the key. */
const valueLabels = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/<label class="control-label" for="cfg-q_(?:columns|headers)_([^"]*?)">(.*?)<\/label>/g)]
      .filter((m) => !m[1]!.endsWith("-key"))
      .map((m) => [m[1]!, m[2]!]),
  );

describe("a map's entries in a block's form", () => {
  it("label the SQL block's result column as a column, in each language", () => {
    expect(keyLabels(sqlForm("ru", { fio: "who" }))).toEqual({ fio: "Столбец" });
    expect(keyLabels(sqlForm("es", { fio: "who" }))).toEqual({ fio: "Columna" });
    expect(keyLabels(sqlForm("en", { fio: "who" }))).toEqual({ fio: "Column" });
  });

  it("label a plugin's map, whose keys have no title, with a plain translated word", () => {
    const plugin = {
      ...spec("sql"),
      type: "crm_push",
      config_schema: { type: "object", properties: { headers: { type: "object", additionalProperties: { type: "string" } } } },
    };
    expect(keyLabels(form("ru", plugin, { headers: { token: "x" } }))).toEqual({ token: "Имя" });
    expect(keyLabels(form("es", plugin, { headers: { token: "x" } }))).toEqual({ token: "Nombre" });
  });

  it("show a Cyrillic column as typed, next to its variable", () => {
    const html = sqlForm("ru", { Сумма: "debt" });
    expect(html).toContain('value="Сумма"');
    expect(html).toContain('value="debt"');
    expect(html).not.toMatch(/ Key</);
  });

  it("label a row's value as the map names its values, not by the row's key", () => {
    expect(valueLabels(sqlForm("ru", { fio: "who" }))).toEqual({ fio: "Переменная" });
    expect(valueLabels(sqlForm("es", { fio: "who" }))).toEqual({ fio: "Variable" });
    expect(valueLabels(sqlForm("en", { fio: "who" }))).toEqual({ fio: "Variable" });
    const plugin = {
      ...spec("sql"),
      type: "crm_push",
      config_schema: { type: "object", properties: { headers: { type: "object", additionalProperties: { type: "string" } } } },
    };
    expect(valueLabels(form("ru", plugin, { headers: { token: "x" } }))).toEqual({ token: "Значение" });
    expect(valueLabels(form("es", plugin, { headers: { token: "x" } }))).toEqual({ token: "Valor" });
  });

  it("draw each map of the built-in blocks with the map field, its rows labelled, and leave other fields alone", () => {
    const schema = {
      properties: {
        columns: { type: "object", propertyNames: { title: "Столбец" }, additionalProperties: { type: "string", title: "Переменная" } },
        headers: { type: "object", additionalProperties: { type: "string" } },
        options: { type: "object", properties: { a: { type: "string" } } },
      },
    };
    const ui = { columns: { "ui:help": "x", additionalProperties: { "ui:widget": "variable" } } };
    expect(withKeyTitles(ui, schema)).toEqual({
      columns: {
        "ui:field": MAP_FIELD,
        "ui:help": "x",
        additionalProperties: { "ui:widget": "variable", "ui:label": false, "ui:keyTitle": "Столбец", "ui:valueTitle": "Переменная" },
      },
      headers: { "ui:field": MAP_FIELD, additionalProperties: { "ui:label": false } },
    });
    const maps = (catalogJson as unknown as BlockSpec[]).flatMap((block) =>
      Object.entries(block.config_schema.properties ?? {})
        .filter(([, field]) => typeof field.additionalProperties === "object")
        .map(([name]) => `${block.type}.${name}`),
    );
    expect(maps).toEqual(["sql.columns"]);
    for (const name of maps) {
      const [type, field] = name.split(".") as [string, string];
      const shown = withKeyTitles({}, spec(type).config_schema)[field] as Record<string, unknown>;
      expect(shown["ui:field"]).toBe(MAP_FIELD);
      expect(shown.additionalProperties).toMatchObject({ "ui:keyTitle": "Column", "ui:valueTitle": "Variable" });
    }
  });
});

describe("a map's row added and not filled in yet", () => {
  const schema = spec("sql").config_schema;

  it("is not kept in the config, while a row with either half typed is", () => {
    expect(withoutBlankEntries({ query: "q", columns: { fio: "who", "": "" } }, schema)).toEqual({ query: "q", columns: { fio: "who" } });
    expect(withoutBlankEntries({ columns: { "": "who" } }, schema)).toEqual({ columns: { "": "who" } });
    const config = { columns: { fio: "who" } };
    expect(withoutBlankEntries(config, schema)).toBe(config);
  });

  it("is in no error, nor is a column not typed yet; a bad column or variable still is", () => {
    const validate = (columns: Record<string, string>) =>
      withoutBlankKeyErrors(validator.validateFormData({ source: "s", query: "q", columns }, schema as RJSFSchema).errors, { columns }).map(
        (error) => `${error.property} ${error.name}`,
      );
    expect(validate({ fio: "who", "": "" })).toEqual([]);
    expect(validate({ "": "who" })).toEqual([]);
    expect(validate({ "": "New Value" })).toEqual([".columns. pattern"]);
    expect(validate({ fio: "New Value", "\u0001": "x" })).toEqual([".columns pattern", ".columns.fio pattern"]);
  });
});
