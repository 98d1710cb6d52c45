/**
 * Whether anybody is being called (`GET /api/dialer`), shown where an analyst calls a list and follows campaigns.
 *
 * Review (contact-centre supervisor): with dialling paused for a trunk outage the designer showed a campaign "in
 * progress, next call 22:35" at 22:38, and a server without AMI settings checked and scheduled lists in green
 * that nobody would ever call. The state is the server's own dialer's (each node with AMI settings has one).
 *
 * But for a hold, which is the whole database's (`held`): a restored backup dials nobody until an admin has
 * cancelled the jobs called since the backup and resumes it (a disaster-recovery drill's restored node re-dialled
 * them within seconds, unnoticed). The banner says so to everyone, and offers an admin Resume, after a question.
 */
import { useEffect, useState } from "react";
import * as api from "../api/client";
import type { DialerState } from "../api/client";
import type { Role } from "../api/types";
import { useI18n } from "../i18n";
import { formatDateTime } from "../lib/format";
import type { MessageKey } from "../lib/i18n";
import { hasRole } from "../lib/roles";
import { BusyButton } from "./BusyButton";

/** How often the banner asks again while it is shown: a pause starts doubling from a minute. */
export const DIALER_POLL_MS = 30_000;

/** The banner's words for a state, or null when calls go out (running) or the state is not known. */
export function dialerMessage(
  state: DialerState | null,
  t: (key: MessageKey, params?: Record<string, string | number>) => string,
  language: string,
): string | null {
  if (state === null || state.state === "running" || !state.reason) return null;
  // The hour as the campaigns view says its "next call": the browser's clock, in the interface language.
  const time = state.paused_until ? formatDateTime(state.paused_until, language, "time") : null;
  const count = state.congested_calls ?? 0;
  if (state.reason === "trunk_down") {
    return time ? t("dialer.trunk_down", { time, count }) : t("dialer.trunk_probe", { count });
  }
  if (state.reason === "originate_refused" && !time) return t("dialer.ami_unreachable");
  return t(`dialer.${state.reason}` as MessageKey, { time: time ?? "", count });
}

/** The banner's words for dialling held for the whole database, or null when it is not held. */
export function heldMessage(
  state: DialerState | null,
  t: (key: MessageKey, params?: Record<string, string | number>) => string,
  language: string,
): string | null {
  const held = state?.held;
  if (!held) return null;
  // Date and time: a hold may be days old (the backup's own time, for a restored one).
  const time = formatDateTime(held.held_at, language);
  return t(held.reason === "backup" ? "dialer.held_backup" : "dialer.held_admin", { time, who: held.held_by });
}

/** Resume, for an admin: a question first, as every waiting job is called from the servers' next pass. */
function ResumeDialling({ onResume }: { onResume(): Promise<unknown> }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const resume = async () => {
    setBusy(true);
    try {
      await onResume();
      setFailure(null);
      setAsking(false);
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {failure !== null && <p role="alert" className="error-text">{t("dialer.resumeFailed", { message: failure })}</p>}
      {asking ? (
        <div role="alertdialog" aria-label={t("dialer.resume")} data-testid="dialer-resume-confirmation">
          <p>{t("dialer.resumeConfirm")}</p>
          <BusyButton busy={busy} className="danger" onClick={() => void resume()} data-testid="dialer-resume-yes">
            {t("dialer.resumeYes")}
          </BusyButton>{" "}
          <button type="button" disabled={busy} onClick={() => setAsking(false)}>{t("dialer.resumeNo")}</button>
        </div>
      ) : (
        <button type="button" onClick={() => setAsking(true)} data-testid="dialer-resume">{t("dialer.resume")}</button>
      )}
    </>
  );
}

/** Dialling held for the whole database: said to everyone, with Resume for an admin (`onResume` given). */
function HeldNotice({ message, state, role, onResume }: { message: string; state: DialerState; role?: Role; onResume?(): Promise<unknown> }) {
  const { t, language } = useI18n();
  const own = state.state === "off" ? dialerMessage(state, t, language) : null; // this server dials nobody anyway
  const admin = role !== undefined && hasRole(role, "admin");
  return (
    <div
      className="error-text dialer-banner"
      role="status"
      aria-label={t("dialer.label")}
      data-testid="dialer-banner"
      data-state={state.state}
      data-held={state.held?.reason}
    >
      <p>{message}</p>
      {own !== null && <p>{own}</p>}
      {admin && onResume ? <ResumeDialling onResume={onResume} /> : <p className="hint">{t("dialer.heldAskAdmin")}</p>}
    </div>
  );
}

/** Props only (tested without a DOM); nothing at all while calls go out. */
export function DialerNotice({ state, role, onResume }: { state: DialerState | null; role?: Role; onResume?(): Promise<unknown> }) {
  const { t, language } = useI18n();
  const held = heldMessage(state, t, language);
  if (held !== null && state !== null) return <HeldNotice message={held} state={state} role={role} onResume={onResume} />;
  const message = dialerMessage(state, t, language);
  if (message === null) return null;
  const off = state?.state === "off";
  return (
    <p
      className={off ? "error-text dialer-banner" : "hint dialer-banner"}
      role="status"
      aria-label={t("dialer.label")}
      data-testid="dialer-banner"
      data-state={state?.state}
    >
      {message}
    </p>
  );
}

/** The dialer's state, asked on mount and every `DIALER_POLL_MS`, and a setter for an answer got otherwise (a
 * resume's). A failed request shows nothing: the banner is a courtesy, and a server without this route (older) must
 * not break the dialog. */
export function useDialerState(): [DialerState | null, (state: DialerState) => void] {
  const [state, setState] = useState<DialerState | null>(null);
  useEffect(() => {
    let cancelled = false;
    const ask = () =>
      api.dialerState().then(
        (found) => !cancelled && setState(found),
        () => undefined,
      );
    void ask();
    const timer = setInterval(() => void ask(), DIALER_POLL_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, []);
  return [state, setState];
}

/** The banner as the call-list dialog and the campaigns view insert it; with the user's `role`, an admin may
 * resume dialling held for the whole database. */
export function DialerBanner({ role }: { role?: Role }) {
  const [state, setState] = useDialerState();
  const onResume = async () => setState(await api.resumeDialling());
  return <DialerNotice state={state} role={role} onResume={onResume} />;
}
