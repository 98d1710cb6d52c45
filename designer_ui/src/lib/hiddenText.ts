/**
 * The engine's mask of a sensitive value (graph_engine/sensitive.py: `[hidden: 4 characters]`, `[hidden: 2 items]`,
 * `[hidden: 3 fields]`, `[hidden]`) in the interface language, wherever it stands in a text the story shows (the
 * keys pressed, a variable's value, a phrase said). The record keeps the English; only the words change here, never
 * the count, which is all the mask tells.
 */
import type { Language } from "./i18n";

const MASK = /\[hidden(?:: (\d+) (character|characters|item|items|field|fields))?\]/g;

type Unit = "character" | "item" | "field";

const WORDS: Record<Language, { hidden: string; units: Record<Unit, Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }> }> = {
  en: {
    hidden: "hidden",
    units: { character: { one: "character", other: "characters" }, item: { one: "item", other: "items" }, field: { one: "field", other: "fields" } },
  },
  es: {
    hidden: "oculto",
    units: { character: { one: "carácter", other: "caracteres" }, item: { one: "elemento", other: "elementos" }, field: { one: "campo", other: "campos" } },
  },
  ru: {
    hidden: "скрыто",
    units: {
      character: { one: "символ", few: "символа", many: "символов", other: "символа" },
      item: { one: "элемент", few: "элемента", many: "элементов", other: "элемента" },
      field: { one: "поле", few: "поля", many: "полей", other: "поля" },
    },
  },
};

/** `text` with each mask of a sensitive value said in `language`: `[скрыто: 4 символа]`, `[oculto: 9 caracteres]`. */
export function hiddenText(text: string, language: Language): string {
  if (language === "en" || !text.includes("[hidden")) return text;
  const words = WORDS[language];
  return text.replace(MASK, (_, count: string | undefined, unit: string | undefined) => {
    if (count === undefined || unit === undefined) return `[${words.hidden}]`;
    const n = Number(count);
    const forms = words.units[unit.replace(/s$/, "") as Unit];
    return `[${words.hidden}: ${n} ${forms[new Intl.PluralRules(language).select(n)] ?? forms.other}]`;
  });
}
