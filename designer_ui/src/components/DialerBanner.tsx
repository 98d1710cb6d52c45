/**
 * Whether anybody is being called (`GET /api/dialer`), shown where an analyst calls a list and follows campaigns.
 *
 * Review (contact-centre supervisor): with dialling paused for a trunk outage the designer showed a campaign "in
 * progress, next call 22:35" at 22:38, and a server without AMI settings checked and scheduled lists in green
 * that nobody would ever call. The state is the server's own dialer's (each node with AMI settings has one).
 */
import { useEffect, useState } from "react";
import * as api from "../api/client";
import type { DialerState } from "../api/client";
import { useI18n } from "../i18n";
import { formatDateTime } from "../lib/format";
import type { MessageKey } from "../lib/i18n";

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

/** Props only (tested without a DOM); nothing at all while calls go out. */
export function DialerNotice({ state }: { state: DialerState | null }) {
  const { t, language } = useI18n();
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

/** The dialer's state, asked on mount and every `DIALER_POLL_MS`. A failed request shows nothing: the banner is a
 * courtesy, and a server without this route (older) must not break the dialog. */
export function useDialerState(): DialerState | null {
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
  return state;
}

/** The banner as the call-list dialog and the campaigns view insert it. */
export function DialerBanner() {
  return <DialerNotice state={useDialerState()} />;
}
