/**
 * The browser tab's title, in the interface language: what the tab shows, then the product, «Сценарии — ivrgraph»;
 * in a scenario's editor, the scenario's own name. Among many tabs each says where it is in the analyst's words
 * (review: every tab read "ivrgraph designer", whatever the language).
 */
import { useEffect } from "react";
import type { MessageKey, Translate } from "./i18n";

const PRODUCT = "ivrgraph";

/** A tab's title: what it shows, then the product; the product alone when it shows nothing named. */
export function tabTitle(what?: string | null): string {
  return what ? `${what} — ${PRODUCT}` : PRODUCT;
}

// The shell's pages by their hash route (App.tsx); any other route is the list of scenarios, as there.
const PAGES: readonly [RegExp, MessageKey][] = [
  [/^\/reports(\?|$)/, "app.reports"],
  [/^\/calls(\?|$)/, "app.calls"],
  [/^\/callbacks(\?|$)/, "app.callbacks"],
  [/^\/users$/, "app.users"],
  [/^\/data-sources$/, "app.dataSources"],
];

/**
 * The tab's title on a hash route of the shell: the sign-in page's until someone is signed in, else the page's. Null
 * in a scenario's editor (`/s/<slug>`), which names the tab after its scenario (`scenarioTabTitle`).
 */
export function routeTabTitle(route: string, t: Translate, signedIn: boolean): string | null {
  if (!signedIn) return tabTitle(t("login.title"));
  if (route.startsWith("/s/")) return null;
  const page = PAGES.find(([pattern]) => pattern.test(route));
  return tabTitle(t(page ? page[1] : "app.scenarios"));
}

/** The editor's tab: the scenario's name, else (not loaded yet, or no name typed) its slug. */
export function scenarioTabTitle(name: string | null | undefined, slug: string): string {
  return tabTitle(name?.trim() || slug);
}

/** Sets the tab's title while a page shows; null leaves it to another (the editor's own). */
export function useDocumentTitle(title: string | null): void {
  useEffect(() => {
    if (title !== null) document.title = title;
  }, [title]);
}
