import { describe, expect, it } from "vitest";
import type { CallListRow, ListVariable } from "../api/types";
import { columnsByName, filledColumns, sentColumns, VariableColumnsFields, type ChosenColumns } from "./CallListDialog";
import { renderInLanguage } from "./renderForTest";

// Choosing the list's column for each thing the scenario reads (review of a Russian collections supervisor: the
// CRM's "Сумма долга" was refused until renamed in the file, and "ФИО" never greeted anyone), drawn in each language.
// The dialog sending the choices: CallListDialog.columnsSent.test.ts.

const variables: ListVariable[] = [
  { variable: "contact.name", column: "name", required: false, default: "клиент" },
  { variable: "debt_amount", column: "debt_amount", required: true, default: null },
  { variable: "due_date", column: "due_date", required: false, default: "" },
];
const columns = ["Телефон", "ФИО", "Сумма долга", "Срок оплаты"];

/** Each select's accessible name, as its label names it (`<label for>` of the select's id), with its options. */
function selects(html: string): { name: string; options: string[]; selected: string | undefined }[] {
  const labels = new Map([...html.matchAll(/<label for="([^"]+)">(.*?)<\/label>/g)].map((m) => [m[1]!, m[2]!]));
  return [...html.matchAll(/<select id="([^"]+)"[^>]*>(.*?)<\/select>/g)].map((m) => ({
    name: labels.get(m[1]!) ?? "",
    options: [...m[2]!.matchAll(/<option[^>]*>(.*?)<\/option>/g)].map((o) => o[1]!),
    selected: /<option[^>]*selected=""[^>]*>(.*?)<\/option>/.exec(m[2]!)?.[1],
  }));
}

const fields = (chosen: ChosenColumns, columnsOfList = columns, filled = columnsOfList) => ({ variables, columns: columnsOfList, filled, chosen, onChange: () => undefined });

describe("the columns chosen for what the scenario reads", () => {
  it("has a select named after each variable, listing the file's columns, in English, Spanish and Russian", () => {
    const chosen = { "contact.name": "ФИО", debt_amount: "", due_date: "" };
    const en = renderInLanguage("en", VariableColumnsFields, fields(chosen));
    expect(en).toContain("<legend>What the scenario reads from the list</legend>");
    expect(selects(en)).toEqual([
      { name: "Column for contact.name", options: ["Not from the file (default: &quot;клиент&quot;)", ...columns], selected: "ФИО" },
      { name: "Column for debt_amount", options: ["Not from the file (no default: the check refuses the list)", ...columns], selected: "Not from the file (no default: the check refuses the list)" },
      { name: "Column for due_date", options: ["Not from the file (default: (empty))", ...columns], selected: "Not from the file (default: (empty))" },
    ]);
    const es = selects(renderInLanguage("es", VariableColumnsFields, fields(chosen)));
    expect(es.map((select) => select.name)).toEqual(["Columna para contact.name", "Columna para debt_amount", "Columna para due_date"]);
    expect(es[1]!.options[0]).toBe("No del archivo (sin valor por defecto: la comprobación rechaza la lista)");
    const ru = renderInLanguage("ru", VariableColumnsFields, fields(chosen));
    expect(ru).toContain("<legend>Что сценарий берёт из списка</legend>");
    expect(selects(ru).map((select) => [select.name, select.options[0]])).toEqual([
      ["Столбец для contact.name", "Не из файла (по умолчанию: &quot;клиент&quot;)"],
      ["Столбец для debt_amount", "Не из файла (значения по умолчанию нет: проверка не пропустит список)"],
      ["Столбец для due_date", "Не из файла (по умолчанию: (пусто))"],
    ]);
  });

  it("does not offer 'not from the file' where a column is named like the variable, which fills it anyway", () => {
    const named = ["Телефон", "name", "debt_amount"];
    const drawn = selects(renderInLanguage("en", VariableColumnsFields, fields(columnsByName(variables, named), named)));
    expect(drawn.map((select) => [select.options[0], select.selected])).toEqual([
      ["Телефон", "name"],
      ["Телефон", "debt_amount"],
      ["Not from the file (default: (empty))", "Not from the file (default: (empty))"],
    ]);
  });

  it("words an empty default as empty, not as a pair of quotes, in each language", () => {
    // An empty default read `Не из файла (по умолчанию: "")` (review); a default of spaces is as empty to a listener.
    const spaces: ListVariable[] = [{ variable: "greeting", column: "greeting", required: false, default: "  " }];
    const option = (language: "en" | "es" | "ru", shown: ListVariable[]) =>
      selects(renderInLanguage(language, VariableColumnsFields, { ...fields({}), variables: shown }))[0]!.options[0];
    expect(option("en", variables.slice(2))).toBe("Not from the file (default: (empty))");
    expect(option("es", variables.slice(2))).toBe("No del archivo (por defecto: (vacío))");
    expect(option("ru", variables.slice(2))).toBe("Не из файла (по умолчанию: (пусто))");
    expect(option("en", spaces)).toBe("Not from the file (default: (empty))");
    // A default that is text keeps its quotes, a number none: what the scenario gets is what the analyst checks.
    expect(option("en", [{ variable: "debt_amount", column: "debt_amount", required: false, default: 0 }])).toBe("Not from the file (default: 0)");
  });

  it("pre-selects a column named like the variable only when some row has a value in it, and offers 'not from the file' otherwise", () => {
    // An empty "name" column was shown chosen, and the check refused it as a column no row has (review).
    const named = ["Телефон", "name", "debt_amount"];
    const rows: CallListRow[] = [{ Телефон: "+79167654321", debt_amount: 1500, name: "  " }, { Телефон: "+79167654322", debt_amount: 2000 }];
    const filled = filledColumns({ columns: named, rows });
    expect(filled).toEqual(["Телефон", "debt_amount"]);
    const chosen = columnsByName(variables, filled);
    expect(chosen).toEqual({ "contact.name": "", debt_amount: "debt_amount", due_date: "" });
    const drawn = selects(renderInLanguage("en", VariableColumnsFields, fields(chosen, named, filled)));
    expect(drawn.map((select) => [select.options[0], select.selected])).toEqual([
      ["Not from the file (default: &quot;клиент&quot;)", "Not from the file (default: &quot;клиент&quot;)"],
      ["Телефон", "debt_amount"],
      ["Not from the file (default: (empty))", "Not from the file (default: (empty))"],
    ]);
  });

  it("is not drawn for a scenario that reads nothing from a list", () => {
    expect(renderInLanguage("en", VariableColumnsFields, { ...fields({}), variables: [] })).toBe("");
  });

  it("sends only the choices made", () => {
    expect(sentColumns({ "contact.name": "ФИО", debt_amount: "", due_date: "Срок оплаты" })).toEqual({ "contact.name": "ФИО", due_date: "Срок оплаты" });
  });
});
