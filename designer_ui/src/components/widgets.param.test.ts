// Review (Studio migrant): the SQL block's Query offered Insert variable's `{{ caller_id }}` and the spoken-form
// helpers (`{{ ordinal(caller_id, language) }}`), none of which a query renders. Its picker offers the variables
// only, inserted as `:name` (lib/variables.param.test.ts).
import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import { BlockConfigForm } from "./BlockPanel";
import { decodeEntities, renderInLanguage, renderToHtml } from "./renderForTest";
import type { FormContext } from "./widgets";

const builtIn = (type: string) => (catalogJson as unknown as BlockSpec[]).find((b) => b.type === type)!;
const formContext: FormContext = { variables: ["caller_id"], nodes: [], scenarios: [], audio: [], dataSources: ["crm"], language: "en" };
const form = (type: string, config: Record<string, unknown>) => ({ nodeId: "n1", spec: builtIn(type), config, formContext, readOnly: false, onChange: () => undefined });

/** The picker's accessible name and the visible text of its first option, what it shows closed. */
const pickerLabel = (html: string) => {
  const picker = /<select[^>]*class="variable-picker".*?<\/select>/s.exec(html)?.[0] ?? "";
  const name = /aria-label="([^"]*)"/.exec(picker)?.[1] ?? "";
  const shown = /<option value=""[^>]*>([^<]*)<\/option>/.exec(picker)?.[1] ?? "";
  return { name: decodeEntities(name), shown: decodeEntities(shown) };
};

const pickerGroups = (html: string) => {
  const picker = /<select[^>]*class="variable-picker".*?<\/select>/s.exec(html)?.[0] ?? "";
  return [...picker.matchAll(/<optgroup label="([^"]*)">/g)].map((group) => decodeEntities(group[1]!));
};

describe("Insert variable in an SQL query", () => {
  it("offers the variables and no helpers", () => {
    expect(pickerGroups(renderToHtml(BlockConfigForm, form("sql", { source: "crm", query: "SELECT 1" })))).toEqual(["Variables"]);
  });

  it("while a phrase still offers both", () => {
    expect(pickerGroups(renderToHtml(BlockConfigForm, form("say_phrase", { text: "Hola" })))).toEqual(["Variables", "Spoken forms and helpers"]);
  });
});

// Review (accessibility): the query's picker read "{ } Insert variable", promising a {{ }} template, and inserted a
// bound parameter `:name` (docs/blocks.md: "an SQL query with `:parameters`"). It says what it inserts there.
describe("the picker's label says what it inserts", () => {
  it.each([
    ["en", "Insert parameter"],
    ["es", "Insertar parámetro"],
    ["ru", "Вставить параметр"],
  ] as const)("a parameter in an SQL query (%s)", (language, name) => {
    const html = renderInLanguage(language, BlockConfigForm, form("sql", { source: "crm", query: "SELECT 1" }));
    expect(pickerLabel(html)).toEqual({ name, shown: `: ${name}` });
  });

  it.each([
    ["en", "Insert variable"],
    ["es", "Insertar variable"],
    ["ru", "Вставить переменную"],
  ] as const)("a variable in a phrase (%s)", (language, name) => {
    const html = renderInLanguage(language, BlockConfigForm, form("say_phrase", { text: "Hola" }));
    expect(pickerLabel(html)).toEqual({ name, shown: `{ } ${name}` });
  });
});
