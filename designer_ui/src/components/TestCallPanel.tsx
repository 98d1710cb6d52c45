/** A simulated call on the draft: keys, caller id and time; the path lights up and the story is told. */
import { useState, type FormEvent } from "react";
import * as api from "../api/client";
import type { SimulateResult } from "../api/types";
import { useI18n } from "../i18n";
import type { ScenarioDocument } from "../lib/convert";
import { invalidKeyTokens, parseKeys, testCallMoment } from "../lib/trace";
import { useEditor } from "../store/editor";
import { CallEnding, CallStory } from "./CallStory";

function localNow(): string {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 16);
}

/**
 * The scenario a test call sends: an editor's canvas as it stands, saved or not; nothing for a viewer, whose canvas
 * is the stored draft, which the server then tests (it refuses a viewer's test call of a document of their own).
 */
export function testCallDocument(editor: { readOnly: boolean; document(): ScenarioDocument }): ScenarioDocument | undefined {
  return editor.readOnly ? undefined : editor.document();
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
      <div data-testid="story">
        <CallStory steps={call.steps} startedAt={call.started_at} />
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

export function TestCallPanel({ slug }: { slug: string }) {
  const { t } = useI18n();
  const [keys, setKeys] = useState("");
  const [callerId, setCallerId] = useState("600123456");
  const [at, setAt] = useState(localNow);
  const [transfers, setTransfers] = useState("");
  const [result, setResult] = useState<SimulateResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const showPath = useEditor((s) => s.showPath);
  const clearPath = useEditor((s) => s.clearPath);
  const tokens = parseKeys(keys);
  const badTokens = invalidKeyTokens(tokens);

  async function run(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const document = testCallDocument(useEditor.getState());
      // The time is the analyst's wall clock, sent with its offset so Schedule blocks see the intended hour.
      const response = await api.simulate(slug, {
        document,
        keys: tokens,
        caller_id: callerId,
        at: testCallMoment(at),
        transfers: parseKeys(transfers),
      });
      setResult(response);
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
        <label>
          {t("test.keys")}
          <input name="keys" className="mono" value={keys} onChange={(e) => setKeys(e.target.value)} placeholder="2" />
        </label>
        <p className="hint">{t("test.keysHint")}</p>
        {badTokens.length > 0 && <p className="error-text">{badTokens.join(" ")}</p>}
        <label>
          {t("test.callerId")}
          <input name="caller_id" value={callerId} onChange={(e) => setCallerId(e.target.value)} />
        </label>
        <label>
          {t("test.at")}
          <input name="at" type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
        </label>
        <label>
          {t("test.transfers")}
          <input name="transfers" className="mono" value={transfers} onChange={(e) => setTransfers(e.target.value)} placeholder="answered" />
        </label>
        <p className="hint">{t("test.transfersHint")}</p>
        <div className="row">
          <button type="submit" className="primary" disabled={busy || badTokens.length > 0}>
            {t("test.run")}
          </button>
          <button
            type="button"
            onClick={() => {
              setResult(null);
              clearPath();
            }}
          >
            {t("test.clear")}
          </button>
        </div>
      </form>
      {error && <p role="alert" className="error-text">{error}</p>}
      {result && <TestCallResult result={result} />}
    </div>
  );
}
