import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { I18nProvider, LanguagePicker } from "./i18n";
import { MemoryStorage } from "./testSupport";

// Server rendering runs no effects, and these tests have no browser: here an effect runs as soon as it is declared,
// so what the provider does on start can be seen (its other hooks are React's own).
vi.mock("react", async (importOriginal) => {
  const react = await importOriginal<typeof import("react")>();
  return { ...react, useEffect: (effect: () => void) => void effect() };
});

/** The page as the provider finds it on start: <html lang="en"> from index.html, this storage and browser. */
function start(stored: string | null, preferred: string[]): { lang: string } {
  const root = { lang: "en" };
  const storage = new MemoryStorage();
  if (stored) storage.setItem("ivrgraph.language", stored);
  vi.stubGlobal("document", { documentElement: root });
  vi.stubGlobal("localStorage", storage);
  vi.stubGlobal("navigator", { languages: preferred });
  renderToStaticMarkup(createElement(I18nProvider, null, createElement(LanguagePicker)));
  return root;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the page's language (<html lang>)", () => {
  it("is the one chosen before, from the start: Russian after a reload, not index.html's English", () => {
    expect(start("ru", ["en-US"]).lang).toBe("ru");
  });

  it("is the browser's preferred one when none was chosen (Spanish)", () => {
    expect(start(null, ["es-ES", "es"]).lang).toBe("es");
  });

  it("stays English for a browser preferring a language the designer does not speak", () => {
    expect(start(null, ["de-DE"]).lang).toBe("en");
  });
});
