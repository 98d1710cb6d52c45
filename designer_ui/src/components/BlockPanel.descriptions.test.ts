import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import catalogJson from "../lib/fixtures/catalog.json";
import { BlockConfigForm } from "./BlockPanel";
import { renderInLanguage } from "./renderForTest";

const spec = (type: string) => (catalogJson as unknown as BlockSpec[]).find((b) => b.type === type)!;
const formContext = { variables: [], nodes: [], scenarios: [], audio: [], dataSources: [], language: "ru" };
const formIn = (language: "es" | "ru", type: string, config: Record<string, unknown>) =>
  renderInLanguage(language, BlockConfigForm, { nodeId: type, spec: spec(type), config, formContext, readOnly: false, onChange: () => undefined });
/** The help text under each field, by the field's id. */
const helpTexts = (html: string) =>
  Object.fromEntries([...html.matchAll(/<div id="([^"]*)__description" class="field-description">(.*?)<\/div>/gs)].map((m) => [m[1]!, m[2]!]));

describe("a block form's help texts, in the interface language", () => {
  it("draws the IVR's in Russian", () => {
    const help = helpTexts(formIn("ru", "ivr", { mode: "capture", prompt: { text: "Введите номер" }, variable: "number" }));
    expect(help["cfg-ivr_mode"]).toBe("Меню: по выходу на каждую клавишу. Ввод номера: звонящий набирает номер и завершает его клавишей окончания ввода.");
    expect(help["cfg-ivr_prompt_language"]).toBe("Оставьте пустым, чтобы использовать язык сценария.");
    expect(help["cfg-ivr_max_tries"]).toMatch(/^Считаются заново при каждом приходе звонка в этот блок/);
    expect(help["cfg-ivr_allow_star"]).toMatch(/^Выключено: допустимы только цифры 0-9/);
    expect(help["cfg-ivr_max_length"]).toContain("«Мин. цифр»");
    expect(Object.values(help).join(" ")).not.toMatch(/\b(the|caller|empty|digits)\b/);
  });

  it("draws the others' in Spanish, with an example for a Spanish screen", () => {
    expect(helpTexts(formIn("es", "schedule", { timezone: "UTC" }))["cfg-schedule_timezone"]).toBe(
      "Nombre IANA, p. ej. Europe/Madrid, Atlantic/Canary, America/Mexico_City.",
    );
    expect(helpTexts(formIn("es", "hangup", {}))["cfg-hangup_result"]).toBe(
      "Se guarda en la variable <code>result</code> de la llamada: uno de los resultados que declara el escenario, que los informes muestran por su etiqueta.",
    );
  });
});
