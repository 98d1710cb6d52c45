/** The blocks a call went through, each a link to its block, with the error of any step that failed. */
import type { TraceStep } from "../api/types";
import { useI18n } from "../i18n";
import { otherScenarios, type OtherScenario } from "../lib/trace";
import { useEditor } from "../store/editor";

/** A step's block, as a link that shows it on the canvas. */
export function StepLink({ step }: { step: Pick<TraceStep, "node" | "label"> }) {
  const focusNode = useEditor((s) => s.focusNode);
  return (
    <button type="button" className="link" onClick={() => focusNode(step.node)}>
      {step.label || step.node}
    </button>
  );
}

/** A failed step's error. Server text, rendered as text: React escapes it, so markup in a message stays inert. */
export function StepError({ message }: { message: string }) {
  const { t } = useI18n();
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

export function TraceSteps({ steps }: { steps: TraceStep[] }) {
  const elsewhere = otherScenarios(steps);
  return (
    <ol className="steps">
      {steps.map((step, i) => (
        <li key={i}>
          {/* A step in another scenario (Go To Scenario) is not on this canvas: named, not linked. */}
          {step.scenario ? (
            <>
              {step.label || step.node} <OtherScenarioNote name={step.scenario} elsewhere={elsewhere[i] ?? null} />
            </>
          ) : (
            <StepLink step={step} />
          )}
          {step.exit && <span className="muted"> → {step.exit}</span>}
          {step.keys && <code> [{step.keys}]</code>}
          {step.error && <StepError message={step.error} />}
        </li>
      ))}
    </ol>
  );
}
