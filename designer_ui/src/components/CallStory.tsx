/**
 * A recorded call told step by step, as the Test call's story tells a simulated one: when each block ran, what
 * the caller heard (the text said, else the audio played), the keys pressed (a menu's failed tries apart), the
 * exit taken, how long the block took and any error. One compact item a step, so a long call stays readable.
 */
import type { TraceStep } from "../api/types";
import { useI18n } from "../i18n";
import { blockTitle } from "../lib/blockText";
import { callOffset, formatDuration } from "../lib/format";
import { otherScenarios, promptText, stepKeys, type OtherScenario } from "../lib/trace";
import { useEditor } from "../store/editor";
import { OtherScenarioNote, StepError, StepExitName, StepLink } from "./TraceSteps";

/** The caller's keys at a step in words: "Wrong key 9 · No key in time · Pressed 1". */
function KeysLine({ step }: { step: TraceStep }) {
  const { t } = useI18n();
  const { wrong, pressed } = stepKeys(step);
  const parts = wrong.map((keys) => (keys === null ? t("call.noKey") : t("call.wrongKey", { keys })));
  if (pressed) parts.push(t("call.pressed", { keys: pressed }));
  if (parts.length === 0) return null;
  return <div className="step-keys" data-testid="step-keys">{parts.join(" · ")}</div>;
}

function CallStep({ step, start, elsewhere }: { step: TraceStep; start: string | null; elsewhere: OtherScenario | null }) {
  const { t, language } = useI18n();
  const spec = useEditor((s) => (step.type ? s.catalog.get(step.type) : undefined));
  const offset = callOffset(start, step.at);
  // A simulated or instant step notes 0: nothing worth a figure.
  const took = step.duration_ms ? formatDuration(step.duration_ms, language) : "";
  const kind = step.type ? blockTitle(language, step.type, spec?.title ?? step.type) : "";
  const heard = (step.prompts ?? []).map(promptText).filter((p) => p !== null);
  return (
    <li className="call-step" data-testid="call-step" data-node={step.node}>
      <div className="step-head">
        {offset && <span className="step-time mono muted" title={t("call.offsetHint")}>{offset}</span>}
        {/* A step in another scenario (Go To Scenario) is not on this canvas: named, not linked. */}
        {step.scenario ? <span>{step.label || step.node}</span> : <StepLink step={step} />}
        {kind && <span className="muted small step-type">{kind}</span>}
        {step.scenario && <OtherScenarioNote name={step.scenario} elsewhere={elsewhere} />}
        {step.exit && (
          <span className="step-exit muted">
            → <StepExitName step={step} />
          </span>
        )}
        {took && <span className="step-duration muted small" title={t("call.durationHint")}>{took}</span>}
      </div>
      {heard.map((prompt, i) => (
        <div key={i} className="step-said" data-testid="step-said">
          {"said" in prompt ? t("call.said", { text: prompt.said }) : t("call.played", { audio: prompt.played })}
        </div>
      ))}
      <KeysLine step={step} />
      {step.exit === "hangup" && step.type !== "hangup" && <div className="step-keys">{t("call.callerHungUp")}</div>}
      {step.error && <StepError message={step.error} />}
    </li>
  );
}

/** The steps of a call; `startedAt` is when the call began, else its first step (the times are from it). */
export function CallStory({ steps, startedAt }: { steps: TraceStep[]; startedAt?: string | null }) {
  const { t } = useI18n();
  if (steps.length === 0) return <p className="muted">{t("call.noSteps")}</p>;
  const start = startedAt || steps[0]?.at || null;
  const elsewhere = otherScenarios(steps);
  return (
    <ol className="story call-story" data-testid="call-story">
      {steps.map((step, i) => (
        <CallStep key={i} step={step} start={start} elsewhere={elsewhere[i] ?? null} />
      ))}
    </ol>
  );
}
