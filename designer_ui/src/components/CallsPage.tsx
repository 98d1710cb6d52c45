/**
 * The Calls page (#/calls): a support engineer's "she called yesterday around 15:40 from +34600111222". The register
 * of every scenario (one, if chosen) between two times on the browser's clock, found by a number or a caller's
 * name, by Asterisk's UniqueID (a CDR line), by status or answer, or one call opened by its id (a log line); a page
 * at a time. What it shows is kept in its address, so the link pasted into a ticket opens the same calls and call.
 * An opened call tells its story as the editor's Calls tab does, with links to its path on its scenario's canvas
 * and to the callback jobs it scheduled or was placed for.
 */
import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { CallPage, User } from "../api/types";
import { useI18n } from "../i18n";
import { fromScenario, type BlockNode } from "../lib/convert";
import { formatDateTime } from "../lib/format";
import { hiddenText } from "../lib/hiddenText";
import { codeText, countText } from "../lib/i18n";
import { useEditor } from "../store/editor";
import { CallDetails, CallTable, openedCall, type OpenCall } from "./CallsPanel";
import { CALL_STATUSES, callerName, callNumbers, countNote, withOlderPage, type CallStatus } from "./callFilters";
import {
  callsPath,
  hasRegisterFilters,
  NO_REGISTER_FILTERS,
  parseCallsView,
  registerQuery,
  type RegisterFilters,
} from "./callRegister";
import { StoryBlocks } from "./storyBlocks";
import { listFailureText } from "./pageFailure";
import { useAddressForm } from "./useAddressForm";
import "./callPages.css";

/** The list is not beside a canvas: its rows say "Open the call", not "Show path" (storyBlocks.ts). */
const NO_BLOCKS: readonly BlockNode[] = [];

export interface RegisterFormProps {
  filters: RegisterFilters;
  /** Scenarios to choose from: slug and name. */
  scenarios: { slug: string; name: string }[];
  /** The browser's time zone, which the times are read on. */
  zone: string;
  /** `typed`: text being typed, applied once the typing pauses. */
  onChange(next: RegisterFilters, typed?: boolean): void;
  /** Enter in a field: what is typed applies now. */
  onSubmit(): void;
}

/** The filters, props only: the scenario, the range, a number or name, the UniqueID, the status and the answer. */
export function RegisterForm({ filters, scenarios, zone, onChange, onSubmit }: RegisterFormProps) {
  const { t } = useI18n();
  const set = (patch: Partial<RegisterFilters>, typed = false) => onChange({ ...filters, ...patch }, typed);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form className="register-filters" role="search" aria-label={t("callsPage.filters")} onSubmit={submit} data-testid="register-filters">
      <label>
        {t("calls.scenario")}
        <select value={filters.scenario} onChange={(e) => set({ scenario: e.target.value })}>
          <option value="">{t("callsPage.allScenarios")}</option>
          {/* One named by the address that the list does not hold (deleted since) is still offered. */}
          {filters.scenario && !scenarios.some((s) => s.slug === filters.scenario) && <option value={filters.scenario}>{filters.scenario}</option>}
          {scenarios.map((s) => (
            <option key={s.slug} value={s.slug}>
              {s.name === s.slug ? s.slug : `${s.name} (${s.slug})`}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("calls.from")}
        <input type="datetime-local" value={filters.from} max={filters.to || undefined} onChange={(e) => set({ from: e.target.value })} aria-describedby="register-clock" />
      </label>
      <label>
        {t("calls.to")}
        <input type="datetime-local" value={filters.to} min={filters.from || undefined} onChange={(e) => set({ to: e.target.value })} aria-describedby="register-clock" />
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
        {t("calls.uniqueid")}
        <input type="search" className="mono" value={filters.uniqueid} onChange={(e) => set({ uniqueid: e.target.value }, true)} />
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
        {t("calls.result")}
        <input type="search" value={filters.result} onChange={(e) => set({ result: e.target.value }, true)} />
      </label>
      {/* Enter in a text field applies it at once; the button is for that key, not to be seen. */}
      <button type="submit" className="sr-only" tabIndex={-1}>
        {t("callsPage.filters")}
      </button>
      {hasRegisterFilters(filters) && (
        <button type="button" className="link" onClick={() => onChange(NO_REGISTER_FILTERS)}>
          {t("calls.clearFilters")}
        </button>
      )}
      <p className="hint register-clock" id="register-clock">
        {t("callsPage.clock", { zone })}
      </p>
    </form>
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

/** Who called and whom the call rang, as a line: the list's numbers cell for a call opened by its id too. */
function CallerLine({ numbers }: { numbers: NonNullable<OpenCall["numbers"]> }) {
  const { t, language } = useI18n();
  const { caller, dialled } = callNumbers(numbers);
  const name = callerName(numbers);
  return (
    <p className="call-caller" data-testid="call-caller">
      {dialled ? t("calls.dialled", { caller, dialled }) : caller}
      {name && <span className="muted"> · {hiddenText(name, language)}</span>}
    </p>
  );
}

/** What the detail holds: the call, or why it could not be opened. */
type Opened = { id: string; call: OpenCall; error?: undefined } | { id: string; error: string; call?: undefined };

/** The opened call: when and where it came in, then its detail, told by the version it ran. */
function CallDetailPanel({ opened, scenarioName, onClose }: { opened: Opened | null; scenarioName(slug: string): string; onClose(): void }) {
  const { t, language } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  const call = opened?.call;
  // The story names blocks by the version the call ran: there is no canvas here (storyBlocks.ts).
  const blocks = useMemo<readonly BlockNode[]>(() => (call?.published ? fromScenario(call.published).nodes : []), [call]);
  // A screen reader is taken to what opened, not left on the row's button with nothing said.
  // Once per item opened: a refresh of the same one leaves the focus where it is.
  const shownId = opened?.id;
  useEffect(() => {
    if (shownId) heading.current?.focus();
  }, [shownId]);
  return (
    <section className="call-page-detail" aria-labelledby="call-detail-title" data-testid="call-detail">
      <div className="row">
        <h2 id="call-detail-title" ref={heading} tabIndex={-1}>
          {t("callsPage.detail")}
        </h2>
        <span className="spacer" />
        <button type="button" onClick={onClose}>
          {t("callsPage.close")}
        </button>
      </div>
      {!opened && <p className="muted" role="status">{t("callsPage.opening")}</p>}
      {opened?.error && <p role="alert" className="error-text" data-testid="call-detail-problem">{opened.error}</p>}
      {call && (
        <>
          <p className="muted" data-testid="call-started">
            {t("callsPage.startedAt", { time: formatDateTime(call.startedAt, language, "dateTimeSeconds"), scenario: call.scenario ? scenarioName(call.scenario) : "" })}
          </p>
          {call.numbers && <CallerLine numbers={call.numbers} />}
          <StoryBlocks.Provider value={blocks}>
            <CallDetails call={call} />
          </StoryBlocks.Provider>
        </>
      )}
    </section>
  );
}

/** The list's answer for the query it was asked with, or its failure. */
type Listed = { asked: string; page: CallPage; error?: undefined } | { asked: string; error: unknown; page?: undefined };

/** The page with its state, which lives in the address (`query`: what follows "#/calls?"). */
export function CallsPage({ query, user }: { query: string; user: User }) {
  const { t, language } = useI18n();
  const zone = api.browserTimeZone();
  const view = useMemo(() => parseCallsView(query), [query]);
  const path = callsPath(view);

  const { form, change, go, applyNow } = useAddressForm(view.filters, path, (filters) => callsPath({ filters, call: view.call }));
  /** Open call `id` ("": close it) over the filters applied: a new entry of the address, which Back closes. */
  const openCall = (id: string) => go(callsPath({ filters: view.filters, call: id }), false);

  const [scenarios, setScenarios] = useState<{ slug: string; name: string }[]>([]);
  useEffect(() => {
    let cancelled = false;
    // To name them and offer them: without the list every scenario is still searched, and one can be named by slug.
    api.listScenarios("", 1, 200).then(
      (page) => !cancelled && setScenarios(page.items.map((s) => ({ slug: s.slug, name: s.name })).sort((a, b) => a.name.localeCompare(b.name))),
      () => undefined,
    );
    // The story names block types and exits by the catalog, which only the editor loads otherwise.
    if (useEditor.getState().catalogList.length === 0) api.blocks().then((specs) => useEditor.getState().setCatalog(specs), () => undefined);
    return () => {
      cancelled = true;
    };
  }, []);
  const names = useMemo(() => new Map(scenarios.map((s) => [s.slug, s.name])), [scenarios]);

  // -- the list ---------------------------------------------------------------------------------------------------
  const planned = registerQuery(view.filters, zone);
  const [reloads, setReloads] = useState(0);
  const asked = "query" in planned ? `${JSON.stringify(planned.query)}#${reloads}` : null;
  const [listed, setListed] = useState<Listed | null>(null);
  const [older, setOlder] = useState<{ asked: string; page: CallPage } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  useEffect(() => {
    if (asked === null) return;
    let cancelled = false;
    const sent = JSON.parse(asked.slice(0, asked.lastIndexOf("#"))) as api.RegisterQuery;
    api.callRegister(sent).then(
      (page) => !cancelled && setListed({ asked, page }),
      (error: unknown) => !cancelled && setListed({ asked, error }),
    );
    return () => {
      cancelled = true;
    };
  }, [asked]);
  // The calls shown: the last list answered (the one before, while the next loads), with the older pages loaded
  // since for that same question.
  const loading = asked !== null && listed?.asked !== asked;
  const failed = !loading && listed?.error !== undefined ? listed.error : undefined;
  const answered = listed?.page ? listed : null;
  const shown = answered ? (older?.asked === answered.asked ? older.page : answered.page) : null;
  async function loadMore() {
    if (!shown?.next_cursor || loading || asked === null || !("query" in planned)) return;
    setLoadingMore(true);
    try {
      const page = await api.callRegister(planned.query, shown.next_cursor);
      setOlder({ asked, page: { items: withOlderPage(shown.items, page), next_cursor: page.next_cursor } });
    } catch (error) {
      setListed({ asked, error });
    } finally {
      setLoadingMore(false);
    }
  }
  const problem = "refusal" in planned ? t("callsPage.fromAfterTo") : failed !== undefined ? listFailureText(t, failed, zone) : null;

  // -- the call opened --------------------------------------------------------------------------------------------
  const [opened, setOpened] = useState<Opened | null>(null);
  useEffect(() => {
    if (!view.call) return;
    let cancelled = false;
    const id = view.call;
    openedCall(id).then(
      (call) => !cancelled && setOpened({ id, call }),
      (error: unknown) => {
        if (cancelled) return;
        const missing = error instanceof ApiError && (error.status === 404 || error.status === 422);
        const message = error instanceof Error ? error.message : String(error);
        setOpened({ id, error: missing ? t("callsPage.notFound", { call: id }) : t("callsPage.callFailed", { message }) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [view.call, t, reloads]);
  const openNow = view.call ? (opened?.id === view.call ? opened : null) : null;
  function closeCall() {
    const id = view.call;
    openCall("");
    // Back to the row it was opened from, when the list shows it; else to the page's heading.
    requestAnimationFrame(() => {
      const row = document.querySelector<HTMLElement>(`tr[data-call-id="${CSS.escape(id)}"] button`);
      (row ?? document.querySelector<HTMLElement>(".calls-page h1"))?.focus();
    });
  }

  const count = shown ? countNote(shown.items.length, shown.next_cursor) : null;
  return (
    <StoryBlocks.Provider value={NO_BLOCKS}>
      <section className={`list-page calls-page${view.call ? " with-detail" : ""}`} data-testid="calls-page">
        <div className="calls-page-list">
          <h1 tabIndex={-1}>{t("calls.title")}</h1>
          <RegisterForm filters={form} scenarios={scenarios} zone={zone} onChange={change} onSubmit={applyNow} />
          <div className="row calls-page-tools">
            <OpenById onOpen={openCall} />
            <span className="spacer" />
            <button type="button" onClick={() => setReloads((n) => n + 1)}>
              {t("calls.refresh")}
            </button>
          </div>
          {!user.sees_personal_data && <p className="hint" data-testid="calls-masked">{t("callsPage.masked")}</p>}
          {problem && (
            <p role="alert" className="error-text" data-testid="calls-problem">
              {problem}
            </p>
          )}
          <p className="muted small calls-count" role="status" data-testid="calls-count">
            {loading ? t("callsPage.loading") : count && shown && shown.items.length > 0 && !problem ? t(count.key, { calls: countText(language, "call", count.count) }) : ""}
          </p>
          {shown && shown.items.length === 0 && !problem && !loading && (
            <p className="muted" data-testid="calls-none">{t(hasRegisterFilters(view.filters) ? "calls.noneMatching" : "callsPage.none")}</p>
          )}
          {shown && shown.items.length > 0 && !problem && (
            <CallTable
              items={shown.items}
              openId={view.call || null}
              onOpen={(call) => openCall(call.id)}
              scenarios={names}
            />
          )}
          {shown?.next_cursor && !problem && (
            <button type="button" className="calls-more" onClick={() => void loadMore()} disabled={loadingMore}>
              {t("calls.loadMore")}
            </button>
          )}
        </div>
        {view.call && <CallDetailPanel opened={openNow} scenarioName={(slug) => names.get(slug) ?? slug} onClose={closeCall} />}
      </section>
    </StoryBlocks.Provider>
  );
}
