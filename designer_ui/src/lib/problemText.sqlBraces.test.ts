import { describe, expect, it } from "vitest";
import type { Problem } from "./problems";
import { problemText } from "./problemText";

// As the server sends it (tests/blocks/test_sql_template_braces.py checks the server's side).
const sql = { block_type: "sql", block_title: "SQL Query", label: "Buscar cliente" };
const braces: Problem = {
  severity: "warning",
  code: "sql_template_braces",
  message: 'SQL "Buscar cliente": values go into a query as :name; {{ caller_id }} reaches the database as typed: write :caller_id',
  params: { ...sql, written: "{{ caller_id }}", fix: ":caller_id" },
};
const noFix: Problem = {
  severity: "warning",
  code: "sql_template_braces",
  message: 'SQL "Buscar cliente": values go into a query as :name; {% if vip %} reaches the database as typed',
  params: { ...sql, written: "{% if vip %}" },
};

describe("a query with a template's braces, in the analyst's language", () => {
  it("keeps the server's English", () => {
    expect(problemText(braces, "en")).toBe(braces.message);
  });

  it("says what reaches the database and what to write, in Spanish", () => {
    expect(problemText(braces, "es")).toBe(
      "Consulta SQL «Buscar cliente»: los valores van en una consulta como :nombre; {{ caller_id }} llega a la base de datos tal cual: escriba :caller_id",
    );
    expect(problemText(noFix, "es")).toBe(
      "Consulta SQL «Buscar cliente»: los valores van en una consulta como :nombre; {% if vip %} llega a la base de datos tal cual",
    );
  });

  it("and in Russian", () => {
    expect(problemText(braces, "ru")).toBe(
      "SQL-запрос «Buscar cliente»: значения подставляются в запрос как :имя; {{ caller_id }} попадает в базу данных как написано: напишите :caller_id",
    );
    expect(problemText(noFix, "ru")).toMatch(/\{% if vip %\} попадает в базу данных как написано$/);
  });
});
