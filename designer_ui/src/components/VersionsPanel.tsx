/**
 * Published versions, newest first: what each one changed against the one before it, any two compared (or one
 * with the draft), and a rollback to any of them (published again as the newest).
 */
import { useEffect, useId, useRef, useState, type FormEvent, type Ref } from "react";
import * as api from "../api/client";
import type { DraftPin, PublishResult, VersionSummary } from "../api/types";
import { useI18n } from "../i18n";
import { formatDateTime } from "../lib/format";
import type { Translate } from "../lib/i18n";
import type { TestFailure } from "../lib/testFailureText";
import { ApiError } from "../api/http";
import { sameFlow } from "../lib/compare";
import type { ScenarioDocument } from "../lib/convert";
import { useEditor } from "../store/editor";
import { useConfirm, type Confirm, type ConfirmRequest } from "./ConfirmDialog";
import { rollbackOrAnyway } from "./failingTests";
import { publishRefusal } from "./PublishDialog";
import { SemanticDiff } from "./SemanticDiff";
import { FailuresInline, useFailuresSaid, type FailingTest } from "./TestFailuresSaid";

/**
 * A refused rollback in words: the version rolled back to is the flow calls already run (`nothing-to-publish`),
 * or another publish landed while it was being checked (`published-meanwhile`); anything else as the server said.
 */
export function rollbackFailureText(t: Translate, error: unknown, rolledBackTo: number): string {
  const refusal = error instanceof ApiError && error.status === 409 ? publishRefusal(error.body) : null;
  if (refusal?.kind === "nothing-to-publish") return t("versions.alreadyLive", { version: rolledBackTo, live: refusal.version });
  if (refusal?.kind === "published-meanwhile") return t("versions.publishedMeanwhile", { version: refusal.version });
  return t("error.generic", { message: error instanceof Error ? error.message : String(error) });
}

/** What a rollback to `version` asks first: its button names the version. */
export function rollbackRequest(t: Translate, version: number): ConfirmRequest {
  return {
    title: t("versions.confirmRollbackTitle", { version }),
    body: t("versions.confirmRollback", { version }),
    confirmLabel: t("versions.rollbackTo", { version }),
  };
}

/**
 * Whether resetting the draft to the version restored discards work published nowhere: the draft is neither the
 * live version (kept as a version) nor already the one restored.
 */
export function draftWorkLost(draft: ScenarioDocument, live: ScenarioDocument, restored: ScenarioDocument): boolean {
  return !sameFlow(draft, live) && !sameFlow(draft, restored);
}

/**
 * Whether the editor's draft holds unpublished work a reset to `version` would discard (`live`: the newest version).
 * Not known (a document not loaded): said to, the safe side, as the dialog then starts on Cancel.
 */
async function unpublishedWorkLost(slug: string, version: number, live: number | undefined): Promise<boolean> {
  if (live === undefined) return true;
  const draft = useEditor.getState().document();
  try {
    const [liveDocument, restored] = await Promise.all([api.versionDocument(slug, live), api.versionDocument(slug, version)]);
    return draftWorkLost(draft, liveDocument, restored);
  } catch {
    return true;
  }
}

/**
 * Roll back to `version` once confirmed: null when not. Blocked by failing tests alone (often another scenario's
 * change), it asks again, naming them, to roll back anyway. Any refusal is thrown as the server gave it.
 *
 * `pinDraft` (an editor's: saves the canvas, names the draft saved; null when that save failed): offered, checked,
 * the draft is reset to `version` too, so the next publish does not ship the change rolled back again (review: the
 * draft kept it and the editor said "Saved"). The server refuses it if the draft moved on from the one named.
 * `losesWork`: the draft holds unpublished changes the reset would discard: the dialog says so, and being
 * destructive then, starts on Cancel (review: Enter on the focused "Roll back to v1" discarded an edit unannounced).
 */
export async function rollBackIfConfirmed(
  t: Translate,
  slug: string,
  version: number,
  confirm: Confirm,
  pinDraft?: () => Promise<DraftPin | null>,
  losesWork = false,
): Promise<PublishResult | null> {
  let resetDraft = pinDraft !== undefined;
  const request = rollbackRequest(t, version);
  const option = {
    label: t("versions.resetDraft", { version }),
    checked: true,
    description: t(losesWork ? "versions.resetDraftLoses" : "versions.resetDraftWhy", { version }),
    onChange: (on: boolean) => (resetDraft = on),
  };
  if (!(await confirm(pinDraft ? { ...request, option, destructive: losesWork } : request))) return null;
  const pin = resetDraft && pinDraft ? await pinDraft() : null;
  if (resetDraft && pin === null) return null; // not saved: the save state says why, and nothing is lost
  return await rollbackOrAnyway(t, slug, version, confirm, pin);
}

/** What to compare: version `from` against version `to`, or against the draft as last saved (`to` null). */
export interface VersionPair {
  from: number;
  to: number | null;
}

/** The version listed before `number` in a list newest first: the one it changed; null for the first version. */
export function previousVersion(items: VersionSummary[], number: number): number | null {
  const index = items.findIndex((item) => item.number === number);
  return index >= 0 ? (items[index + 1]?.number ?? null) : null;
}

export type ComparisonState =
  | { status: "loading" }
  | { status: "loaded"; diff: Record<string, unknown> }
  | { status: "failed"; error: unknown };

/** The changes of `pair` as a state to show: a failure is one of them, never a rejected promise. */
export async function loadComparison(
  pair: VersionPair,
  fetchChanges: (pair: VersionPair) => Promise<api.VersionChanges>,
): Promise<ComparisonState> {
  try {
    return { status: "loaded", diff: (await fetchChanges(pair)).diff };
  } catch (error) {
    return { status: "failed", error };
  }
}

/** Whether a comparison failed because a version (or the scenario) is no longer there: the list is out of date. */
export function versionGone(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

/** A failed comparison in words: a version gone said plainly (the server's 404 is English); anything else as said. */
export function comparisonFailureText(t: Translate, error: unknown): string {
  if (versionGone(error)) return t("versions.diffGone");
  return t("error.generic", { message: error instanceof Error ? error.message : String(error) });
}

export function comparisonTitle(t: Translate, pair: VersionPair): string {
  return pair.to === null ? t("versions.diffTitleDraft", { from: pair.from }) : t("versions.diffTitle", { from: pair.from, to: pair.to });
}

/** The message the API stores on a rollback its publisher gave none (api/routes/scenarios.py `rollback`), in English. */
const rollbackMessageOf = (version: number) => `rollback to version ${version}`;

/**
 * A version's message as the list says it, and for a rollback, that it is one (`rollback`): the API's English message
 * of a rollback given none ("rollback to version 1", kept for the clients that read it) in the interface language,
 * the rollback said apart from a message its publisher wrote; any other message as written.
 */
export function versionWords(t: Translate, item: Pick<VersionSummary, "message" | "rolled_back_to">): { message: string; rollback: string | null } {
  const to = item.rolled_back_to;
  if (to === null || to === undefined) return { message: item.message, rollback: null };
  const said = t("versions.rollbackMessage", { version: to });
  return item.message === rollbackMessageOf(to) ? { message: said, rollback: null } : { message: item.message, rollback: said };
}

/** A version as the comparison's lists name it: its number, with the start of its message. */
function versionOption(t: Translate, item: VersionSummary): string {
  const name = t("versions.number", { version: item.number });
  const { message } = versionWords(t, item);
  if (!message) return name;
  return `${name} — ${message.length > 40 ? `${message.slice(0, 39)}…` : message}`;
}

/** A version's message in the list, a rollback said as one. Props only. */
export function VersionMessage({ item }: { item: Pick<VersionSummary, "message" | "rolled_back_to"> }) {
  const { t } = useI18n();
  const { message, rollback } = versionWords(t, item);
  return (
    <>
      {message && <span data-testid="version-message">{message}</span>}
      {rollback && <span className="muted small"> — {rollback}</span>}
    </>
  );
}

/**
 * What the panel says of a rollback, or why the versions could not be listed: a live region in the panel from the
 * start, empty, so that a screen reader reads what comes into it (one inserted already filled is often not read).
 */
export function VersionsStatus({ message }: { message: string | null }) {
  return (
    <div role="status" data-testid="versions-status">
      {message && <p>{message}</p>}
    </div>
  );
}

/**
 * The changes of a pair of versions: loading, the failure in words, or the lines of the diff. Its heading takes
 * the focus when they open (`headingRef`). Props only.
 */
export function ComparisonView(props: {
  id: string;
  pair: VersionPair;
  state: ComparisonState;
  headingRef?: Ref<HTMLHeadingElement>;
  onOpen?(node: string): void;
  onClose(): void;
}) {
  const { id, pair, state, headingRef, onOpen, onClose } = props;
  const { t } = useI18n();
  const headingId = `${id}-title`;
  return (
    <section id={id} className="version-diff" aria-labelledby={headingId} data-testid="version-diff">
      <div className="row">
        <h3 id={headingId} tabIndex={-1} ref={headingRef}>
          {comparisonTitle(t, pair)}
        </h3>
        <button type="button" className="link" onClick={onClose}>
          {t("versions.hideDiff")}
        </button>
      </div>
      {state.status === "loading" && (
        <p role="status" className="muted">
          {t("versions.diffLoading")}
        </p>
      )}
      {state.status === "failed" && (
        <p role="alert" className="error-text">
          {comparisonFailureText(t, state.error)}
        </p>
      )}
      {state.status === "loaded" && <SemanticDiff diff={state.diff} onOpen={onOpen} />}
    </section>
  );
}

/** Pick any version and compare it with another, or with the draft (`after` null). Props only. */
export function CompareForm(props: {
  items: VersionSummary[];
  before: number;
  after: number | null;
  onBefore(version: number): void;
  onAfter(version: number | null): void;
  onCompare(pair: VersionPair, opener: HTMLElement | null): void;
}) {
  const { items, before, after, onBefore, onAfter, onCompare } = props;
  const { t } = useI18n();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onCompare({ from: before, to: after }, event.currentTarget.querySelector("button"));
  };
  return (
    <form className="compare-versions row" aria-label={t("versions.compareTitle")} onSubmit={submit} data-testid="compare-versions">
      <label>
        {t("versions.before")}{" "}
        <select value={before} onChange={(e) => onBefore(Number(e.target.value))}>
          {items.map((item) => (
            <option key={item.number} value={item.number}>
              {versionOption(t, item)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("versions.after")}{" "}
        <select value={after ?? "draft"} onChange={(e) => onAfter(e.target.value === "draft" ? null : Number(e.target.value))}>
          <option value="draft">{t("versions.draft")}</option>
          {items.map((item) => (
            <option key={item.number} value={item.number}>
              {versionOption(t, item)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">{t("versions.compare")}</button>
    </form>
  );
}

/**
 * A version's own changes, against the version before it (opening and closing them below the comparison form),
 * or, for the first version, that there is nothing to compare it with. Props only.
 */
export function VersionChangesButton(props: {
  version: number;
  previous: number | null;
  expanded: boolean;
  controls: string;
  onToggle(opener: HTMLElement): void;
}) {
  const { version, previous, expanded, controls, onToggle } = props;
  const { t } = useI18n();
  if (previous === null) return <span className="muted small">{t("versions.first")}</span>;
  return (
    <button
      type="button"
      aria-expanded={expanded}
      aria-controls={expanded ? controls : undefined}
      aria-label={t("versions.changesOf", { version, previous })}
      onClick={(event) => onToggle(event.currentTarget)}
    >
      {t("versions.changes")}
    </button>
  );
}

/**
 * A test a version's `validation_summary` names: one a publisher published past (`despite_failing_tests`, with why
 * it failed: its English `failures`, and since they are recorded, `failure_details` to say them in the analyst's
 * language), or another scenario's that already failed (`already_failing`).
 */
interface ListedTest {
  scenario: string;
  test: string;
  failures?: unknown;
  failure_details?: unknown;
  /** How many failures the test had in all, of which `failures` are the first (absent: recorded before the count). */
  failure_count?: unknown;
}

/** A failure's details as the server records them (`TestFailure`): its code, params and English text. */
function isTestFailure(value: unknown): value is TestFailure {
  if (typeof value !== "object" || value === null) return false;
  const { code, params, text } = value as Partial<Record<keyof TestFailure, unknown>>;
  return typeof code === "string" && typeof text === "string" && typeof params === "object" && params !== null;
}

/**
 * Why a test a version was published despite failed, as recorded: none when its summary lists no failures. Its
 * details only when each failure has them, in step with its English sentences; else those sentences alone.
 */
function recordedFailures(entry: ListedTest): FailingTest | null {
  if (!Array.isArray(entry.failures) || entry.failures.length === 0) return null;
  const failures = entry.failures.map(String);
  const details = Array.isArray(entry.failure_details) ? entry.failure_details : [];
  const inStep = details.length === failures.length && details.every(isTestFailure);
  return { scenario: entry.scenario, failures, failure_details: inStep ? details : [] };
}

/** How many of the test's failures the version did not record (it keeps the first few): 0 when it records them all. */
function unrecordedFailures(entry: ListedTest, recorded: FailingTest): number {
  return typeof entry.failure_count === "number" ? Math.max(0, entry.failure_count - recorded.failures.length) : 0;
}

/** The tests a version's summary lists under `key`, each naming its test and scenario; none when it lists none. */
function summaryTests(summary: Record<string, unknown>, key: string): ListedTest[] {
  const listed = summary[key];
  if (!Array.isArray(listed)) return [];
  return listed.filter(
    (entry): entry is ListedTest =>
      typeof entry === "object" && entry !== null && typeof entry.test === "string" && typeof entry.scenario === "string",
  );
}

/** The tests a version was published despite (persistence.publishing): none for a version published green. */
export function shippedFailing(summary: Record<string, unknown>): ListedTest[] {
  return summaryTests(summary, "despite_failing_tests");
}

/**
 * Said on a version of `slug` published despite failing tests, each named with its scenario and why it failed, in
 * the analyst's language (a version recorded without the failures' details: in English, as recorded).
 */
export function ShippedFailing({ summary, slug }: { summary: Record<string, unknown>; slug?: string }) {
  const { t } = useI18n();
  const said = useFailuresSaid(slug);
  const shipped = shippedFailing(summary);
  if (shipped.length === 0) return null;
  return (
    <details className="shipped-failing" data-testid="shipped-failing">
      <summary className="error-text">{t("versions.shippedFailing", { count: shipped.length })}</summary>
      <ul>
        {shipped.map((entry, i) => {
          const failing = recordedFailures(entry);
          return (
            <li key={i}>
              {t("versions.shippedTest", { test: entry.test, scenario: entry.scenario })}
              {failing && (
                <>
                  : <FailuresInline said={said(failing)} />
                  {unrecordedFailures(entry, failing) > 0 && <> {t("versions.moreFailures", { count: unrecordedFailures(entry, failing) })}</>}
                </>
              )}
            </li>
          );
        })}
      </ul>
    </details>
  );
}

/**
 * The tests of other scenarios that already failed with the version live before this one was published
 * (persistence.publishing `already_failing`): they did not block it, and it did not break them, but whoever fixes
 * them looks here. None for most versions.
 */
export function alreadyFailingAt(summary: Record<string, unknown>): ListedTest[] {
  return summaryTests(summary, "already_failing");
}

/** Said, muted, on a version published while tests of scenarios continuing into it already failed. */
export function AlreadyFailing({ summary }: { summary: Record<string, unknown> }) {
  const { t } = useI18n();
  const listed = alreadyFailingAt(summary);
  if (listed.length === 0) return null;
  return (
    <details className="already-failing" data-testid="already-failing">
      <summary className="muted small">{t("versions.alreadyFailing", { count: listed.length })}</summary>
      <ul>
        {listed.map((entry, i) => (
          <li key={i}>{t("versions.shippedTest", { test: entry.test, scenario: entry.scenario })}</li>
        ))}
      </ul>
    </details>
  );
}

/**
 * `pinDraft`, `onDraftReset`: an editor's, to offer resetting its draft with a rollback (`rollBackIfConfirmed`) and
 * to load the draft again once the rollback has reset it.
 */
export function VersionsPanel(props: {
  slug: string;
  refreshKey: number;
  canRollBack: boolean;
  onChanged(): void;
  pinDraft?(): Promise<DraftPin | null>;
  onDraftReset?(): void;
}) {
  const { slug, refreshKey, canRollBack, onChanged, pinDraft, onDraftReset } = props;
  const { t, language } = useI18n();
  const [items, setItems] = useState<VersionSummary[]>([]);
  const [message, setMessage] = useState<string | null>(null);

  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((n) => n + 1);

  // The comparison form's choice; the latest version against the draft (what a publish would change) until picked.
  const [before, setBefore] = useState<number | null>(null);
  const [after, setAfter] = useState<number | null>(null);
  // The comparison shown: each request its own number, so an answer to an earlier one is never shown for it.
  const [shown, setShown] = useState<{ pair: VersionPair; request: number } | null>(null);
  const [answer, setAnswer] = useState<{ request: number; refreshKey: number; state: ComparisonState } | null>(null);
  const requests = useRef(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const focusHeading = useRef(false);
  const opener = useRef<HTMLElement | null>(null);
  const comparisonId = useId();
  const focusNode = useEditor((s) => s.focusNode);
  const setPanel = useEditor((s) => s.setPanel);
  const [confirm, confirmation] = useConfirm();

  useEffect(() => {
    let cancelled = false;
    api.versions(slug).then(
      (list) => !cancelled && setItems([...list].sort((a, b) => b.number - a.number)),
      (e: unknown) => !cancelled && setMessage(t("error.generic", { message: e instanceof Error ? e.message : String(e) })),
    );
    return () => {
      cancelled = true;
    };
  }, [slug, t, refreshKey, reloads]);

  // Asked again after a publish (`refreshKey`): the draft compared with may be another now.
  useEffect(() => {
    if (!shown) return;
    let cancelled = false;
    const { pair, request } = shown;
    void loadComparison(pair, (p) => api.versionChanges(slug, p.from, p.to)).then((state) => {
      if (cancelled) return;
      setAnswer({ request, refreshKey, state });
      // A version gone (the scenario deleted and created again): list the versions there are now.
      if (state.status === "failed" && versionGone(state.error)) setReloads((n) => n + 1);
    });
    return () => {
      cancelled = true;
    };
  }, [slug, shown, refreshKey]);

  useEffect(() => {
    if (shown && focusHeading.current) heading.current?.focus();
    focusHeading.current = false;
  }, [shown]);

  const has = (number: number | null) => number !== null && items.some((item) => item.number === number);
  // A choice of a version no longer listed falls back to the defaults rather than naming a version gone.
  const beforeShown = has(before) ? before! : items[0]?.number;
  const afterShown = has(after) ? after : null;
  const state: ComparisonState =
    shown && answer?.request === shown.request && answer.refreshKey === refreshKey ? answer.state : { status: "loading" };

  // The changes open above the list, out of sight of a version's button: the keyboard (and a screen reader's
  // reading) goes to their heading, and back to the button that opened them when they are hidden.
  function show(pair: VersionPair, from: HTMLElement | null) {
    requests.current += 1;
    opener.current = from;
    focusHeading.current = true;
    setShown({ pair, request: requests.current });
  }

  function hide() {
    setShown(null);
    if (opener.current?.isConnected) opener.current.focus();
  }

  // The block selected and centred on the canvas, the panel staying on the comparison to go on reading it (the
  // Block tab shows the block's settings): Problems opens the block's form, which here would close the diff.
  function openBlock(node: string) {
    focusNode(node);
    setPanel("versions");
  }

  return (
    <div className="versions-panel" data-testid="versions-panel">
      <h2>{t("versions.title")}</h2>
      <VersionsStatus message={message} />
      {items.length === 0 && <p className="muted">{t("versions.none")}</p>}
      {beforeShown !== undefined && (
        <CompareForm
          items={items}
          before={beforeShown}
          after={afterShown}
          onBefore={setBefore}
          onAfter={setAfter}
          onCompare={show}
        />
      )}
      {shown && <ComparisonView id={comparisonId} pair={shown.pair} state={state} headingRef={heading} onOpen={openBlock} onClose={hide} />}
      <ol className="versions">
        {items.map((item) => {
          const previous = previousVersion(items, item.number);
          const expanded = shown !== null && shown.pair.from === previous && shown.pair.to === item.number;
          return (
            <li key={item.number}>
              <strong>v{item.number}</strong> <VersionMessage item={item} />
              <div className="muted small">
                {formatDateTime(item.created_at, language)} {item.created_by ?? ""}
              </div>
              <ShippedFailing summary={item.validation_summary} slug={slug} />
              <AlreadyFailing summary={item.validation_summary} />
              <div className="row">
                <VersionChangesButton
                  version={item.number}
                  previous={previous}
                  expanded={expanded}
                  controls={comparisonId}
                  onToggle={(from) => {
                    if (expanded || previous === null) return hide();
                    setBefore(previous);
                    setAfter(item.number);
                    show({ from: previous, to: item.number }, from);
                  }}
                />
                {canRollBack && item.number !== items[0]?.number && (
                  <button
                    type="button"
                    onClick={async () => {
                      try {
                        const losesWork = pinDraft ? await unpublishedWorkLost(slug, item.number, items[0]?.number) : false;
                        const result = await rollBackIfConfirmed(t, slug, item.number, confirm, pinDraft, losesWork);
                        if (!result) return;
                        if (result.draft_reset) onDraftReset?.();
                        setMessage(t("versions.rolledBack", { version: item.number, newVersion: result.version.number }));
                        reload();
                        onChanged();
                      } catch (e) {
                        setMessage(rollbackFailureText(t, e, item.number));
                        // Another publish landed meanwhile: list it.
                        if (e instanceof ApiError && publishRefusal(e.body)?.kind === "published-meanwhile") {
                          reload();
                          onChanged();
                        }
                      }
                    }}
                  >
                    {t("versions.rollback")}
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ol>
      {confirmation}
    </div>
  );
}
