/** Recorded calls of this scenario; opening one draws its path on the canvas. */
import { useEffect, useMemo, useRef, useState } from "react";
import * as api from "../api/client";
import type { CallSummary, TraceStep } from "../api/types";
import { useI18n } from "../i18n";
import { sameFlow } from "../lib/compare";
import { toScenario, type ScenarioDocument } from "../lib/convert";
import { formatDateTime } from "../lib/format";
import { hiddenText } from "../lib/hiddenText";
import { codeText, countText } from "../lib/i18n";
import { useEditor } from "../store/editor";
import { CallEnding, CallStory } from "./CallStory";
import {
  CALL_STATUSES,
  callerName,
  callNumbers,
  countNote,
  filterQuery,
  hasFilters,
  NO_FILTERS,
  withOlderPage,
  type CallFilters,
  type CallStatus,
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
export function CallDetails({ call, draftMatches = null }: { call: OpenCall; draftMatches?: boolean | null }) {
  const { t } = useI18n();
  const note = versionNote(call.version, draftMatches);
  return (
    <div data-testid="call-steps">
      {/* The canvas shows the draft; the call ran a published version, maybe another flow: said only if it is. */}
      {note && (
        <p className="hint" data-testid="version-note" data-draft-matches={draftMatches === null ? undefined : String(draftMatches)}>
          {t(note.key, { version: note.version })}
        </p>
      )}
      <CallEnding outcome={call.outcome} error={call.error} steps={call.steps} />
      {call.uniqueid && (
        <p className="muted small" data-testid="call-uniqueid">
          {t("calls.asteriskChannel", { uniqueid: call.uniqueid })}
        </p>
      )}
      <h3>{t("test.story")}</h3>
      <CallStory steps={call.steps} startedAt={call.startedAt} />
    </div>
  );
}

/**
 * The register's status of a call (persistence/calls.py `derive_status`) is a PBX's word for it: "answered" for
 * any call picked up that the scenario ended, whether it hung up or an exit led nowhere. It is not the outcome,
 * and is said in the outcome's tooltip; shown under it only where the outcome does not tell: a call never picked
 * up, one that scheduled a callback, or a caller who hung up waiting for an operator (a transfer ringing or
 * queued) rather than in the menu, which call-centre reports count apart.
 */
const STATUS_SHOWN = new Set(["missed", "callback_scheduled", "abandoned_waiting"]);

/** How a recorded call ended, as its detail says it, with its register status where that tells more. */
export function CallOutcome({ call }: { call: Pick<CallSummary, "outcome" | "status"> }) {
  const { t } = useI18n();
  const status = codeText(t, "status", call.status);
  return (
    <td className="call-outcome" data-outcome={call.outcome} title={t("calls.registerStatus", { status })}>
      {codeText(t, "outcome", call.outcome)}
      {STATUS_SHOWN.has(call.status) && <span className="muted small call-status">{status}</span>}
    </td>
  );
}

/**
 * Who called, with their CallerID name when the trunk sent one (`callerName`: supervisors know clients by name), and,
 * where it tells more (`callNumbers`), "→" and the number the call rang, on a line of its own: the column is only as
 * wide as the longer number, which a side panel has room for (a long name is cut short there, and shown whole on
 * hover).
 */
export function CallNumbers({ call }: { call: Pick<CallSummary, "caller_id" | "caller_name" | "dialed_number"> }) {
  const { t, language } = useI18n();
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
 * The recorded calls, newest first. "Outcome" is how the call ended, the words its detail uses. "Answer" is the
 * flow's `result` (will_pay, confirmed...): what a campaign is reported by, so it sits beside how the call ended.
 */
export function CallTable(props: { items: CallSummary[]; openId: string | null; onOpen(call: CallSummary): void }) {
  const { t, language } = useI18n();
  // Scrolled sideways within the side panel when its numbers are long (international ones, the dialled under
  // the caller), rather than cut off at its edge.
  return (
    <div className="calls-scroll">
      <table className="calls">
        <thead>
          <tr>
            <th>{t("calls.when")}</th>
            <th>{t("calls.caller")}</th>
            <th>{t("calls.outcome")}</th>
            <th>{t("calls.result")}</th>
            <th>{t("calls.version")}</th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((call) => (
            <tr key={String(call.id)} className={props.openId === call.id ? "open" : undefined}>
              <td>
                <button type="button" className="link" onClick={() => props.onOpen(call)} title={t("calls.open")}>
                  {/* Digits, to fit the side panel; with the seconds, to tell apart calls a minute apart. */}
                  {formatDateTime(call.started_at, language, "shortDateTimeSeconds")}
                </button>
              </td>
              <CallNumbers call={call} />
              <CallOutcome call={call} />
              <td data-testid="call-result">{call.result ?? ""}</td>
              <td>{call.version ? `v${call.version}` : ""}</td>
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
  };
}

/** How long typing in a text filter pauses before the list is asked again: not a request per key. */
const TYPING_PAUSE_MS = 400;

/**
 * The filters above the list, two to a row to fit the side panel: the days (on the browser's clock), the register
 * status, a number (the caller, or the client a callback or campaign rang) or the caller's name (`callerQuery`), and
 * the flow's answer. A day or a status applies at once, typed text once the typing pauses (`typed`).
 */
export function CallFiltersForm(props: { filters: CallFilters; onChange(next: CallFilters, typed?: boolean): void }) {
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
      <label>
        {t("calls.callerSearch")}
        <input
          type="search"
          value={filters.caller}
          placeholder={t("calls.callerSearchHint")}
          title={t("calls.callerSearchHint")}
          onChange={(e) => set({ caller: e.target.value }, true)}
        />
      </label>
      <label>
        {t("calls.result")}
        <input type="search" value={filters.result} onChange={(e) => set({ result: e.target.value }, true)} />
      </label>
      {hasFilters(filters) && (
        <button type="button" className="link" onClick={() => props.onChange(NO_FILTERS)}>
          {t("calls.clearFilters")}
        </button>
      )}
    </div>
  );
}

/**
 * The calls the list shows, every one of them, to download: the same filters, on the browser's clock. As CSV, split
 * as the browser's locale suggests its Excel splits; or as an Excel workbook, whose typed cells need no splitting.
 */
export function CallDownloads({ slug, query }: { slug: string; query: api.CallFilterQuery }) {
  const { t } = useI18n();
  const tz = api.browserTimeZone();
  return (
    <>
      <a className="button" href={api.callsCsvUrl(slug, tz, api.browserCsvDelimiter(), query)} download>
        {t("calls.download")}
      </a>
      <a className="button" href={api.callsXlsxUrl(slug, tz, query)} download>
        {t("calls.downloadXlsx")}
      </a>
    </>
  );
}

export function CallsPanel({ slug }: { slug: string }) {
  const { t, language } = useI18n();
  const [items, setItems] = useState<CallSummary[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [open, setOpen] = useState<OpenCall | null>(null);
  const [error, setError] = useState<string | null>(null);
  const showPath = useEditor((s) => s.showPath);
  // The draft as last edited (not the selection): the version note follows edits made while a call is open.
  const draft = useEditor((s) => s.history.present);
  const draftMatches = useMemo(() => (open?.published ? sameFlow(open.published, toScenario(draft)) : null), [open, draft]);

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

  async function openCall(call: CallSummary) {
    try {
      const opened = await openedCall(call.id);
      setOpen(opened);
      showPath(opened.steps);
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
      <CallFiltersForm filters={filters} onChange={changeFilters} />
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
