/**
 * A simulated call on the draft: keys, caller, time, the scenario's variables and its data sources' rows; the path
 * lights up and the story is told. The fields are remembered per scenario, so a rerun needs no retyping.
 */
import { useMemo, useState, type FormEvent } from "react";
import * as api from "../api/client";
import type { SimulateRequest, SimulateResult } from "../api/types";
import { useI18n } from "../i18n";
import type { ScenarioDocument } from "../lib/convert";
import { codeText } from "../lib/i18n";
import {
  allTimeZones,
  browserTimeZone,
  invalidScheduleZone,
  localInputInZone,
  offsetText,
  scheduleZones,
  testCallAt,
  zoneOffsetMinutes,
  type ScheduleZone,
  type ScheduleZones,
} from "../lib/timeZone";
import {
  readTestCall,
  rememberTestCall,
  sqlSources,
  testCallValues,
  testVariables,
  variableText,
  type TestCallValues,
  type TestFieldTexts,
  type TestSource,
  type TestVariable,
} from "../lib/testCallInputs";
import { invalidKeyTokens, parseKeys } from "../lib/trace";
import { useEditor } from "../store/editor";
import { CallEnding, CallStory } from "./CallStory";
import { TestRowsFields, TestVariableFields } from "./TestCallInputs";
import { TestBlockRowsFields } from "./TestBlockRows";
import { sqlBlocksSharingASource, type TestSqlBlock } from "../lib/testBlockRows";
import { SaveAsTest } from "./SaveAsTest";
import { TestForcedExitsFields } from "./TestForcedExits";
import { forcedExitValues, pluginBlocksInTestCall, type ForcedExitTexts, type ForcedExitValues, type TestPluginBlock } from "../lib/testForcedExits";

/**
 * The zone a test call's date and time are read in unless the analyst chooses another: the first Schedule
 * block's (the office's clock, which the call is tested against), else the browser's.
 */
export function defaultTestZone(schedules: ScheduleZones | null, browser: string = browserTimeZone()): string {
  return schedules?.zone ?? browser;
}

/**
 * The test call's date and time as its field shows it, in `zone`: what the analyst typed, else the moment `opened`
 * (when the panel was drawn) in that zone, so that left alone it stays "now" whichever zone it is read in.
 */
export function testCallTime(typed: string | null, opened: Date, zone: string): string {
  return typed ?? localInputInZone(zone, opened);
}

/** The zones offered first: the Schedule blocks', the browser's and UTC, each once, before all the others. */
export function nearZones(schedules: ScheduleZones | null, chosen: string, browser: string = browserTimeZone()): string[] {
  return [...new Set([...(schedules ? [schedules.zone, ...schedules.others] : []), chosen, browser, "UTC"])];
}

/** The Schedule blocks' zones on the canvas, as they change (a string, so the panel draws again only then). */
function useScheduleZones(): ScheduleZones | null {
  const text = useEditor((s) => JSON.stringify(scheduleZones(s.nodes)));
  return useMemo(() => JSON.parse(text) as ScheduleZones | null, [text]);
}

/** The first Schedule block on the canvas whose time zone is none, as it changes (null: there is none). */
function useInvalidScheduleZone(): ScheduleZone | null {
  const text = useEditor((s) => JSON.stringify(invalidScheduleZone(s.nodes)));
  return useMemo(() => JSON.parse(text) as ScheduleZone | null, [text]);
}

/** The canvas's declared variables, as they change (a string, so the panel draws again only then). */
function useTestVariables(): TestVariable[] {
  const text = useEditor((s) => JSON.stringify(testVariables(s.head.variables)));
  return useMemo(() => JSON.parse(text) as TestVariable[], [text]);
}

/** The data sources the canvas's SQL blocks query, as they change. */
function useSqlSources(): TestSource[] {
  const text = useEditor((s) => JSON.stringify(sqlSources(s.nodes)));
  return useMemo(() => JSON.parse(text) as TestSource[], [text]);
}

/** The SQL blocks that may get rows of their own (a source two of them query), as they change. */
function useSqlBlocks(): TestSqlBlock[] {
  const text = useEditor((s) => JSON.stringify(sqlBlocksSharingASource(s.nodes)));
  return useMemo(() => JSON.parse(text) as TestSqlBlock[], [text]);
}

/** The blocks whose exit a test call may force (a plugin's), named in the interface language, as they change. */
function usePluginBlocks(): TestPluginBlock[] {
  const { language } = useI18n();
  const text = useEditor((s) => JSON.stringify(pluginBlocksInTestCall(s.nodes, s.catalog, language)));
  return useMemo(() => JSON.parse(text) as TestPluginBlock[], [text]);
}

/**
 * Which zone the date and time are read in and why, said beside the field: "Read in Europe/Madrid (UTC+02:00 on
 * that day), the time zone of the Schedule block “Office hours”.", then any other zone other Schedule blocks use.
 * `invalid`: a Schedule block whose zone is none ("Europe/Madird"), which is said rather than "the scenario has no
 * Schedule block" (review).
 */
export function TestCallZone(props: { zone: string; schedules: ScheduleZones | null; invalid?: ScheduleZone | null; moment: string }) {
  const { t } = useI18n();
  const { zone, schedules, invalid = null, moment } = props;
  const named = { zone, offset: offsetText(zoneOffsetMinutes(zone, new Date(moment))), block: schedules?.block ?? "" };
  const misspelt = invalid && { ...named, block: invalid.block, invalid: invalid.zone };
  const browsers = !schedules && zone === browserTimeZone();
  // The browser's zone for want of a Schedule's: for want of one with a valid zone, when there is one misspelt.
  const why = schedules?.zone === zone ? "test.zoneOfSchedule" : !browsers ? "test.zoneChosen" : misspelt ? null : "test.zoneOfBrowser";
  return (
    <p className="hint" data-testid="test-zone">
      {why ? t(why, named) : t("test.zoneOfBrowserInvalid", misspelt ?? {})}
      {why && misspelt && <> {t("test.zoneInvalid", misspelt)}</>}
      {schedules && schedules.others.length > 0 && <> {t("test.zoneOthers", { zones: schedules.others.join(", ") })}</>}
      <br />
      <span className="mono">{t("test.sentAs", { moment })}</span>
    </p>
  );
}

/**
 * The scenario a test call sends: an editor's canvas as it stands, saved or not; nothing for a viewer, whose canvas
 * is the stored draft, which the server then tests (it refuses a viewer's test call of a document of their own).
 */
export function testCallDocument(editor: { readOnly: boolean; document(): ScenarioDocument }): ScenarioDocument | undefined {
  return editor.readOnly ? undefined : editor.document();
}

/**
 * What a test call sends: the scenario, the fields as typed (the keys and transfers split into steps, the caller ID
 * trimmed: empty is a call without one) and the declared variables and data sources' rows read from theirs; the
 * exits forced on plugin blocks and the variables they set only when some are chosen.
 */
export function testCallRequest(
  document: ScenarioDocument | undefined,
  fields: { keys: string; callerId: string; callerName: string; transfers: string; moment: string },
  values: Pick<TestCallValues, "variables" | "dataRows">,
  forced: Pick<ForcedExitValues, "exits" | "set"> = { exits: {}, set: {} },
): SimulateRequest {
  const chosen = Object.keys(forced.exits).length > 0;
  return {
    ...(chosen ? { exits: forced.exits, set: forced.set } : {}),
    document,
    keys: parseKeys(fields.keys),
    caller_id: fields.callerId.trim(),
    caller_name: fields.callerName,
    at: fields.moment,
    transfers: parseKeys(fields.transfers),
    variables: values.variables,
    data_rows: values.dataRows,
  };
}

/**
 * How a test call went, told as the Calls panel tells a recorded call, in the interface language: the outcome, the
 * error that ended it, and each step from the structured trace (what was said, the keys, the exit). The server's
 * own story (`story`, English, for API clients) stays at hand, folded, for the details a step does not show.
 */
export function TestCallResult({ result }: { result: SimulateResult }) {
  const { t } = useI18n();
  const call = result.result;
  // CallResult's `error` (graph_engine.trace), which the designer's CallResultLike does not spell out.
  const failure = (call as { error?: string | null }).error;
  return (
    <div className="test-result" data-testid="test-result">
      <CallEnding outcome={call.outcome} error={failure} steps={call.steps} />
      <h3>{t("test.story")}</h3>
      {/* A QA review took the story's times for a real line's and wrote timed keys from them. */}
      <p className="hint" data-testid="simulated-clock">{t("test.simulatedClock")}</p>
      <div data-testid="story">
        <CallStory steps={call.steps} startedAt={call.started_at} outcome={call.outcome} />
      </div>
      {Object.keys(call.variables ?? {}).length > 0 && (
        <details>
          <summary>{t("test.variables")}</summary>
          <pre>{JSON.stringify(call.variables, null, 2)}</pre>
        </details>
      )}
      <details data-testid="engine-story">
        <summary>{t("test.engineStory")}</summary>
        <ol className="story mono small">
          {result.story.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ol>
      </details>
    </div>
  );
}

/** Why Run cannot be pressed yet: keys that are no step, or a variable or rows that cannot be read; else null. */
export type RunBlocked = "keys" | "fields" | null;

const BLOCKED_TEXT = { keys: "test.runBlockedKeys", fields: "test.runBlockedFields" } as const;

/**
 * The keys field with what is wrong with it, tied to it for a screen reader (invalid, described by the problem and
 * the hint); a step that is none is said as it is typed. Props only.
 */
export function TestKeysField(props: { keys: string; badTokens: readonly string[]; onChange(keys: string): void }) {
  const { t } = useI18n();
  const bad = props.badTokens.length > 0;
  return (
    <>
      <label>
        {t("test.keys")}
        <input
          name="keys"
          className="mono"
          value={props.keys}
          onChange={(e) => props.onChange(e.target.value)}
          placeholder="2"
          aria-invalid={bad ? true : undefined}
          aria-describedby={bad ? "test-keys-problem test-keys-hint" : "test-keys-hint"}
        />
      </label>
      <p className="hint" id="test-keys-hint">{t("test.keysHint")}</p>
      {bad && (
        <p className="error-text" id="test-keys-problem" role="alert" data-testid="test-keys-problem">
          {t("test.badKeys", { steps: props.badTokens.join(" ") })}
        </p>
      )}
    </>
  );
}

/** Run, and while it cannot be pressed, why: said beside it and tied to it. Props only. */
export function TestRunButtons(props: { busy: boolean; blocked: RunBlocked; onClear(): void }) {
  const { t } = useI18n();
  return (
    <>
      <div className="row">
        <button
          type="submit"
          className="primary"
          disabled={props.busy || props.blocked !== null}
          aria-describedby={props.blocked ? "test-run-blocked" : undefined}
        >
          {t("test.run")}
        </button>
        <button type="button" onClick={props.onClear}>
          {t("test.clear")}
        </button>
      </div>
      {props.blocked && (
        <p className="hint" id="test-run-blocked" data-testid="test-run-blocked">
          {t(BLOCKED_TEXT[props.blocked])}
        </p>
      )}
    </>
  );
}

/**
 * What a screen reader is told of a test call, the focus staying in the fields for a rerun: that it runs, then its
 * outcome. In the page from the start (a live region added with its words is often not read), unseen: the outcome
 * is shown in the result. Props only.
 */
export function TestCallStatus({ busy, outcome }: { busy: boolean; outcome: string | null }) {
  const { t } = useI18n();
  const said = busy ? t("test.running") : outcome !== null ? t("test.outcome", { outcome: codeText(t, "outcome", outcome) }) : "";
  return (
    <p className="sr-only" role="status" data-testid="test-status">
      {said}
    </p>
  );
}

export function TestCallPanel({ slug }: { slug: string }) {
  const { t } = useI18n();
  // The last test call's fields of this scenario (the panel is drawn once per scenario opened).
  const [remembered] = useState(() => readTestCall(localStorage, slug));
  const [keys, setKeys] = useState(remembered.keys);
  // No made-up number: empty is a call without caller ID, until the analyst types the one to test.
  const [callerId, setCallerId] = useState(remembered.callerId);
  const [callerName, setCallerName] = useState(remembered.callerName);
  const [texts, setTexts] = useState<TestFieldTexts>({ variables: remembered.variables, rows: remembered.rows });
  const variables = useTestVariables();
  const sources = useSqlSources();
  const blocks = useSqlBlocks();
  // A block's own rows travel in `data_rows` under `#id`, read as a source's are.
  const values = testCallValues(variables, [...sources, ...blocks], texts);
  const pluginBlocks = usePluginBlocks();
  const [forcedTexts, setForcedTexts] = useState<ForcedExitTexts>({});
  const forced = forcedExitValues(pluginBlocks, forcedTexts);
  const unreadable = Object.keys(values.problems).length > 0 || Object.keys(forced.problems).length > 0;
  const schedules = useScheduleZones();
  const invalidZone = useInvalidScheduleZone();
  /** The zone the analyst chose; null: the default one, which follows the Schedule blocks as they change. */
  const [chosenZone, setChosenZone] = useState<string | null>(null);
  const zone = chosenZone ?? defaultTestZone(schedules);
  // The date and time typed; null until the analyst edits it, when it is the moment the panel opened, written out in
  // the zone shown as that zone changes: the text "now" was written in the first drawing's zone (the browser's,
  // before a Schedule block existed) and was then read in the office's, hours away from now.
  const [typedAt, setAt] = useState<string | null>(null);
  const [opened] = useState(() => new Date());
  const at = testCallTime(typedAt, opened, zone);
  const everyZone = useMemo(() => allTimeZones(), []);
  const moment = testCallAt(at, zone);
  const [transfers, setTransfers] = useState(remembered.transfers);
  const [result, setResult] = useState<SimulateResult | null>(null);
  /** What the call shown was sent with: a test saved from it repeats it. */
  const [sent, setSent] = useState<SimulateRequest | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const showPath = useEditor((s) => s.showPath);
  const clearPath = useEditor((s) => s.clearPath);
  const tokens = parseKeys(keys);
  const badTokens = invalidKeyTokens(tokens);
  const blocked: RunBlocked = badTokens.length > 0 ? "keys" : unreadable ? "fields" : null;

  async function run(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const typed = Object.fromEntries(variables.map((variable) => [variable.name, variableText(variable, texts)]));
    rememberTestCall(localStorage, slug, { keys, callerId, callerName, transfers, variables: typed, rows: texts.rows }, variables);
    try {
      const document = testCallDocument(useEditor.getState());
      // The field's wall time in the zone shown beside it, sent with that zone's offset on that day.
      const request = testCallRequest(document, { keys, callerId, callerName, transfers, moment }, values, forced);
      const response = await api.simulate(slug, request);
      setResult(response);
      setSent(request);
      showPath(response.result.steps);
    } catch (e) {
      setResult(null);
      clearPath();
      setError(t("test.failed", { message: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="test-panel" data-testid="test-panel">
      <h2>{t("test.title")}</h2>
      <form onSubmit={run}>
        <TestKeysField keys={keys} badTokens={badTokens} onChange={setKeys} />
        <label>
          {t("test.callerId")}
          <input name="caller_id" value={callerId} onChange={(e) => setCallerId(e.target.value)} />
        </label>
        <p className="hint">{t("test.callerIdHint")}</p>
        <label>
          {t("test.callerName")}
          <input name="caller_name" value={callerName} onChange={(e) => setCallerName(e.target.value)} />
        </label>
        <label>
          {t("test.at")}
          <span className="row">
            <input name="at" type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
            <select name="zone" aria-label={t("test.zone")} title={t("test.zone")} value={zone} onChange={(e) => setChosenZone(e.target.value)}>
              <optgroup label={t("test.zoneGroupScenario")}>
                {nearZones(schedules, zone).map((z) => (
                  <option key={z} value={z}>{z}</option>
                ))}
              </optgroup>
              <optgroup label={t("test.zoneGroupAll")}>
                {everyZone.map((z) => (
                  <option key={z} value={z}>{z}</option>
                ))}
              </optgroup>
            </select>
          </span>
        </label>
        <TestCallZone zone={zone} schedules={schedules} invalid={invalidZone} moment={moment} />
        <label>
          {t("test.transfers")}
          <input name="transfers" className="mono" value={transfers} onChange={(e) => setTransfers(e.target.value)} placeholder="answered" />
        </label>
        <p className="hint">{t("test.transfersHint")}</p>
        <TestVariableFields
          variables={variables}
          texts={texts}
          problems={values.problems}
          onChange={(name, text) => setTexts((now) => ({ ...now, variables: { ...now.variables, [name]: text } }))}
        />
        <TestRowsFields
          sources={sources}
          texts={texts}
          problems={values.problems}
          onChange={(source, text) => setTexts((now) => ({ ...now, rows: { ...now.rows, [source]: text } }))}
        />
        <TestBlockRowsFields
          blocks={blocks}
          texts={texts}
          problems={values.problems}
          onChange={(name, text) => setTexts((now) => ({ ...now, rows: { ...now.rows, [name]: text } }))}
        />
        <TestForcedExitsFields
          blocks={pluginBlocks}
          texts={forcedTexts}
          problems={forced.problems}
          onChange={(id, text) => setForcedTexts((now) => ({ ...now, [id]: text }))}
        />
        <TestRunButtons
          busy={busy}
          blocked={blocked}
          onClear={() => {
            setResult(null);
            clearPath();
          }}
        />
      </form>
      <TestCallStatus busy={busy} outcome={result?.result.outcome ?? null} />
      {error && <p role="alert" className="error-text">{error}</p>}
      {result && <TestCallResult result={result} />}
      {result && sent && <SaveAsTest request={sent} result={result} />}
    </div>
  );
}
