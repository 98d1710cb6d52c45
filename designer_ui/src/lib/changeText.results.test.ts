import { describe, expect, it } from "vitest";
import { changeText, diffLines, type Change } from "./changeText";
import { translator, type Language } from "./i18n";

const wording = (language: Language) => ({ t: translator(language), language, catalog: new Map(), typeOf: () => undefined });

// Review (a Spanish analyst): a version that only renamed «Pagará» said «Sin cambios», yet every past call then read
// the new label. graph_engine.diff tells each declared result added, removed, relabelled or described anew.
const changes: Change[] = [
  { kind: "result_relabelled", code: "will_pay", before: "Pagará", after: "Pagará el lunes" },
  { kind: "result_added", code: "operator", before: null, after: "Operador" },
  { kind: "result_removed", code: "no_response", before: "Sin respuesta", after: null },
  { kind: "result_description_changed", code: "will_pay", before: null, after: "Pulsó 1" },
  { kind: "result_description_changed", code: "will_pay", before: null, after: null },
];

describe("a version's changes to its call results, in words", () => {
  it("are said in Spanish, a new label with what it changes for the calls already made", () => {
    expect(changes.map((c) => changeText(c, wording("es")))).toEqual([
      "el resultado «will_pay» se llama ahora «Pagará el lunes» (antes: «Pagará»); los informes y las llamadas ya hechas muestran la etiqueta nueva",
      "resultado «operator» añadido: «Operador»",
      "resultado «no_response» eliminado (era «Sin respuesta»)",
      "ha cambiado la descripción del resultado «will_pay»: sin valor → «Pulsó 1»",
      "ha cambiado la descripción del resultado «will_pay»",
    ]);
  });

  it("are said in English and Russian", () => {
    expect(changes.slice(0, 3).map((c) => changeText(c, wording("en")))).toEqual([
      "result “will_pay” now reads “Pagará el lunes” (was “Pagará”); reports and calls already made show the new label",
      "result “operator” added: “Operador”",
      "result “no_response” removed (was “Sin respuesta”)",
    ]);
    expect(changes.slice(0, 3).map((c) => changeText(c, wording("ru")))).toEqual([
      "результат «will_pay» теперь называется «Pagará el lunes» (раньше «Pagará»); отчёты и уже сделанные звонки показывают новое название",
      "добавлен результат «operator»: «Operador»",
      "удалён результат «no_response» (был «Sin respuesta»)",
    ]);
    for (const language of ["en", "es", "ru"] as const) {
      for (const change of changes) expect(changeText(change, wording(language))).not.toMatch(/\{|undefined/);
    }
  });

  it("are lines of the diff, not the server's English", () => {
    const diff = { empty: false, changes, summary: changes.map(() => "english") };
    expect(diffLines(diff, wording("es"))).not.toContain("english");
  });
});
