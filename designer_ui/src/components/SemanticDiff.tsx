/**
 * A semantic diff (graph_engine.diff as data) shown as lines in the interface language: after a publish, and
 * between any two versions in the Versions panel, where a change's block can be shown on the canvas.
 */
import { useId, useState, type ReactNode } from "react";
import { useI18n } from "../i18n";
import { diffEntries, quotedFieldTitle, type Wording } from "../lib/changeText";
import { useEditor } from "../store/editor";
import "./semanticDiff.css";

/** A long text a change is about (a SQL query, a TTS text), titled as its field: shown as it was and as it is. */
export interface DiffText {
  title: string;
  before: string | null;
  after: string | null;
}

/** One line of a diff, and the block it is about (null: the scenario as a whole, or a line from the server). */
export interface DiffItem {
  text: string;
  node: string | null;
  /** The change's long texts, when the server sent them (a line says only that they changed). */
  texts?: DiffText[];
}

/**
 * The lines of a diff with their blocks: `diffEntries` words each change the server sent in `changes` (but one
 * another line tells already) with its change; a diff of summary lines alone names no block.
 */
export function diffItems(diff: Record<string, unknown>, w: Wording): DiffItem[] {
  return diffEntries(diff, w).map(({ text, change }) => {
    const texts = (change?.texts ?? []).map((text) => ({ ...text, title: quotedFieldTitle(w, change?.type ?? "", text.field) }));
    return { text, node: change?.node || null, ...(texts.length > 0 ? { texts } : {}) };
  });
}

/**
 * A text's lines, those not on the other side marked (`<del>` before, `<ins>` after): in a query of twenty lines
 * the one that changed is found at a glance. Not a full line diff: a line moved reads as unchanged.
 */
function markedLines(text: string, other: string | null, Mark: "del" | "ins"): ReactNode[] {
  const others = new Set((other ?? "").split("\n"));
  const lines = text.split("\n");
  return lines.map((line, i) => {
    const end = i < lines.length - 1 ? "\n" : "";
    return others.has(line) ? line + end : [<Mark key={i}>{line}</Mark>, end];
  });
}

/** Past this many word pairs a one-line text is marked whole: comparing words costs their product. */
const MAX_WORD_PAIRS = 250_000;

/** Which of `words` are in a longest run they have in common with `others`, in order (a longest common subsequence). */
function commonWords(words: string[], others: string[]): boolean[] {
  const rows = words.length + 1;
  const cols = others.length + 1;
  const lengths = new Uint32Array(rows * cols);
  for (let i = words.length - 1; i >= 0; i--) {
    for (let j = others.length - 1; j >= 0; j--) {
      lengths[i * cols + j] =
        words[i] === others[j] ? lengths[(i + 1) * cols + j + 1]! + 1 : Math.max(lengths[(i + 1) * cols + j]!, lengths[i * cols + j + 1]!);
    }
  }
  const common = words.map(() => false);
  for (let i = 0, j = 0; i < words.length && j < others.length; ) {
    if (words[i] === others[j]) {
      common[i] = true;
      i += 1;
      j += 1;
    } else if (lengths[(i + 1) * cols + j]! >= lengths[i * cols + j + 1]!) i += 1;
    else j += 1;
  }
  return common;
}

/**
 * A one-line text with the words not on the other side marked (`<del>` before, `<ins>` after), words changed next
 * to each other in one mark with the spaces between them: a prompt that changed by a word reads so, not as one
 * text deleted and another inserted (review). Compared word by word, spaces kept as written.
 */
export function markedWords(text: string, other: string | null, Mark: "del" | "ins"): ReactNode[] {
  const tokens = text.split(/(\s+)/).filter((token) => token !== "");
  const isWord = (token: string) => !/^\s+$/.test(token);
  const words = tokens.filter(isWord);
  const others = (other ?? "").split(/\s+/).filter((word) => word !== "");
  if (words.length * others.length > MAX_WORD_PAIRS) return [<Mark key={0}>{text}</Mark>];
  const common = commonWords(words, others);
  // Each token changed or not: a space between two changed words joins their mark.
  let word = -1;
  const changed = tokens.map((token) => (isWord(token) ? !common[(word += 1)] : null));
  const marked = changed.map((change, i) => change ?? (changed[i - 1] === true && changed[i + 1] === true));
  const nodes: ReactNode[] = [];
  for (let i = 0; i < tokens.length; ) {
    let end = i;
    while (end < tokens.length && marked[end] === marked[i]) end += 1;
    const run = tokens.slice(i, end).join("");
    nodes.push(marked[i] ? <Mark key={i}>{run}</Mark> : run);
    i = end;
  }
  return nodes;
}

/** A text's changes marked: word by word when both sides are one line, else line by line. */
function markedText(text: string, other: string | null, mark: "del" | "ins"): ReactNode[] {
  const oneLine = !text.includes("\n") && !(other ?? "").includes("\n") && other !== null && other !== "";
  return oneLine ? markedWords(text, other, mark) : markedLines(text, other, mark);
}

/** A long text as it was and as it is, each side titled; a side without it "not set". */
function TextBeforeAfter({ text }: { text: DiffText }) {
  const { t } = useI18n();
  const side = (value: string | null, other: string | null, mark: "del" | "ins") =>
    value === null || value === "" ? <dd className="muted">{t("change.unset")}</dd> : (
      <dd>
        <pre className="diff-text">{markedText(value, other, mark)}</pre>
      </dd>
    );
  return (
    <dl className="diff-texts">
      <dt>{t("change.textBefore", { field: text.title })}</dt>
      {side(text.before, text.after, "del")}
      <dt>{t("change.textAfter", { field: text.title })}</dt>
      {side(text.after, text.before, "ins")}
    </dl>
  );
}

/**
 * Shows all of a folded list of `count` changes, or its first ones again: the same button both ways, so the focus
 * stays on it (review: removed once pressed, it left the focus on <body> inside the publish dialog). Props only.
 */
export function DiffFoldToggle(props: { expanded: boolean; count: number; controls: string; onToggle(): void }) {
  const { expanded, count, controls, onToggle } = props;
  const { t } = useI18n();
  return (
    <button type="button" className="link" aria-expanded={expanded} aria-controls={controls} onClick={onToggle}>
      {expanded ? t("diff.showFewer") : t("diff.showAll", { count })}
    </button>
  );
}

/**
 * The lines, or "No changes.". With `onOpen`, a line whose block is on the canvas is a button that shows it there
 * (as a problem's line does); the others stay text, there being nothing to show. A line's long texts follow it,
 * before and after. With `limit`, a longer list shows its first `limit` lines and a button to show them all (and fewer again).
 * Props only.
 */
export function DiffList(props: { diff: Record<string, unknown>; items: DiffItem[]; onOpen?(node: string): void; limit?: number }) {
  const { diff, items, onOpen, limit } = props;
  const { t } = useI18n();
  const hintId = useId();
  const listId = useId();
  const [showAll, setShowAll] = useState(false);
  if (diff.empty === true || Object.keys(diff).length === 0) return <p className="muted">{t("publish.noDiff")}</p>;
  const openable = onOpen !== undefined && items.some((item) => item.node !== null);
  const foldable = limit !== undefined && items.length > limit;
  const folded = foldable && !showAll;
  return (
    <div data-testid="diff">
      {items.length > 0 && (
        <ul className="diff-summary" id={listId}>
          {(folded ? items.slice(0, limit) : items).map((item, i) => (
            <li key={i}>
              {onOpen && item.node ? (
                <button type="button" className="link" aria-describedby={hintId} onClick={() => onOpen(item.node!)}>
                  {item.text}
                </button>
              ) : (
                item.text
              )}
              {item.texts?.map((text, j) => <TextBeforeAfter key={j} text={text} />)}
            </li>
          ))}
        </ul>
      )}
      {foldable && <DiffFoldToggle expanded={showAll} count={items.length} controls={listId} onToggle={() => setShowAll(!showAll)} />}
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
 * one of these lines, values included where they are short (long texts after their line), and their raw keys read
 * as English JSON.
 * `onOpen`: show a block on the canvas; offered only for the blocks the canvas has (a removed one may be gone).
 */
export function SemanticDiff({ diff, onOpen, limit }: { diff: Record<string, unknown>; onOpen?(node: string): void; limit?: number }) {
  const { t, language } = useI18n();
  const catalog = useEditor((s) => s.catalog);
  const nodes = useEditor((s) => s.nodes);
  const typeOf = (id: string) => nodes.find((node) => node.id === id)?.data.blockType;
  const onCanvas = (id: string | null) => id !== null && nodes.some((node) => node.id === id);
  const items = diffItems(diff, { t, language, catalog, typeOf }).map((item) => ({ ...item, node: onCanvas(item.node) ? item.node : null }));
  return <DiffList diff={diff} items={items} onOpen={onOpen} limit={limit} />;
}
