/**
 * What a test call is given besides keys and a moment: the scenario's declared variables (an autoinformer's
 * `debt_amount`, which a call list gives a real call), the caller's name, and rows for each data source its SQL
 * blocks query (a CRM lookup). Without them an autoinformer failed at its first amount ("not a number: None") and
 * every SQL block took its error exit (review of a Russian contact centre). The fields are typed as text; this
 * module reads them as the values POST /api/scenarios/{slug}/simulate takes, and remembers them per scenario.
 */
import type { Variable } from "../generated/scenario";
import type { BlockNode } from "./convert";
import type { MessageKey } from "./i18n";
import { jsonErrorLine } from "./importFile";

/** A field that cannot be sent as it is, in words the interface says (a key of lib/i18n and its params). */
export interface FieldProblem {
  message: MessageKey;
  params?: Record<string, string | number>;
}

/** A field read: its value, nothing to send (the declared default, or none, stands), or why it cannot be read. */
export type FieldReading = { value: unknown } | { omitted: true } | { problem: FieldProblem };

/** A declared variable as the test call's form shows it: its type ("string" when it declares none). */
export interface TestVariable {
  name: string;
  type: NonNullable<Variable["type"]>;
  hasDefault: boolean;
  default: unknown;
  description: string;
}

export function testVariables(declared: readonly Variable[] | undefined): TestVariable[] {
  return (declared ?? []).map((variable) => ({
    name: variable.name,
    type: variable.type ?? "string",
    hasDefault: Object.hasOwn(variable, "default"),
    default: variable.default,
    description: variable.description ?? "",
  }));
}

/** The text a variable's field starts with: its declared default, written as its field takes it. */
export function defaultText(variable: TestVariable): string {
  const value = variable.default;
  if (value === undefined || value === null) return "";
  if (variable.type === "list" || variable.type === "object") return JSON.stringify(value);
  if (typeof value === "string") return value;
  return typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
}

// A number as people type it: "120.5", "120,5" (a Russian or Spanish decimal comma), "1 234,50" (spaces between
// the thousands, a no-break or thin one as a spreadsheet copies it). A comma and a dot together are not guessed at.
const TYPED_NUMBER = /^[-+]?(\d+([.,]\d+)?|[.,]\d+)([eE][-+]?\d+)?$/;
const THOUSANDS_SPACES = /[\s\u00a0\u202f]/g;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function typedNumber(text: string): number | null {
  const compact = text.replace(THOUSANDS_SPACES, "");
  if (!TYPED_NUMBER.test(compact)) return null;
  const value = Number(compact.replace(",", "."));
  return Number.isFinite(value) ? value : null;
}

function json(text: string): { value: unknown } | { problem: FieldProblem } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { problem: jsonProblem(text, error) };
  }
}

/**
 * Where JSON.parse gave up on `text`, in the interface's words: the engine's own message is English whatever the
 * analyst's language ("Expected ',' or '}' after property value in JSON at position 11"). The line is
 * importFile's; the column is the engine's, or counted from the position it gives.
 */
export function jsonProblem(text: string, error: unknown): FieldProblem {
  const line = jsonErrorLine(text, error);
  if (line === null) return { message: "test.notJsonAnywhere" };
  const column = jsonErrorColumn(text, error);
  return column === null ? { message: "test.notJsonLine", params: { line } } : { message: "test.notJsonAt", params: { line, column } };
}

function jsonErrorColumn(text: string, error: unknown): number | null {
  const message = error instanceof Error ? error.message : "";
  const said = /line \d+ column (\d+)/.exec(message);
  if (said) return Number(said[1]);
  const position = /position (\d+)/.exec(message);
  if (!position) return null;
  const at = Number(position[1]);
  return at - (text.lastIndexOf("\n", at - 1) + 1) + 1;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The value a variable's field sends. An empty field of a variable with no default sends nothing: the call has
 * none, as one from a call list without that column. Emptied, a variable with a default is text "" or none.
 */
export function variableValue(variable: TestVariable, text: string): FieldReading {
  const trimmed = text.trim();
  if (trimmed === "") {
    if (!variable.hasDefault) return { omitted: true };
    return { value: variable.type === "string" || variable.type === "date" ? "" : null };
  }
  switch (variable.type) {
    case "number":
    case "integer": {
      const value = typedNumber(trimmed);
      if (value === null) return { problem: { message: "test.notNumber" } };
      if (variable.type === "integer" && !Number.isInteger(value)) return { problem: { message: "test.notInteger" } };
      return { value };
    }
    case "boolean":
      if (trimmed === "true" || trimmed === "false") return { value: trimmed === "true" };
      return { problem: { message: "test.notBoolean" } };
    case "date":
      return ISO_DATE.test(trimmed) ? { value: trimmed } : { problem: { message: "test.notDate" } };
    case "list":
    case "object": {
      const read = json(trimmed);
      if ("problem" in read) return read;
      const fits = variable.type === "list" ? Array.isArray(read.value) : isRecord(read.value);
      return fits ? read : { problem: { message: variable.type === "list" ? "test.notList" : "test.notObject" } };
    }
    default:
      return { value: text };
  }
}

/** A data source the scenario's SQL blocks query, with the columns they read from it (for the rows' example). */
export interface TestSource {
  name: string;
  columns: string[];
}

export function sqlSources(nodes: readonly Pick<BlockNode, "data">[]): TestSource[] {
  const sources = new Map<string, Set<string>>();
  for (const { data } of nodes) {
    if (data.blockType !== "sql" || typeof data.config.source !== "string" || data.config.source === "") continue;
    const columns = sources.get(data.config.source) ?? new Set<string>();
    if (isRecord(data.config.columns)) for (const column of Object.keys(data.config.columns)) columns.add(column);
    sources.set(data.config.source, columns);
  }
  return [...sources]
    .map(([name, columns]) => ({ name, columns: [...columns] }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** What a source's rows field shows when empty: one row with the columns its SQL blocks read. */
export function rowsExample(source: TestSource): string {
  const columns = source.columns.length > 0 ? source.columns : ["column"];
  return JSON.stringify([Object.fromEntries(columns.map((column) => [column, "…"]))]);
}

/**
 * The rows a source's field sends: a JSON list of rows, each an object of column -> value (one object alone is
 * one row). Empty: none, so the source has no test rows and its SQL blocks take their error exit; [] finds none.
 */
export function rowsValue(text: string): FieldReading {
  if (text.trim() === "") return { omitted: true };
  const read = json(text);
  if ("problem" in read) return read;
  const rows = isRecord(read.value) ? [read.value] : read.value;
  if (!Array.isArray(rows) || !rows.every(isRecord)) return { problem: { message: "test.notRows" } };
  return { value: rows };
}

/** What the test call's extra fields hold, as typed: by variable name, by source name. */
export interface TestFieldTexts {
  variables: Record<string, string>;
  rows: Record<string, string>;
}

/** The `variables` and `data_rows` to send, and each field that cannot be read, by `var:name` / `rows:source`. */
export interface TestCallValues {
  variables: Record<string, unknown>;
  dataRows: Record<string, Record<string, unknown>[]>;
  problems: Record<string, FieldProblem>;
}

export function variableText(variable: TestVariable, texts: TestFieldTexts): string {
  return texts.variables[variable.name] ?? defaultText(variable);
}

export function testCallValues(variables: readonly TestVariable[], sources: readonly TestSource[], texts: TestFieldTexts): TestCallValues {
  const values: TestCallValues = { variables: {}, dataRows: {}, problems: {} };
  for (const variable of variables) {
    const read = variableValue(variable, variableText(variable, texts));
    if ("problem" in read) values.problems[`var:${variable.name}`] = read.problem;
    else if ("value" in read) values.variables[variable.name] = read.value;
  }
  for (const source of sources) {
    const read = rowsValue(texts.rows[source.name] ?? "");
    if ("problem" in read) values.problems[`rows:${source.name}`] = read.problem;
    else if ("value" in read) values.dataRows[source.name] = read.value as Record<string, unknown>[];
  }
  return values;
}

/** Everything the test call's form remembers between visits, as typed. */
export interface RememberedTestCall extends TestFieldTexts {
  keys: string;
  callerId: string;
  callerName: string;
  transfers: string;
}

export const EMPTY_TEST_CALL: RememberedTestCall = { keys: "", callerId: "", callerName: "", transfers: "", variables: {}, rows: {} };

/** Where the form is kept: the browser's localStorage, or a stand-in in tests. */
export type TestCallStorage = Pick<Storage, "getItem" | "setItem">;

export function testCallKey(slug: string): string {
  return `ivrgraph.testCall.${slug}`;
}

const texts = (value: unknown): Record<string, string> =>
  isRecord(value) ? Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string")) : {};
const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** The last test call's fields for `slug`; empty ones when there was none, or what is kept cannot be read. */
export function readTestCall(storage: TestCallStorage, slug: string): RememberedTestCall {
  try {
    const kept = JSON.parse(storage.getItem(testCallKey(slug)) ?? "null") as unknown;
    if (!isRecord(kept)) return EMPTY_TEST_CALL;
    return {
      keys: text(kept.keys),
      callerId: text(kept.callerId),
      callerName: text(kept.callerName),
      transfers: text(kept.transfers),
      variables: texts(kept.variables),
      rows: texts(kept.rows),
    };
  } catch {
    return EMPTY_TEST_CALL;
  }
}

/**
 * Keeps a test call's fields for the next one. A variable's text equal to its declared default is not kept, so a
 * default changed later is what the next test call starts with.
 */
export function rememberTestCall(storage: TestCallStorage, slug: string, fields: RememberedTestCall, variables: readonly TestVariable[]): void {
  const typed = Object.fromEntries(
    variables.filter((v) => fields.variables[v.name] !== undefined && fields.variables[v.name] !== defaultText(v)).map((v) => [v.name, fields.variables[v.name]]),
  );
  try {
    storage.setItem(testCallKey(slug), JSON.stringify({ ...fields, variables: typed }));
  } catch {
    // A full or disabled storage must never stop a test call: the fields are only not remembered.
  }
}
