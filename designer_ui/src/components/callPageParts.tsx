/**
 * What the Calls and Callbacks pages draw alike, props only: the filters' form and its scenario field, the list's
 * state (why there is none, how many are shown, Load more), and the panel of the item opened beside the list.
 */
import { useEffect, useRef, type FormEvent, type ReactNode } from "react";
import type { ScenarioChoice } from "./useCallPageData";

export interface FilterFormProps {
  className: string;
  /** What a screen reader calls the search, and the text of its (unseen) submit button. */
  label: string;
  testId: string;
  /** Enter in a field: what is typed applies now. */
  onSubmit(): void;
  clearText: string;
  /** Clear every filter; null when none is set (no button then). */
  onClear: (() => void) | null;
  /** The fields. */
  children: ReactNode;
  /** What follows the buttons (a note on the fields). */
  after?: ReactNode;
}

/** A page's filters: a search with its fields, Enter to apply what is typed, and a link to clear them all. */
export function FilterForm({ className, label, testId, onSubmit, clearText, onClear, children, after }: FilterFormProps) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form className={className} role="search" aria-label={label} onSubmit={submit} data-testid={testId}>
      {children}
      {/* Enter in a text field applies it at once; the button is for that key, not to be seen. */}
      <button type="submit" className="sr-only" tabIndex={-1}>
        {label}
      </button>
      {onClear && (
        <button type="button" className="link" onClick={onClear}>
          {clearText}
        </button>
      )}
      {after}
    </form>
  );
}

export interface ScenarioSelectProps {
  label: string;
  /** The choice of no scenario: every one. */
  allText: string;
  /** The slug chosen; "" for every scenario. */
  value: string;
  scenarios: ScenarioChoice[];
  onChange(slug: string): void;
}

/** The scenario to search, by name (and slug where they differ). */
export function ScenarioSelect({ label, allText, value, scenarios, onChange }: ScenarioSelectProps) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{allText}</option>
        {/* One named by the address that the list does not hold (deleted since) is still offered. */}
        {value && !scenarios.some((s) => s.slug === value) && <option value={value}>{value}</option>}
        {scenarios.map((s) => (
          <option key={s.slug} value={s.slug}>
            {s.name === s.slug ? s.slug : `${s.name} (${s.slug})`}
          </option>
        ))}
      </select>
    </label>
  );
}

export interface CodeSelectProps<C extends string> {
  label: string;
  /** The choice of no code: any. */
  anyText: string;
  /** The code chosen; "" for any. */
  value: C | "";
  codes: readonly C[];
  /** A code in words, and what it means (its tooltip; none without it). */
  text(code: C): string;
  about?(code: C): string;
  onChange(code: C | ""): void;
}

/** One of a list of codes (a status) to search for, each in words, or any. */
export function CodeSelect<C extends string>({ label, anyText, value, codes, text, about, onChange }: CodeSelectProps<C>) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value as C | "")}>
        <option value="">{anyText}</option>
        {codes.map((code) => (
          <option key={code} value={code} title={about?.(code)}>
            {text(code)}
          </option>
        ))}
      </select>
    </label>
  );
}

export interface ListStatusProps {
  /** The stem of the test ids: `<stem>-problem`, `<stem>-count`, `<stem>-none`. */
  testId: string;
  /** Why there is no list (the filters, or the server's failure); null when there is one. */
  problem: string | null;
  /** The problem's element id, for a field that points at it. */
  problemId?: string;
  loading: boolean;
  loadingText: string;
  /** How many items are shown; null before the first answer. */
  shownCount: number | null;
  /** What is said of the items shown, when there are some. */
  countText: string;
  /** What is said when the answer holds none. */
  noneText: string;
  /** Whether older items follow, to load on demand. */
  more: boolean;
  loadingMore: boolean;
  onMore(): void;
  moreText: string;
  /** The table of the items shown. */
  children: ReactNode;
}

/** The list and what is said of it: its problem, a count a screen reader hears, "none", and Load more. */
export function ListStatus(props: ListStatusProps) {
  const { problem, loading, shownCount } = props;
  const some = shownCount !== null && shownCount > 0 && !problem;
  return (
    <>
      {problem && (
        <p role="alert" className="error-text" id={props.problemId} data-testid={`${props.testId}-problem`}>
          {problem}
        </p>
      )}
      <p className="muted small calls-count" role="status" data-testid={`${props.testId}-count`}>
        {loading ? props.loadingText : some ? props.countText : ""}
      </p>
      {shownCount === 0 && !problem && !loading && (
        <p className="muted" data-testid={`${props.testId}-none`}>
          {props.noneText}
        </p>
      )}
      {some && props.children}
      {props.more && !problem && (
        <button type="button" className="calls-more" onClick={props.onMore} disabled={props.loadingMore}>
          {props.moreText}
        </button>
      )}
    </>
  );
}

export interface DetailPanelProps {
  className: string;
  /** The stem of its ids: `<stem>` (the panel), `<stem>-title` (its heading), `<stem>-problem` (why it is empty). */
  testId: string;
  title: string;
  closeText: string;
  /** Said while the item opens. */
  openingText: string;
  /** The item shown, or why it could not be opened; null while it opens. */
  opened: { id: string; error?: string } | null;
  onClose(): void;
  /** The item, once opened. */
  children?: ReactNode;
}

/** The item opened beside the list: a heading to close it under, "opening", or why it could not be opened. */
export function DetailPanel({ className, testId, title, closeText, openingText, opened, onClose, children }: DetailPanelProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  // A screen reader is taken to what opened, not left on the row's button with nothing said.
  // Once per item opened: a refresh of the same one leaves the focus where it is.
  const shownId = opened?.id;
  useEffect(() => {
    if (shownId) heading.current?.focus();
  }, [shownId]);
  return (
    <section className={className} aria-labelledby={`${testId}-title`} data-testid={testId}>
      <div className="row">
        <h2 id={`${testId}-title`} ref={heading} tabIndex={-1}>
          {title}
        </h2>
        <span className="spacer" />
        <button type="button" onClick={onClose}>
          {closeText}
        </button>
      </div>
      {!opened && (
        <p className="muted" role="status">
          {openingText}
        </p>
      )}
      {opened?.error && (
        <p role="alert" className="error-text" data-testid={`${testId}-problem`}>
          {opened.error}
        </p>
      )}
      {children}
    </section>
  );
}

/**
 * The item closed: the focus goes back to the row it was opened from (`row`, a selector), when the list shows it;
 * else to the page's heading (`heading`).
 */
export function focusBack(row: string, heading: string): void {
  requestAnimationFrame(() => {
    (document.querySelector<HTMLElement>(row) ?? document.querySelector<HTMLElement>(heading))?.focus();
  });
}

export interface ResultTextProps {
  /** The flow's `result` as recorded (`will_pay`); null when the call recorded none. */
  result: string | null | undefined;
  /** What the call's scenario calls it (`Pagará`), from its latest published version; null when it declares none. */
  label: string | null | undefined;
  /** The tooltip that gives the code of a labelled result ("Code: will_pay"). */
  codeTitle: string;
}

/**
 * A call's result as a supervisor reads it: its label, the code (what the register's filter and a CSV name it by)
 * in its tooltip; a result its scenario does not label, by its code alone; nothing for none. Either is isolated
 * (`<bdi>`): a direction control in it cannot reorder the text beside it (security review).
 */
export function ResultText({ result, label, codeTitle }: ResultTextProps) {
  if (!result) return null;
  if (!label)
    return (
      <span data-result={result}>
        <bdi>{result}</bdi>
      </span>
    );
  return (
    <span className="result-label" data-result={result} title={codeTitle}>
      <bdi>{label}</bdi>
    </span>
  );
}
