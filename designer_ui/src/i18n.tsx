/** The interface language, chosen by the user and remembered in the browser. */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { guessLanguage, translator, type Language, type Translate } from "./lib/i18n";

interface I18n {
  language: Language;
  setLanguage(language: Language): void;
  t: Translate;
}

const STORAGE_KEY = "ivrgraph.language";
const Context = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(() => {
    const stored = localStorage.getItem(STORAGE_KEY);
    return stored === "en" || stored === "es" || stored === "ru" ? stored : guessLanguage(navigator.languages ?? []);
  });
  // The page says the language it is in from the start (a reload, a browser preferring Spanish), not only after a
  // pick: a screen reader reads Russian words with Russian rules only when <html lang> says "ru".
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const value = useMemo<I18n>(
    () => ({
      language,
      t: translator(language),
      setLanguage(next) {
        localStorage.setItem(STORAGE_KEY, next);
        setLanguageState(next);
      },
    }),
    [language],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}

export function LanguagePicker() {
  const { language, setLanguage, t } = useI18n();
  return (
    <label className="language-picker">
      <span className="sr-only">{t("app.language")}</span>
      <select
        aria-label={t("app.language")}
        value={language}
        onChange={(e) => setLanguage(e.target.value as Language)}
      >
        <option value="en">English</option>
        <option value="es">Español</option>
        <option value="ru">Русский</option>
      </select>
    </label>
  );
}
