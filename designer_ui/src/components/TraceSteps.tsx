/** The blocks a call went through, each a link to its block, with the error of any step that failed. */
import type { TraceStep } from "../api/types";
import { useI18n } from "../i18n";
import { useEditor } from "../store/editor";

export function TraceSteps({ steps }: { steps: TraceStep[] }) {
  const { t } = useI18n();
  const focusNode = useEditor((s) => s.focusNode);
  return (
    <ol className="steps">
      {steps.map((step, i) => (
        <li key={i}>
          <button type="button" className="link" onClick={() => focusNode(step.node)}>
            {step.label || step.node}
          </button>
          {step.exit && <span className="muted"> → {step.exit}</span>}
          {step.keys && <code> [{step.keys}]</code>}
          {/* Server text, rendered as text: React escapes it, so markup in an error message stays inert. */}
          {step.error && <div className="error-text small" data-testid="step-error">{t("trace.error", { message: step.error })}</div>}
        </li>
      ))}
    </ol>
  );
}
