/**
 * The block palette: grouped by category, searchable; drag a block onto the canvas or press Enter (the new block
 * is brought into view and said aloud; the focus stays here, to add the next).
 */
import { useReactFlow } from "@xyflow/react";
import { useMemo, useState } from "react";
import type { components } from "../generated/api";
import { useI18n } from "../i18n";
import { blockKeywords, categoryName, specTitle, wantsPluginBlock } from "../lib/blockText";
import { blockFullName } from "../lib/canvasLabels";
import { paletteGroups, type BlockSpec } from "../lib/catalog";
import { specDescription } from "../lib/descriptions";
import type { Language, Translate } from "../lib/i18n";
import { withoutBackticks } from "../lib/inlineCode";
import { useEditor } from "../store/editor";
import { BlockIcon } from "./BlockIcon";
import { BrokenPluginsNotice, useBrokenPlugins } from "./BrokenPlugins";
import { BLOCK_DRAG_TYPE } from "./Canvas";
import { noBlockMatchText, PaletteStatus } from "./PaletteStatus";
import "./palette.css";

export function Palette() {
  const { t, language } = useI18n();
  const specs = useEditor((s) => s.catalogList);
  const addBlock = useEditor((s) => s.addBlock);
  const focusNode = useEditor((s) => s.focusNode);
  const catalog = useEditor((s) => s.catalog);
  const versionShown = useEditor((s) => s.versionView !== null);
  // What a screen reader is told after a block is added by the keyboard; the id in it makes each one new to say.
  const [added, setAdded] = useState("");
  const brokenPlugins = useBrokenPlugins();
  const [query, setQuery] = useState("");
  const groups = useMemo(() => paletteSearch(specs, query, language), [specs, query, language]);
  const flow = useReactFlow();

  /** Where a block goes with none selected: the middle of the canvas as it is shown, in its coordinates. */
  function midCanvas() {
    const canvas = document.querySelector(".canvas")?.getBoundingClientRect();
    const centre = canvas
      ? flow.screenToFlowPosition({ x: canvas.left + canvas.width / 2, y: canvas.top + canvas.height / 2 })
      : { x: 0, y: 0 };
    return { x: centre.x - 110, y: centre.y - 40 };
  }

  /**
   * Without a mouse: right of the selected block (building a chain left to right), else mid-canvas, in free space
   * either way (never over another block); then the canvas is centred on it (next to a block off the edge it would
   * be out of sight) and its name announced.
   */
  function addByKeyboard(type: string) {
    const selected = useEditor.getState().nodes.find((n) => n.selected);
    const id = addBlock(type, selected ? { ...midCanvas(), rightOf: selected.id } : midCanvas());
    if (id === null) return;
    focusNode(id);
    const block = { id, data: { blockType: type, config: {} } };
    setAdded(t("editor.blockAdded", { block: blockFullName({ t, language, catalog }, block) }));
  }

  return (
    <aside className="palette" aria-label={t("editor.palette")}>
      <h2>{t("editor.palette")}</h2>
      <input
        type="search"
        placeholder={t("editor.paletteSearch")}
        aria-label={t("editor.paletteSearch")}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setAdded(""); // the status says the search's outcome next, not the block added before it
        }}
      />
      {/* The blocks' buttons are disabled then, out of the keyboard's reach with their tooltips: said here as well. */}
      <p className="hint">{t(versionShown ? "calls.versionReadOnlyHint" : "editor.paletteHint")}</p>
      <BrokenPluginsNotice plugins={brokenPlugins} />
      <PaletteStatus added={added} noMatch={groups.length === 0 ? noBlockMatchText(query, t) : ""} />
      {groups.length === 0 && <NoBlockMatches query={query} />}
      {groups.map((group) => (
        <div key={group.category} className="palette-group" role="group" aria-label={categoryName(language, group.category)}>
          <h3>{categoryName(language, group.category)}</h3>
          {group.blocks.map((spec) => (
            <PaletteButton key={spec.type} spec={spec} locked={versionShown} onAdd={() => addByKeyboard(spec.type)} />
          ))}
        </div>
      ))}
    </aside>
  );
}

/**
 * A block of the palette: dragged onto the canvas, or added by Enter (`onAdd`). `locked`: a published version is
 * shown read-only, nothing can be added, and the tooltip says so. Props only (tested without a DOM).
 */
export function PaletteButton({ spec, locked, onAdd }: { spec: BlockSpec; locked: boolean; onAdd(): void }) {
  const { t, language } = useI18n();
  const about = [withoutBackticks(specDescription(language, spec)), notReadyHint(spec, t)].filter(Boolean).join("\n\n");
  return (
    <button
      type="button"
      className="palette-item"
      draggable={!locked}
      disabled={locked}
      data-block-type={spec.type}
      title={locked ? t("calls.versionReadOnlyHint") : about}
      onDragStart={(event) => {
        event.dataTransfer.setData(BLOCK_DRAG_TYPE, spec.type);
        event.dataTransfer.effectAllowed = "move";
      }}
      onClick={onAdd}
    >
      <PaletteEntry spec={spec} />
    </button>
  );
}

/**
 * The palette's groups for a search in `language`: each block looked for by its title as shown, its description
 * as shown, its category and, for a built-in, the other words it is known by (lib/blockText.ts `blockKeywords`).
 */
export function paletteSearch(specs: BlockSpec[], query: string, language: Language) {
  return paletteGroups(
    specs,
    query,
    (spec) => specTitle(language, spec.type, spec),
    (category) => categoryName(language, category),
    (spec) => specDescription(language, spec),
    (spec) => blockKeywords(spec.type),
  );
}

/**
 * A search the palette found nothing for: shown, rather than an empty palette that looks broken; for a kind of block
 * only a plugin adds (an HTTP request, a voicemail), that too. Nothing for an empty query. Plain text: the
 * palette's status region says it (`PaletteStatus`). Props only (tested without a DOM).
 */
export function NoBlockMatches({ query }: { query: string }) {
  const { t } = useI18n();
  const words = query.trim();
  if (!words) return null;
  return (
    <div className="palette-none" data-testid="palette-none">
      <p>{t("palette.noMatch", { query: words })}</p>
      {wantsPluginBlock(words) && <p className="hint">{t("palette.noMatchPlugin")}</p>}
    </div>
  );
}

/**
 * What a palette entry shows: its icon, its title in the interface language and, on a line of their own under the
 * title, its tags (not ready here, from a plugin). The palette is narrow (200px) and Russian words are long: beside
 * the title a tag broke over two lines and the next one ran past the palette's edge. Each tag stays on one line,
 * cut with "…" if it must be, its whole meaning in its tooltip. Props only (tested without a DOM).
 */
export function PaletteEntry({ spec }: { spec: BlockSpec }) {
  const { t, language } = useI18n();
  const fromPlugin = Boolean(spec.plugin && !spec.plugin.includes("blocks.builtin"));
  const notReady = notReadyReasons(spec).length > 0;
  return (
    <>
      <BlockIcon name={spec.icon} />
      <span className="palette-entry">
        <span className="palette-title">{specTitle(language, spec.type, spec)}</span>
        {(notReady || fromPlugin) && (
          <span className="palette-tags">
            <NotReadyBadge spec={spec} />
            {fromPlugin && (
              <small className="plugin-tag" title={t("palette.pluginHint")}>
                {t("palette.plugin")}
              </small>
            )}
          </span>
        )}
      </span>
    </>
  );
}

type BlockReadiness = components["schemas"]["BlockReadiness"];

/** Why the server cannot run the block (GET /api/blocks `readiness`); none when it can, or does not say. */
export function notReadyReasons(spec: BlockSpec): string[] {
  const readiness = (spec as BlockSpec & { readiness?: BlockReadiness }).readiness;
  return readiness && !readiness.ready ? readiness.reasons : [];
}

/** The tooltip's words for a block the server cannot run; "" for one it can. */
export function notReadyHint(spec: BlockSpec, t: Translate): string {
  const reasons = notReadyReasons(spec);
  return reasons.length ? t("palette.notReadyHint", { reasons: reasons.join("; ") }) : "";
}

/**
 * A block this server cannot run (a plugin's service not configured here, say): it may still be added, but the
 * server refuses to publish a scenario using it, so the analyst learns it here first. Props only (tested without a DOM).
 */
export function NotReadyBadge({ spec }: { spec: BlockSpec }) {
  const { t } = useI18n();
  const hint = notReadyHint(spec, t);
  if (!hint) return null;
  return (
    <small className="error-text not-ready-tag" title={hint} data-testid="not-ready">
      {t("palette.notReady")}
    </small>
  );
}
