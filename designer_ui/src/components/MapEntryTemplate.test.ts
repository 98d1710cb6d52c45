/** The SQL block's column -> variable rows: the column labelled in the interface language, not rjsf's "fio Key"
 * (review of a Russian contact centre), and a column named as a Russian CRM names it (`Сумма`) taken as it is. */
import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import type { Language } from "../lib/i18n";
import { BlockConfigForm } from "./BlockPanel";
import { withKeyTitles } from "./MapEntryTemplate";
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

  it("pass each map's key title to its entries, and leave fields without one alone", () => {
    const schema = {
      properties: {
        columns: { type: "object", propertyNames: { title: "Столбец" } },
        headers: { type: "object" },
      },
    };
    const ui = { columns: { "ui:help": "x", additionalProperties: { "ui:widget": "variable" } } };
    expect(withKeyTitles(ui, schema)).toEqual({
      columns: { "ui:help": "x", additionalProperties: { "ui:widget": "variable", "ui:keyTitle": "Столбец" } },
    });
  });
});
