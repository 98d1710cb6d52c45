/**
 * "Save as test" under a test call's result: the call becomes one of the scenario's tests (`meta.tests`), its
 * inputs as they were sent (keys, caller, moment, variables, rows, transfers) and, as what it must do, what it did:
 * its path, outcome, `result` variable, numbers dialled, callbacks. The analyst names it and unticks what the test
 * should not hold the flow to (a path that may change while the outcome may not). Saved as an edit of the draft,
 * it then shows in the Tests tab and runs at every publish.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import type { SimulateRequest, SimulateResult } from "../api/types";
import { useI18n } from "../i18n";
import { focusBack } from "../lib/focusBack";
import { codeText, type MessageKey, type Translate } from "../lib/i18n";
import {
  addTest,
  freeName,
  nameProblem,
  offeredExpectations,
  testFromCall,
  testsOf,
  writeTests,
  type ExpectationKind,
  type OfferedExpectation,
  type ScenarioTest,
} from "../lib/scenarioTests";
import type { FieldProblem } from "../lib/testCallInputs";
import { useEditor } from "../store/editor";
import { TestNameField } from "./TestNameField";
import "./testsPanel.css";

const EXPECTATION_TEXT: Record<ExpectationKind, MessageKey> = {
  path: "tests.expectPath",
  outcome: "tests.expectOutcome",
  result: "tests.expectResult",
  transfers: "tests.expectTransfers",
  callbacks: "tests.expectCallbacks",
};

/** What a test call did, as the box of an expectation says it: blocks by name, the outcome in words. */
export function expectationText(t: Translate, offered: OfferedExpectation, names: ReadonlyMap<string, string>): string {
  const shown =
    offered.kind === "path"
      ? (offered.expect.path as string[]).map((node) => names.get(node) || node).join(" → ")
      : offered.kind === "outcome"
        ? codeText(t, "outcome", String(offered.expect.outcome))
        : offered.shown;
  return t(EXPECTATION_TEXT[offered.kind], { shown });
}

/** The name a test saved from a call starts with: the keys pressed and how the call ended, in words. */
export function suggestedName(t: Translate, request: SimulateRequest, result: SimulateResult): string {
  const outcome = codeText(t, "outcome", result.result.outcome);
  const keys = request.keys ?? [];
  return keys.length > 0 ? t("tests.nameKeys", { keys: keys.join(" "), outcome }) : t("tests.nameNoKeys", { outcome });
}

/** The form: the test's name and a box per expectation offered, every one ticked at first. Props only. */
export function SaveAsTestForm(props: {
  name: string;
  problem: FieldProblem | null;
  offered: readonly OfferedExpectation[];
  unticked: ReadonlySet<ExpectationKind>;
  names: ReadonlyMap<string, string>;
  onName(name: string): void;
  onToggle(kind: ExpectationKind): void;
  onSave(): void;
  onCancel(): void;
  /** The hint under the heading, in place of a test call's (a recorded call says what it carries over). */
  hint?: string;
  /** Inputs shown under the name: a recorded call's, carried over and to complete. */
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const nothing = props.offered.every((offered) => props.unticked.has(offered.kind));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSave();
  };
  return (
    <form className="test-form save-as-test" onSubmit={submit} data-testid="save-as-test-form" aria-labelledby="save-as-test-title">
      <h3 id="save-as-test-title">{t("tests.saveAs")}</h3>
      <p className="hint">{props.hint ?? t("tests.saveAsHint")}</p>
      <TestNameField id="save-test-name-problem" name={props.name} problem={props.problem} onChange={props.onName} />
      {props.children}
      <fieldset className="test-expectations">
        <legend>{t("tests.expectations")}</legend>
        {props.offered.map((offered) => (
          <label key={offered.kind} className="test-expectation">
            <input
              type="checkbox"
              name={`expect-${offered.kind}`}
              checked={!props.unticked.has(offered.kind)}
              onChange={() => props.onToggle(offered.kind)}
            />
            <span>{expectationText(t, offered, props.names)}</span>
          </label>
        ))}
      </fieldset>
      {nothing && (
        <p className="hint" id="save-test-nothing" data-testid="save-test-nothing">
          {t("tests.nothingChecked")}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={nothing || props.problem !== null} aria-describedby={nothing ? "save-test-nothing" : undefined}>
          {t("tests.saveTest")}
        </button>
        <button type="button" onClick={props.onCancel}>{t("tests.cancel")}</button>
      </div>
    </form>
  );
}

/**
 * A "Save as test" button, the form it opens and what was saved, for a call of any kind (a test call's result,
 * a recorded call's details): `suggested()` names the test the form starts with, `onSave` writes it with the
 * expectations left ticked, `children` are the form's own lines (a recorded call's inputs). `open`: the form shown
 * at once. A new call to save starts the area again: give it another `key`.
 */
export function SaveAsTestArea(props: {
  testId: string;
  tests: readonly ScenarioTest[];
  notList: boolean;
  offered: readonly OfferedExpectation[];
  names: ReadonlyMap<string, string>;
  suggested(): string;
  onSave(name: string, chosen: readonly OfferedExpectation[]): void;
  onOpenTests(): void;
  hint?: string;
  open?: boolean;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const [name, setName] = useState<string | null>(() => (props.open ? props.suggested() : null));
  const [unticked, setUnticked] = useState<ReadonlySet<ExpectationKind>>(new Set());
  const [saved, setSaved] = useState<string | null>(null);
  const openButton = useRef<HTMLButtonElement>(null);
  const openTests = useRef<HTMLButtonElement>(null);
  // The form closing takes the focused control with it: where the focus goes once the form is gone.
  const focusAfterClose = useRef<"open" | "saved" | null>(null);

  useEffect(() => {
    const after = focusAfterClose.current;
    if (after === null) return;
    focusAfterClose.current = null;
    if (after === "saved") focusBack(openTests.current, openButton.current);
    else focusBack(openButton.current);
  });

  function close(focusTo: "open" | "saved"): void {
    focusAfterClose.current = focusTo;
    setName(null);
  }

  function save(): void {
    if (name === null || nameProblem(name, props.tests, null)) return;
    const chosen = props.offered.filter((expectation) => !unticked.has(expectation.kind));
    if (chosen.length === 0) return;
    props.onSave(name, chosen);
    setSaved(name.trim());
    close("saved");
  }

  return (
    <div className="save-as-test-area" data-testid={props.testId}>
      <p className="sr-only" role="status">{saved !== null ? t("tests.saved", { name: saved }) : ""}</p>
      {saved !== null && (
        <p className="success row">
          <span>{t("tests.saved", { name: saved })}</span>
          <button type="button" className="link" onClick={props.onOpenTests} ref={openTests}>
            {t("tests.openTests")}
          </button>
        </p>
      )}
      {props.notList ? (
        <p className="hint">{t("tests.notList")}</p>
      ) : name === null ? (
        <button type="button" onClick={() => setName(props.suggested())} ref={openButton}>
          {t("tests.saveAs")}
        </button>
      ) : (
        <SaveAsTestForm
          name={name}
          problem={nameProblem(name, props.tests, null)}
          offered={props.offered}
          unticked={unticked}
          names={props.names}
          hint={props.hint}
          onName={setName}
          onToggle={(kind) =>
            setUnticked((now) => {
              const next = new Set(now);
              if (!next.delete(kind)) next.add(kind);
              return next;
            })
          }
          onSave={save}
          onCancel={() => close("open")}
        >
          {props.children}
        </SaveAsTestForm>
      )}
    </div>
  );
}

/** For an editor, under a test call's result: a button opening the form, then what was saved. */
export function SaveAsTest({ request, result }: { request: SimulateRequest; result: SimulateResult }) {
  const { t } = useI18n();
  const readOnly = useEditor((s) => s.readOnly);
  const meta = useEditor((s) => s.head.meta);
  const declared = useEditor((s) => s.head.variables);
  const nodes = useEditor((s) => s.nodes);
  const { tests, notList } = testsOf(meta);
  // Another test call ran: the area starts again from it (its key).
  const [shownFor, setShownFor] = useState(result);
  const [run, setRun] = useState(0);
  if (shownFor !== result) {
    setShownFor(result);
    setRun(run + 1);
  }
  if (readOnly) return null;
  const names = new Map(nodes.map((node) => [node.id, node.data.label ?? ""]));
  return (
    <SaveAsTestArea
      key={run}
      testId="save-as-test"
      tests={tests}
      notList={notList}
      offered={offeredExpectations(result, declared)}
      names={names}
      suggested={() => freeName(suggestedName(t, request, result), tests)}
      onSave={(name, chosen) => writeTests(useEditor.getState(), addTest(tests, testFromCall(name, request, chosen, declared)))}
      onOpenTests={() => useEditor.getState().setPanel("tests")}
    />
  );
}
