import { describe, expect, it } from "vitest";
import { translator, type Language } from "./i18n";
import { testFailureText, type FailureNames, type TestFailure } from "./testFailureText";

// QA review: a failing path was said as both paths in full; the reader compared them block by block. The server says
// where they part (`step`, `wanted`, `went`), and so does the designer, blocks by their labels. And a variable of
// `expect.variables` the scenario does not have (`unknown_variable`) is said with the one likely meant.
const labels = new Map([
  ["start", "Start"],
  ["menu", "Main menu"],
  ["busy", "All busy"],
  ["sales", "Sales"],
]);
const names: FailureNames = { block: (name) => labels.get(name) ?? name, type: (type) => type };
const said = (failure: TestFailure, language: Language = "en") => testFailureText(failure, language, translator(language), names);

const mismatch = (path: string[], expected: string[], step: number, went: string | null, wanted: string | null): TestFailure => ({
  code: "path_mismatch",
  params: { path, expected, step, went, wanted },
  text: `path was ${JSON.stringify(path)}, expected ${JSON.stringify(expected)}: differs at step ${step}`,
});

describe("a path that is not the one expected", () => {
  it("says where the paths part, the blocks by their labels", () => {
    const ends = mismatch(["start", "menu", "busy"], ["start", "menu"], 3, "busy", null);
    expect(said(ends).text).toBe(
      "The call went “Start” → “Main menu” → “All busy”; the test expects “Start” → “Main menu”. Differs at step 3: expected the call to end, it went to “All busy”.",
    );
    const elsewhere = mismatch(["start", "menu", "busy"], ["start", "menu", "sales"], 3, "busy", "sales");
    expect(said(elsewhere).text).toContain("Differs at step 3: expected “Sales”, it went to “All busy”.");
    const ended = mismatch(["start", "menu"], ["start", "menu", "sales"], 3, null, "sales");
    expect(said(ended).text).toContain("Differs at step 3: expected “Sales”, the call ended.");
  });

  it("says it in Spanish and Russian", () => {
    const ends = mismatch(["start", "menu", "busy"], ["start", "menu"], 3, "busy", null);
    expect(said(ends, "es")).toEqual({ text: expect.stringContaining("Difiere en el paso 3: se esperaba que la llamada terminara, fue a «All busy»."), english: false });
    expect(said(ends, "ru").text).toContain("Расходится на шаге 3: ожидалось, что звонок завершится, он пошёл в «All busy».");
  });

  it("says the paths alone for a server that does not say where they part", () => {
    const older: TestFailure = { code: "path_mismatch", params: { path: ["start"], expected: ["menu"] }, text: "path was ['start'], expected ['menu']" };
    expect(said(older).text).toBe("The call went “Start”; the test expects “Main menu”.");
  });
});

describe("a variable the scenario does not have", () => {
  const misspelt: TestFailure = {
    code: "unknown_variable",
    params: { field: "expect.variables", variable: "resutl", meant: "result" },
    text: "expect.variables: unknown variable 'resutl' (did you mean 'result'?)",
  };

  it("is said with the one likely meant, in every language", () => {
    expect(said(misspelt)).toEqual({ text: "The test expects the variable “resutl”, which the scenario does not have: did you mean “result”?", english: false });
    expect(said(misspelt, "es").text).toBe("La prueba espera la variable «resutl», que el escenario no tiene: ¿quería decir «result»?");
    expect(said(misspelt, "ru").text).toBe("Тест ожидает переменную «resutl», которой в сценарии нет: может быть, «result»?");
    expect(said({ ...misspelt, params: { ...misspelt.params, meant: null } }).text).toBe("The test expects the variable “resutl”, which the scenario does not have.");
  });
});
