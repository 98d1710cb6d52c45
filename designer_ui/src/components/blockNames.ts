/** How the editor's panels name blocks in words, in the interface language (lib/blockText.ts `blockName`). */
import { useCallback, useMemo } from "react";
import { useI18n } from "../i18n";
import { blockName, canvasBlockNames, type NamedBlock } from "../lib/blockText";
import { useEditor } from "../store/editor";

/** Names a block: its label, else its type's title (and its id, unless that is the type's own, `start`). */
export function useBlockNamer(): (block: NamedBlock) => string {
  const { language } = useI18n();
  const catalog = useEditor((s) => s.catalog);
  return useCallback((block: NamedBlock) => blockName(language, catalog, block), [language, catalog]);
}

/** The canvas's blocks by id, each named so, as they change (a string, so a list using them draws again only then). */
export function useCanvasBlockNames(): ReadonlyMap<string, string> {
  const { language } = useI18n();
  const catalog = useEditor((s) => s.catalog);
  const text = useEditor((s) => JSON.stringify(s.nodes.map((n) => [n.id, n.data.label ?? "", n.data.blockType])));
  return useMemo(() => {
    const blocks = (JSON.parse(text) as [string, string, string][]).map(([id, label, blockType]) => ({ id, data: { label, blockType } }));
    return canvasBlockNames(language, catalog, blocks);
  }, [text, language, catalog]);
}
