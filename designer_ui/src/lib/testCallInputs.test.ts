import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { toFlowNode, type ScenarioDocument } from "./convert";
import { translator } from "./i18n";
import {
  defaultText,
  jsonProblem,
  readTestCall,
  rememberTestCall,
  rowsValue,
  sqlSources,
  testCallKey,
  testCallValues,
  testVariables,
  variableValue,
  type TestVariable,
} from "./testCallInputs";

const example = (slug: string) =>
  JSON.parse(readFileSync(new URL(`../../../examples/${slug}.json`, import.meta.url), "utf8")) as ScenarioDocument;
const debtReminder = example("debt-reminder");
const employeeCallthrough = example("employee-callthrough");

const declared = (type: TestVariable["type"], extra: Partial<TestVariable> = {}): TestVariable => ({
  name: "x", type, hasDefault: false, default: undefined, description: "", ...extra,
});

/** A localStorage stand-in. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() { return items.size; },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

describe("the variables a test call starts with", () => {
  const variables = testVariables(debtReminder.variables);

  it("are the scenario's declared ones, typed, their fields starting at their defaults", () => {
    expect(variables.map((v) => [v.name, v.type, v.hasDefault])).toEqual([
      ["contact", "object", true],
      ["debt_amount", "number", false],
      ["due_date", "date", true],
      ["callback_number", "string", true],
      ["result", "string", true],
    ]);
    expect(variables.map(defaultText)).toEqual(['{"name":"cliente"}', "", "", "", "no_response"]);
    expect(testVariables([{ name: "plain" }])[0]).toMatchObject({ type: "string", hasDefault: false });
  });

  it("send the debt a debt reminder cannot do without, as the number typed, with a decimal comma too", () => {
    const values = testCallValues(variables, [], { variables: { debt_amount: "1 234,50" }, rows: {} });
    expect(values.problems).toEqual({});
    expect(values.variables).toEqual({ contact: { name: "cliente" }, debt_amount: 1234.5, due_date: "", callback_number: "", result: "no_response" });
  });

  it("send nothing for an empty field without a default: the call has none, as a call list without the column", () => {
    expect(testCallValues(variables, [], { variables: {}, rows: {} }).variables).not.toHaveProperty("debt_amount");
    expect(variableValue(declared("number", { hasDefault: true, default: 5 }), " ")).toEqual({ value: null });
  });

  it("are read by type, and a field that is not its type says so", () => {
    expect(variableValue(declared("number"), "120.5")).toEqual({ value: 120.5 });
    expect(variableValue(declared("number"), "12O")).toEqual({ problem: { message: "test.notNumber" } });
    expect(variableValue(declared("number"), "1,234.5")).toEqual({ problem: { message: "test.notNumber" } });
    expect(variableValue(declared("integer"), "3")).toEqual({ value: 3 });
    expect(variableValue(declared("integer"), "3,5")).toEqual({ problem: { message: "test.notInteger" } });
    expect(variableValue(declared("boolean"), "false")).toEqual({ value: false });
    expect(variableValue(declared("boolean"), "да")).toEqual({ problem: { message: "test.notBoolean" } });
    expect(variableValue(declared("date"), "2026-11-30")).toEqual({ value: "2026-11-30" });
    expect(variableValue(declared("date"), "30.11.2026")).toEqual({ problem: { message: "test.notDate" } });
    expect(variableValue(declared("list"), "[1, 2]")).toEqual({ value: [1, 2] });
    expect(variableValue(declared("list"), '{"a": 1}')).toEqual({ problem: { message: "test.notList" } });
    expect(variableValue(declared("object"), '{"name": "Анна"}')).toEqual({ value: { name: "Анна" } });
    expect(variableValue(declared("object"), "[1]")).toEqual({ problem: { message: "test.notObject" } });
    expect(variableValue(declared("string"), " Анна ")).toEqual({ value: " Анна " });
    const bad = variableValue(declared("object"), "{name: 'Анна'}");
    expect(bad).toEqual({ problem: { message: "test.notJsonAt", params: { line: 1, column: 2 } } });
  });
});

describe("the rows each data source answers in a test call", () => {
  const nodes = employeeCallthrough.nodes.map(toFlowNode);

  it("are asked for every source the SQL blocks query, with the columns they read", () => {
    expect(sqlSources(nodes)).toEqual([{ name: "staff", columns: ["name", "extension"] }]);
    expect(sqlSources(debtReminder.nodes.map(toFlowNode))).toEqual([]);
  });

  it("are a JSON list of rows, one object being one row; empty is none, so the source has no test rows", () => {
    expect(rowsValue('[{"name": "Luis", "extension": "204"}]')).toEqual({ value: [{ name: "Luis", extension: "204" }] });
    expect(rowsValue('{"name": "Luis"}')).toEqual({ value: [{ name: "Luis" }] });
    expect(rowsValue("[]")).toEqual({ value: [] });
    expect(rowsValue("  ")).toEqual({ omitted: true });
    expect(rowsValue("[1, 2]")).toEqual({ problem: { message: "test.notRows" } });
    const bad = rowsValue('[{"name": "Luis",}]');
    expect("problem" in bad && bad.problem.message).toBe("test.notJsonAt");
  });

  // Finding (an accessibility review in Russian and Spanish): a box that was not JSON said the browser's English
  // ("Не JSON: Expected ',' or '}' after property value in JSON at position 11 (line 1 column 12)").
  it("that are not JSON say where, in the interface's words, not in the browser's", () => {
    expect(rowsValue('{"id": 7 "name": "Ana"}')).toEqual({ problem: { message: "test.notJsonAt", params: { line: 1, column: 10 } } });
    expect(rowsValue('[\n  {"name": "Luis",}\n]')).toEqual({ problem: { message: "test.notJsonAt", params: { line: 2, column: 19 } } });
    expect(rowsValue('[{"name": "Luis"}')).toEqual({ problem: { message: "test.notJsonAt", params: { line: 1, column: 18 } } });
  });

  it("place a JSON error as the engine tells it: line and column, a position, only a line, or nowhere", () => {
    const text = '[\n  {"a": 1,,}\n]';
    expect(jsonProblem(text, new SyntaxError("JSON.parse: unexpected character at line 2 column 11 of the JSON data"))).toEqual({
      message: "test.notJsonAt",
      params: { line: 2, column: 11 },
    });
    expect(jsonProblem(text, new SyntaxError("Unexpected token ',', ... is not valid JSON at position 13"))).toEqual({
      message: "test.notJsonAt",
      params: { line: 2, column: 12 },
    });
    expect(jsonProblem(text, new SyntaxError("JSON Parse error: Unexpected comma"))).toEqual({ message: "test.notJsonAnywhere" });
    for (const language of ["en", "es", "ru"] as const) {
      const said = translator(language)("test.notJsonAt", { line: 2, column: 12 });
      expect(said).toMatch(/2.*12/);
      expect(said).not.toMatch(/position|Expected/);
    }
    expect(translator("ru")("test.notJsonAt", { line: 1, column: 12 })).toBe("Не JSON: строка 1, столбец 12");
    expect(translator("es")("test.notJsonAt", { line: 1, column: 12 })).toBe("No es JSON válido: línea 1, columna 12");
  });

  it("are sent as data_rows, and rows that cannot be read are named by their source", () => {
    const sources = sqlSources(nodes);
    expect(testCallValues([], sources, { variables: {}, rows: { staff: '[{"name": "Luis"}]' } }).dataRows).toEqual({ staff: [{ name: "Luis" }] });
    expect(testCallValues([], sources, { variables: {}, rows: {} }).dataRows).toEqual({});
    expect(Object.keys(testCallValues([], sources, { variables: {}, rows: { staff: "[" } }).problems)).toEqual(["rows:staff"]);
  });
});

describe("the last test call of a scenario", () => {
  const variables = testVariables(debtReminder.variables);
  const fields = {
    keys: "1", callerId: "+79161234567", callerName: "Иван", transfers: "busy",
    variables: { debt_amount: "1234,5", result: "no_response" }, rows: { crm: '[{"name": "Иван"}]' },
  };

  it("is remembered per scenario, so a rerun needs no retyping", () => {
    const storage = memoryStorage();
    expect(readTestCall(storage, "debt-reminder")).toEqual({ keys: "", callerId: "", callerName: "", transfers: "", variables: {}, rows: {} });
    rememberTestCall(storage, "debt-reminder", fields, variables);
    // A variable left at its default is not kept: a default changed later is what the next test call starts with.
    expect(readTestCall(storage, "debt-reminder")).toEqual({ ...fields, variables: { debt_amount: "1234,5" } });
    expect(readTestCall(storage, "other").keys).toBe("");
  });

  it("is forgotten, not fatal, when what is kept cannot be read, and not remembered when storage is full", () => {
    const storage = memoryStorage();
    storage.setItem(testCallKey("s"), "{not json");
    expect(readTestCall(storage, "s").variables).toEqual({});
    storage.setItem(testCallKey("s"), JSON.stringify({ keys: 2, variables: { a: "1", b: 2 } }));
    expect(readTestCall(storage, "s")).toMatchObject({ keys: "", variables: { a: "1" } });
    const full = { getItem: () => null, setItem: () => { throw new DOMException("full", "QuotaExceededError"); } };
    expect(() => rememberTestCall(full, "s", fields, variables)).not.toThrow();
  });
});
