/**
 * "Save as test" in a recorded call's details, beside its scenario's canvas: the call becomes one of the scenario's
 * tests, written into the draft as SaveAsTest writes a test call's (`writeTests`), its inputs carried over from the
 * record (callAsTest) and what it must do offered as SaveAsTest offers it. What the record could not give back is
 * said in the form: a masked caller, masked keys or variables, a hangup the test cannot place. The caller's number
 * and name are personal data, and a scenario's tests are read by all its viewers: the test calls from a test number
 * under a test name unless the analyst keeps them, and the form says the variables are copied as they were.
 */
import { useState } from "react";
import type { Variable } from "../generated/scenario";
import { useI18n } from "../i18n";
import { formatDateTime } from "../lib/format";
import {
  addTest,
  freeName,
  offeredExpectations,
  testFromCall,
  testsOf,
  writeTests,
  type OfferedExpectation,
  type ScenarioTest,
} from "../lib/scenarioTests";
import type { DocumentHead } from "../lib/convert";
import { useEditor } from "../store/editor";
import { callAsTest, isMaskedNumber, type CallAsTest } from "./callAsTest";
import type { OpenCall } from "./CallsPanel";
import { SaveAsTestArea, suggestedName } from "./SaveAsTest";
import { useBesideCanvas } from "./storyBlocks";

/**
 * The test `converted` makes, named `name`, calling from `caller` (the test number, the one typed, or the record's
 * when the analyst keeps it), expecting what `chosen` says. `keepReal`: the caller's real name and the variables as
 * recorded, the number in them too, in place of the test's. A mask is never written: it would call from "[hidden]".
 */
export function testFromRecordedCall(
  name: string,
  converted: CallAsTest,
  caller: string,
  chosen: readonly OfferedExpectation[],
  declared: readonly Variable[] = [],
  keepReal = false,
): Record<string, unknown> {
  const real = keepReal ? converted.realCaller : null;
  const kept = real ? { caller_name: real.callerName, variables: real.variables } : {};
  const callerId = caller.includes("[hidden") || isMaskedNumber(caller) ? converted.request.caller_id : caller.trim();
  const test = testFromCall(name, { ...converted.request, ...kept, caller_id: callerId }, chosen, declared);
  const { expect, ...inputs } = test;
  const hangup = converted.hangup?.reproduced ? { hangup_in: converted.hangup.node } : {};
  // The inputs before `expect`, as they read before what is checked.
  return { ...inputs, ...(converted.dialedNumber ? { dialed_number: converted.dialedNumber } : {}), ...hangup, expect };
}

/** The test written into the draft as one edit of it, after the tests there: the path SaveAsTest saves by. */
export function saveRecordedCallTest(
  editor: { head: DocumentHead; updateHead(patch: Partial<DocumentHead>, coalesce?: boolean): void },
  tests: readonly ScenarioTest[],
  test: Record<string, unknown>,
): void {
  writeTests(editor, addTest(tests, test));
}

/**
 * `test` saved as the last of the draft's tests, the draft brought back on the canvas first: a version shown there
 * (the one the call ran) takes no edit, and would drop the test unseen.
 */
export function saveIntoDraft(test: Record<string, unknown>): void {
  useEditor.getState().leaveVersion();
  const editor = useEditor.getState();
  saveRecordedCallTest(editor, testsOf(editor.head.meta).tests, test);
}

/**
 * What the form lists of the call's inputs, and what it could not keep; whether the caller's real number and name
 * are kept (`keep`, off at first: personal data every reader of the scenario would read).
 */
export function CallTestInputs({
  converted,
  caller,
  onCaller,
  keep = false,
  onKeep = () => undefined,
}: {
  converted: CallAsTest;
  caller: string;
  onCaller(caller: string): void;
  keep?: boolean;
  onKeep?(keep: boolean): void;
}) {
  const { t, language } = useI18n();
  const { request, hangup } = converted;
  const keys = request.keys ?? [];
  const variables = Object.keys(request.variables ?? {});
  return (
    <div className="call-test-inputs" data-testid="call-test-inputs">
      <ul className="small">
        <li>{keys.length > 0 ? t("callTest.keys", { keys: keys.join(" ") }) : t("callTest.noKeys")}</li>
        {request.at && <li>{t("callTest.at", { at: formatDateTime(request.at, language, "shortDateTimeSeconds") })}</li>}
        {(request.transfers ?? []).length > 0 && <li>{t("callTest.transfers", { outcomes: (request.transfers ?? []).join(", ") })}</li>}
        {variables.length > 0 && <li>{t("callTest.variables", { names: variables.join(", ") })}</li>}
      </ul>
      <label>
        {t("callTest.caller")}
        <input name="test-caller" value={caller} onChange={(e) => onCaller(e.target.value)} aria-describedby={converted.callerMasked ? "call-test-caller-masked" : undefined} />
      </label>
      {converted.callerMasked && (
        <p className="hint" id="call-test-caller-masked" data-testid="call-test-caller-masked">{t("callTest.callerMasked")}</p>
      )}
      {converted.realCaller && (
        <>
          {!keep && <p className="hint" data-testid="call-test-test-caller">{t("callTest.testCaller")}</p>}
          <label className="test-expectation">
            <input type="checkbox" name="keep-real-caller" checked={keep} onChange={(e) => onKeep(e.target.checked)} />
            <span>{t("callTest.keepReal")}</span>
          </label>
        </>
      )}
      <p className="hint" data-testid="call-test-copied">{t("callTest.copied")}</p>
      {converted.keysMasked && <p className="hint" data-testid="call-test-keys-masked">{t("callTest.keysMasked")}</p>}
      {converted.maskedVariables.length > 0 && (
        <p className="hint" data-testid="call-test-variables-masked">{t("callTest.variablesMasked", { names: converted.maskedVariables.join(", ") })}</p>
      )}
      {hangup && (
        <p className={hangup.reproduced ? "hint" : "problem warning"} data-testid="call-test-hangup" data-reproduced={hangup.reproduced}>
          {t(hangup.reproduced ? "callTest.hangup" : "callTest.hangupNotReproduced", { block: hangup.label || hangup.node })}
        </p>
      )}
    </div>
  );
}

/**
 * The action, props only: nothing for a user who may not edit the scenario (`editable`), else a button opening the
 * form, then what was saved. `onSave` writes the test; `open` starts with the form shown.
 */
export function CallSaveAsTestView(props: {
  call: OpenCall;
  editable: boolean;
  tests: readonly ScenarioTest[];
  notList: boolean;
  declared: readonly Variable[];
  names: ReadonlyMap<string, string>;
  onSave(test: Record<string, unknown>): void;
  onOpenTests(): void;
  open?: boolean;
}) {
  const { t } = useI18n();
  const converted = callAsTest(props.call);
  const [caller, setCaller] = useState(converted.request.caller_id);
  const [keep, setKeep] = useState(false);
  if (!props.editable) return null;
  const keepOrNot = (kept: boolean) => {
    setKeep(kept);
    setCaller(kept && converted.realCaller ? converted.realCaller.callerId : converted.request.caller_id);
  };
  return (
    <SaveAsTestArea
      testId="call-save-as-test"
      tests={props.tests}
      notList={props.notList}
      offered={offeredExpectations(converted.result, props.declared)}
      names={props.names}
      suggested={() => freeName(suggestedName(t, converted.request, converted.result), props.tests)}
      onSave={(name, chosen) => props.onSave(testFromRecordedCall(name, converted, caller, chosen, props.declared, keep))}
      onOpenTests={props.onOpenTests}
      hint={t("callTest.hint")}
      open={props.open}
    >
      <CallTestInputs converted={converted} caller={caller} onCaller={setCaller} keep={keep} onKeep={keepOrNot} />
    </SaveAsTestArea>
  );
}

/**
 * For a user who may edit the scenario, in a call's details beside its canvas (the draft there is the call's
 * scenario's; the Calls page has none to add a test to): "Save as test".
 */
export function CallSaveAsTest({ call }: { call: OpenCall }) {
  const beside = useBesideCanvas();
  // The draft's, also while the canvas shows the version the call ran (read-only, and not where tests are added).
  const readOnly = useEditor((s) => (s.versionView?.draft ?? s).readOnly);
  const meta = useEditor((s) => (s.versionView?.draft ?? s).head.meta);
  const declared = useEditor((s) => (s.versionView?.draft ?? s).head.variables);
  const nodes = useEditor((s) => (s.versionView?.draft ?? s).nodes);
  const { tests, notList } = testsOf(meta);
  const names = new Map(nodes.map((node) => [node.id, node.data.label ?? ""]));
  return (
    <CallSaveAsTestView
      // Another call opened: the form starts again from it.
      key={call.id}
      call={call}
      editable={beside && !readOnly}
      tests={tests}
      notList={notList}
      declared={declared ?? []}
      names={names}
      onSave={saveIntoDraft}
      onOpenTests={() => useEditor.getState().setPanel("tests")}
    />
  );
}
