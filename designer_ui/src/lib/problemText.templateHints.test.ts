import { describe, expect, it } from "vitest";
import type { Problem } from "./problems";
import { problemText } from "./problemText";

// As the server sends them (tests/graph_engine/test_template_hints.py checks the server's side).
const menu = { block_type: "ivr", block_title: "IVR Menu", label: "Recordatorio", field: "Menu prompt > Text to say" };

const dateAsStored: Problem = {
  severity: "warning",
  code: "date_spoken_raw",
  message:
    'IVR Menu "Recordatorio": Menu prompt > Text to say speaks the date "fecha" as it is stored (2026-12-15 is read out as numbers): write {{ spoken_date(fecha, language) }} to have it said as a date',
  params: { ...menu, variable: "fecha", fix: "{{ spoken_date(fecha, language) }}" },
};

const singleBraces: Problem = {
  severity: "warning",
  code: "single_brace_variable",
  message:
    'IVR Menu "Recordatorio": Menu prompt > Text to say has {nombre} in single braces, which is kept as written, braces and all: write {{ nombre }} to use the value of "nombre"',
  params: { ...menu, variable: "nombre", written: "{nombre}", fix: "{{ nombre }}" },
};

describe("the warnings about what a template writes, in the analyst's language", () => {
  it("keeps the server's English", () => {
    for (const problem of [dateAsStored, singleBraces]) expect(problemText(problem, "en")).toBe(problem.message);
  });

  it("names the block, the field and the fix in Spanish", () => {
    expect(problemText(dateAsStored, "es")).toBe(
      "Menú IVR «Recordatorio»: en «Mensaje del menú», «Texto que se dice», la fecha «fecha» se dice tal como está guardada (2026-12-15 se lee como números): escriba {{ spoken_date(fecha, language) }} para que se diga como una fecha",
    );
    expect(problemText(singleBraces, "es")).toBe(
      "Menú IVR «Recordatorio»: en «Mensaje del menú», «Texto que se dice», {nombre} va entre llaves simples y se queda tal cual, con las llaves: escriba {{ nombre }} para usar el valor de «nombre»",
    );
  });

  it("and in Russian", () => {
    expect(problemText(dateAsStored, "ru")).toContain(
      "в поле «Сообщение меню», «Текст для озвучивания» дата «fecha» произносится так, как хранится (2026-12-15 читается как числа): напишите {{ spoken_date(fecha, language) }}",
    );
    expect(problemText(singleBraces, "ru")).toContain(
      "{nombre} стоит в одинарных фигурных скобках и остаётся как написано, вместе со скобками: напишите {{ nombre }}, чтобы подставить значение «nombre»",
    );
  });

  it("falls back to the server's words when a param is missing", () => {
    const { fix: _fix, ...rest } = dateAsStored.params!;
    expect(problemText({ ...dateAsStored, params: rest }, "es")).toBe(dateAsStored.message);
  });
});
