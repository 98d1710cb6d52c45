/** Recorded calls of this scenario; opening one draws its path on the canvas. */
import { useEffect, useMemo, useRef, useState } from "react";
import * as api from "../api/client";
import type { CallSummary, TraceStep } from "../api/types";
import { useI18n } from "../i18n";
import { specTitle } from "../lib/blockText";
import { sameFlow } from "../lib/compare";
import { toScenario, type ScenarioDocument } from "../lib/convert";
import { copyText } from "../lib/copyText";
import { formatDateTime } from "../lib/format";
import { hiddenText } from "../lib/hiddenText";
import { codeText, countText } from "../lib/i18n";
import { resultChoices, type ResultChoice } from "../lib/resultFields";
import { useEditor } from "../store/editor";
import { jobHref } from "./callbackJobs";
import { callHref, campaignJobsHref, canvasHref, unconnectedTransferNote } from "./callRegister";
import { CallerSearchField } from "./CallerSearchField";
import { CallEnding, CallStory } from "./CallStory";
import { CallSaveAsTest } from "./CallSaveAsTest";
import { CallVersionNote, showCallPath } from "./CallVersionView";
import { EndVariables } from "./EndVariables";
import { statusNote, type NotedCall } from "./callStatusNote";
import { CodeSelect, ResultText } from "./callPageParts";
import { ResultFilter } from "./ResultFilter";
import { useBesideCanvas } from "./storyBlocks";
import "./callPages.css";
import {
  CALL_STATUSES,
  callerName,
  callNumbers,
  countNote,
  ERRORS_CHOICES,
  errorSteps,
  filterQuery,
  hasFilters,
  NO_FILTERS,
  outboundParty,
  withOlderPage,
  type CallFilters,
  type CallStatus,
  type ErrorsChoice,
} from "./callFilters";

/** What the panel keeps of an opened call record. */
export interface OpenCall {
  id: string;
  version: number | null;
  outcome: string;
  /** Why the call failed, as the server recorded it; null when nothing went wrong. */
  error: string | null;
  steps: TraceStep[];
  /** When the call began (the step times count from it); else its first step's time. */
  startedAt?: string | null;
  /** The document of the version the call ran, when it could be fetched. */
  published?: ScenarioDocument | null;
  /** Asterisk's UNIQUEID of the channel, what its CDR shows: empty for calls recorded before it was kept. */
  uniqueid?: string;
  /** Asterisk's name of the channel (`PJSIP/trunk-0000002a`), as `core show channels` and its log name it. */
  channel?: string;
  /** The scenario (slug) the call came into. */
  scenario?: string;
  /** The callback job the dialer placed this call for. */
  callbackJobId?: string | null;
  /** The campaign whose call list holds that job, and its name ("" for none given); null: none. */
  campaignId?: string | null;
  campaignName?: string | null;
  /** The call whose Callback block scheduled that job. */
  originCallId?: string | null;
  /** The callback jobs this call asked for (scheduled, or joined while one waited), in that order; null: not known. */
  scheduledJobIds?: string[] | null;
  /** Who called and whom the call rang, as the list shows them: for a call opened by its id, not from the list. */
  numbers?: Pick<CallSummary, "caller_id" | "caller_name" | "dialed_number" | "callback_job_id">;
  /** The flow's `result` and what its scenario calls it (`will_pay`, `Pagará`), as the list shows them. */
  result?: Pick<CallSummary, "result" | "result_label">;
  /** The call's variables at its end, masked as the API masks them for the user's role. */
  variables?: Record<string, unknown> | null;
}

/** What to say of the version a call ran beside the draft the canvas shows; null: nothing (no version). */
export function versionNote(version: number | null, draftMatches: boolean | null) {
  if (version === null) return null;
  if (draftMatches === null) return { key: "calls.ranVersion", version } as const; // not known: say what is shown
  return { key: draftMatches ? "calls.ranVersionSame" : "calls.ranVersionDiffers", version } as const;
}

/**
 * An opened call: which version ran, how it ended and why, and what happened at each step (what the caller
 * heard and pressed, the exits taken), the story the Test call tells of a simulated call. `draftMatches`: whether the
 * draft on the canvas is that version's flow (positions aside); null when not known.
 */
export function CallDetails({ call, draftMatches = null, scenarioName }: { call: OpenCall; draftMatches?: boolean | null; scenarioName?: string }) {
  const { t } = useI18n();
  return (
    <div data-testid="call-steps">
      <CallVersionNote call={call} draftMatches={draftMatches} />
      <CallEnding outcome={call.outcome} error={call.error} steps={call.steps} />
      <CallIdentity call={call} />
      <CallLinks call={call} scenarioName={scenarioName} />
      <h3>{t("test.story")}</h3>
      <CallStory steps={call.steps} startedAt={call.startedAt} outcome={call.outcome} />
      <EndVariables variables={call.variables} />
      <CallSaveAsTest call={call} />
    </div>
  );
}

/**
 * What names the call outside the designer: its id, which every log line of the call carries (`call_id`), to copy
 * into a search of the logs; Asterisk's UniqueID, what its CDR and CEL name the channel by; and the channel's name
 * (`PJSIP/trunk-0000002a`), what Asterisk's own log and `core show channels` say. The two Asterisk ones are empty for
 * calls recorded before they were kept.
 */
export function CallIdentity({ call }: { call: Pick<OpenCall, "id" | "uniqueid" | "channel"> }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = async () => setCopied(await copyText(call.id));
  return (
    <dl className="call-identity small" data-testid="call-identity">
      <div>
        <dt>{t("calls.callId")}</dt>
        <dd>
          <code className="call-id" data-testid="call-id">{call.id}</code>{" "}
          <button type="button" className="link" onClick={() => void copy()} aria-label={t("calls.copyCallId")}>
            {t("calls.copy")}
          </button>{" "}
          {/* Present (empty) from the start, so a screen reader hears "Copied" when it comes. */}
          <span role="status" className="muted" data-testid="call-id-copied">
            {copied === null ? "" : t(copied ? "calls.copied" : "calls.copyFailed")}
          </span>
        </dd>
      </div>
      {call.uniqueid && (
        <div>
          <dt>{t("calls.uniqueid")}</dt>
          <dd><code data-testid="call-uniqueid">{call.uniqueid}</code></dd>
        </div>
      )}
      {call.channel && (
        <div>
          <dt>{t("calls.channel")}</dt>
          <dd><code data-testid="call-channel">{call.channel}</code></dd>
        </div>
      )}
    </dl>
  );
}

/**
 * Where else the call leads: the callback jobs it asked for (the client's "you promised to call me back": did
 * anyone?), the callback job the dialer placed it for, the call that scheduled that job, and the call itself
 * elsewhere: beside the canvas, its own address on the Calls page (a link to send a colleague); on the Calls page,
 * its path drawn on its scenario's canvas, the scenario named as the analyst named it (`scenarioName`), its slug
 * only when the name is not known: a transliterated slug read like noise in a Russian sentence.
 */
export function CallLinks({
  call,
  scenarioName,
}: {
  call: Pick<OpenCall, "id" | "scenario" | "callbackJobId" | "campaignId" | "campaignName" | "originCallId" | "scheduledJobIds">;
  scenarioName?: string;
}) {
  const { t } = useI18n();
  const beside = useBesideCanvas();
  return (
    <ul className="call-links small" data-testid="call-links">
      {(call.scheduledJobIds ?? []).map((job) => (
        <li key={job}>
          <a href={jobHref(job)} data-testid="call-scheduled-job-link">
            {t("calls.askedForJob", { job })}
          </a>
        </li>
      ))}
      {call.callbackJobId && (
        <li>
          <a href={jobHref(call.callbackJobId)} data-testid="call-job-link">{t("calls.placedForJob", { job: call.callbackJobId })}</a>
        </li>
      )}
      {call.campaignId && (
        <li>
          <a href={campaignJobsHref(call.campaignId, call.callbackJobId ?? "")} data-testid="call-campaign-link">
            {t("calls.campaignClients", { campaign: call.campaignName || call.campaignId })}
          </a>
        </li>
      )}
      {call.originCallId && (
        <li>
          <a href={callHref(call.originCallId)} data-testid="call-origin-link">{t("calls.scheduledByCall", { call: call.originCallId })}</a>
        </li>
      )}
      {beside ? (
        <li>
          <a href={callHref(call.id)} data-testid="call-page-link">{t("calls.openOnPage")}</a>
        </li>
      ) : (
        call.scenario && (
          <li>
            <a href={canvasHref(call.scenario, call.id)} data-testid="call-canvas-link">{t("calls.viewOnCanvas", { scenario: scenarioName || call.scenario })}</a>
          </li>
        )
      )}
    </ul>
  );
}

/**
 * How a recorded call ended, as its detail says it, with what its register status adds under it where that tells
 * more (`statusNote`: a caller who hung up, in the menu or while a transfer rang, as call-centre reports count them
 * apart; a transfer that connected no one before the flow ended the call: `unconnectedTransferNote`), and a mark
 * when a step took its block's error exit: a data source that failed while the caller went on by
 * the fallback ends "completed", and is what a supervisor looks for. The register's status itself (persistence/
 * calls.py `derive_status`, a PBX's word: "answered" for any call picked up that the scenario ended) is in the
 * outcome's tooltip.
 */
export function CallOutcome({ call }: { call: Pick<CallSummary, "error_steps" | "transfer_outcome"> & NotedCall }) {
  const { t, language } = useI18n();
  const catalog = useEditor((s) => s.catalog);
  const status = codeText(t, "status", call.status);
  const note =
    statusNote(t, call, (type) => specTitle(language, type, catalog.get(type))) ??
    unconnectedTransferNote(t, call.outcome, call.transfer_outcome);
  return (
    <td className="call-outcome" data-outcome={call.outcome} title={t("calls.registerStatus", { status })}>
      {codeText(t, "outcome", call.outcome)}
      {note && <span className="muted small call-status">{note}</span>}
      <ErrorStepsMark call={call} />
    </td>
  );
}

/**
 * "⚠ 2 errors" under the outcome of a call where steps took their block's error exit, said in full to a screen reader
 * and on hover ("2 steps took an error exit"); nothing where none did, nor where it is not known.
 */
export function ErrorStepsMark({ call }: { call: Pick<CallSummary, "error_steps"> }) {
  const { language } = useI18n();
  const count = errorSteps(call);
  if (count === null) return null;
  const said = countText(language, "errorStep", count);
  return (
    <span className="call-error-steps" role="img" aria-label={said} title={said} data-testid="call-error-steps">
      {/* U+FE0E: the warning sign drawn as text, in the mark's colour, not as an emoji. */}
      {`\u26a0\ufe0e ${countText(language, "error", count)}`}
    </span>
  );
}

/** The filter on errors, as both call lists offer it: every call, those where a step took an error exit, or not. */
export function ErrorsSelect({ value, onChange }: { value: ErrorsChoice | ""; onChange(choice: ErrorsChoice | ""): void }) {
  const { t } = useI18n();
  return (
    <CodeSelect
      label={t("calls.errors")}
      anyText={t("calls.anyErrors")}
      value={value}
      codes={ERRORS_CHOICES}
      text={(choice) => t(choice === "true" ? "calls.withErrors" : "calls.withoutErrors")}
      about={(choice) => t(choice === "true" ? "calls.withErrorsAbout" : "calls.withoutErrorsAbout")}
      onChange={onChange}
    />
  );
}

/**
 * Who called, with their CallerID name when the trunk sent one (`callerName`: supervisors know clients by name), and,
 * where it tells more (`callNumbers`), "→" and the number the call rang, on a line of its own: the column is only as
 * wide as the longer number, which a side panel has room for (a long name is cut short there, and shown whole on
 * hover).
 */
export function CallNumbers({ call }: { call: Pick<CallSummary, "caller_id" | "caller_name" | "dialed_number" | "callback_job_id"> }) {
  const { t, language } = useI18n();
  const outbound = outboundParty(call);
  if (outbound) return <OutboundNumbers party={outbound} ourNumber={call.caller_id.trim()} />;
  const { caller, dialled } = callNumbers(call);
  // For a user without access to personal data the API masks the name ("[hidden]"): said in their language.
  const given = callerName(call);
  const name = given && hiddenText(given, language);
  return (
    <td className="call-numbers" data-testid="call-numbers" title={dialled ? t("calls.dialled", { caller, dialled }) : undefined}>
      {caller}
      {name && (
        <>
          {" "}
          <span className="call-name" data-testid="call-name" title={name}>
            {name}
          </span>
        </>
      )}
      {dialled && (
        <>
          {"\u00a0→"}
          <span className="call-dialled" data-testid="call-dialled">
            {dialled}
          </span>
        </>
      )}
    </td>
  );
}

/**
 * A call the dialer placed, as ours: "outbound → Смирнов Алексей (89165556677)", the number alone when the client has
 * no name. Our CallerID, the same on every such row, is said on hover only.
 */
function OutboundNumbers({ party, ourNumber }: { party: NonNullable<ReturnType<typeof outboundParty>>; ourNumber: string }) {
  const { t, language } = useI18n();
  const name = party.name && hiddenText(party.name, language);
  const title = t(ourNumber ? "calls.outboundFrom" : "calls.outboundCall", { caller: ourNumber });
  return (
    <td className="call-numbers" data-testid="call-numbers" data-direction="outbound" title={title}>
      <span className="call-direction muted">{t("calls.outbound")}</span>
      {(name || party.number) && " → "}
      {name && (
        <span className="call-name" data-testid="call-name" title={name}>
          {name}
        </span>
      )}
      {name && party.number && " "}
      {party.number && <span className="call-dialled" data-testid="call-dialled">{name ? `(${party.number})` : party.number}</span>}
    </td>
  );
}

/**
 * The recorded calls, newest first. "Outcome" is how the call ended, the words its detail uses. "Answer" is the
 * flow's `result` (will_pay, confirmed...): what a campaign is reported by, so it sits beside how the call ended.
 */
export function CallTable(props: {
  items: CallSummary[];
  openId: string | null;
  onOpen(call: CallSummary): void;
  /** Calls of every scenario (the Calls page): a Scenario column, each named by its name when known (else its slug). */
  scenarios?: ReadonlyMap<string, string>;
}) {
  const { t, language } = useI18n();
  const beside = useBesideCanvas();
  const { scenarios } = props;
  // Beside the canvas (340 px) the version a call ran is written under when it began, not in a column of its own:
  // five columns did not fit, and the last header read "Versio" at 1280 px ("Versión", "Версия" cut further).
  const versionColumn = !beside;
  // Scrolled sideways within the side panel when its numbers are long (international ones, the dialled under
  // the caller), rather than cut off at its edge.
  return (
    <div className="calls-scroll">
      <table className="calls">
        <thead>
          <tr>
            <th>{t("calls.when")}</th>
            {scenarios && <th>{t("calls.scenario")}</th>}
            <th>{t("calls.caller")}</th>
            <th>{t("calls.outcome")}</th>
            <th>{t("calls.result")}</th>
            {versionColumn && <th>{t("calls.version")}</th>}
          </tr>
        </thead>
        <tbody>
          {props.items.map((call) => (
            <tr
              key={String(call.id)}
              className={props.openId === call.id ? "open" : undefined}
              aria-current={props.openId === call.id || undefined}
              data-call-id={call.id}
            >
              <td>
                <button type="button" className="link" onClick={() => props.onOpen(call)} title={t(beside ? "calls.open" : "calls.openCall")}>
                  {/* Digits, to fit the side panel; with the seconds, to tell apart calls a minute apart. */}
                  {formatDateTime(call.started_at, language, "shortDateTimeSeconds")}
                </button>
                {!versionColumn && call.version ? (
                  <span className="call-version" data-testid="call-version">
                    <span className="sr-only">{`${t("calls.version")} ${call.version}`}</span>
                    <span aria-hidden="true">v{call.version}</span>
                  </span>
                ) : null}
              </td>
              {scenarios && (
                <td className="call-scenario" title={call.scenario}>
                  {scenarios.get(call.scenario) ?? call.scenario}
                </td>
              )}
              <CallNumbers call={call} />
              <CallOutcome call={call} />
              <td data-testid="call-result">
                <ResultText result={call.result} label={call.result_label} codeTitle={t("calls.resultCode", { code: call.result ?? "" })} />
              </td>
              {versionColumn && <td>{call.version ? `v${call.version}` : ""}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A recorded call, opened: its detail, and the document of the version it ran, fetched through the call itself.
 * By the scenario's slug and the call's `v<n>` it would be another scenario's once the slug was deleted and created
 * again, which the panel would then compare the call with (review of 2026-12-06).
 */
export async function openedCall(id: string): Promise<OpenCall> {
  const detail = await api.call(id);
  const steps: TraceStep[] = detail.trace?.steps ?? [];
  // Only to compare with the draft: without it the note says which version ran, no more.
  const published = detail.version === null ? null : await api.callVersionDocument(id).catch(() => null);
  return {
    id,
    version: detail.version,
    outcome: detail.outcome,
    error: detail.error,
    steps,
    startedAt: detail.trace?.started_at ?? detail.started_at,
    published,
    uniqueid: detail.asterisk_uniqueid,
    channel: detail.channel,
    scenario: detail.scenario,
    callbackJobId: detail.callback_job_id,
    campaignId: detail.campaign_id ?? null,
    campaignName: detail.campaign_name ?? null,
    originCallId: detail.origin_call_id,
    scheduledJobIds: detail.scheduled_job_ids ?? null,
    numbers: { caller_id: detail.caller_id, caller_name: detail.caller_name, dialed_number: detail.dialed_number, callback_job_id: detail.callback_job_id },
    result: { result: detail.result, result_label: detail.result_label },
    variables: detail.variables,
  };
}

/** How long typing in a text filter pauses before the list is asked again: not a request per key. */
const TYPING_PAUSE_MS = 400;

/**
 * The results the Calls tab offers as answers: those the scenario's draft declares, as the editor holds it (each code
 * once, none still without a code). The calls ran published versions, which record the same codes; one the draft no
 * longer declares is still found under "Another code…".
 */
export function panelResults(declared: readonly ResultChoice[] | undefined): ResultChoice[] {
  return resultChoices(declared ?? []).map(({ code, label }) => ({ code, label }));
}

/**
 * The filters above the list, two to a row to fit the side panel: the days (on the browser's clock), the register
 * status, a number (the caller, or the client a callback or campaign rang) or the caller's name (`callerQuery`), the
 * flow's answer (`results`: those the scenario declares, offered by label as the register does), and whether a step
 * took its block's error exit. A day or a choice applies at once, typed text once the typing pauses (`typed`).
 */
export function CallFiltersForm(props: {
  filters: CallFilters;
  onChange(next: CallFilters, typed?: boolean): void;
  names?: boolean;
  results?: readonly ResultChoice[];
}) {
  const { t } = useI18n();
  const { filters } = props;
  const set = (patch: Partial<CallFilters>, typed = false) => props.onChange({ ...filters, ...patch }, typed);
  return (
    <div className="calls-filters" role="group" aria-label={t("calls.filters")} data-testid="call-filters">
      <label>
        {t("calls.from")}
        <input type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => set({ from: e.target.value })} />
      </label>
      <label>
        {t("calls.to")}
        <input type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => set({ to: e.target.value })} />
      </label>
      <label>
        {t("calls.status")}
        <select value={filters.status} onChange={(e) => set({ status: e.target.value as CallStatus | "" })}>
          <option value="">{t("calls.anyStatus")}</option>
          {CALL_STATUSES.map((status) => (
            <option key={status} value={status}>
              {codeText(t, "status", status)}
            </option>
          ))}
        </select>
      </label>
      <CallerSearchField value={filters.caller} onChange={(caller) => set({ caller }, true)} names={props.names} />
      <ResultFilter value={filters.result} results={props.results ?? []} onChange={(result, typed) => set({ result }, typed)} />
      <ErrorsSelect value={filters.withErrors} onChange={(withErrors) => set({ withErrors })} />
      {hasFilters(filters) && (
        <button type="button" className="link" onClick={() => props.onChange(NO_FILTERS)}>
          {t("calls.clearFilters")}
        </button>
      )}
    </div>
  );
}

/** What CallDownloads downloads: the calls of scenario `slug` (null: of every scenario) that `query` picks. */
export interface CallDownloadsProps {
  slug?: string | null;
  query: api.CallExportFilters;
  /** The clock the list reads its range on and the files are written on: the browser's unless given. */
  zone?: string;
}

/**
 * The calls the list shows, every one of them, to download: the same scenario (or every one) and filters, on the
 * list's clock, titled and labelled in the designer's language. As CSV, split as the browser's locale suggests its
 * Excel splits; or as an Excel workbook, whose typed cells need no splitting.
 */
export function CallDownloads({ slug = null, query, zone }: CallDownloadsProps) {
  const { t, language } = useI18n();
  const tz = zone ?? api.browserTimeZone();
  return (
    <>
      <a className="button" href={api.callsCsvUrl(slug, tz, api.browserCsvDelimiter(), query, language)} download>
        {t("calls.download")}
      </a>
      <a className="button" href={api.callsXlsxUrl(slug, tz, query, language)} download>
        {t("calls.downloadXlsx")}
      </a>
    </>
  );
}

/**
 * The scenario's calls. `initialCall`: a call the address names (`#/s/<slug>?call=<id>`, the Calls page's "show on
 * the canvas"), opened with its path lit as soon as the panel is up. `names`: whether its caller search offers
 * names (the user's `sees_personal_data`).
 */
export function CallsPanel({ slug, initialCall = null, names = true }: { slug: string; initialCall?: string | null; names?: boolean }) {
  const { t, language } = useI18n();
  const [items, setItems] = useState<CallSummary[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [open, setOpen] = useState<OpenCall | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The draft as last edited (not the selection): the version note follows edits made while a call is open.
  const draft = useEditor((s) => s.history.present);
  const draftMatches = useMemo(() => (open?.published ? sameFlow(open.published, toScenario(draft)) : null), [open, draft]);
  const declared = useEditor((s) => s.head.results);
  const results = useMemo(() => panelResults(declared), [declared]);

  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((n) => n + 1);

  // The filters as set in the form, and as the list (and its CSV) last applied them.
  const [filters, setFilters] = useState<CallFilters>(NO_FILTERS);
  const [applied, setApplied] = useState<CallFilters>(NO_FILTERS);
  const typing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(typing.current), []);
  const query = useMemo(() => filterQuery(applied, api.browserTimeZone()), [applied]);
  function changeFilters(next: CallFilters, typed = false) {
    setFilters(next);
    clearTimeout(typing.current);
    if (typed) typing.current = setTimeout(() => setApplied(next), TYPING_PAUSE_MS);
    else setApplied(next);
  }

  // Which list is shown: an older page asked for before the filters changed (or a refresh) is not added to another.
  const shownList = useRef(0);
  useEffect(() => {
    let cancelled = false;
    shownList.current += 1;
    api.calls(slug, query).then(
      (page) => {
        if (cancelled) return;
        setItems(page.items);
        setNextCursor(page.next_cursor);
        setError(null);
      },
      (e: unknown) => !cancelled && setError(t("error.generic", { message: e instanceof Error ? e.message : String(e) })),
    );
    return () => {
      cancelled = true;
    };
  }, [slug, t, reloads, query]);

  async function loadMore() {
    if (!nextCursor) return;
    const list = shownList.current;
    setLoadingMore(true);
    try {
      const page = await api.calls(slug, query, nextCursor);
      if (list !== shownList.current) return;
      setItems((shown) => withOlderPage(shown, page));
      setNextCursor(page.next_cursor);
    } catch (e) {
      setError(t("error.generic", { message: e instanceof Error ? e.message : String(e) }));
    } finally {
      setLoadingMore(false);
    }
  }

  useEffect(() => {
    if (!initialCall) return;
    let cancelled = false;
    openedCall(initialCall).then(
      (opened) => {
        if (cancelled) return;
        // Another scenario's call would light blocks of this canvas that it never went through.
        if (opened.scenario !== undefined && opened.scenario !== slug) {
          setError(t("calls.otherScenarioCall", { call: opened.id, scenario: opened.scenario }));
          return;
        }
        setOpen(opened);
        showCallPath(opened);
        // The story is under the list: brought into sight, as a click on its row would have been after a look.
        requestAnimationFrame(() => document.querySelector('[data-testid="calls-panel"] [data-testid="call-steps"]')?.scrollIntoView({ block: "start" }));
      },
      (e: unknown) => !cancelled && setError(t("error.generic", { message: e instanceof Error ? e.message : String(e) })),
    );
    return () => {
      cancelled = true;
    };
  }, [initialCall, slug, t]);

  async function openCall(call: CallSummary) {
    try {
      const opened = await openedCall(call.id);
      setOpen(opened);
      showCallPath(opened);
    } catch (e) {
      setError(t("error.generic", { message: e instanceof Error ? e.message : String(e) }));
    }
  }

  const count = countNote(items.length, nextCursor);
  return (
    <div className="calls-panel" data-testid="calls-panel">
      <div className="row">
        <h2>{t("calls.title")}</h2>
        <button type="button" onClick={reload}>{t("calls.refresh")}</button>
        <CallDownloads slug={slug} query={query} />
      </div>
      <CallFiltersForm filters={filters} onChange={changeFilters} names={names} results={results} />
      {error && <p role="alert" className="error-text">{error}</p>}
      {items.length === 0 && !error && <p className="muted">{t(hasFilters(applied) ? "calls.noneMatching" : "calls.none")}</p>}
      {items.length > 0 && (
        <p className="muted small calls-count" data-testid="calls-count">
          {t(count.key, { calls: countText(language, "call", count.count) })}
        </p>
      )}
      <CallTable items={items} openId={open?.id ?? null} onOpen={openCall} />
      {nextCursor && (
        <button type="button" className="calls-more" onClick={loadMore} disabled={loadingMore}>
          {t("calls.loadMore")}
        </button>
      )}
      {open && <CallDetails call={open} draftMatches={draftMatches} />}
    </div>
  );
}
