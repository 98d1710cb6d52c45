// Accessibility review (en/es/ru): "Text to say of block “Saludo (v2)” changed" read the field's title as the start
// of a sentence; Spanish put it unquoted mid-sentence with its capital ("ha cambiado Texto que se dice del
// bloque…"); and "scenario setting “description” changed" showed the document's raw key. A field's title is quoted
// as the block's form shows it, a scenario setting named as the Scenario panel titles it.
import { describe, expect, it } from "vitest";
import type { BlockSpec, Catalog } from "./catalog";
import { changeText, type Change } from "./changeText";
import { translator, type Language } from "./i18n";

const spec = { type: "say", title: "Say Phrase", config_schema: { type: "object", properties: { text: { title: "Text to say" } } }, exit_rules: [] };
const catalog: Catalog = new Map([["say", spec as unknown as BlockSpec]]);
const wording = (language: Language) => ({ t: translator(language), language, catalog, typeOf: () => "say" });
const prompt: Change = { kind: "prompt_changed", node: "hi", label: "Saludo (v2)", type: "say", field: "text" };

describe("a prompt's change", () => {
  it("quotes the field's title, the sentence reading as one", () => {
    expect(changeText(prompt, wording("en"))).toBe("“Text to say” of block “Saludo (v2)” changed");
    expect(changeText(prompt, wording("es"))).toBe("ha cambiado el campo «Texto que se dice» del bloque «Saludo (v2)»");
    expect(changeText(prompt, wording("ru"))).toBe("изменено поле «Текст для озвучивания» блока «Saludo (v2)»");
  });

  it("quotes it too with the texts before and after", () => {
    const short: Change = { ...prompt, before: "Hola", after: "Buenos días" };
    expect(changeText(short, wording("en"))).toBe("“Text to say” of block “Saludo (v2)” changed: “Hola” → “Buenos días”");
    expect(changeText(short, wording("es"))).toBe("ha cambiado el campo «Texto que se dice» del bloque «Saludo (v2)»: «Hola» → «Buenos días»");
  });
});

describe("a scenario setting's change", () => {
  const setting = (field: string): Change => ({ kind: "setting_changed", field });

  it("names the setting as the Scenario panel titles it, in every language", () => {
    expect(changeText(setting("description"), wording("en"))).toBe("scenario setting “Description” changed");
    expect(changeText(setting("description"), wording("es"))).toBe("ha cambiado el ajuste del escenario «Descripción»");
    expect(changeText(setting("description"), wording("ru"))).toBe("изменена настройка сценария «Описание»");
    expect(changeText(setting("fallback"), wording("en"))).toBe("scenario setting “Fallback block” changed");
    expect(changeText(setting("voice"), wording("es"))).toBe("ha cambiado el ajuste del escenario «Voz»");
    for (const field of ["name", "language", "variables", "voice"]) {
      expect(changeText(setting(field), wording("ru"))).not.toContain(`«${field}»`);
    }
  });

  it("keeps a key it does not know as sent", () => {
    expect(changeText(setting("moon"), wording("en"))).toBe("scenario setting “moon” changed");
  });
});
