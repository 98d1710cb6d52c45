// Finding (an Oktell user): `SELEC nombre, vip FROM clientes ...` on a read-only source was called a query that writes,
// in Problems and in "Try query". The server names it as no SQL statement (persistence/datasources.py
// `unknown_statement`, tests/persistence/test_sql_unknown_statement.py); here, its words in each language.
import { describe, expect, it } from "vitest";
import { tryFailureText } from "../components/TryQuery";
import { translator } from "./i18n";
import type { Problem } from "./problems";
import { problemText } from "./problemText";

const sql = { block_type: "sql", block_title: "SQL Query", label: "Buscar", source: "clientes" };
const typo: Problem = {
  severity: "error",
  code: "sql_unknown_statement",
  message: "SQL \"Buscar\": the query on data source 'clientes' begins with 'SELEC', which is not an SQL statement: did you mean SELECT?",
  params: { ...sql, word: "SELEC", suggestion: "SELECT" },
};
const noVerb: Problem = {
  severity: "warning",
  code: "sql_unknown_statement",
  message: "SQL \"Buscar\": the query on data source 'clientes' begins with 'nombre', which is not an SQL statement",
  params: { ...sql, word: "nombre" },
};

describe("a query whose first word is no SQL statement, in Problems", () => {
  it("keeps the server's English", () => {
    expect(problemText(typo, "en")).toBe(typo.message);
  });

  it("names the word and the verb it is close to, never a write, in Spanish", () => {
    expect(problemText(typo, "es")).toBe(
      "Consulta SQL «Buscar»: la consulta al origen de datos «clientes» empieza por «SELEC», que no es una sentencia SQL: ¿quiso decir SELECT?",
    );
    expect(problemText(noVerb, "es")).toBe("Consulta SQL «Buscar»: la consulta al origen de datos «clientes» empieza por «nombre», que no es una sentencia SQL");
  });

  it("and in Russian", () => {
    expect(problemText(typo, "ru")).toBe(
      "SQL-запрос «Buscar»: запрос к источнику данных «clientes» начинается со слова «SELEC», а это не оператор SQL. Возможно, имелся в виду SELECT?",
    );
    expect(problemText(noVerb, "ru")).toMatch(/начинается со слова «nombre», а это не оператор SQL$/);
  });
});

describe("the same query in Try query", () => {
  const failure = {
    code: "sql_try_unknown_statement",
    params: { source: "clientes", word: "SELEC", suggestion: "SELECT" },
    message: "not tried: the query begins with 'SELEC', which is not an SQL statement: did you mean SELECT?",
  };

  it("is not said to write", () => {
    expect(tryFailureText(failure, "es", translator("es"))).toBe(
      "No se probó: la consulta empieza por «SELEC», que no es una sentencia SQL. ¿Quiso decir SELECT?",
    );
    expect(tryFailureText(failure, "en", translator("en"))).toBe(
      "Not tried: the query begins with 'SELEC', which is not an SQL statement. Did you mean SELECT?",
    );
    expect(tryFailureText(failure, "ru", translator("ru"))).toBe(
      "Запрос не проверялся: он начинается со слова «SELEC», а это не оператор SQL. Возможно, имелся в виду SELECT?",
    );
  });

  it("without a close verb, names the word only", () => {
    const lost = { ...failure, params: { source: "clientes", word: "nombre" } };
    expect(tryFailureText(lost, "es", translator("es"))).toBe("No se probó: la consulta empieza por «nombre», que no es una sentencia SQL.");
  });
});
