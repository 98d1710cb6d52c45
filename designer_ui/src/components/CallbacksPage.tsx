/**
 * The Callbacks page (#/callbacks): "you promised to call me back and nobody did". The callback jobs (a Callback
 * block's, the API's, a call list's clients), found by the client's number, status, scenario or campaign, newest
 * made first (GET /api/callbacks); and one job opened: when it is due and within what window, its attempts and how
 * each went, with links to the call that scheduled it (among every call that asked for it) and to each attempt's
 * call. What it shows is kept in its address, as the Calls page's is.
 */
import { useMemo, useState, type ReactNode } from "react";
import * as api from "../api/client";
import type { User } from "../api/types";
import { useI18n } from "../i18n";
import { variableTexts } from "../lib/eventText";
import { formatDateTime } from "../lib/format";
import { hiddenText } from "../lib/hiddenText";
import type { MessageKey, Translate } from "../lib/i18n";
import {
  attemptsText,
  callbacksPath,
  hasJobFilters,
  JOB_STATUSES,
  jobsQuery,
  looksLikeNumber,
  NO_JOB_FILTERS,
  parseCallbacksView,
  withJobPage,
  type JobFilters,
} from "./callbackJobs";
import { CodeSelect, DetailPanel, FilterForm, focusBack, ListStatus, ScenarioSelect } from "./callPageParts";
import { askedForJobHref, callHref, callsPath, NO_REGISTER_FILTERS } from "./callRegister";
import { DialerBanner } from "./DialerBanner";
import { listFailureText } from "./pageFailure";
import { useAddressForm } from "./useAddressForm";
import { useOpenedItem, usePagedList, useScenarioChoices, type Opened, type ScenarioChoice } from "./useCallPageData";
import "./callPages.css";

/** A job's dial outcome (busy, no_answer, window_closed...) in words; an outcome without words as its code, spaced. */
export function jobOutcomeText(t: Translate, outcome: string | null | undefined): string {
  if (!outcome) return "";
  const key = `callbacks.outcome.${outcome}` as MessageKey;
  return t(key) === key ? outcome.replace(/_/g, " ") : t(key);
}

/** A job's status in words, and what it means (the tooltip). */
const statusText = (t: Translate, status: api.JobStatus) => t(`callbacks.status.${status}`);
const statusAbout = (t: Translate, status: api.JobStatus) => t(`callbacks.about.${status}`);

/** Whether the API masked `number` (`+34*******56`) for a user without personal data: no use looking it up. */
const isMasked = (number: string) => number.includes("*");

export interface JobFormProps {
  filters: JobFilters;
  scenarios: ScenarioChoice[];
  onChange(next: JobFilters, typed?: boolean): void;
  onSubmit(): void;
}

/** The filters, props only: the client's number, the status, the scenario, a campaign's id. */
export function JobForm({ filters, scenarios, onChange, onSubmit }: JobFormProps) {
  const { t } = useI18n();
  const set = (patch: Partial<JobFilters>, typed = false) => onChange({ ...filters, ...patch }, typed);
  const badNumber = filters.number.trim() !== "" && !looksLikeNumber(filters.number);
  return (
    <FilterForm
      className="job-filters"
      label={t("callbacks.filters")}
      testId="job-filters"
      onSubmit={onSubmit}
      clearText={t("callbacks.clearFilters")}
      onClear={hasJobFilters(filters) ? () => onChange(NO_JOB_FILTERS) : null}
    >
      <label>
        {t("callbacks.number")}
        <input
          type="search"
          value={filters.number}
          aria-invalid={badNumber || undefined}
          aria-describedby={badNumber ? "job-number-problem" : undefined}
          onChange={(e) => set({ number: e.target.value }, true)}
        />
      </label>
      <CodeSelect
        label={t("callbacks.status")}
        anyText={t("callbacks.anyStatus")}
        value={filters.status}
        codes={JOB_STATUSES}
        text={(status) => statusText(t, status)}
        about={(status) => statusAbout(t, status)}
        onChange={(status) => set({ status })}
      />
      <ScenarioSelect
        label={t("callbacks.scenario")}
        allText={t("callbacks.allScenarios")}
        value={filters.scenario}
        scenarios={scenarios}
        onChange={(scenario) => set({ scenario })}
      />
      <label>
        {t("callbacks.campaign")}
        <input type="search" className="mono" value={filters.campaign} onChange={(e) => set({ campaign: e.target.value }, true)} />
      </label>
    </FilterForm>
  );
}

export interface JobTableProps {
  jobs: api.CallbackJob[];
  openId: string | null;
  names: ReadonlyMap<string, string>;
  onOpen(id: string): void;
}

/** The jobs, a row each: when due (the button that opens it), whom, which scenario, the status, the attempts. */
export function JobTable({ jobs, openId, names, onOpen }: JobTableProps) {
  const { t, language } = useI18n();
  return (
    <div className="calls-scroll">
      <table className="jobs" data-testid="jobs-table">
        <thead>
          <tr>
            <th scope="col">{t("callbacks.col.due")}</th>
            <th scope="col">{t("callbacks.col.number")}</th>
            <th scope="col">{t("callbacks.col.scenario")}</th>
            <th scope="col">{t("callbacks.col.status")}</th>
            <th scope="col">{t("callbacks.col.attempts")}</th>
            <th scope="col">{t("callbacks.col.outcome")}</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => (
            <tr key={job.id} className={openId === job.id ? "open" : undefined} aria-current={openId === job.id || undefined} data-job-id={job.id}>
              <td>
                <button type="button" className="link" onClick={() => onOpen(job.id)} title={t("callbacks.open")}>
                  {formatDateTime(job.due, language, "shortDateTimeSeconds")}
                </button>
              </td>
              <td data-testid="job-row-number">{job.number}</td>
              <td title={job.scenario}>{names.get(job.scenario) ?? job.scenario}</td>
              <td data-status={job.status} title={statusAbout(t, job.status)}>
                {statusText(t, job.status)}
              </td>
              <td className="num">{attemptsText(job)}</td>
              <td data-outcome={job.outcome ?? ""}>{jobOutcomeText(t, job.outcome)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One fact of a job: a label and its value. */
function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

/** A job opened, props only: its facts, the variables it carries, and its dial attempts with their calls. */
export function JobDetails({ job, scenarioName }: { job: api.CallbackJob; scenarioName(slug: string): string }) {
  const { t, language } = useI18n();
  const when = (value: string | null | undefined) => formatDateTime(value, language, "dateTimeSeconds");
  const variables = variableTexts(job.variables).map((text) => hiddenText(text, language));
  const history = job.history ?? [];
  return (
    <>
      <dl className="job-facts" data-testid="job-facts">
        <Fact label={t("callbacks.jobId")}>
          <code data-testid="job-id">{job.id}</code>
        </Fact>
        <Fact label={t("callbacks.status")} testId="job-status">
          <span className="job-status" data-status={job.status}>
            {statusText(t, job.status)}
          </span>{" "}
          <span className="muted small">({statusAbout(t, job.status)})</span>
        </Fact>
        <Fact label={t("callbacks.number")}>
          <span data-testid="job-number">{job.number}</span>
          {/* A masked number cannot be looked up from here; typed in full on the Calls page it still can. */}
          {!isMasked(job.number) && (
            <>
              {" · "}
              <a href={`#${callsPath({ filters: { ...NO_REGISTER_FILTERS, caller: job.number }, call: "" })}`} data-testid="job-number-calls">
                {t("callbacks.numberCalls")}
              </a>
            </>
          )}
        </Fact>
        <Fact label={t("callbacks.scenario")}>
          <span title={job.scenario}>{scenarioName(job.scenario)}</span>
        </Fact>
        <Fact label={t("callbacks.due")} testId="job-due">
          {when(job.due)}
        </Fact>
        <Fact label={t("callbacks.window")} testId="job-window">
          {job.window_end ? t("callbacks.windowText", { from: when(job.due), to: when(job.window_end) }) : t("callbacks.noWindowEnd", { from: when(job.due) })}
        </Fact>
        <Fact label={t("callbacks.attempts")} testId="job-attempts">
          {t("callbacks.attemptsText", { attempts: job.attempts, max: job.max_attempts })}
        </Fact>
        <Fact label={t("callbacks.outcome")} testId="job-outcome">
          {job.outcome ? jobOutcomeText(t, job.outcome) : <span className="muted">{t("callbacks.noOutcome")}</span>}
        </Fact>
        {job.last_attempt_at && <Fact label={t("callbacks.lastAttempt")}>{when(job.last_attempt_at)}</Fact>}
        {job.reached_at && <Fact label={t("callbacks.reached")}>{when(job.reached_at)}</Fact>}
        {/* Which node holds the job while it is dialled: on several nodes nothing said it (operations review). */}
        {job.locked_by && (
          <Fact label={t("callbacks.lockedBy")} testId="job-locked-by">
            {t("callbacks.lockedByText", { node: job.locked_by, until: when(job.lock_until) })}
          </Fact>
        )}
        <Fact label={t("callbacks.origin")} testId="job-origin">
          {job.origin_call_id ? (
            // Opened among every call that asked for the job: a client who called again joined it (`merged`).
            <a href={askedForJobHref(job.id, job.origin_call_id)} title={t("callbacks.originCallAbout")} data-testid="job-origin-link">
              {t("callbacks.originCall", { call: job.origin_call_id })}
            </a>
          ) : (
            <span className="muted">{t("callbacks.noOrigin")}</span>
          )}
        </Fact>
      </dl>
      {variables.length > 0 && (
        <>
          <h3>{t("callbacks.variables")}</h3>
          <ul className="mono small" data-testid="job-variables">
            {variables.map((text, i) => (
              <li key={i}>{text}</li>
            ))}
          </ul>
        </>
      )}
      <h3>{t("callbacks.history")}</h3>
      {history.length === 0 ? (
        <p className="muted">{t("callbacks.history.none")}</p>
      ) : (
        <table className="jobs" data-testid="job-history">
          <thead>
            <tr>
              <th scope="col">{t("callbacks.history.at")}</th>
              <th scope="col">{t("callbacks.history.outcome")}</th>
              <th scope="col">{t("callbacks.history.call")}</th>
            </tr>
          </thead>
          <tbody>
            {history.map((attempt, i) => (
              <tr key={i}>
                <td>{when(attempt.at)}</td>
                <td data-outcome={attempt.outcome}>
                  {/* No dial: the window closed before a ring could end. The job's due says when it is tried next, for
                      the newest entry of a job still waiting only: an older entry's next call has long happened. */}
                  {attempt.outcome === "window_closed"
                    ? i === history.length - 1 && job.status === "pending"
                      ? t("callbacks.history.windowClosed", { next: when(job.due) })
                      : t("callbacks.history.windowClosedEarlier")
                    : jobOutcomeText(t, attempt.outcome)}
                </td>
                <td>
                  {attempt.call_id ? (
                    <a href={callHref(attempt.call_id)} className="mono" aria-label={t("callbacks.history.openCall", { call: attempt.call_id })}>
                      {attempt.call_id}
                    </a>
                  ) : (
                    <span className="muted">{t("callbacks.history.noCall")}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** The job opened beside the list: its facts, its attempts, or why it could not be opened. */
function JobPanel({ opened, scenarioName, onClose }: { opened: Opened<api.CallbackJob> | null; scenarioName(slug: string): string; onClose(): void }) {
  const { t } = useI18n();
  return (
    <DetailPanel
      className="job-detail"
      testId="job-detail"
      title={t("callbacks.job")}
      closeText={t("callbacks.close")}
      openingText={t("callbacks.opening")}
      opened={opened}
      onClose={onClose}
    >
      {opened?.item && <JobDetails job={opened.item} scenarioName={scenarioName} />}
    </DetailPanel>
  );
}

/** The jobs listed for a question, and whether more follow. */
type JobPage = { items: api.CallbackJob[]; more: boolean };

/** The first page of jobs for a query. */
const firstJobs = (query: api.JobQuery): Promise<JobPage> => api.callbackJobs(query).then((answer) => withJobPage([], answer));

/** The page after those shown, added to them; null when no more follow. */
const moreJobs = (query: api.JobQuery, shown: JobPage) =>
  shown.more ? api.callbackJobs({ ...query, offset: shown.items.length }).then((answer) => withJobPage(shown.items, answer)) : null;

/** Why a job could not be opened: no such job, or the server's failure. */
const jobFailureText = (t: Translate, id: string, missing: boolean, message: string) =>
  missing ? t("callbacks.notFound", { job: id }) : t("callbacks.jobFailed", { message });

/** The page with its state, which lives in the address (`query`: what follows "#/callbacks?"). */
export function CallbacksPage({ query, user }: { query: string; user: User }) {
  const { t } = useI18n();
  const zone = api.browserTimeZone();
  const view = useMemo(() => parseCallbacksView(query), [query]);
  const path = callbacksPath(view);
  const { form, change, go, applyNow } = useAddressForm(view.filters, path, (filters) => callbacksPath({ filters, job: view.job }));
  const openJob = (id: string) => go(callbacksPath({ filters: view.filters, job: id }), false);

  const { scenarios, names } = useScenarioChoices();
  const scenarioName = (slug: string) => names.get(slug) ?? slug;

  // -- the list ---------------------------------------------------------------------------------------------------
  const { filters } = view;
  const badNumber = filters.number !== "" && !looksLikeNumber(filters.number);
  const [reloads, setReloads] = useState(0);
  const list = usePagedList(badNumber ? null : jobsQuery(filters), reloads, firstJobs, moreJobs);
  const { loading, failed, shown } = list;
  const problem = badNumber
    ? t("callbacks.notANumber", { number: filters.number })
    : failed !== undefined
      ? listFailureText(t, failed, zone, "callbacks.failed")
      : null;

  // -- the job opened ---------------------------------------------------------------------------------------------
  const openNow = useOpenedItem(view.job, reloads, api.callbackJob, jobFailureText);
  function closeJob() {
    const id = view.job;
    openJob("");
    focusBack(`tr[data-job-id="${CSS.escape(id)}"] button`, ".callbacks-page h1");
  }

  return (
    <section className={`list-page callbacks-page${view.job ? " with-detail" : ""}`} data-testid="callbacks-page">
      <div className="callbacks-page-list">
        <h1 tabIndex={-1}>{t("callbacks.title")}</h1>
        {/* Where an admin cancels the jobs a restore would call again, and then resumes dialling held. */}
        <DialerBanner role={user.role} />
        <JobForm filters={form} scenarios={scenarios} onChange={change} onSubmit={applyNow} />
        <div className="row calls-page-tools">
          <p className="hint">{t("callbacks.clock", { zone })}</p>
          <span className="spacer" />
          <button type="button" onClick={() => setReloads((n) => n + 1)}>
            {t("callbacks.refresh")}
          </button>
        </div>
        {!user.sees_personal_data && <p className="hint" data-testid="jobs-masked">{t("callbacks.masked")}</p>}
        <ListStatus
          testId="jobs"
          problem={problem}
          problemId="job-number-problem"
          loading={loading}
          loadingText={t("callbacks.loading")}
          shownCount={shown ? shown.items.length : null}
          countText={shown ? t("callbacks.shown", { n: shown.items.length }) : ""}
          noneText={t(hasJobFilters(filters) ? "callbacks.noneMatching" : "callbacks.none")}
          more={Boolean(shown?.more)}
          loadingMore={list.loadingMore}
          onMore={() => void list.loadMore()}
          moreText={t("callbacks.loadMore")}
        >
          {shown && <JobTable jobs={shown.items} openId={view.job || null} names={names} onOpen={openJob} />}
        </ListStatus>
      </div>
      {view.job && <JobPanel opened={openNow} scenarioName={scenarioName} onClose={closeJob} />}
    </section>
  );
}
