/**
 * The scenario's own tests (`meta.tests`), where the analyst edits the flow: listed by name, run all at once on the
 * canvas as it stands (unsaved edits included), each passed or failed with why and what happened, its path drawn on
 * the canvas as a test call's is. Renaming, deleting and rewriting a test (as JSON, for what no form covers) are
 * edits of the draft like any other: saved with it, undone with Ctrl+Z. Publishing runs the same tests.
 */
import { useState, type FormEvent, type KeyboardEvent, type ReactNode } from "react";
import * as api from "../api/client";
import type { CallResultLike, TestOutcome } from "../api/types";
import { useI18n } from "../i18n";
import { specTitle } from "../lib/blockText";
import type { MessageKey } from "../lib/i18n";
import {
  EXPECTATIONS,
  NEW_TEST_EXAMPLE,
  TEST_FIELDS,
  addTest,
  countOutcomes,
  deletionNow,
  freeName,
  nameProblem,
  outcomesFor,
  readTestJson,
  removeTest,
  renameTest,
  replaceTest,
  testJson,
  testName,
  testsOf,
  writeTests,
  type DeletedTest,
  type ScenarioTest,
  type TestsCount,
  type TestsRun,
} from "../lib/scenarioTests";
import type { FieldProblem } from "../lib/testCallInputs";
import { testFailureText, type FailureNames, type FailureSaid } from "../lib/testFailureText";
import { useEditor } from "../store/editor";
import { useCanvasBlockNames } from "./blockNames";
import { BusyButton } from "./BusyButton";
import { CallEnding, CallStory } from "./CallStory";
import { testCallDocument } from "./TestCallPanel";
import { Problems, TestNameField } from "./TestNameField";
import "./testsPanel.css";

/** A test's state in the list: its outcome in the last run, or not run as it is now. */
export type TestState = "passed" | "failed" | "not-run";

export const testState = (outcome: TestOutcome | null): TestState => (outcome === null ? "not-run" : outcome.passed ? "passed" : "failed");

const MARK: Record<TestState, string> = { passed: "✔", failed: "✘", "not-run": "•" };
const STATE_TEXT: Record<TestState, MessageKey> = { passed: "tests.passed", failed: "tests.failed", "not-run": "tests.notRun" };

/** The id of a test's button in the list, to give the focus back to once a form of it closes. */
export const testPickId = (index: number) => `test-pick-${index}`;

function focusPick(index: number): void {
  requestAnimationFrame(() => document.getElementById(testPickId(index))?.focus());
}

/**
 * The tests by name, each with its state said in words (not by colour alone); the one shown pressed, its `details`
 * right under it rather than below a long list. Props only.
 */
export function TestList(props: {
  tests: readonly ScenarioTest[];
  outcomes: readonly (TestOutcome | null)[];
  selected: number | null;
  onSelect(index: number): void;
  details?: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <ul className="tests-list" aria-label={t("tests.list")} data-testid="tests-list">
      {props.tests.map((test, i) => {
        const state = testState(props.outcomes[i] ?? null);
        return (
          <li key={i} className={`test-item ${state}`} data-state={state}>
            <button type="button" id={testPickId(i)} className="test-pick" aria-pressed={props.selected === i} onClick={() => props.onSelect(i)}>
              <span className="test-mark" aria-hidden="true">{MARK[state]}</span>
              <span className="test-name">{testName(test, i)}</span>
              <span className="test-state">{t(STATE_TEXT[state])}</span>
            </button>
            {props.selected === i && props.details}
          </li>
        );
      })}
    </ul>
  );
}

/** Passed and failed of the tests as they are now, and those not run since they changed. Props only. */
export function TestsSummary({ count, stale }: { count: TestsCount; stale: boolean }) {
  const { t } = useI18n();
  const total = count.passed + count.failed + count.notRun;
  return (
    <div className="tests-summary" data-testid="tests-summary">
      <p className={count.failed > 0 ? "error-text" : count.notRun === 0 ? "success" : undefined}>
        {t("tests.summary", { passed: count.passed, failed: count.failed, total })}
        {count.notRun > 0 && <> {t("tests.notRunCount", { count: count.notRun })}</>}
      </p>
      {stale && <p className="hint">{t("tests.stale")}</p>}
    </div>
  );
}

/**
 * What a screen reader is told, the focus staying where it is: that the tests run, then how they went, then what an
 * edit of the list did. In the page from the start, unseen (the list and the summary show it). Props only.
 */
export function TestsStatus({ said }: { said: string }) {
  return (
    <p className="sr-only" role="status" aria-live="polite" data-testid="tests-status">
      {said}
    </p>
  );
}

/** The canvas's blocks by id, as the path names them (lib/blockText.ts `blockName`: the label, else the type's title). */
export type BlockNames = ReadonlyMap<string, string>;

/**
 * The blocks a test went through: the canvas's by name, and where a Go To Scenario took the call, the other
 * scenario's named with its blocks' ids (they are not on this canvas). Props only.
 */
export function TestPath({ steps, names }: { steps: TestOutcome["steps"]; names: BlockNames }) {
  const { t } = useI18n();
  const runs: { scenario: string | null; nodes: string[] }[] = [];
  for (const step of steps ?? []) {
    const last = runs[runs.length - 1];
    if (last && last.scenario === step.scenario) last.nodes.push(step.node);
    else runs.push({ scenario: step.scenario, nodes: [step.node] });
  }
  return (
    <ol className="test-path" data-testid="test-path">
      {runs.map((run, i) =>
        run.scenario === null ? (
          <li key={i}>{run.nodes.map((node) => names.get(node) || node).join(" → ")}</li>
        ) : (
          <li key={i} className="muted">
            {t("tests.pathElsewhere", { scenario: run.scenario, blocks: run.nodes.join(" → ") })}
          </li>
        ),
      )}
    </ol>
  );
}

/**
 * Why a test failed: each failure in the interface language from its code and params, blocks named as on the
 * canvas (lib/testFailureText.ts); one with no words here in the server's English, said to be English. From a
 * server that sends no `failure_details`, its English sentences, as they are.
 */
function TestFailures({ outcome, names }: { outcome: TestOutcome; names: BlockNames }) {
  const { t, language } = useI18n();
  const catalog = useEditor((s) => s.catalog);
  const details = outcome.failure_details ?? [];
  if (details.length === 0) {
    return (
      <>
        <h4>{t("tests.failures")}</h4>
        <ul className="test-failures" lang="en" data-testid="test-failures">
          {outcome.failures.map((failure, i) => (
            <li key={i}>{failure}</li>
          ))}
        </ul>
      </>
    );
  }
  const naming: FailureNames = {
    block: (name) => names.get(name) || name,
    type: (type) => specTitle(language, type, catalog.get(type)),
  };
  const said: FailureSaid[] = details.map((failure) => testFailureText(failure, language, t, naming));
  return (
    <>
      <h4>{t("tests.whyFailed")}</h4>
      <ul className="test-failures" data-testid="test-failures">
        {said.map((failure, i) => (
          <li key={i} lang={failure.english ? "en" : undefined}>
            {failure.text}
          </li>
        ))}
      </ul>
    </>
  );
}

/** The engine's own story of the call (English lines, as `ivrgraph test` and API clients read it). */
function EngineStory({ story }: { story: readonly string[] }) {
  return (
    <ol className="story mono small" lang="en">
      {story.map((line, i) => (
        <li key={i}>{line}</li>
      ))}
    </ol>
  );
}

/**
 * What happened in a test's call. With its trace (`call`, from running the draft's tests), told step by step in the
 * interface language as the Test call tells one, the engine's English story folded under it for the details a step
 * does not show; without (an older server), the engine's story, said to be English. Open when the test failed,
 * where what happened is the question; folded when it passed.
 */
function TestStory({ outcome }: { outcome: TestOutcome }) {
  const { t } = useI18n();
  // CallResult as data (graph_engine.trace): the API gives it as a free-form object.
  const call = (outcome.call ?? null) as (CallResultLike & { error?: string | null }) | null;
  if (call && Array.isArray(call.steps)) {
    return (
      <details open={!outcome.passed} data-testid="test-story">
        <summary>{t("test.story")}</summary>
        <CallEnding outcome={call.outcome} error={call.error} steps={call.steps} />
        <CallStory steps={call.steps} startedAt={call.started_at} outcome={call.outcome} />
        {outcome.story.length > 0 && (
          <details data-testid="engine-story">
            <summary>{t("test.engineStory")}</summary>
            <EngineStory story={outcome.story} />
          </details>
        )}
      </details>
    );
  }
  if (outcome.story.length === 0) return null;
  return (
    <details open={!outcome.passed} data-testid="test-story">
      <summary>{t("tests.story")}</summary>
      <EngineStory story={outcome.story} />
    </details>
  );
}

/**
 * A test's outcome: passed or failed and why, its path and its story, in the interface language. Given its props;
 * the blocks' types are named from the editor's catalog, and the story's steps link to the canvas as the Test call's.
 */
export function TestOutcomeView({ outcome, stale, names }: { outcome: TestOutcome | null; stale: boolean; names: BlockNames }) {
  const { t } = useI18n();
  if (!outcome) return <p className="muted" data-testid="test-verdict">{t("tests.notRunYet")}</p>;
  return (
    <>
      <p className={`test-verdict ${testState(outcome)}`} data-testid="test-verdict">
        {t(outcome.passed ? "tests.verdictPassed" : "tests.verdictFailed")}
        {stale && <> {t("tests.verdictStale")}</>}
      </p>
      {outcome.failures.length > 0 && <TestFailures outcome={outcome} names={names} />}
      {(outcome.steps ?? []).length > 0 && (
        <>
          <h4>{t("tests.path")}</h4>
          <TestPath steps={outcome.steps} names={names} />
        </>
      )}
      <TestStory outcome={outcome} />
    </>
  );
}

const onEscape = (cancel: () => void) => (event: KeyboardEvent) => {
  if (event.key !== "Escape") return;
  event.preventDefault();
  event.stopPropagation();
  cancel();
};

/** A test's new name, refused when empty or another test's (said beside it and tied to it). Props only. */
export function TestNameForm(props: { name: string; problem: FieldProblem | null; onChange(name: string): void; onSave(): void; onCancel(): void }) {
  const { t } = useI18n();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSave();
  };
  return (
    <form className="test-form" onSubmit={submit} onKeyDown={onEscape(props.onCancel)} data-testid="test-name-form">
      <TestNameField id="test-name-problem" name={props.name} problem={props.problem} onChange={props.onChange} />
      <div className="row">
        <button type="submit" className="primary">{t("tests.save")}</button>
        <button type="button" onClick={props.onCancel}>{t("tests.cancel")}</button>
      </div>
    </form>
  );
}

/**
 * A test as JSON, for whatever the forms do not cover (timed keys, hang-ups, callbacks' details...): what keeps it
 * out is listed under the field, tied to it, once Apply was pressed. Props only.
 */
export function TestJsonForm(props: {
  text: string;
  problems: readonly FieldProblem[];
  isNew: boolean;
  onChange(text: string): void;
  onApply(): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const bad = props.problems.length > 0;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onApply();
  };
  return (
    <form className="test-form" onSubmit={submit} onKeyDown={onEscape(props.onCancel)} data-testid="test-json-form">
      <label>
        {t(props.isNew ? "tests.jsonNew" : "tests.json")}
        <textarea
          name="test-json"
          className="mono"
          rows={12}
          spellCheck={false}
          autoFocus
          value={props.text}
          onChange={(e) => props.onChange(e.target.value)}
          aria-invalid={bad ? true : undefined}
          aria-describedby={bad ? "test-json-problems test-json-hint" : "test-json-hint"}
        />
      </label>
      <p className="hint" id="test-json-hint">
        {t("tests.jsonHint", { fields: TEST_FIELDS.join(", "), checks: EXPECTATIONS.join(", ") })}
      </p>
      <Problems id="test-json-problems" problems={props.problems} />
      <div className="row">
        <button type="submit" className="primary">{t("tests.apply")}</button>
        <button type="button" onClick={props.onCancel}>{t("tests.cancel")}</button>
      </div>
    </form>
  );
}

/** A form open on the list: a test's name, or a test as JSON (`index` null: a new test). */
type OpenForm =
  | { kind: "name"; index: number; name: string }
  | { kind: "json"; index: number | null; text: string; tried: boolean };

export function TestsPanel({ slug }: { slug: string }) {
  const { t } = useI18n();
  const meta = useEditor((s) => s.head.meta);
  const readOnly = useEditor((s) => s.readOnly);
  const changeSeq = useEditor((s) => s.changeSeq);
  const names = useCanvasBlockNames();
  const { tests, notList } = testsOf(meta);
  const [run, setRun] = useState<TestsRun | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [said, setSaid] = useState("");
  const [chosen, setChosen] = useState<number | null>(null);
  const [form, setForm] = useState<OpenForm | null>(null);
  const [deleted, setDeleted] = useState<DeletedTest | null>(null);
  // The line saying a test was deleted, with its Undo, stands while the list is as the delete left it: undone (by
  // it, Ctrl+Z or the toolbar) the test is back and the status says so; after another edit, an Undo would undo that.
  const deletion = deleted && deletionNow(deleted, tests);
  if (deleted && deletion !== "pending") {
    setDeleted(null);
    if (deletion === "restored") setSaid(t("tests.restored", { name: deleted.name }));
  }
  const outcomes = outcomesFor(tests, run);
  const stale = run !== null && run.seq !== changeSeq;
  // An undo may have taken the test shown away.
  const selected = chosen !== null && chosen < tests.length ? chosen : null;

  /** The test's path on the canvas, as a test call's is drawn; nothing when it has not run as it is. */
  function drawPath(outcome: TestOutcome | null): void {
    const editor = useEditor.getState();
    if (outcome && (outcome.steps ?? []).length > 0) editor.showPath(outcome.steps ?? []);
    else editor.clearPath();
  }

  function select(index: number): void {
    const again = selected === index;
    setChosen(again ? null : index);
    setForm(null);
    drawPath(again ? null : (outcomes[index] ?? null));
  }

  /** The list changed as one edit of the draft (undone by Ctrl+Z, saved like any edit). */
  function write(next: ScenarioTest[]): void {
    writeTests(useEditor.getState(), next);
  }

  async function runAll(): Promise<void> {
    const editor = useEditor.getState();
    const sent = tests;
    const seq = editor.changeSeq;
    setBusy(true);
    setError(null);
    setDeleted(null);
    setSaid(t("tests.running"));
    try {
      // The canvas as it stands for an editor; the stored draft (what a viewer's canvas shows) for a viewer.
      const answer = await api.runTests(slug, testCallDocument(editor));
      const ran = { tests: sent, outcomes: answer.tests, seq };
      setRun(ran);
      if (selected !== null) drawPath(outcomesFor(sent, ran)[selected] ?? null);
      // The server's count: a meta.tests that is no list is one failed test there, none in the list here.
      setSaid(t("tests.summary", { passed: answer.passed, failed: answer.failed, total: answer.total }));
    } catch (e) {
      const message = t("tests.failedToRun", { message: e instanceof Error ? e.message : String(e) });
      setError(message);
      setSaid(message);
    } finally {
      setBusy(false);
    }
  }

  function closeForm(index: number | null): void {
    setForm(null);
    if (index !== null) focusPick(index);
  }

  function saveName(): void {
    if (form?.kind !== "name" || nameProblem(form.name, tests, form.index)) return;
    const name = form.name.trim();
    write(renameTest(tests, form.index, name));
    setSaid(t("tests.renamed", { name }));
    closeForm(form.index);
  }

  function applyJson(): void {
    if (form?.kind !== "json") return;
    const read = readTestJson(form.text, tests, form.index);
    if ("problems" in read) {
      setForm({ ...form, tried: true });
      return;
    }
    const name = testName(read.test, form.index ?? tests.length);
    if (form.index === null) {
      write(addTest(tests, read.test));
      setChosen(tests.length);
      drawPath(null);
      setSaid(t("tests.added", { name }));
      closeForm(tests.length);
    } else {
      write(replaceTest(tests, form.index, read.test));
      drawPath(null); // rewritten: not run as it is now
      setSaid(t("tests.changed", { name }));
      closeForm(form.index);
    }
  }

  function remove(index: number): void {
    const name = testName(tests[index], index);
    const left = removeTest(tests, index);
    write(left);
    setChosen(null);
    setForm(null);
    drawPath(null);
    setDeleted({ test: tests[index], index, name, left });
    setSaid(t("tests.deleted", { name }));
  }

  const test = selected !== null ? tests[selected] : undefined;
  // Said once Apply was pressed, then as the text is fixed: not at every key of a test being typed.
  const jsonRead = form?.kind === "json" && form.tried ? readTestJson(form.text, tests, form.index) : null;
  const jsonProblems = jsonRead && "problems" in jsonRead ? jsonRead.problems : [];

  const details = selected !== null && (
    <section className="test-details" aria-labelledby={testPickId(selected)} data-testid="test-details">
      <TestOutcomeView outcome={outcomes[selected] ?? null} stale={stale} names={names} />
      {!readOnly && form === null && (
        <div className="row test-actions">
          <button
            type="button"
            disabled={typeof test !== "object" || test === null || Array.isArray(test)}
            onClick={() => setForm({ kind: "name", index: selected, name: testName(test, selected) })}
          >
            {t("tests.rename")}
          </button>
          <button type="button" onClick={() => setForm({ kind: "json", index: selected, text: testJson(test), tried: false })}>
            {t("tests.editJson")}
          </button>
          <button type="button" className="danger" onClick={() => remove(selected)}>
            {t("tests.delete")}
          </button>
        </div>
      )}
      {form?.kind === "name" && form.index === selected && (
        <TestNameForm
          name={form.name}
          problem={nameProblem(form.name, tests, form.index)}
          onChange={(name) => setForm({ ...form, name })}
          onSave={saveName}
          onCancel={() => closeForm(selected)}
        />
      )}
      {form?.kind === "json" && form.index === selected && (
        <TestJsonForm
          text={form.text}
          problems={jsonProblems}
          isNew={false}
          onChange={(text) => setForm({ ...form, text })}
          onApply={applyJson}
          onCancel={() => closeForm(selected)}
        />
      )}
    </section>
  );

  return (
    <div className="tests-panel" data-testid="tests-panel">
      <h2>{t("tests.title")}</h2>
      <p className="hint">{t("tests.intro")}</p>
      {readOnly && <p className="hint">{t("tests.readOnly")}</p>}
      {notList && <p className="error-text" role="alert">{t("tests.notList")}</p>}
      <div className="row">
        <BusyButton className="primary" onClick={() => void runAll()} busy={busy} busyLabel={t("tests.running")} disabled={tests.length === 0 && !notList}>
          {t("tests.runAll")}
        </BusyButton>
        {!readOnly && !notList && (
          <button
            type="button"
            onClick={() => {
              setChosen(null);
              drawPath(null);
              setForm({ kind: "json", index: null, text: testJson({ name: freeName(t("tests.newName"), tests), ...NEW_TEST_EXAMPLE }), tried: false });
            }}
          >
            {t("tests.newJson")}
          </button>
        )}
      </div>
      <TestsStatus said={said} />
      {error && <p className="error-text">{error}</p>}
      {deleted && !readOnly && (
        <p className="row tests-deleted" data-testid="tests-deleted">
          <span>{t("tests.deleted", { name: deleted.name })}</span>
          <button type="button" className="link" onClick={() => useEditor.getState().undo()}>
            {t("tests.undo")}
          </button>
        </p>
      )}
      {run && tests.length > 0 && <TestsSummary count={countOutcomes(outcomes)} stale={stale} />}
      {tests.length === 0 && !notList && form === null && (
        <div className="tests-empty" data-testid="tests-empty">
          <p>{t(readOnly ? "tests.emptyViewer" : "tests.empty")}</p>
          {!readOnly && (
            <button type="button" onClick={() => useEditor.getState().setPanel("test")}>
              {t("tests.openTestCall")}
            </button>
          )}
        </div>
      )}
      {tests.length > 0 && <TestList tests={tests} outcomes={outcomes} selected={selected} onSelect={select} details={details} />}
      {form?.kind === "json" && form.index === null && (
        <TestJsonForm
          text={form.text}
          problems={jsonProblems}
          isNew
          onChange={(text) => setForm({ ...form, text })}
          onApply={applyJson}
          onCancel={() => closeForm(null)}
        />
      )}
    </div>
  );
}
