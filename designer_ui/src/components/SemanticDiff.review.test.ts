// Accessibility review (keyboard + screen reader): "Show all N changes" was removed once pressed, the focus falling
// to <body> inside the publish dialog, its aria-expanded always "false"; and a one-line text that differed by a few
// words was marked as wholly deleted and wholly inserted.
import { describe, expect, it } from "vitest";
import { DiffFoldToggle, DiffList, markedWords, type DiffItem } from "./SemanticDiff";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";
import { createElement, Fragment } from "react";
import { renderToStaticMarkup } from "react-dom/server";

const many: DiffItem[] = Array.from({ length: 12 }, (_, i) => ({ text: `change ${i}`, node: null }));
const diff = { empty: false, changes: [] };

describe("a long list of changes, folded", () => {
  it("offers to show them all, said folded", () => {
    const html = renderToHtml(DiffList, { diff, items: many, limit: 5 });
    expect(buttonTexts(html)).toEqual(["Show all 12 changes"]);
    expect(html).toMatch(/<button[^>]*aria-expanded="false"[^>]*aria-controls="[^"]+"/);
  });

  it("unfolded, the same button stays (the focus with it), said expanded, to show fewer", () => {
    const html = renderToHtml(DiffFoldToggle, { expanded: true, count: 12, controls: "list", onToggle: () => undefined });
    expect(html).toBe('<button type="button" class="link" aria-expanded="true" aria-controls="list">Show fewer</button>');
    expect(renderInLanguage("es", DiffFoldToggle, { expanded: true, count: 12, controls: "l", onToggle: () => undefined })).toContain(">Mostrar menos<");
    expect(renderInLanguage("ru", DiffFoldToggle, { expanded: true, count: 12, controls: "l", onToggle: () => undefined })).toContain(">Показать меньше<");
  });

  it("is not offered for a list no longer than the limit", () => {
    expect(buttonTexts(renderToHtml(DiffList, { diff, items: many.slice(0, 5), limit: 5 }))).toEqual([]);
  });
});

const marked = (text: string, other: string, mark: "del" | "ins") => renderToStaticMarkup(createElement(Fragment, null, ...markedWords(text, other, mark)));

describe("a one-line text changed by a few words", () => {
  const before = "Hola, bienvenido a Acme. Pulse 1 para ventas.";
  const after = "Hola, bienvenidos a Acme Bank. Pulse 1 para ventas.";

  it("marks only the words that changed, on each side", () => {
    expect(marked(before, after, "del")).toBe("Hola, <del>bienvenido</del> a <del>Acme.</del> Pulse 1 para ventas.");
    expect(marked(after, before, "ins")).toBe("Hola, <ins>bienvenidos</ins> a <ins>Acme Bank.</ins> Pulse 1 para ventas.");
  });

  it("marks the whole text when nothing is alike", () => {
    expect(marked("uno dos", "tres", "del")).toBe("<del>uno dos</del>");
  });

  it("is shown so in the long text's before and after", () => {
    const item: DiffItem = { text: "changed", node: null, texts: [{ title: "“Text to say”", before, after }] };
    const html = renderToHtml(DiffList, { diff, items: [item] });
    expect(html).toContain("<pre class=\"diff-text\">Hola, <del>bienvenido</del> a <del>Acme.</del> Pulse 1 para ventas.</pre>");
    expect(html).toContain("<pre class=\"diff-text\">Hola, <ins>bienvenidos</ins> a <ins>Acme Bank.</ins> Pulse 1 para ventas.</pre>");
  });
});
