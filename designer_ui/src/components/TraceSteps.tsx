/** The blocks a call went through, each a link to its block, with the error of any step that failed. */
import type { TraceStep } from "../api/types";
import { useI18n } from "../i18n";
import { stepExitLabel } from "../lib/blockText";
import { exitsFor } from "../lib/exits";
import { stepFailureText } from "../lib/failureText";
import { otherScenarios, type OtherScenario } from "../lib/trace";
import { useEditor } from "../store/editor";
import { useBlockNamer } from "./blockNames";
import { useBesideCanvas, useStoryBlock } from "./storyBlocks";

/** A step's block by name (lib/blockText.ts `blockName`): its label, else its type's title, never a bare id. */
export function StepName({ step }: { step: Pick<TraceStep, "node" | "label" | "type"> }) {
  const name = useBlockNamer();
  return <>{name({ id: step.node, label: step.label, type: step.type })}</>;
}

/**
 * A step's block, as a link that shows it on the canvas (centred and selected); plain text where no canvas is (the
 * Calls page). The side panel stays on the story: switched to the Block panel, it would hide the story the analyst
 * is reading, and the link with it, so the keyboard's focus fell to the page's body.
 */
export function StepLink({ step }: { step: Pick<TraceStep, "node" | "label" | "type"> }) {
  const focusNode = useEditor((s) => s.focusNode);
  const setPanel = useEditor((s) => s.setPanel);
  const beside = useBesideCanvas();
  if (!beside) return <span className="step-name"><StepName step={step} /></span>;
  const show = () => {
    const { panel } = useEditor.getState();
    focusNode(step.node);
    setPanel(panel);
  };
  return (
    <button type="button" className="link" onClick={show}>
      <StepName step={step} />
    </button>
  );
}

/**
 * A failed step's error, worded in the interface language when the engine named the failure (lib/failureText.ts),
 * else the server's text. Rendered as text: React escapes it, so markup in a message stays inert.
 */
export function StepError({ step }: { step: Pick<TraceStep, "events" | "error"> }) {
  const { t, language } = useI18n();
  const message = stepFailureText(step, language);
  return <div className="error-text small" data-testid="step-error">{t("trace.error", { message })}</div>;
}

/** Which scenario a step ran in, named, and the published version of it when the trace recorded that. */
export function OtherScenarioNote({ name, elsewhere }: { name: string; elsewhere: OtherScenario | null }) {
  const { t } = useI18n();
  const version = elsewhere?.version;
  return (
    <span className="muted small" data-testid="other-scenario">
      {version == null ? t("call.otherScenario", { scenario: name }) : t("call.otherScenarioVersion", { scenario: name, version })}
    </span>
  );
}

/**
 * The exit a step took, labelled as the canvas labels it: by the block's current config when the block is on
 * this canvas (an IVR key's meaning), else by its type's fixed exits. `endedByScenario`: the call's outcome says the
 * scenario hung up, so a `hangup` exit here was not the caller's.
 */
export function StepExitName({ step, endedByScenario = false }: { step: Pick<TraceStep, "node" | "type" | "exit" | "scenario">; endedByScenario?: boolean }) {
  const { language } = useI18n();
  const catalog = useEditor((s) => s.catalog);
  const node = useStoryBlock(step.scenario ? undefined : step.node);
  const type = step.type ?? node?.data.blockType ?? "";
  const spec = catalog.get(type);
  const config = node && node.data.blockType === type ? node.data.config : {};
  return <>{stepExitLabel(language, type, step.exit ?? "", spec ? exitsFor(spec, config) : [], spec, endedByScenario)}</>;
}

export function TraceSteps({ steps }: { steps: TraceStep[] }) {
  const elsewhere = otherScenarios(steps);
  return (
    <ol className="steps">
      {steps.map((step, i) => (
        <li key={i}>
          {/* A step in another scenario (Go To Scenario) is not on this canvas: named, not linked. */}
          {step.scenario ? (
            <>
              <StepName step={step} /> <OtherScenarioNote name={step.scenario} elsewhere={elsewhere[i] ?? null} />
            </>
          ) : (
            <StepLink step={step} />
          )}
          {step.exit && (
            <span className="muted">
              {" "}
              → <StepExitName step={step} />
            </span>
          )}
          {step.keys && <code> [{step.keys}]</code>}
          {step.error && <StepError step={step} />}
        </li>
      ))}
    </ol>
  );
}
