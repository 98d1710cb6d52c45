import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { translator, type Language } from "./i18n";
import { FAILURE_TEMPLATES, testFailureText, type FailureNames, type TestFailure } from "./testFailureText";

// The canvas's blocks by label; a block of another scenario (slug:id) is not on it.
const labels = new Map([
  ["start", "Start"],
  ["menu", "Main menu"],
  ["operator", "Operator"],
  ["hello", "Greeting"],
]);
const names: FailureNames = { block: (name) => labels.get(name) ?? name, type: (type) => (type === "say_phrase" ? "Say phrase" : type) };
const said = (failure: TestFailure, language: Language) => testFailureText(failure, language, translator(language), names);

// As the server sends them (tests/graph_engine/test_scenario_test_failures.py checks the server's side).
const path: TestFailure = {
  code: "path_mismatch",
  params: { path: ["start", "menu", "inbound-hotline:menu"], expected: ["start", "menu", "operator"] },
  text: "path was ['start', 'menu', 'inbound-hotline:menu'], expected ['start', 'menu', 'operator']",
};
const variable: TestFailure = {
  code: "variable_mismatch",
  params: { variable: "result", actual: "will_pay", expected: 1 },
  text: "variable result was 'will_pay', expected 1",
};
const unset: TestFailure = { code: "variable_mismatch", params: { variable: "result", actual: null, expected: "paid" }, text: "variable result was None, expected 'paid'" };
const outcome: TestFailure = { code: "outcome_mismatch", params: { outcome: "hung_up", expected: "transferred" }, text: "outcome was hung_up, expected transferred" };
const stepError: TestFailure = {
  code: "step_error",
  params: { node: "hello", block_type: "say_phrase", exit: "error", error: "unknown variable: 'client_name' is undefined" },
  text: "block 'hello' (say_phrase) took its error exit: unknown variable: 'client_name' is undefined",
};
const keys: TestFailure = {
  code: "keys_unused",
  params: { left: ["5", "5"], given: 3 },
  text: "keys: 2 of the 3 keys were never used ('5', '5'): the call listened once; give the keys it takes",
};
const timed: TestFailure = {
  code: "timed_keys_unused",
  params: { left: [[600.5, "2"]], given: 2 },
  text: "timed_keys: 1 of the 2 keys was never pressed ('2' at 600.5 s): the call had ended",
};
const callback: TestFailure = {
  code: "callback_due_outside",
  params: { callback: 1, field: "due_not_after", due: "2026-11-24T09:00:00+01:00", bound: "2026-11-23T20:50:00+01:00" },
  text: "callback 1: due 2026-11-24T09:00:00+01:00 is after 2026-11-23T20:50:00+01:00 (due_not_after)",
};

describe("a scenario test's failure in the analyst's language", () => {
  it("names the blocks as the canvas does, and another scenario's by the test's name for them", () => {
    expect(said(path, "es")).toEqual({
      text: "La llamada pasó por «Start» → «Main menu» → «inbound-hotline:menu»; la prueba espera «Start» → «Main menu» → «Operator».",
      english: false,
    });
    expect(said(path, "ru").text).toBe("Звонок прошёл «Start» → «Main menu» → «inbound-hotline:menu»; тест ожидает «Start» → «Main menu» → «Operator».");
    expect(said(path, "en").text).toBe("The call went “Start” → “Main menu” → “inbound-hotline:menu”; the test expects “Start” → “Main menu” → “Operator”.");
  });

  it("shows a value as the test writes it: text quoted, a number as it is, nothing as no value", () => {
    expect(said(variable, "es").text).toBe("La variable result valía «will_pay»; la prueba espera 1.");
    expect(said(unset, "ru").text).toBe("У переменной result не было значения; тест ожидает «paid».");
  });

  it("says outcomes, block types and a block's error exit in the designer's words, the block's error as the engine said it", () => {
    expect(said(outcome, "es").text).toBe("Cómo terminó la llamada: el escenario colgó; la prueba espera: transferida.");
    expect(said(stepError, "ru").text).toBe("Блок «Greeting» (Say phrase) ушёл по выходу «Ошибка»: unknown variable: 'client_name' is undefined");
  });

  it("says what the call left of its script, and a callback's due moment against the test's bound", () => {
    expect(said(keys, "ru").text).toBe(
      "Клавиши, которые звонок так и не использовал (2 из 3 в тесте): «5», «5». Оставьте в тесте только те клавиши, которые принимает его звонок.",
    );
    expect(said(timed, "es").text).toContain("(1 de las 2 que da la prueba): «2» a los 600,5 s.");
    expect(said(callback, "ru").text).toBe(
      "Обратный звонок 1: назначен на 2026-11-24T09:00:00+01:00, позже 2026-11-23T20:50:00+01:00 (due_not_after).",
    );
  });

  it("is the server's English, said to be English, for a code it has no words for or params short of them", () => {
    const newer: TestFailure = { code: "sms_not_sent", params: { node: "sms" }, text: "the SMS to 'sms' was not sent" };
    expect(said(newer, "ru")).toEqual({ text: "the SMS to 'sms' was not sent", english: true });
    const unknownNode: TestFailure = {
      code: "unknown_node",
      params: { field: "expect.not_visits", node: "opertor" },
      text: "expect.not_visits: unknown node 'opertor' (did you mean 'operator'?)",
    };
    expect(said(unknownNode, "es")).toEqual({ text: unknownNode.text, english: true });
    const short: TestFailure = { ...path, params: { path: ["start"] } };
    expect(said(short, "es")).toEqual({ text: path.text, english: true });
  });

  it("has words for every code docs/scenario-format.md lists but those whose words the server builds from the test's JSON", () => {
    const doc = readFileSync(new URL("../../../docs/scenario-format.md", import.meta.url), "utf8");
    const section = doc.split("### Scenario test failures")[1]!.split("\n## ")[0]!;
    const codes = new Set<string>();
    for (const line of section.split("\n").filter((l) => l.startsWith("| `"))) {
      for (const match of line.split("|")[1]!.matchAll(/`([a-z_]+)`/g)) codes.add(match[1]!);
    }
    expect(codes.size).toBeGreaterThan(30);
    const saidInEnglish = ["unknown_node", "expectation_malformed", "unknown_data_source", "forced_exit_refused", "test_refused", "unrunnable"];
    expect([...codes].filter((code) => !Object.hasOwn(FAILURE_TEMPLATES, code)).sort()).toEqual([...saidInEnglish].sort());
    expect(Object.keys(FAILURE_TEMPLATES).filter((code) => !codes.has(code))).toEqual([]);
  });
});
