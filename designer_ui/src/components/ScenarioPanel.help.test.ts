import { describe, expect, it } from "vitest";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import { ScenarioPanel, VariableTypeSelect } from "./ScenarioPanel";

/** The hints under the panel's fields, in order. */
const hints = (html: string) => [...html.matchAll(/<small class="hint">(.*?)<\/small>/gs)].map((m) => m[1]!);
const typeHelp = (html: string) => /<select name="variable-type"[^>]* title="([^"]*)"/.exec(html)?.[1];

describe("the scenario settings' help, from the scenario format, in the interface language", () => {
  it("says what the language field takes", () => {
    expect(hints(renderToHtml(ScenarioPanel, {}))).toContain("Default language of prompts and speech (BCP 47, e.g. es, es-ES, ru, kk).");
    expect(hints(renderInLanguage("ru", ScenarioPanel, {}))).toContain("Язык сообщений и речи по умолчанию (BCP 47, например ru, ru-RU, kk, es).");
    expect(hints(renderInLanguage("es", ScenarioPanel, {}))).toContain(
      "Idioma por defecto de los mensajes y de la voz (BCP 47, p. ej. es, es-ES, es-MX, ru).",
    );
  });

  it("says what a variable's type means", () => {
    const props = { name: "due_date", value: "date", onChange: () => undefined };
    expect(typeHelp(renderInLanguage("ru", VariableTypeSelect, props))).toMatch(/^Что хранит переменная\. Дата — это текст ISO 8601/);
    expect(typeHelp(renderToHtml(VariableTypeSelect, props))).toMatch(/^What the variable holds\./);
  });
});
