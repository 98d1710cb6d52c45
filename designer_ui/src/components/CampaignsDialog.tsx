/**
 * A scenario's campaigns: each list called with it, by name, newest first, with who started it and how far it
 * got, a page at a time. For the one selected: how many clients are finished and how many wait for a retry, its
 * clients by status, what they answered, the report to download, and, publisher and up, a pause and a resume, and
 * a stop while clients are still waiting. The counts refresh on demand, and by themselves while the campaign runs
 * or is paused.
 */
import { useEffect, useRef, useState } from "react";
import * as api from "../api/client";
import type { Campaign, Role, ScenarioSummary } from "../api/types";
import { DialerBanner } from "./DialerBanner";
import { useI18n } from "../i18n";
import { campaignMoment, campaignMomentWithZone, campaignSettingsText } from "../lib/campaignSettings";
import {
  CAMPAIGN_PAGE,
  JOB_STATUSES,
  answerShares,
  awaitingRetry,
  campaignState,
  calledClients,
  campaignTitle,
  cancelledClients,
  changesByItself,
  failedCalls,
  finishedClients,
  finishedPercent,
  mayBePaused,
  mayBeResumed,
  mayBeStopped,
  nextCall,
  percentText,
  reachedWithoutAnswer,
  refreshLimit,
  sparedByStop,
  statusShares,
  waitingClients,
  withCampaign,
  withNewest,
  withNextPage,
  type CampaignPages,
  type JobStatus,
} from "../lib/campaigns";
import { formatDateTime } from "../lib/format";
import { countText, type Translate } from "../lib/i18n";
import { may } from "../lib/roles";
import { Dialog } from "./Dialog";
import "./campaignsDialog.css";

/** How often a running campaign's counts are asked again while the dialog is open. */
export const LIVE_REFRESH_MS = 15000;

const isKnown = (status: string): status is JobStatus => (JOB_STATUSES as readonly string[]).includes(status);
/**
 * A status in words; one this designer does not know yet, as the server names it. The clients waiting in a
 * paused campaign are said to be held: "Waiting (paused)", as nobody calls them until it is resumed.
 */
function statusText(t: Translate, status: string, paused = false) {
  if (paused && status === "pending") return t("campaigns.status.pendingPaused");
  return isKnown(status) ? t(`campaigns.status.${status}`) : status;
}
function statusAbout(t: Translate, status: string, paused = false) {
  if (paused && status === "pending") return t("campaigns.about.pendingPaused");
  return isKnown(status) ? t(`campaigns.about.${status}`) : status;
}
/** A moment of a campaign (imported, paused) in the browser's date and time, this year's without its year. */
const momentText = (iso: string, language: string) => campaignMoment(iso, language);
/** The next call, with the browser's zone named: the campaign's hours are in its own zone, which may differ. */
const nextCallText = (t: Translate, iso: string, language: string) => t("campaigns.nextCall", { time: campaignMomentWithZone(iso, language) });

/** The clients by status as one bar, a coloured stretch per status in the dialer's order. */
export function StatusBar({ campaign }: { campaign: Campaign }) {
  const { t } = useI18n();
  const shares = statusShares(campaign).filter((share) => share.count > 0);
  const said = shares.map((share) => `${statusText(t, share.status, campaign.paused)}: ${share.count}`).join(", ");
  return (
    <div className="status-bar" role="img" aria-label={said} title={said}>
      {shares.map((share) => (
        <span key={share.status} className={`status-${share.status}`} style={{ width: `${share.percent}%` }} />
      ))}
    </div>
  );
}

/** Every status with its clients, zeros too, so the list always reads the same; each says what it means. */
export function StatusCounts({ campaign }: { campaign: Campaign }) {
  const { t, language } = useI18n();
  return (
    <ul className="status-counts" data-testid="status-counts">
      {statusShares(campaign).map((share) => (
        <li key={share.status} data-status={share.status} className={share.count === 0 ? "zero" : undefined} title={statusAbout(t, share.status, campaign.paused)}>
          <span className={`swatch status-${share.status}`} aria-hidden="true" />
          {statusText(t, share.status, campaign.paused)} <strong className="count">{share.count.toLocaleString(language)}</strong>
        </li>
      ))}
    </ul>
  );
}

/**
 * The campaigns, newest first: each by name with who started it, when its list was imported, its clients, how
 * far it got (its clients finished), its state (a paused one marked as such), and while it runs when the next
 * client is due. One is selected. `more`: offer the next page.
 */
export function CampaignTable(props: {
  campaigns: Campaign[];
  selectedId: string | null;
  onSelect(id: string): void;
  more?: boolean;
  loadingMore?: boolean;
  onMore?(): void;
}) {
  const { t, language } = useI18n();
  return (
    <>
      <div className="table-scroll">
        <table className="preview campaigns" data-testid="campaign-table">
          <thead>
            <tr>
              <th>{t("campaigns.name")}</th>
              <th>{t("campaigns.imported")}</th>
              <th className="num">{t("campaigns.clients")}</th>
              <th>{t("campaigns.progress")}</th>
              <th>{t("campaigns.state")}</th>
            </tr>
          </thead>
          <tbody>
            {props.campaigns.map((campaign) => {
              const selected = campaign.campaign_id === props.selectedId;
              const next = nextCall(campaign);
              const state = campaignState(campaign);
              return (
                <tr key={campaign.campaign_id} className={selected ? "selected" : undefined} data-campaign={campaign.campaign_id}>
                  <td className="campaign-name">
                    <button type="button" className="link" aria-current={selected ? "true" : undefined} onClick={() => props.onSelect(campaign.campaign_id)}>
                      {campaignTitle(campaign, t, language)}
                    </button>
                    {campaign.created_by && <span className="muted small">{t("campaigns.by", { user: campaign.created_by })}</span>}
                  </td>
                  <td>{momentText(campaign.created_at, language)}</td>
                  <td className="num">{campaign.jobs.toLocaleString(language)}</td>
                  <td>
                    <div className="progress-cell">
                      <StatusBar campaign={campaign} />
                      <span className="muted">{`${finishedClients(campaign).toLocaleString(language)}/${campaign.jobs.toLocaleString(language)}`}</span>
                    </div>
                  </td>
                  <td className="campaign-state-cell">
                    {/* Marked, not only said: a paused campaign calls nobody, whatever its clients waiting. */}
                    {state === "paused" ? <span className="campaign-state state-paused">{t("campaigns.state.paused")}</span> : t(`campaigns.state.${state}`)}
                    {next && <span className="muted small next-call">{nextCallText(t, next, language)}</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {props.more && (
        <button type="button" className="show-more" disabled={props.loadingMore} onClick={props.onMore}>
          {props.loadingMore ? t("campaigns.loadingMore") : t("campaigns.more")}
        </button>
      )}
    </>
  );
}

/** What the clients reached answered, the most frequent first, and how many of the list gave each answer. */
export function AnswersTable({ campaign }: { campaign: Campaign }) {
  const { t, language } = useI18n();
  const answers = answerShares(campaign);
  const silent = reachedWithoutAnswer(campaign);
  const failed = failedCalls(campaign);
  // Answered, but gone before the scenario set a result: counted under the default answer too (`hung_up_early`).
  const early = campaign.hung_up_early ?? 0;
  return (
    <>
      {answers.length === 0 ? (
        <p className="muted" data-testid="no-answers">{t("campaigns.noAnswers")}</p>
      ) : (
        <table className="preview answers" data-testid="answers">
          <thead>
            <tr>
              <th>{t("campaigns.answer")}</th>
              <th className="num">{t("campaigns.clients")}</th>
              <th>{t("campaigns.share")}</th>
            </tr>
          </thead>
          <tbody>
            {answers.map((answer) => (
              <tr key={answer.result} data-result={answer.result}>
                <td>
                  {/* In the words the register and the reports use; the code after it, for who knows the flow by it. */}
                  {answer.label ? (
                    <>
                      <bdi className="result-label" title={t("calls.resultCode", { code: answer.result })}>{answer.label}</bdi>{" "}
                      <code className="muted result-code">{answer.result}</code>
                    </>
                  ) : (
                    <code>{answer.result}</code>
                  )}
                </td>
                <td className="num">{answer.count.toLocaleString(language)}</td>
                <td>
                  <span className="meter" aria-hidden="true"><span style={{ width: `${answer.percent}%` }} /></span>
                  {percentText(answer.percent)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {silent > 0 && <p className="hint">{t("campaigns.noAnswerRecorded", { clients: countText(language, "client", silent) })}</p>}
      {early > 0 && (
        <p className="hint" data-testid="hung-up-early">{t("campaigns.hungUpEarly", { clients: countText(language, "client", early) })}</p>
      )}
      {failed > 0 && (
        <p className="error-text" data-testid="failed-calls">{t("campaigns.callsFailed", { clients: countText(language, "client", failed) })}</p>
      )}
    </>
  );
}

/** The rows of the list left out for a number an earlier row had, which the report lists each in its place. */
function duplicatesSkipped(campaign: Campaign): number {
  const skipped = campaign.settings.duplicates_skipped;
  return typeof skipped === "number" ? skipped : 0;
}

/**
 * How far the campaign got: its clients finished against the whole list, as its progress; apart from them those
 * a stop spared (never called, nor will be), those rung who wait for a retry (after the resume, while it is
 * paused), and those rung at all; and the rows skipped as duplicates, which are no clients. "Called: 19 of 19
 * (100 %)" read as over while 3 still waited for a retry (review of a Spanish bank's supervisor).
 */
export function ProgressSummary({ campaign }: { campaign: Campaign }) {
  const { t, language } = useI18n();
  const cancelled = cancelledClients(campaign);
  const retrying = awaitingRetry(campaign);
  // Nobody is retried while it is paused: "waiting for a retry" read as if a call were coming.
  const held = campaignState(campaign) === "paused";
  const skipped = duplicatesSkipped(campaign);
  const finished = t("campaigns.finished", {
    finished: finishedClients(campaign).toLocaleString(language),
    total: campaign.jobs.toLocaleString(language),
    percent: percentText(finishedPercent(campaign)),
  });
  return (
    <>
      {finished}
      {cancelled > 0 && ` · ${t("campaigns.cancelledByStop", { clients: countText(language, "client", cancelled) })}`}
      {retrying > 0 && !held && ` · ${countText(language, "awaitingRetry", retrying)}`}
      {retrying > 0 && held && ` · ${t("campaigns.retryAfterResume", { clients: countText(language, "client", retrying) })}`}
      {` · ${countText(language, "calledOnce", calledClients(campaign))}`}
      {skipped > 0 && ` · ${t("campaigns.duplicatesSkipped", { count: skipped.toLocaleString(language) })}`}
    </>
  );
}

/**
 * The question before a stop: how many clients will never be called, and that it cannot be undone; while the
 * campaign calls (`pausable`), that a pause is the way to carry on later.
 */
export function StopConfirmation(props: { waiting: number; stopping: boolean; pausable?: boolean; onConfirm(): void; onCancel(): void }) {
  const { t, language } = useI18n();
  const clients = countText(language, "client", props.waiting);
  return (
    <div className="blocked stop-confirmation" role="alertdialog" aria-label={t("campaigns.stop")} data-testid="stop-confirmation">
      <p>{t("campaigns.stopConfirm", { clients })}</p>
      {props.pausable && <p className="hint">{t("campaigns.stopOrPause")}</p>}
      <div className="row">
        <button type="button" className="danger" disabled={props.stopping} onClick={props.onConfirm}>
          {props.stopping ? t("campaigns.stopping") : t("campaigns.stopYes", { clients })}
        </button>
        <button type="button" autoFocus disabled={props.stopping} onClick={props.onCancel}>{t("campaigns.stopNo")}</button>
      </div>
    </div>
  );
}

/** While a campaign is paused: since when and by whom, that nobody is called, and what still goes on. */
export function PausedNotice({ campaign }: { campaign: Campaign }) {
  const { t, language } = useI18n();
  const time = campaign.paused_at ? momentText(campaign.paused_at, language) : "";
  const said = campaign.paused_by ? t("campaigns.pausedBy", { time, user: campaign.paused_by }) : t("campaigns.pausedAt", { time });
  return (
    <div role="status" className="campaign-paused" data-testid="campaign-paused">
      <strong>{said}</strong> {t("campaigns.pausedNote")}
    </div>
  );
}

/**
 * One campaign followed: its progress, clients by status, answers, report, and the refresh, pause or resume and
 * stop buttons. A pause needs the role a stop does (the API's pause and resume take the stop's).
 */
export function CampaignDetails(props: {
  campaign: Campaign;
  role: Role;
  updatedAt: Date;
  refreshing: boolean;
  /** Clients the last stop of this campaign spared, to say so; null before any. */
  stopped: number | null;
  onRefresh(): void;
  onStop(): Promise<void>;
  /** Without them (a view that only follows the campaign), neither button is offered. */
  onPause?(): Promise<void>;
  onResume?(): Promise<void>;
}) {
  const { t, language } = useI18n();
  const { campaign } = props;
  const [confirming, setConfirming] = useState(false);
  const [stopping, setStopping] = useState(false);
  const [holding, setHolding] = useState<"pausing" | "resuming" | null>(null);
  const state = campaignState(campaign);
  const publisher = may(props.role, "stopCampaign");
  const canStop = publisher && mayBeStopped(campaign);
  const canPause = publisher && props.onPause !== undefined && mayBePaused(campaign);
  const canResume = publisher && props.onResume !== undefined && mayBeResumed(campaign);
  const heading = campaignTitle(campaign, t, language);
  const imported = momentText(campaign.created_at, language);
  const next = nextCall(campaign);
  const settings = campaignSettingsText(campaign.settings, t, language);

  async function stop() {
    setStopping(true);
    try {
      await props.onStop();
    } finally {
      setStopping(false);
      setConfirming(false);
    }
  }

  async function hold(change: "pausing" | "resuming") {
    setHolding(change);
    try {
      await (change === "pausing" ? props.onPause?.() : props.onResume?.());
    } finally {
      setHolding(null);
    }
  }

  return (
    <section className="campaign-details" data-testid="campaign-details" aria-label={heading}>
      <div className="row campaign-head">
        <h3>{heading}</h3>
        <span className={`campaign-state state-${state}`} data-testid="campaign-state">{t(`campaigns.state.${state}`)}</span>
      </div>
      <p className="muted small" data-testid="campaign-started">
        {campaign.created_by ? t("campaigns.importedBy", { time: imported, user: campaign.created_by }) : t("campaigns.importedAt", { time: imported })}
        {next && ` · ${nextCallText(t, next, language)}`}
      </p>
      {settings && <p className="muted small" data-testid="campaign-settings">{settings}</p>}
      {campaign.paused && state !== "stopped" && <PausedNotice campaign={campaign} />}
      <p className="muted small" data-testid="campaign-summary">
        {countText(language, "client", campaign.jobs)} · <ProgressSummary campaign={campaign} /> ·{" "}
        <code title={campaign.campaign_id}>{campaign.campaign_id}</code>
      </p>
      <StatusBar campaign={campaign} />
      <StatusCounts campaign={campaign} />
      <h4>{t("campaigns.answers")}</h4>
      <AnswersTable campaign={campaign} />
      {props.stopped !== null && (
        <p role="status" className="success" data-testid="campaign-stopped">
          {t("campaigns.stopped", { clients: countText(language, "client", props.stopped) })}
        </p>
      )}
      <div className="row campaign-actions">
        {/* No file name here: the server names the report after the campaign (Content-Disposition). Split as the
            browser's locale suggests its Excel does: on `;` in Spain or Russia, where a comma file is one column.
            The workbook's cells are typed: nothing to split, and it uploads back as a list with its cells intact.
            Both in the designer's language: a supervisor reads "Estado: Contactado", not "status: done". */}
        <a className="button" href={api.campaignReportUrl(campaign.campaign_id, api.browserCsvDelimiter(), language)} download>
          {t("campaigns.report")}
        </a>
        <a className="button" href={api.campaignReportXlsxUrl(campaign.campaign_id, language)} download>
          {t("campaigns.reportXlsx")}
        </a>
        <button type="button" disabled={props.refreshing} onClick={props.onRefresh}>
          {props.refreshing ? t("campaigns.refreshing") : t("campaigns.refresh")}
        </button>
        {/* No question first: a pause is undone by a resume, and a supervisor holding a campaign for a complaint
            must not be slowed down. */}
        {canPause && (
          <button type="button" disabled={holding !== null} onClick={() => void hold("pausing")}>
            {holding === "pausing" ? t("campaigns.pausing") : t("campaigns.pause")}
          </button>
        )}
        {canResume && (
          <button type="button" className="primary" disabled={holding !== null} onClick={() => void hold("resuming")}>
            {holding === "resuming" ? t("campaigns.resuming") : t("campaigns.resume")}
          </button>
        )}
        {canStop && !confirming && (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>{t("campaigns.stop")}</button>
        )}
      </div>
      {canStop && confirming && (
        <StopConfirmation
          waiting={waitingClients(campaign)}
          stopping={stopping}
          pausable={canPause}
          onConfirm={() => void stop()}
          onCancel={() => setConfirming(false)}
        />
      )}
      <p className="hint" data-testid="campaign-updated">
        {t("campaigns.updated", { time: formatDateTime(props.updatedAt, language, "timeSeconds") })} {changesByItself(campaign) && t("campaigns.live")}
      </p>
    </section>
  );
}

/** What the dialog shows: the campaigns loaded, the one followed (null when there are none), and when it was asked. */
interface Loaded extends CampaignPages {
  shown: Campaign | null;
  at: Date;
}

const requestKey = (wanted: string | null, reloads: number) => `${wanted ?? ""}#${reloads}`;

/** The campaigns dialog: `campaignId` is the one to show first (one just scheduled), else the newest. */
export function CampaignsDialog(props: { scenario: ScenarioSummary; role: Role; campaignId?: string | null; onClose(): void }) {
  const { t } = useI18n();
  const { scenario } = props;
  const [wanted, setWanted] = useState<string | null>(props.campaignId ?? null);
  const [reloads, setReloads] = useState(0);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  // The last selection and refresh answered, well or not: another one means the counts are being asked again.
  const [answered, setAnswered] = useState<string | null>(null);
  // Words chosen at render, not when it failed: the language may change meanwhile.
  const [error, setError] = useState<{
    key: "campaigns.failed" | "campaigns.stopFailed" | "campaigns.pauseFailed" | "campaigns.resumeFailed";
    message: string;
  } | null>(null);
  const [stopped, setStopped] = useState<{ id: string; clients: number } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // How many campaigns are listed, for a refresh to ask again for all of them; kept out of the effect's
  // dependencies, or each page shown would trigger a reload.
  const listed = useRef(0);
  const shown = loaded?.shown ?? null;
  // Its counts change by themselves while it runs, and while it is paused too: the calls ringing then end.
  const running = shown !== null && changesByItself(shown);

  useEffect(() => {
    listed.current = loaded?.list.length ?? 0;
  }, [loaded]);

  useEffect(() => {
    // Only the latest selection or refresh may fill the dialog: an older answer landing late is dropped.
    let cancelled = false;
    const request = requestKey(wanted, reloads);
    const limit = refreshLimit(listed.current);
    (async () => {
      const page = await api.campaigns(scenario.slug, { limit });
      const id = wanted ?? page[0]?.campaign_id ?? null;
      const one = id ? await api.campaign(id) : null;
      return { page, one, at: new Date() };
    })().then(
      ({ page, one, at }) => {
        if (cancelled) return;
        setLoaded((current) => {
          const pages = withNewest(current, page, limit);
          return { ...pages, list: one ? withCampaign(pages.list, one) : pages.list, shown: one, at };
        });
        setError(null);
        setAnswered(request);
      },
      (e: unknown) => {
        if (cancelled) return;
        setError({ key: "campaigns.failed", message: e instanceof Error ? e.message : String(e) });
        setAnswered(request);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [scenario.slug, wanted, reloads]);

  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setReloads((n) => n + 1), LIVE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [running]);

  async function showMore() {
    if (!loaded) return;
    setLoadingMore(true);
    try {
      const page = await api.campaigns(scenario.slug, { limit: CAMPAIGN_PAGE, offset: loaded.list.length });
      setLoaded((current) => current && { ...current, ...withNextPage(current, page, CAMPAIGN_PAGE) });
      setError(null);
    } catch (e) {
      setError({ key: "campaigns.failed", message: e instanceof Error ? e.message : String(e) });
    } finally {
      setLoadingMore(false);
    }
  }

  async function stop(campaign: Campaign) {
    try {
      const after = await api.stopCampaign(campaign.campaign_id);
      setStopped({ id: campaign.campaign_id, clients: sparedByStop(campaign, after) });
      setLoaded((current) => current && { ...current, list: withCampaign(current.list, after), shown: after, at: new Date() });
      setError(null);
    } catch (e) {
      setError({ key: "campaigns.stopFailed", message: e instanceof Error ? e.message : String(e) });
    }
    // A refresh asked before the stop may answer after it with the old counts: drop it and ask again.
    setReloads((n) => n + 1);
  }

  /** A pause or a resume: the campaign as the server holds it after, shown at once (the list's state too). */
  async function hold(campaign: Campaign, change: "pause" | "resume") {
    try {
      const after = await (change === "pause" ? api.pauseCampaign : api.resumeCampaign)(campaign.campaign_id);
      setLoaded((current) => current && { ...current, list: withCampaign(current.list, after), shown: after, at: new Date() });
      setError(null);
    } catch (e) {
      const key = change === "pause" ? "campaigns.pauseFailed" : "campaigns.resumeFailed";
      setError({ key, message: e instanceof Error ? e.message : String(e) });
    }
    // As after a stop: a refresh asked before it may answer after it with the old state.
    setReloads((n) => n + 1);
  }

  const refreshing = loaded !== null && answered !== requestKey(wanted, reloads);
  return (
    <Dialog title={t("campaigns.title", { name: scenario.name })} onClose={props.onClose} wide>
      <div className="campaigns" data-testid="campaigns-dialog">
        <DialerBanner role={props.role} />
        {error && <p role="alert" className="error-text">{t(error.key, { message: error.message })}</p>}
        {loaded === null ? (
          error ? (
            <button type="button" onClick={() => setReloads((n) => n + 1)}>{t("campaigns.refresh")}</button>
          ) : (
            <p className="muted">{t("campaigns.loading")}</p>
          )
        ) : loaded.list.length === 0 && !shown ? (
          <p className="muted" data-testid="no-campaigns">{t("campaigns.none")}</p>
        ) : (
          <>
            <CampaignTable
              campaigns={loaded.list}
              selectedId={wanted ?? shown?.campaign_id ?? null}
              onSelect={(id) => {
                setWanted(id);
                setStopped(null);
              }}
              more={loaded.more}
              loadingMore={loadingMore}
              onMore={() => void showMore()}
            />
            {shown && (
              <CampaignDetails
                key={shown.campaign_id}
                campaign={shown}
                role={props.role}
                updatedAt={loaded.at}
                refreshing={refreshing}
                stopped={stopped?.id === shown.campaign_id ? stopped.clients : null}
                onRefresh={() => setReloads((n) => n + 1)}
                onStop={() => stop(shown)}
                onPause={() => hold(shown, "pause")}
                onResume={() => hold(shown, "resume")}
              />
            )}
          </>
        )}
        <div className="row dialog-buttons">
          <button type="button" autoFocus onClick={props.onClose}>{t("campaigns.close")}</button>
        </div>
      </div>
    </Dialog>
  );
}
