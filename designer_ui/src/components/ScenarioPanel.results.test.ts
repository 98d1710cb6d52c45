import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SCENARIO_FIELD_HELP } from "../lib/descriptions";
import { problemText } from "../lib/problemText";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import { addedResult, changedResult, ResultRow, ScenarioPanel } from "./ScenarioPanel";

const noop = () => undefined;
const row = (code: string, label: string, number = 2) => ({ number, result: { code, label }, onCode: noop, onLabel: noop, onDescription: noop, onDelete: noop });

/** A declared result's box: its heading, its fields' visible labels and values, and its ✕'s name. */
function parts(html: string) {
  return {
    legend: /<legend>(.*?)<\/legend>/s.exec(html)?.[1],
    codeLabel: /<label>([^<]*)<input[^>]*name="result-code"/s.exec(html)?.[1]?.trim(),
    code: /<input[^>]*name="result-code"[^>]*value="([^"]*)"/.exec(html)?.[1],
    labelLabel: /<label>([^<]*)<input[^>]*name="result-label"/s.exec(html)?.[1]?.trim(),
    label: /<input[^>]*name="result-label"[^>]*value="([^"]*)"/.exec(html)?.[1],
    deleteLabel: /<button[^>]* aria-label="([^"]*)"[^>]*>✕<\/button>/.exec(html)?.[1],
  };
}

describe("the Scenario panel's call results", () => {
  it("has a section of its own, with a button to add one", () => {
    const html = renderToHtml(ScenarioPanel, {});
    expect(html).toMatch(/<section class="scenario-results"[^>]*><h3>Call results<\/h3>/);
    expect(html).toContain(">Add result</button>");
  });

  it("takes its help from the scenario format, word for word", () => {
    const schema = JSON.parse(readFileSync(new URL("../../../schemas/scenario.schema.json", import.meta.url), "utf8"));
    expect(SCENARIO_FIELD_HELP.results).toBe(schema.properties.results.description);
    expect(SCENARIO_FIELD_HELP.resultCode).toBe(schema.$defs.result.properties.code.description);
    expect(SCENARIO_FIELD_HELP.resultLabel).toBe(schema.$defs.result.properties.label.description);
    const html = renderInLanguage("es", ScenarioPanel, {});
    expect(html).toContain("Los resultados de la llamada que este escenario guarda");
  });

  it("shows a result's code and label, each field labelled, its ✕ named for its code", () => {
    expect(parts(renderToHtml(ResultRow, row("will_pay", "Pagará")))).toEqual({
      legend: "Result 2",
      codeLabel: "Code",
      code: "will_pay",
      labelLabel: "Label",
      label: "Pagará",
      deleteLabel: "Delete result will_pay",
    });
    expect(parts(renderToHtml(ResultRow, row("", "", 3))).deleteLabel).toBe("Delete result 3");
  });

  it("says it in Spanish and Russian", () => {
    expect(parts(renderInLanguage("es", ResultRow, row("will_pay", "Pagará")))).toMatchObject({
      legend: "Resultado 2",
      codeLabel: "Código",
      labelLabel: "Etiqueta",
      deleteLabel: "Eliminar el resultado will_pay",
    });
    expect(parts(renderInLanguage("ru", ResultRow, row("will_pay", "Оплатит")))).toMatchObject({
      legend: "Результат 2",
      codeLabel: "Код",
      labelLabel: "Название",
      deleteLabel: "Удалить результат will_pay",
    });
    expect(renderInLanguage("es", ScenarioPanel, {})).toContain("<h3>Resultados de la llamada</h3>");
    expect(renderInLanguage("ru", ScenarioPanel, {})).toContain("<h3>Результаты звонка</h3>");
  });

  it("changes a code or a label and keeps the rest of the result, a description among it", () => {
    const results = [
      { code: "will_pay", label: "Pagará", description: "Pulsó 1" },
      { code: "operator", label: "Operador" },
    ];
    expect(changedResult(results, 0, { label: "Pagará pronto" })).toEqual([
      { code: "will_pay", label: "Pagará pronto", description: "Pulsó 1" },
      { code: "operator", label: "Operador" },
    ]);
    expect(changedResult(results, 1, { code: "operator_unavailable" })[1]).toEqual({ code: "operator_unavailable", label: "Operador" });
    expect(results[0]!.label).toBe("Pagará"); // not changed in place: the editor's history keeps the old one
  });

  it("adds a result under a code no other has, its label to be typed", () => {
    expect(addedResult([])).toEqual([{ code: "result_1", label: "" }]);
    expect(addedResult([{ code: "result_2", label: "x" }]).at(-1)).toEqual({ code: "result_3", label: "" });
  });

  it("names the server's problems with a declared result in the analyst's language", () => {
    const twice = { severity: "error" as const, code: "duplicate_result", message: 'The result "will_pay" is declared twice', path: "$.results[2].code", params: { result: "will_pay" } };
    expect(problemText(twice, "es")).toBe("El resultado «will_pay» está declarado dos veces");
    expect(problemText(twice, "ru")).toBe("Результат «will_pay» объявлен дважды");
    const undeclared = {
      severity: "warning" as const,
      code: "undeclared_result",
      message: 'Set Variable "Paid" records the result "paid", which the scenario does not declare: reports show its code instead of a label',
      node: "set",
      params: { block_type: "set_variable", block_title: "Set Variable", label: "Paid", result: "paid" },
    };
    expect(problemText(undeclared, "es")).toMatch(/guarda el resultado «paid», que el escenario no declara/);
    expect(problemText(undeclared, "ru")).toMatch(/записывает результат «paid»/);
    const empty = {
      severity: "error" as const,
      code: "invalid_value",
      message: "Result 2 label: must not be empty",
      path: "$.results[1].label",
      params: { where: "result", row: 2, field: "label", rule: "minLength", limit: 1, length: 0 },
    };
    expect(problemText(empty, "es")).toMatch(/^Resultado 2, etiqueta — /);
    expect(problemText(empty, "ru")).toMatch(/^Результат 2, название — /);
    const badCode = {
      ...empty,
      path: "$.results[1].code",
      params: { where: "result", row: 2, field: "code", rule: "pattern", value: "no pagará", hint: SCENARIO_FIELD_HELP.resultCode },
    };
    expect(problemText(badCode, "es")).toMatch(/^Resultado 2, código — «no pagará» .*letras, cifras y _/);
  });
});
