/** Recorded calls of this scenario; opening one draws its path on the canvas. */
import { useEffect, useState } from "react";
import * as api from "../api/client";
import type { CallSummary, TraceStep } from "../api/types";
import { useI18n } from "../i18n";
import { codeText } from "../lib/i18n";
import { useEditor } from "../store/editor";

export function CallsPanel({ slug }: { slug: string }) {
  const { t } = useI18n();
  const [items, setItems] = useState<CallSummary[]>([]);
  const [open, setOpen] = useState<{ id: string; version: number | null; steps: TraceStep[] } | null>(null);
  const focusNode = useEditor((s) => s.focusNode);
  const [error, setError] = useState<string | null>(null);
  const showPath = useEditor((s) => s.showPath);

  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((n) => n + 1);

  useEffect(() => {
    let cancelled = false;
    api.calls(slug).then(
      (page) => {
        if (cancelled) return;
        setItems(page.items);
        setError(null);
      },
      (e: unknown) => !cancelled && setError(t("error.generic", { message: e instanceof Error ? e.message : String(e) })),
    );
    return () => {
      cancelled = true;
    };
  }, [slug, t, reloads]);

  async function openCall(call: CallSummary) {
    try {
      const detail = await api.call(call.id);
      const steps: TraceStep[] = detail.trace?.steps ?? [];
      setOpen({ id: call.id, version: detail.version, steps });
      showPath(steps);
    } catch (e) {
      setError(t("error.generic", { message: e instanceof Error ? e.message : String(e) }));
    }
  }

  return (
    <div className="calls-panel" data-testid="calls-panel">
      <div className="row">
        <h2>{t("calls.title")}</h2>
        <button type="button" onClick={reload}>{t("calls.refresh")}</button>
      </div>
      {error && <p role="alert" className="error-text">{error}</p>}
      {items.length === 0 && !error && <p className="muted">{t("calls.none")}</p>}
      <table className="calls">
        <thead>
          <tr>
            <th>{t("calls.when")}</th>
            <th>{t("calls.caller")}</th>
            <th>{t("calls.outcome")}</th>
            <th>{t("calls.version")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((call) => (
            <tr key={String(call.id)} className={open?.id === call.id ? "open" : undefined}>
              <td>
                <button type="button" className="link" onClick={() => openCall(call)} title={t("calls.open")}>
                  {new Date(call.started_at).toLocaleString()}
                </button>
              </td>
              <td>{call.caller_id}</td>
              <td title={call.outcome}>{codeText(t, "status", call.status)}</td>
              <td>{call.version ? `v${call.version}` : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && (
        <div data-testid="call-steps">
          {/* The canvas shows the draft; the call ran a published version that may differ from it. */}
          {open.version !== null && <p className="hint">{t("calls.ranVersion", { version: open.version })}</p>}
          <h3>{t("test.steps")}</h3>
          <ol className="steps">
            {open.steps.map((step, i) => (
              <li key={i}>
                <button type="button" className="link" onClick={() => focusNode(step.node)}>
                  {step.label || step.node}
                </button>
                {step.exit && <span className="muted"> → {step.exit}</span>}
                {step.keys && <code> [{step.keys}]</code>}
              </li>
            ))}
          </ol>
        </div>
      )}
    </div>
  );
}
