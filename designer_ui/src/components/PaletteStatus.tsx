/** The palette's one status region: a block added by the keyboard, a search that found nothing. */
import { wantsPluginBlock } from "../lib/blockText";
import type { Translate } from "../lib/i18n";
import { useLiveText } from "./useLiveText";

/** How long typing must pause before the palette's status says that a search found nothing. */
export const SEARCH_SETTLE_MS = 500;

/**
 * The palette's one status region, screen readers only, in the palette from its first render and empty then: it
 * says a block `added` by the keyboard at once, and a search that found nothing (`noMatch`) once typing pauses,
 * not at every keystroke (`useLiveText`). Props only.
 */
export function PaletteStatus({ added, noMatch }: { added: string; noMatch: string }) {
  const settled = useLiveText(noMatch, SEARCH_SETTLE_MS);
  return (
    <p className="sr-only" role="status" data-testid="palette-status">
      {added || settled}
    </p>
  );
}

/** What the palette's status says of a search that found nothing (with the plugin hint where it applies); "" for none typed. */
export function noBlockMatchText(query: string, t: Translate): string {
  const words = query.trim();
  if (!words) return "";
  return wantsPluginBlock(words) ? `${t("palette.noMatch", { query: words })} ${t("palette.noMatchPlugin")}` : t("palette.noMatch", { query: words });
}
