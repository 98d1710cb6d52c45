import { describe, expect, it } from "vitest";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import { VariableRow } from "./ScenarioPanel";

const noop = () => undefined;
const row = (name: string, number = 2) => ({
  number,
  variable: { name, type: "date" as const },
  onRename: noop,
  onType: noop,
  onSensitive: noop,
  onDelete: noop,
});

/** A declared variable's box: its heading, its name field's visible label, and its ✕'s name and help. */
function parts(html: string) {
  return {
    legend: /<legend>(.*?)<\/legend>/s.exec(html)?.[1],
    nameLabel: /<label>([^<]*)<input[^>]*name="variable-name"/s.exec(html)?.[1]?.trim(),
    deleteLabel: /<button[^>]* aria-label="([^"]*)"[^>]*>✕<\/button>/.exec(html)?.[1],
    deleteHelp: /<button[^>]* title="([^"]*)"[^>]*>✕<\/button>/.exec(html)?.[1],
  };
}

describe("a declared variable in the Scenario panel", () => {
  it("is a box of its own, numbered, with its name field labelled and its ✕ named for it", () => {
    expect(parts(renderToHtml(VariableRow, row("fecha")))).toEqual({
      legend: "Variable 2",
      nameLabel: "Name",
      deleteLabel: "Delete variable fecha",
      deleteHelp: "Delete variable fecha",
    });
  });

  it("keeps the ✕ inside its variable's box, beside its name, not between two variables", () => {
    const html = renderToHtml(VariableRow, row("fecha"));
    const box = /<li class="variable-row"><fieldset>(.*)<\/fieldset><\/li>/s.exec(html)?.[1] ?? "";
    expect(box).toMatch(/<div class="variable-row-head"><label>.*name="variable-name".*<\/label><button[^>]*>✕<\/button><\/div>/s);
    expect(box).toContain('name="variable-type"');
  });

  it("names a variable whose name was cleared by its number", () => {
    expect(parts(renderToHtml(VariableRow, row("", 3))).deleteLabel).toBe("Delete variable 3");
  });

  it("says it in Spanish and Russian", () => {
    expect(parts(renderInLanguage("es", VariableRow, row("fecha")))).toEqual({
      legend: "Variable 2",
      nameLabel: "Nombre",
      deleteLabel: "Eliminar la variable fecha",
      deleteHelp: "Eliminar la variable fecha",
    });
    expect(parts(renderInLanguage("ru", VariableRow, row("fecha")))).toEqual({
      legend: "Переменная 2",
      nameLabel: "Имя",
      deleteLabel: "Удалить переменную fecha",
      deleteHelp: "Удалить переменную fecha",
    });
  });
});
