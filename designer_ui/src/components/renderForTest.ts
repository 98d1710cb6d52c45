/**
 * Component tests without a browser: vitest runs in Node with no DOM, so a component is rendered to the markup
 * a user first sees (react-dom/server). Effects do not run, and a zustand store is read at its initial state
 * (the server snapshot), so a component bound to the editor store is tested through the props-only component
 * it renders.
 */
import { createElement, type ComponentType } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { I18nProvider } from "../i18n";
import type { Language } from "../lib/i18n";

// I18nProvider reads the chosen interface language from localStorage, which Node does not have: English.
const englishStorage = { getItem: () => "en", setItem: () => undefined, removeItem: () => undefined };

export function renderToHtml<P extends object>(component: ComponentType<P>, props: P): string {
  if (typeof globalThis.localStorage === "undefined") Object.assign(globalThis, { localStorage: englishStorage });
  return renderToStaticMarkup(createElement(I18nProvider, null, createElement(component, props)));
}

/** `renderToHtml` with the interface in `language`, as a user who chose it sees it. */
export function renderInLanguage<P extends object>(language: Language, component: ComponentType<P>, props: P): string {
  const storage = globalThis.localStorage;
  Object.assign(globalThis, { localStorage: { getItem: () => language, setItem: () => undefined, removeItem: () => undefined } });
  try {
    return renderToStaticMarkup(createElement(I18nProvider, null, createElement(component, props)));
  } finally {
    Object.assign(globalThis, { localStorage: storage });
  }
}

/** The visible text of the buttons in some markup, in order. */
export function buttonTexts(html: string): string[] {
  return [...html.matchAll(/<button[^>]*>(.*?)<\/button>/gs)].map((match) => match[1]!.replace(/<[^>]+>/g, "").trim());
}

const ENTITIES: Record<string, string> = { "&quot;": '"', "&#x27;": "'", "&lt;": "<", "&gt;": ">", "&amp;": "&" };

/** Text as react-dom/server escapes it in markup (&quot; &#x27; &lt; &gt; &amp;), back to its characters. */
export function decodeEntities(text: string): string {
  return text.replace(/&(quot|#x27|lt|gt|amp);/g, (entity) => ENTITIES[entity]!);
}

/** What a reader sees of some markup: its text, each tag a space, entities decoded, white space folded. */
export function visibleText(html: string): string {
  return decodeEntities(html.replace(/<[^>]+>/g, " ")).replace(/\s+/g, " ").trim();
}

/** Each row of the tables in some markup (head, body and foot) as its cells' visible texts. */
export function tableCells(html: string): string[][] {
  return [...html.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].map((tr) => [...tr[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((cell) => visibleText(cell[1]!)));
}
