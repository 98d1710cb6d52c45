/**
 * A recorded call told step by step, as the Test call's story tells a simulated one: when each block ran, what
 * the caller heard (the text said, else the audio played), the keys pressed (a menu's failed tries apart), the
 * exit taken, how long the block took and any error. Under it, what the block noted (a Schedule's local time, the
 * number a Transfer dialed, the rows an SQL block found...: lib/eventText.ts) and the variables it set, so the
 * analyst sees why the call went where it went. One compact item a step, so a long call stays readable.
 */
import type { TraceStep } from "../api/types";
import { useI18n } from "../i18n";
import { blockName, specTitle, stepExitLabel } from "../lib/blockText";
import { entryRefusal, eventText, moreText, SHOWN_VARIABLES, variableTexts, type EventNames } from "../lib/eventText";
import { exitsFor } from "../lib/exits";
import { callFailureText } from "../lib/failureText";
import { callOffset, formatDuration } from "../lib/format";
import { hiddenText } from "../lib/hiddenText";
import { codeText } from "../lib/i18n";
import { callerHungUpAt, otherScenarios, promptText, stepKeys, type OtherScenario } from "../lib/trace";
import { useEditor } from "../store/editor";
import { jobHref, jobInLine } from "./callbackJobs";
import { lastTransferOutcome, unconnectedTransferNote } from "./callRegister";
import { useStoryBlocks } from "./storyBlocks";
import { OtherScenarioNote, StepError, StepExitName, StepLink, StepName } from "./TraceSteps";

/** The caller's keys at a step in words: "Wrong key 9 · No key in time · Pressed 1". */
function KeysLine({ step }: { step: TraceStep }) {
  const { t, language } = useI18n();
  const { wrong, pressed } = stepKeys(step);
  // The failed tries' events, in the order stepKeys told them: a refused typed number says why ("too long").
  const tries = (step.events ?? []).filter((event) => event.kind === "invalid" || event.kind === "no_input");
  const parts = wrong.map((keys, i) => {
    if (keys === null) return t("call.noKey");
    const why = tries[i] ? entryRefusal(tries[i], language) : null;
    return t("call.wrongKey", { keys: hiddenText(keys, language) }) + (why ? ` (${why})` : "");
  });
  // Keys typed into a sensitive variable are their mask ("[hidden: 4 characters]#"): said in the analyst's words.
  if (pressed) parts.push(t("call.pressed", { keys: hiddenText(pressed, language) }));
  if (parts.length === 0) return null;
  return <div className="step-keys" data-testid="step-keys">{parts.join(" · ")}</div>;
}

/**
 * How the events of a step name blocks and exits: as the canvas does, by the block's current config when the step
 * ran on this canvas (a Switch case's label), else by its type's fixed exits; a block not on this canvas by its id.
 */
function useEventNames(step: TraceStep, steps: TraceStep[]): EventNames {
  const { language } = useI18n();
  const catalog = useEditor((s) => s.catalog);
  const nodes = useStoryBlocks();
  const type = step.type ?? "";
  const node = step.scenario ? undefined : nodes.find((n) => n.id === step.node);
  const spec = catalog.get(type);
  const exits = spec ? exitsFor(spec, node && node.data.blockType === type ? node.data.config : {}) : [];
  return {
    language,
    exitName: (exit) => stepExitLabel(language, type, exit, exits, spec),
    blockName(id) {
      const onCanvas = step.scenario ? undefined : nodes.find((n) => n.id === id);
      if (onCanvas) return blockName(language, catalog, { id, label: onCanvas.data.label, type: onCanvas.data.blockType });
      const ran = steps.find((s) => s.node === id && s.scenario === step.scenario);
      return ran ? blockName(language, catalog, { id, label: ran.label, type: ran.type }) : id;
    },
  };
}

/**
 * What the step's block noted, a line each (a menu's tries are the keys line's). A callback scheduled names its job:
 * that id links to the job on the Callbacks page (its due time, its attempts, how it went).
 */
function EventLines({ step, steps }: { step: TraceStep; steps: TraceStep[] }) {
  const names = useEventNames(step, steps);
  const lines = (step.events ?? []).flatMap((event) => {
    const line = eventText(event, names);
    if (line === null) return [];
    const text = hiddenText(line, names.language);
    return [{ text, job: event.kind === "callback_scheduled" ? jobInLine(text, event.job_id) : null }];
  });
  return lines.map(({ text, job }, i) => (
    <div key={i} className="step-event" data-testid="step-event">
      {job ? (
        <>
          {job.before}
          <a href={jobHref(job.id)} data-testid="step-job-link">
            {job.id}
          </a>
          {job.after}
        </>
      ) : (
        text
      )}
    </div>
  ));
}

/** The variables the step set, `name = value` inline; past a few, the rest folded under "+N more". */
function VariablesLine({ step }: { step: TraceStep }) {
  const { language } = useI18n();
  const all = variableTexts(step.variables_changed).map((text) => hiddenText(text, language));
  if (all.length === 0) return null;
  const shown = all.slice(0, SHOWN_VARIABLES);
  const folded = all.slice(SHOWN_VARIABLES);
  return (
    <div className="step-vars mono small" data-testid="step-vars">
      {shown.join(" · ")}
      {folded.length > 0 && (
        <details>
          <summary>{moreText(language, folded.length)}</summary>
          {folded.join(" · ")}
        </details>
      )}
    </div>
  );
}

interface CallStepProps {
  /** The step's number in the call, as the canvas's badges number the blocks it ran. */
  number: number;
  step: TraceStep;
  steps: TraceStep[];
  start: string | null;
  elsewhere: OtherScenario | null;
  /** The call's outcome says the scenario hung up (`hung_up`): no step's `hangup` exit was the caller's. */
  endedByScenario: boolean;
}

function CallStep({ number, step, steps, start, elsewhere, endedByScenario }: CallStepProps) {
  const { t, language } = useI18n();
  const spec = useEditor((s) => (step.type ? s.catalog.get(step.type) : undefined));
  const offset = callOffset(start, step.at);
  // A simulated or instant step notes 0: nothing worth a figure.
  const took = step.duration_ms ? formatDuration(step.duration_ms, language) : "";
  // An unlabelled block is named by its type already ("Начало", "Голосовое меню (menu_2)"): said once.
  const kind = step.type && step.label ? specTitle(language, step.type, spec) : "";
  const heard = (step.prompts ?? []).map(promptText).filter((p) => p !== null);
  // The caller hung up during this step: the last prompt it played is the one they did not hear out.
  const hungUp = callerHungUpAt(step) && !endedByScenario;
  return (
    <li className="call-step" data-testid="call-step" data-node={step.node}>
      <div className="step-head">
        <span className="step-number mono muted" title={t("editor.stepBadge", { n: number })}>{number}</span>
        {offset && <span className="step-time mono muted" title={t("call.offsetHint")}>{offset}</span>}
        {/* A step in another scenario (Go To Scenario) is not on this canvas: named, not linked. */}
        {step.scenario ? <span><StepName step={step} /></span> : <StepLink step={step} />}
        {kind && <span className="muted small step-type">{kind}</span>}
        {step.scenario && <OtherScenarioNote name={step.scenario} elsewhere={elsewhere} />}
        {step.exit && (
          <span className="step-exit muted">
            → <StepExitName step={step} endedByScenario={endedByScenario} />
          </span>
        )}
        {took && <span className="step-duration muted small" title={t("call.durationHint")}>{took}</span>}
      </div>
      {heard.map((prompt, i) => (
        <div key={i} className="step-said" data-testid="step-said">
          {hungUp && i === heard.length - 1
            ? "said" in prompt
              ? t("call.saidCutShort", { text: hiddenText(prompt.said, language) })
              : t("call.playedCutShort", { audio: prompt.played })
            : "said" in prompt
              ? t("call.said", { text: hiddenText(prompt.said, language) })
              : t("call.played", { audio: prompt.played })}
        </div>
      ))}
      <KeysLine step={step} />
      <EventLines step={step} steps={steps} />
      <VariablesLine step={step} />
      {hungUp && heard.length === 0 && <div className="step-keys">{t("call.callerHungUp")}</div>}
      {step.error && <StepError step={step} />}
    </li>
  );
}

/**
 * How a call ended (its outcome) and, when it failed, why: in the interface language when the failing step named
 * its failure (lib/failureText.ts), else the engine's message; and, as the call lists say it under the outcome, what
 * a transfer that connected no one found before the flow ended the call. Told alike for a recorded call and a test
 * call.
 */
export function CallEnding({ outcome, error, steps }: { outcome: string; error?: string | null; steps: TraceStep[] }) {
  const { t, language } = useI18n();
  const catalog = useEditor((s) => s.catalog);
  const said = codeText(t, "outcome", outcome);
  const transfer = unconnectedTransferNote(t, outcome, lastTransferOutcome(steps));
  return (
    <>
      <p className="outcome" data-outcome={outcome}>
        {t("test.outcome", { outcome: transfer ? t("calls.outcomeAndTransfer", { outcome: said, transfer }) : said })}
      </p>
      {/* Plain text (React escapes it): the message may quote whatever a caller or a data source sent. */}
      {error && (
        <p className="error-text" data-testid="call-error">
          {callFailureText(error, steps, language, catalog) ?? t("trace.error", { message: error })}
        </p>
      )}
    </>
  );
}

/**
 * The steps of a call; `startedAt` is when the call began, else its first step (the times are from it). `outcome`:
 * how the call ended (graph_engine CallOutcome), which tells a block that ended the call from a caller's hangup.
 */
export function CallStory({ steps, startedAt, outcome }: { steps: TraceStep[]; startedAt?: string | null; outcome?: string }) {
  const { t } = useI18n();
  if (steps.length === 0) return <p className="muted">{t("call.noSteps")}</p>;
  const start = startedAt || steps[0]?.at || null;
  const elsewhere = otherScenarios(steps);
  return (
    <ol className="story call-story" data-testid="call-story">
      {steps.map((step, i) => (
        <CallStep key={i} number={i + 1} step={step} steps={steps} start={start} elsewhere={elsewhere[i] ?? null} endedByScenario={outcome === "hung_up"} />
      ))}
    </ol>
  );
}
