/**
 * Names the browser tab after the scenario the editor shows (lib/documentTitle.ts). Its own module, loaded with the
 * editor: the shell sets every other page's title, but the scenario's name is in the editor's store.
 */
import { scenarioTabTitle, useDocumentTitle } from "../lib/documentTitle";
import { useEditor } from "../store/editor";

export function EditorTitle({ slug }: { slug: string }) {
  // The store may still hold the scenario shown before: its name only once this one is loaded.
  const name = useEditor((s) => (s.slug === slug ? s.head.name : ""));
  useDocumentTitle(scenarioTabTitle(name, slug));
  return null;
}
