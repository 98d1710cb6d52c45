/**
 * A semantic diff (graph_engine.diff as data) shown as lines in the interface language: after a publish, and
 * between any two versions in the Versions panel, where a change's block can be shown on the canvas.
 */
import { useId } from "react";
import { useI18n } from "../i18n";
import { diffLines, type Change, type Wording } from "../lib/changeText";
import { useEditor } from "../store/editor";

/** One line of a diff, and the block it is about (null: the scenario as a whole, or a line from the server). */
export interface DiffItem {
  text: string;
  node: string | null;
}

/**
 * The lines of a diff with their blocks: `diffLines` words one line per change when the server sent `changes`,
 * so the i-th line is the i-th change's; a diff of summary lines alone names no block.
 */
export function diffItems(diff: Record<string, unknown>, w: Wording): DiffItem[] {
  const lines = diffLines(diff, w);
  const changes = Array.isArray(diff.changes) ? (diff.changes as Change[]) : [];
  return lines.map((text, i) => ({ text, node: changes[i]?.node || null }));
}

/**
 * The lines, or "No changes.". With `onOpen`, a line whose block is on the canvas is a button that shows it there
 * (as a problem's line does); the others stay text, there being nothing to show. Props only.
 */
export function DiffList(props: { diff: Record<string, unknown>; items: DiffItem[]; onOpen?(node: string): void }) {
  const { diff, items, onOpen } = props;
  const { t } = useI18n();
  const hintId = useId();
  if (diff.empty === true || Object.keys(diff).length === 0) return <p className="muted">{t("publish.noDiff")}</p>;
  const openable = onOpen !== undefined && items.some((item) => item.node !== null);
  return (
    <div data-testid="diff">
      {items.length > 0 && (
        <ul className="diff-summary">
          {items.map((item, i) => (
            <li key={i}>
              {onOpen && item.node ? (
                <button type="button" className="link" aria-describedby={hintId} onClick={() => onOpen(item.node!)}>
                  {item.text}
                </button>
              ) : (
                item.text
              )}
            </li>
          ))}
        </ul>
      )}
      {openable && (
        <p id={hintId} className="muted small">
          {t("versions.diffHint")}
        </p>
      )}
    </div>
  );
}

/**
 * graph_engine.diff as data: each change a line in the interface language with the names the canvas shows (the
 * server's `summary` is English). The server's structured lists are not shown beside them: every entry of theirs is
 * one of these lines, values included where they are short, and their raw keys read as English JSON.
 * `onOpen`: show a block on the canvas; offered only for the blocks the canvas has (a removed one may be gone).
 */
export function SemanticDiff({ diff, onOpen }: { diff: Record<string, unknown>; onOpen?(node: string): void }) {
  const { t, language } = useI18n();
  const catalog = useEditor((s) => s.catalog);
  const nodes = useEditor((s) => s.nodes);
  const typeOf = (id: string) => nodes.find((node) => node.id === id)?.data.blockType;
  const onCanvas = (id: string | null) => id !== null && nodes.some((node) => node.id === id);
  const items = diffItems(diff, { t, language, catalog, typeOf }).map((item) => ({ ...item, node: onCanvas(item.node) ? item.node : null }));
  return <DiffList diff={diff} items={items} onOpen={onOpen} />;
}
