/**
 * The Calls page (#/calls): a support engineer's "she called yesterday around 15:40 from +34600111222". The register
 * of every scenario (one, if chosen) between two times on the browser's clock, found by a number or a caller's
 * name, by Asterisk's UniqueID (a CDR line), by status or answer, by whether a step took its block's error exit
 * (a supervisor's "where did the data source fail?"), as the calls that asked for a callback job (a link from the
 * job), or one call opened by its id (a log line); a page at a time. What it shows is kept in its address, so the
 * link pasted into a ticket opens the same calls and call. An opened call tells its story as the editor's Calls
 * tab does, with links to its path on its scenario's canvas and to the callback jobs it scheduled or was placed for.
 * The calls listed download as CSV or an Excel workbook, every one the filters pick.
 */
import { useEffect, useMemo, useState, type FormEvent } from "react";
import * as api from "../api/client";
import type { CallPage, User } from "../api/types";
import { useI18n } from "../i18n";
import { fromScenario, type BlockNode } from "../lib/convert";
import { formatDateTime } from "../lib/format";
import { hiddenText } from "../lib/hiddenText";
import { codeText, countText, type Translate } from "../lib/i18n";
import { useEditor } from "../store/editor";
import { CallerSearchField } from "./CallerSearchField";
import { CodeSelect, DetailPanel, FilterForm, focusBack, ListStatus, ResultText, ScenarioSelect } from "./callPageParts";
import { CallDetails, CallDownloads, CallTable, ErrorsSelect, openedCall, type CallDownloadsProps, type OpenCall } from "./CallsPanel";
import { jobHref, jobInLine } from "./callbackJobs";
import { CALL_STATUSES, callerName, callNumbers, countNote, outboundParty, withOlderPage } from "./callFilters";
import {
  callsPath,
  hasRegisterFilters,
  NO_REGISTER_FILTERS,
  parseCallsView,
  registerQuery,
  type RegisterFilters,
} from "./callRegister";
import { offeredResults, ResultFilter } from "./ResultFilter";
import { StoryBlocks } from "./storyBlocks";
import { listFailureText } from "./pageFailure";
import { useAddressForm } from "./useAddressForm";
import { useOpenedItem, usePagedList, useScenarioChoices, type Opened, type ScenarioChoice } from "./useCallPageData";
import "./callPages.css";

/** The list is not beside a canvas: its rows say "Open the call", not "Show path" (storyBlocks.ts). */
const NO_BLOCKS: readonly BlockNode[] = [];

export interface RegisterFormProps {
  filters: RegisterFilters;
  /** Scenarios to choose from: slug and name. */
  scenarios: ScenarioChoice[];
  /** The browser's time zone, which the times are read on. */
  zone: string;
  /** `typed`: text being typed, applied once the typing pauses. */
  onChange(next: RegisterFilters, typed?: boolean): void;
  /** Enter in a field: what is typed applies now. */
  onSubmit(): void;
  /** Whether the caller search offers names (the user's `sees_personal_data`); a number only otherwise. */
  names?: boolean;
}

/**
 * The calls a callback job's link picked (those that asked for the job), said above the fields, with the job linked
 * back and a way to drop that filter alone: it has no field, nobody types a job's id.
 */
function AskedForJob({ job, onDrop }: { job: string; onDrop(): void }) {
  const { t } = useI18n();
  const text = t("callsPage.askedForJob", { job });
  const line = jobInLine(text, job);
  return (
    <p className="register-job" data-testid="register-job">
      {line ? (
        <>
          {line.before}
          <a href={jobHref(job)} className="mono" data-testid="register-job-link">
            {line.id}
          </a>
          {line.after}
        </>
      ) : (
        text
      )}{" "}
      <button type="button" className="link" onClick={onDrop}>
        {t("callsPage.dropJob")}
      </button>
    </p>
  );
}

/**
 * The filters, props only: the calls of a callback job (when a link set it), the scenario, the range, a number or
 * name, the UniqueID, the status, the answer and the errors.
 */
export function RegisterForm({ filters, scenarios, zone, onChange, onSubmit, names = true }: RegisterFormProps) {
  const { t } = useI18n();
  const set = (patch: Partial<RegisterFilters>, typed = false) => onChange({ ...filters, ...patch }, typed);
  return (
    <FilterForm
      className="register-filters"
      label={t("callsPage.filters")}
      testId="register-filters"
      onSubmit={onSubmit}
      clearText={t("calls.clearFilters")}
      onClear={hasRegisterFilters(filters) ? () => onChange(NO_REGISTER_FILTERS) : null}
      after={
        <p className="hint register-clock" id="register-clock">
          {t("callsPage.clock", { zone })}
        </p>
      }
    >
      {filters.scheduledJob && <AskedForJob job={filters.scheduledJob} onDrop={() => set({ scheduledJob: "" })} />}
      <ScenarioSelect
        label={t("calls.scenario")}
        allText={t("callsPage.allScenarios")}
        value={filters.scenario}
        scenarios={scenarios}
        onChange={(scenario) => set({ scenario })}
      />
      <label>
        {t("calls.from")}
        <input type="datetime-local" value={filters.from} max={filters.to || undefined} onChange={(e) => set({ from: e.target.value })} aria-describedby="register-clock" />
      </label>
      <label>
        {t("calls.to")}
        <input type="datetime-local" value={filters.to} min={filters.from || undefined} onChange={(e) => set({ to: e.target.value })} aria-describedby="register-clock" />
      </label>
      <CallerSearchField value={filters.caller} onChange={(caller) => set({ caller }, true)} names={names} />
      <label>
        {t("calls.uniqueid")}
        <input type="search" className="mono" value={filters.uniqueid} onChange={(e) => set({ uniqueid: e.target.value }, true)} />
      </label>
      <CodeSelect
        label={t("calls.status")}
        anyText={t("calls.anyStatus")}
        value={filters.status}
        codes={CALL_STATUSES}
        text={(status) => codeText(t, "status", status)}
        onChange={(status) => set({ status })}
      />
      <ResultFilter value={filters.result} results={offeredResults(scenarios, filters.scenario)} onChange={(result, typed) => set({ result }, typed)} />
      <ErrorsSelect value={filters.withErrors} onChange={(withErrors) => set({ withErrors })} />
    </FilterForm>
  );
}

/** A call opened by its id (a log line names it): a field and a button, apart from the filters. */
function OpenById({ onOpen }: { onOpen(id: string): void }) {
  const { t } = useI18n();
  const [id, setId] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (id.trim()) onOpen(id.trim());
  };
  return (
    <form className="row open-by-id" onSubmit={submit} data-testid="open-by-id">
      <label>
        {t("callsPage.byId")}
        <input className="mono" value={id} onChange={(e) => setId(e.target.value)} />
      </label>
      <button type="submit" disabled={!id.trim()}>
        {t("callsPage.openById")}
      </button>
    </form>
  );
}

/**
 * Who called and whom the call rang, as a line: the list's numbers cell for a call opened by its id too. A call the
 * dialer placed says we called the client ("We called: Смирнов Алексей, 89165556677"), not that they rang a number.
 */
export function CallerLine({ numbers }: { numbers: NonNullable<OpenCall["numbers"]> }) {
  const { t, language } = useI18n();
  const outbound = outboundParty(numbers);
  const client = outbound && [outbound.name && hiddenText(outbound.name, language), outbound.number].filter(Boolean).join(", ");
  if (client) {
    return (
      <p className="call-caller" data-testid="call-caller" data-direction="outbound">
        {t("calls.weCalled", { client })}
      </p>
    );
  }
  const { caller, dialled } = callNumbers(numbers);
  const name = callerName(numbers);
  return (
    <p className="call-caller" data-testid="call-caller">
      {dialled ? t("calls.dialled", { caller, dialled }) : caller}
      {name && <span className="muted"> · {hiddenText(name, language)}</span>}
    </p>
  );
}

/** The opened call: when and where it came in, then its detail, told by the version it ran. */
function CallDetailPanel({ opened, scenarioName, onClose }: { opened: Opened<OpenCall> | null; scenarioName(slug: string): string; onClose(): void }) {
  const { t, language } = useI18n();
  const call = opened?.item;
  // The story names blocks by the version the call ran: there is no canvas here (storyBlocks.ts).
  const blocks = useMemo<readonly BlockNode[]>(() => (call?.published ? fromScenario(call.published).nodes : []), [call]);
  return (
    <DetailPanel
      className="call-page-detail"
      testId="call-detail"
      title={t("callsPage.detail")}
      closeText={t("callsPage.close")}
      openingText={t("callsPage.opening")}
      opened={opened}
      onClose={onClose}
    >
      {call && (
        <>
          <p className="muted" data-testid="call-started">
            {t("callsPage.startedAt", { time: formatDateTime(call.startedAt, language, "dateTimeSeconds"), scenario: call.scenario ? scenarioName(call.scenario) : "" })}
          </p>
          {call.numbers && <CallerLine numbers={call.numbers} />}
          {call.result?.result && (
            <p className="call-result" data-testid="call-result-line">
              {t("callsPage.result")}{" "}
              <ResultText result={call.result.result} label={call.result.result_label} codeTitle={t("calls.resultCode", { code: call.result.result })} />
              {call.result.result_label && <span className="muted"> ({call.result.result})</span>}
            </p>
          )}
          <StoryBlocks.Provider value={blocks}>
            <CallDetails call={call} scenarioName={call.scenario ? scenarioName(call.scenario) : undefined} />
          </StoryBlocks.Provider>
        </>
      )}
    </DetailPanel>
  );
}

/**
 * The list's query as the downloads take it (CallDownloads): its scenario, none for every one; its clock, which its
 * range is read on and the files written on; and the rest of its filters, a number or a name, a UniqueID, a status...
 */
export function downloadsOf({ scenario, tz, ...filters }: api.RegisterQuery): CallDownloadsProps {
  return { slug: scenario ?? null, zone: tz, query: filters };
}

/** The register's query: api/client.ts's, with the filters on errors and on a callback job it hands on. */
type PageQuery = api.RegisterQuery;

/** The register's first page for a query. */
const firstCalls = (query: PageQuery) => api.callRegister(query);

/** The page after those shown, added to them; null when the register holds no older calls. */
const olderCalls = (query: PageQuery, shown: CallPage) =>
  shown.next_cursor
    ? api.callRegister(query, shown.next_cursor).then((page) => ({ items: withOlderPage(shown.items, page), next_cursor: page.next_cursor }))
    : null;

/** Why a call could not be opened: no such call, or the server's failure. */
const callFailureText = (t: Translate, id: string, missing: boolean, message: string) =>
  missing ? t("callsPage.notFound", { call: id }) : t("callsPage.callFailed", { message });

/** The page with its state, which lives in the address (`query`: what follows "#/calls?"). */
export function CallsPage({ query, user }: { query: string; user: User }) {
  const { t, language } = useI18n();
  const zone = api.browserTimeZone();
  const view = useMemo(() => parseCallsView(query), [query]);
  const path = callsPath(view);

  const { form, change, go, applyNow } = useAddressForm(view.filters, path, (filters) => callsPath({ filters, call: view.call }));
  /** Open call `id` ("": close it) over the filters applied: a new entry of the address, which Back closes. */
  const openCall = (id: string) => go(callsPath({ filters: view.filters, call: id }), false);

  const { scenarios, names } = useScenarioChoices();
  useEffect(() => {
    // The story names block types and exits by the catalog, which only the editor loads otherwise.
    if (useEditor.getState().catalogList.length === 0) api.blocks().then((specs) => useEditor.getState().setCatalog(specs), () => undefined);
  }, []);

  // -- the list ---------------------------------------------------------------------------------------------------
  const planned = registerQuery(view.filters, zone);
  const [reloads, setReloads] = useState(0);
  const list = usePagedList("query" in planned ? planned.query : null, reloads, firstCalls, olderCalls);
  const { loading, failed, shown } = list;
  const problem = "refusal" in planned ? t("callsPage.fromAfterTo") : failed !== undefined ? listFailureText(t, failed, zone) : null;

  // -- the call opened --------------------------------------------------------------------------------------------
  const openNow = useOpenedItem(view.call, reloads, openedCall, callFailureText);
  function closeCall() {
    const id = view.call;
    openCall("");
    focusBack(`tr[data-call-id="${CSS.escape(id)}"] button`, ".calls-page h1");
  }

  const count = shown ? countNote(shown.items.length, shown.next_cursor) : null;
  return (
    <StoryBlocks.Provider value={NO_BLOCKS}>
      <section className={`list-page calls-page${view.call ? " with-detail" : ""}`} data-testid="calls-page">
        <div className="calls-page-list">
          <h1 tabIndex={-1}>{t("calls.title")}</h1>
          <RegisterForm filters={form} scenarios={scenarios} zone={zone} onChange={change} onSubmit={applyNow} names={user.sees_personal_data} />
          <div className="row calls-page-tools">
            <OpenById onOpen={openCall} />
            <span className="spacer" />
            <button type="button" onClick={() => setReloads((n) => n + 1)}>
              {t("calls.refresh")}
            </button>
            {/* The calls the list shows, all of them; none while its range is refused. */}
            {"query" in planned && <CallDownloads {...downloadsOf(planned.query)} />}
          </div>
          {!user.sees_personal_data && <p className="hint" data-testid="calls-masked">{t("callsPage.masked")}</p>}
          <ListStatus
            testId="calls"
            problem={problem}
            loading={loading}
            loadingText={t("callsPage.loading")}
            shownCount={shown ? shown.items.length : null}
            countText={count ? t(count.key, { calls: countText(language, "call", count.count) }) : ""}
            noneText={t(hasRegisterFilters(view.filters) ? "calls.noneMatching" : "callsPage.none")}
            more={Boolean(shown?.next_cursor)}
            loadingMore={list.loadingMore}
            onMore={() => void list.loadMore()}
            moreText={t("calls.loadMore")}
          >
            {shown && <CallTable items={shown.items} openId={view.call || null} onOpen={(call) => openCall(call.id)} scenarios={names} />}
          </ListStatus>
        </div>
        {view.call && <CallDetailPanel opened={openNow} scenarioName={(slug) => names.get(slug) ?? slug} onClose={closeCall} />}
      </section>
    </StoryBlocks.Provider>
  );
}
