import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ScenarioDocument } from "../lib/convert";
import { testCallValues, testVariables } from "../lib/testCallInputs";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import { TestRowsFields, TestVariableFields } from "./TestCallInputs";

const debtReminder = JSON.parse(readFileSync(new URL("../../../examples/debt-reminder.json", import.meta.url), "utf8")) as ScenarioDocument;
const variables = testVariables(debtReminder.variables);
const noop = () => undefined;

/** The opening tag of the field named `name`, its attributes in order of name (React orders them its own way). */
function field(html: string, name: string): string {
  const tag = new RegExp(`<(input|textarea|select)\\b[^>]*\\bname="${name}"[^>]*?/?>`).exec(html);
  if (!tag) return "";
  const attributes = [...tag[0].matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => `${m[1]}="${m[2]}"`).sort((a, b) => a.localeCompare(b));
  return `<${tag[1]} ${attributes.join(" ")}>`;
}

/** The visible text of some markup. */
const told = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/\s+/g, " ");

describe("the Test call's declared variables", () => {
  const texts = { variables: { debt_amount: "120,5" }, rows: {} };

  it("are a field each, typed by the declared type and starting at the default", () => {
    const html = renderToHtml(TestVariableFields, { variables, texts, problems: {}, onChange: noop });
    expect(field(html, "var-contact")).toBe('<textarea class="mono" name="var-contact" rows="2" spellCheck="false">');
    expect(html).toContain('spellCheck="false">{&quot;name&quot;:&quot;cliente&quot;}</textarea>');
    expect(field(html, "var-debt_amount")).toBe('<input inputMode="decimal" name="var-debt_amount" value="120,5">');
    expect(field(html, "var-due_date")).toBe('<input name="var-due_date" type="date" value="">');
    expect(field(html, "var-result")).toBe('<input name="var-result" value="no_response">');
    const text = told(html);
    expect(text).toContain("debt_amount (number)");
    expect(text).toContain("Amount owed, euros");
    expect(text).toContain("No default: left empty, the call has none.");
  });

  it("offer yes, no or none for a yes/no variable", () => {
    const flag = testVariables([{ name: "vip", type: "boolean", default: false }]);
    const html = renderToHtml(TestVariableFields, { variables: flag, texts: { variables: {}, rows: {} }, problems: {}, onChange: noop });
    expect(html).toMatch(/<select name="var-vip">.*<option value="false" selected="">no \(false\)<\/option>/);
  });

  it("say in Russian what is wrong with a field", () => {
    const { problems } = testCallValues(variables, [], { variables: { debt_amount: "сто" }, rows: {} });
    const text = told(renderInLanguage("ru", TestVariableFields, { variables, texts, problems, onChange: noop }));
    expect(text).toContain("Переменные в начале звонка");
    expect(text).toContain("debt_amount (число)");
    expect(text).toContain("Не число: напишите, например, 1234,50 или 1234.50.");
    expect(text).toContain("Нет значения по умолчанию");
  });

  // Finding (an accessibility review): a list's or an object's value typed as bad JSON showed its problem, but the
  // box was not said to be invalid nor described by it, as the rows' boxes are.
  it("mark a box with a problem invalid and described by it, whatever its type, and no other box", () => {
    const typed = testVariables([
      { name: "contact", type: "object" },
      { name: "codes", type: "list" },
      { name: "debt_amount", type: "number" },
    ]);
    const texts = { variables: { contact: '{"name": "Ana",}', codes: '["a"]', debt_amount: "сто" }, rows: {} };
    const { problems } = testCallValues(typed, [], texts);
    const html = renderInLanguage("es", TestVariableFields, { variables: typed, texts, problems, onChange: noop });
    const describedBy = ["var-contact", "var-debt_amount"].map((name) => {
      const box = field(html, name);
      expect(box).toContain('aria-invalid="true"');
      const described = /aria-describedby="([^"]+)"/.exec(box)?.[1];
      expect(html).toContain(`<p id="${described}" class="error-text" role="alert">`);
      return described;
    });
    expect(new Set(describedBy).size).toBe(2);
    expect(told(html)).toContain("No es JSON válido: línea 1");
    expect(field(html, "var-codes")).not.toContain("aria-invalid");
    expect(field(html, "var-codes")).not.toContain("aria-describedby");
  });

  it("are not shown for a scenario that declares none", () => {
    expect(renderToHtml(TestVariableFields, { variables: [], texts, problems: {}, onChange: noop })).toBe("");
  });
});

describe("the Test call's rows of each data source", () => {
  const sources = [{ name: "crm", columns: ["name", "debt"] }];

  it("are a JSON field per source, its example the columns the SQL blocks read", () => {
    const html = renderToHtml(TestRowsFields, { sources, texts: { variables: {}, rows: {} }, problems: {}, onChange: noop });
    expect(html).toContain('name="rows-crm"');
    expect(html).toContain('placeholder="[{&quot;name&quot;:&quot;…&quot;,&quot;debt&quot;:&quot;…&quot;}]"');
    expect(told(html)).toContain("Rows data source “crm” answers");
    expect(told(html)).toContain("Left empty, the source has no test rows and its SQL blocks take their error exit");
  });

  it("say clearly when the JSON is bad, in the interface language", () => {
    const { problems } = testCallValues([], sources, { variables: {}, rows: { crm: '[{"name": "Анна",}]' } });
    const ru = told(renderInLanguage("ru", TestRowsFields, { sources, texts: { variables: {}, rows: {} }, problems, onChange: noop }));
    expect(ru).toMatch(/Не JSON: \S/);
    expect(ru).toContain("Строки, которые отвечает источник данных «crm»");
    const shape = testCallValues([], sources, { variables: {}, rows: { crm: '["Анна"]' } }).problems;
    const es = told(renderInLanguage("es", TestRowsFields, { sources, texts: { variables: {}, rows: {} }, problems: shape, onChange: noop }));
    expect(es).toContain('Las filas son una lista JSON de objetos, uno por fila: [{"name": "Ana", "debt": 120.5}].');
  });

  // Finding (an accessibility review): the browser's English ("Expected ',' or '}' after property value in JSON at
  // position 11"), and a box a screen reader was not told is invalid, nor what is wrong with it.
  it("say where the JSON is bad in the interface's words, the box invalid and described by it", () => {
    const texts = { variables: {}, rows: { crm: '{"id": 7 "name": "Ana"}' } };
    const { problems } = testCallValues([], sources, texts);
    const html = renderInLanguage("es", TestRowsFields, { sources, texts, problems, onChange: noop });
    expect(told(html)).toContain("No es JSON válido: línea 1, columna 10");
    expect(told(html)).not.toContain("position");
    const box = /<textarea name="rows-crm"[^>]*>/.exec(html)?.[0] ?? "";
    expect(box).toContain('aria-invalid="true"');
    const described = / aria-describedby="([^"]+)"/.exec(box)?.[1];
    expect(html).toContain(`<p id="${described}" class="error-text" role="alert">`);
    const fine = renderToHtml(TestRowsFields, { sources, texts: { variables: {}, rows: {} }, problems: {}, onChange: noop });
    expect(fine).not.toContain("aria-invalid");
  });
});
