/**
 * Publish: the draft's changes against the live version and a message; then the semantic diff and the test
 * results, or the problems that block it.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { Conflict, DraftPin, PublishResult, TestOutcome } from "../api/types";
import { useI18n } from "../i18n";
import type { Translate } from "../lib/i18n";
import { normalizeProblems, type Problem } from "../lib/problems";
import { problemText } from "../lib/problemText";
import { useEditor } from "../store/editor";
import { BusyButton } from "./BusyButton";
import { useConfirm, type Confirm } from "./ConfirmDialog";
import { Dialog } from "./Dialog";
import { alreadyFailing, blockingTests, onlyTestsBlock, publishAnywayRequest, testLabel } from "./failingTests";
import { SemanticDiff } from "./SemanticDiff";
import { FailuresInline, useFailuresSaid } from "./TestFailuresSaid";

// Its own module now, shared with the Versions panel; still exported here, where the publish tests read it.
export { SemanticDiff };

function ProblemItem({ problem }: { problem: Problem }) {
  const { language } = useI18n();
  const catalog = useEditor((s) => s.catalog);
  const nodes = useEditor((s) => s.nodes);
  // A plugin's block named in the words its plugin gives, its own problems too (lib/problemText.ts).
  const typeOf = (id: string) => nodes.find((n) => n.id === id)?.data.blockType;
  return (
    // The sentence names the block as the canvas does; its internal id stays on the line, not in the text.
    <li className={`problem ${problem.severity}`} data-node={problem.node || undefined}>
      {problemText(problem, language, { catalog, typeOf })}
    </li>
  );
}

/** Why an already-failing test does not block: it fails with the live version of `scenario` (this one, by name). */
function alreadyFailingText(t: Translate, scenario: string | undefined): string {
  return scenario ? t("publish.alreadyFailing", { scenario }) : t("publish.alreadyFailingHere");
}

function AlreadyFailingItem({ test, scenario, slug }: { test: TestOutcome; scenario?: string; slug?: string }) {
  const { t } = useI18n();
  const said = useFailuresSaid(slug);
  return (
    <li className="problem warning" data-scenario={test.scenario ?? undefined} data-already-failing="true">
      ⚠ {testLabel(t, test)} — {alreadyFailingText(t, scenario)}: <FailuresInline said={said(test)} />
    </li>
  );
}

/**
 * Why a publish was refused. The server sends every problem of the draft, but only errors and failed tests block
 * (a draft with warnings alone publishes): the warnings are listed apart, saying they do not block, and so are the
 * tests of other scenarios that fail with the live version of this one already (`alreadyFailing`). A failed test
 * of another scenario (one that continues in this) names it. `onAnyway`: offered when failing tests alone block.
 * `scenario`: the name of the scenario being published, for the already-failing tests' warning; `slug`, its slug, for
 * the tests' failures to name its blocks as the canvas does. Each failure is said in the interface language.
 */
export function PublishBlocked({
  problems,
  failedTests,
  onAnyway,
  scenario,
  slug,
}: {
  problems: Problem[];
  failedTests: TestOutcome[];
  onAnyway?: () => void;
  scenario?: string;
  slug?: string;
}) {
  const { t } = useI18n();
  const said = useFailuresSaid(slug);
  const errors = problems.filter((p) => p.severity === "error");
  const warnings = problems.filter((p) => p.severity !== "error");
  const blocking = blockingTests(failedTests);
  const oldFailures = failedTests.filter(alreadyFailing);
  return (
    <div role="alert" className="blocked" data-testid="publish-blocked">
      <p>{t("publish.blocked")}</p>
      <ul data-testid="blocking-problems">
        {errors.map((problem, i) => (
          <ProblemItem key={i} problem={problem} />
        ))}
        {blocking.map((test) => (
          <li key={`${test.scenario ?? ""}/${test.name}`} className="problem error" data-scenario={test.scenario ?? undefined}>
            ✘ {testLabel(t, test)}: <FailuresInline said={said(test)} />
          </li>
        ))}
      </ul>
      {onAnyway && onlyTestsBlock(problems, blocking) && (
        <p>
          {t("publish.onlyTests")}{" "}
          <button type="button" className="danger" onClick={onAnyway} data-testid="publish-anyway">
            {t("publish.anyway")}
          </button>
        </p>
      )}
      {warnings.length + oldFailures.length > 0 && (
        <>
          <p>{t("publish.notBlocking")}</p>
          <ul data-testid="warnings">
            {warnings.map((problem, i) => (
              <ProblemItem key={i} problem={problem} />
            ))}
            {oldFailures.map((test) => (
              <AlreadyFailingItem key={`${test.scenario ?? ""}/${test.name}`} test={test} scenario={scenario} slug={slug} />
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/**
 * A publish the server refused with a 409 that says why, with the version it names: `nothing-to-publish` (the
 * draft is that version already, which calls run) or `published-meanwhile` (another publish of the scenario
 * landed first, as that version, while this one was being checked). Null for any other answer.
 */
export type PublishRefusal = { kind: "nothing-to-publish" | "published-meanwhile"; version: number };

export function publishRefusal(body: unknown): PublishRefusal | null {
  if (body === null || typeof body !== "object") return null;
  const { type, version } = body as { type?: unknown; version?: unknown };
  if (typeof type !== "string" || typeof version !== "number") return null;
  for (const kind of ["nothing-to-publish", "published-meanwhile"] as const) {
    if (type.endsWith(`/${kind}`)) return { kind, version };
  }
  return null;
}

/** The version calls already run, when the server refused a publish that would change nothing; else null. */
export function nothingToPublish(body: unknown): number | null {
  const refusal = publishRefusal(body);
  return refusal?.kind === "nothing-to-publish" ? refusal.version : null;
}

/**
 * The draft a publish named has moved on (a colleague saved after it, or the scenario was deleted and created
 * again): the server refuses it with a save's 409, `stale-revision`, carrying the draft there is now. Null for
 * any other answer.
 */
export function staleDraft(body: unknown): Conflict | null {
  if (body === null || typeof body !== "object") return null;
  const { type, current_revision: revision, document } = body as { type?: unknown; current_revision?: unknown; document?: unknown };
  if (typeof type !== "string" || !type.endsWith("/stale-revision") || typeof revision !== "number" || typeof document !== "object" || document === null) return null;
  return body as Conflict;
}

/** A refused publish in words: the 409s that name a version or a revision said plainly, anything else as the server put it. */
export function publishFailureText(t: Translate, error: unknown): string {
  const conflict = error instanceof ApiError && error.status === 409 ? error.body : null;
  const refusal = publishRefusal(conflict);
  if (refusal?.kind === "nothing-to-publish") return t("publish.nothingToPublish", { version: refusal.version });
  if (refusal?.kind === "published-meanwhile") return t("publish.publishedMeanwhile", { version: refusal.version });
  const stale = staleDraft(conflict);
  if (stale) return t("publish.staleDraft", { revision: stale.current_revision });
  return t("error.generic", { message: error instanceof Error ? error.message : String(error) });
}

/** What became of a click on Publish. */
export type PublishAttempt =
  | { kind: "published"; result: PublishResult }
  | { kind: "not-saved" }
  | { kind: "blocked"; problems: Problem[]; tests: TestOutcome[] }
  | { kind: "stale"; error: ApiError }
  | { kind: "refused"; error: unknown };

/**
 * Save what is on the canvas, then publish the draft that save left: the request names its revision (and the
 * scenario it belongs to), so a colleague's save landing between the two requests is never published under this
 * analyst's name and message. The server refuses such a publish with a save's 409; `onConflict` then opens the
 * view a save conflict opens (both drafts side by side, choose which to keep), and nothing is published.
 */
export async function publishSaved(
  slug: string,
  message: string,
  beforePublish: () => Promise<DraftPin | null>,
  onConflict: (conflict: Conflict) => void,
  despiteFailingTests = false,
): Promise<PublishAttempt> {
  try {
    const pin = await beforePublish();
    if (!pin) return { kind: "not-saved" };
    const result = despiteFailingTests ? await api.publish(slug, message, pin, true) : await api.publish(slug, message, pin);
    return { kind: "published", result };
  } catch (e) {
    const body = e instanceof ApiError ? (e.body as { problems?: unknown; tests?: TestOutcome[] } | null) : null;
    if (e instanceof ApiError && e.status === 422 && (body?.problems || body?.tests)) {
      return { kind: "blocked", problems: normalizeProblems(body.problems), tests: (body.tests ?? []).filter((test) => !test.passed) };
    }
    const conflict = e instanceof ApiError && e.status === 409 ? staleDraft(e.body) : null;
    if (conflict && e instanceof ApiError) {
      onConflict(conflict);
      return { kind: "stale", error: e };
    }
    return { kind: "refused", error: e };
  }
}

/**
 * The tests a publish ran, as it went through: each passed, failed (published despite it), or, for another
 * scenario's test, already failing with the live version of `scenario` (this one, by name), a warning. Why each
 * failed in the interface language, its blocks named as the canvas of `slug` names them.
 */
export function PublishedTests({ tests, scenario, slug }: { tests: TestOutcome[]; scenario?: string; slug?: string }) {
  const { t } = useI18n();
  const said = useFailuresSaid(slug);
  if (tests.length === 0) return <p className="muted">{t("publish.noTests")}</p>;
  return (
    <ul className="tests">
      {tests.map((test, i) => {
        const old = alreadyFailing(test);
        const [mark, outcome] = test.passed ? ["✔", t("publish.passed")] : old ? ["⚠", alreadyFailingText(t, scenario)] : ["✘", t("publish.failed")];
        return (
          <li key={i} className={test.passed ? "passed" : old ? "already-failing" : "failed"}>
            {mark} {testLabel(t, test)} — {outcome}
            {test.failures.length > 0 && (
              <ul>
                {said(test).map((failure, j) => (
                  <li key={j} lang={failure.english ? "en" : undefined}>
                    {failure.text}
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * Whether the publisher, asked with each failing test named, goes ahead past them. Only the tests that block are
 * named: those already failing with the live version are published past without asking.
 */
export function confirmPublishAnyway(t: Translate, failedTests: TestOutcome[], confirm: Confirm): Promise<boolean> {
  return confirm(publishAnywayRequest(t, blockingTests(failedTests)));
}

/**
 * What the draft would change, shown before Publish is pressed: "loading" until known; "first" with nothing live
 * yet (every block would be new: no diff to read); "changes" against live version `version`; "failed", why not.
 */
export type PublishPreviewState =
  | { status: "loading" }
  | { status: "first" }
  | { status: "changes"; version: number; diff: Record<string, unknown> }
  | { status: "failed"; message: string };

/** Past this many changes the preview shows the first ones and a button for the rest: the Publish button stays near. */
const PREVIEW_LIMIT = 8;

/**
 * The draft's changes against the live version (the server's diff, as the Versions panel asks for it): the canvas
 * saved first (`beforePublish`), as a publish saves it, so the changes shown are those a publish would ship.
 */
export async function loadPublishPreview(slug: string, beforePublish: () => Promise<DraftPin | null>, t: Translate): Promise<PublishPreviewState> {
  try {
    if (!(await beforePublish())) return { status: "failed", message: t("publish.previewNotSaved") };
    const { latest_version: live } = await api.getScenario(slug);
    if (live === null) return { status: "first" };
    const changes = await api.versionChanges(slug, live, null);
    return { status: "changes", version: changes.from_version ?? live, diff: changes.diff };
  } catch (e) {
    return { status: "failed", message: t("error.generic", { message: e instanceof Error ? e.message : String(e) }) };
  }
}

/** The draft's changes under a heading naming the live version; a long list folded. Props only. */
export function PublishPreview({ preview }: { preview: PublishPreviewState }) {
  const { t } = useI18n();
  const headingId = useId();
  return (
    <section className="publish-preview" aria-labelledby={headingId} data-testid="publish-preview">
      <h3 id={headingId}>{preview.status === "changes" ? t("publish.preview", { version: preview.version }) : t("publish.diff")}</h3>
      {preview.status === "loading" && (
        <p className="muted" aria-busy="true">
          {t("publish.previewLoading")}
        </p>
      )}
      {preview.status === "first" && <p className="muted">{t("publish.previewFirst")}</p>}
      {preview.status === "failed" && <p className="error-text">{preview.message}</p>}
      {preview.status === "changes" && <SemanticDiff diff={preview.diff} limit={PREVIEW_LIMIT} />}
    </section>
  );
}

/**
 * `beforePublish`: save the canvas; the draft saved (null if it could not be). `onConflict`: open the editor's
 * conflict view. `onClose(changed)`: whether the scenario's versions changed (this publish, or another that
 * landed meanwhile).
 */
export function PublishDialog(props: {
  slug: string;
  name: string;
  /** The scenario has no tests: said before publishing, as a warning that does not block. */
  untested?: boolean;
  beforePublish(): Promise<DraftPin | null>;
  onConflict(conflict: Conflict): void;
  onClose(changed: boolean): void;
}) {
  const { t } = useI18n();
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<PublishResult | null>(null);
  const [blocked, setBlocked] = useState<{ problems: Problem[]; tests: TestOutcome[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [versionsChanged, setVersionsChanged] = useState(false);
  const [confirm, confirmation] = useConfirm();
  const submitButton = useRef<HTMLButtonElement>(null);
  const [preview, setPreview] = useState<PublishPreviewState>({ status: "loading" });
  // Asked once as the dialog opens: the canvas cannot change under it, and a save on each new `beforePublish` would not help.
  const beforePublish = useRef(props.beforePublish);

  useEffect(() => {
    let cancelled = false;
    void loadPublishPreview(props.slug, beforePublish.current, t).then((state) => !cancelled && setPreview(state));
    return () => {
      cancelled = true;
    };
  }, [props.slug, t]);

  // Publishing, the focus stays on Publish (a BusyButton), and stays there when the refusal shows above it. Pressed
  // from the refusal, "Publish anyway" goes with it as the publish starts: the focus, left on <body>, goes to Publish.
  useEffect(() => {
    if (busy && (document.activeElement === null || document.activeElement === document.body)) submitButton.current?.focus();
  }, [busy]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await publishNow(false);
  }

  /** After a confirmation naming each failing test: the server records who published past them. */
  async function publishAnyway() {
    if (blocked && (await confirmPublishAnyway(t, blocked.tests, confirm))) await publishNow(true);
  }

  async function publishNow(despiteFailingTests: boolean) {
    setBusy(true);
    setError(null);
    setBlocked(null);
    try {
      const attempt = await publishSaved(props.slug, message, props.beforePublish, props.onConflict, despiteFailingTests);
      if (attempt.kind === "published") setResult(attempt.result);
      else if (attempt.kind === "not-saved") setError(t("publish.notSaved"));
      else if (attempt.kind === "blocked") setBlocked({ problems: attempt.problems, tests: attempt.tests });
      else {
        // Another publish landed meanwhile: there is a new version to list even though this one was refused.
        if (attempt.error instanceof ApiError && publishRefusal(attempt.error.body)?.kind === "published-meanwhile") setVersionsChanged(true);
        // A stale draft: the conflict view opens over this dialog, which stays, message kept, to publish again.
        setError(publishFailureText(t, attempt.error));
      }
    } finally {
      setBusy(false);
    }
  }

  const tests = result?.tests ?? [];
  return (
    <Dialog title={t("publish.title", { name: props.name })} onClose={() => props.onClose(result !== null || versionsChanged)} wide>
      {!result && (
        <form onSubmit={submit} data-testid="publish-form">
          <label>
            {t("publish.message")}
            <textarea name="message" rows={3} autoFocus value={message} onChange={(e) => setMessage(e.target.value)} required />
          </label>
          {props.untested && (
            <p className="publish-untested" role="note" data-testid="publish-no-tests">
              {t("tests.untestedWarning")}
            </p>
          )}
          <PublishPreview preview={preview} />
          {blocked && (
            <PublishBlocked
              problems={blocked.problems}
              failedTests={blocked.tests}
              onAnyway={() => void publishAnyway()}
              scenario={props.name}
              slug={props.slug}
            />
          )}
          {error && <p role="alert" className="error-text">{error}</p>}
          <div className="row">
            <BusyButton type="submit" className="primary" ref={submitButton} busy={busy} busyLabel={t("publish.unsaved")}>
              {t("publish.submit")}
            </BusyButton>
            <button type="button" onClick={() => props.onClose(versionsChanged)}>{t("publish.cancel")}</button>
          </div>
        </form>
      )}
      {/* In the dialog from the start, empty: a screen reader reads what comes into it (not a region inserted filled). */}
      <div role="status" data-testid="publish-status">
        {result && <p className="success">{t("publish.done", { version: result.version.number })}</p>}
      </div>
      {result && (
        <div data-testid="publish-result">
          <h3>{t("publish.diff")}</h3>
          <SemanticDiff diff={result.diff} />
          <h3>{t("publish.tests")}</h3>
          <PublishedTests tests={tests} scenario={props.name} slug={props.slug} />
          <button type="button" className="primary" onClick={() => props.onClose(true)} autoFocus>
            {t("publish.cancel")}
          </button>
        </div>
      )}
      {confirmation}
    </Dialog>
  );
}
