import { describe, expect, it } from "vitest";
import type { Catalog } from "../lib/catalog";
import { translator, type Language } from "../lib/i18n";
import { diffItems, DiffList } from "./SemanticDiff";
import { renderToHtml } from "./renderForTest";

// QA review: a draft whose only change was its tests, a failing one and three passing ones deleted, published with a
// diff the dialog said was «No changes». The server names the tests added, removed and changed; so does the dialog.
const catalog: Catalog = new Map();
const wording = (language: Language) => ({ t: translator(language), language, catalog, typeOf: () => undefined });

const tidy = {
  empty: false,
  changes: [
    { kind: "tests_removed", tests: ["anonymous caller cannot be called back", "sales", "sales again"] },
    { kind: "tests_added", tests: ["kept"] },
    { kind: "tests_changed", tests: ["pays", "hangs up"] },
  ],
  summary: ['removed tests: "anonymous caller cannot be called back", "sales", "sales again"', 'added test: "kept"', 'changed tests: "pays", "hangs up"'],
};

describe("the tests a publish adds, removes or changes", () => {
  it("are each named, in every language", () => {
    expect(diffItems(tidy, wording("en")).map((item) => item.text)).toEqual([
      "tests removed: “anonymous caller cannot be called back”, “sales”, “sales again”",
      "test added: “kept”",
      "tests changed: “pays”, “hangs up”",
    ]);
    expect(diffItems(tidy, wording("es")).map((item) => item.text)).toEqual([
      "pruebas eliminadas: «anonymous caller cannot be called back», «sales», «sales again»",
      "prueba añadida: «kept»",
      "pruebas modificadas: «pays», «hangs up»",
    ]);
    expect(diffItems(tidy, wording("ru")).map((item) => item.text)).toEqual([
      "удалены тесты: «anonymous caller cannot be called back», «sales», «sales again»",
      "добавлен тест: «kept»",
      "изменены тесты: «pays», «hangs up»",
    ]);
  });

  it("are no block's: nothing on the canvas to show", () => {
    expect(diffItems(tidy, wording("en")).every((item) => item.node === null)).toBe(true);
  });

  it("are listed by the dialog's diff, not said to be no changes", () => {
    const items = diffItems(tidy, wording("en"));
    const html = renderToHtml(DiffList, { diff: tidy, items });
    expect(html).not.toContain("No changes.");
    expect(html).toContain("<li>tests removed: “anonymous caller cannot be called back”, “sales”, “sales again”</li>");
  });
});
