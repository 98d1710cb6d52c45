/**
 * The Data sources page, an admin's (#/data-sources): the databases the SQL block queries. Each is listed with
 * where it points (the API's `target`: backend, host, database; never the URL, whose password stays on the server),
 * added, edited and deleted here, and its connection tested, saved or as typed, with the outcome in words
 * (api/routes/datasources.py `POST .../check`: a stable code, and the driver's own message). Saving tests the new URL
 * too and says so, as a warning: a database down at the moment is saved all the same. Built as the Users page is
 * (UsersPage.tsx): a table, dialogs, every refusal at the field it is about, and the focus where the work goes on.
 */
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from "react";
import * as api from "../api/client";
import type { DataSource, DataSourceCheck, DataSourceSaved } from "../api/client";
import { ApiError } from "../api/http";
import type { User } from "../api/types";
import { useI18n } from "../i18n";
import type { Translate } from "../lib/i18n";
import { BusyButton } from "./BusyButton";
import { useConfirm } from "./ConfirmDialog";
import { Dialog } from "./Dialog";
import { invalidity, useFocusOnRefusal } from "./fieldProblems";
import { useListLoad } from "./useListLoad";
import "./users.css";
import "./dataSources.css";

/** A source's name as the SQL block and the API take it (blocks/builtin/sql.py SOURCE_NAME_PATTERN). */
export const SOURCE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** What a URL looks like for each database the server has a driver for (README, "Data sources"). */
export const URL_EXAMPLES = [
  "mysql+pymysql://crm_reader:password@db.example.com:3306/crm",
  "postgresql+psycopg://crm_reader:password@db.example.com:5432/crm",
  "sqlite:////var/lib/ivrgraph/crm.sqlite3",
] as const;

// -- the forms, and the server's answers in words ---------------------------------------------------------

export interface SourceForm {
  name: string;
  url: string;
  readOnly: boolean;
  /** Whether editors may "Try query" on it (api/query_try.py): by default a read-only source only. */
  triesAllowed: boolean;
  description: string;
}

export const emptySource = (): SourceForm => ({ name: "", url: "", readOnly: true, triesAllowed: true, description: "" });

/** The edit form of a saved source: its URL empty, to be typed again whole only to change it. */
export const editFormOf = (source: DataSource): SourceForm => ({
  name: source.name, url: "", readOnly: source.read_only, triesAllowed: source.tries_allowed, description: source.description,
});

/** `form` made read-only or not. Tries follow while they went with it (the server's default): a writable source's
 * account may read what editors should not; once an admin set them apart, their choice stays. */
export function withReadOnly(form: SourceForm, readOnly: boolean): SourceForm {
  return { ...form, readOnly, triesAllowed: form.triesAllowed === form.readOnly ? readOnly : form.triesAllowed };
}

export type SourceField = "name" | "url" | "description" | "form";
/** Problems, in words, by the field they are about. */
export type SourceProblems = Partial<Record<SourceField, string>>;

export const hasProblems = (problems: SourceProblems) => Object.values(problems).some(Boolean);

/** What is wrong with a new source before anything is sent. */
export function newSourceProblems(form: SourceForm, t: Translate): SourceProblems {
  const problems: SourceProblems = {};
  if (!form.name.trim()) problems.name = t("sources.needName");
  else if (!SOURCE_NAME.test(form.name)) problems.name = t("sources.badName");
  if (!form.url.trim()) problems.url = t("sources.needUrl");
  return problems;
}

/** The PATCH body for what changed: a URL only when one was typed. */
export function sourceChanges(source: DataSource, form: SourceForm): api.Schemas["DataSourceUpdate"] {
  const changes: api.Schemas["DataSourceUpdate"] = {};
  if (form.url.trim()) changes.url = form.url.trim();
  if (form.readOnly !== source.read_only) changes.read_only = form.readOnly;
  if (form.triesAllowed !== source.tries_allowed) changes.tries_allowed = form.triesAllowed;
  if (form.description !== source.description) changes.description = form.description;
  return changes;
}

type ProblemBody = { type?: unknown; detail?: unknown; problems?: unknown; referred_by?: unknown };

const FIELD_OF_PATH: Record<string, SourceField> = { "$.name": "name", "$.url": "url", "$.description": "description" };

/**
 * A refusal of /api/data-sources as problems at the fields they are about: a 422 names them by JSON path (in the
 * API's words, which say what to change), a 409 on a new source is its name taken.
 */
export function sourceFailure(error: unknown, t: Translate, request: { action: "create" | "update"; name: string }): SourceProblems {
  if (!(error instanceof ApiError)) return { form: t("sources.failed", { message: error instanceof Error ? error.message : String(error) }) };
  const body: ProblemBody = error.body && typeof error.body === "object" ? (error.body as ProblemBody) : {};
  if (error.status === 0) return { form: t("sources.network") };
  if (error.status === 403) return { form: t("sources.forbidden") };
  if (error.status === 404 && request.action === "update") return { form: t("sources.gone") };
  if (error.status === 409 && request.action === "create" && String(body.type ?? "").endsWith("/already-exists")) {
    return { name: t("sources.nameTaken", { name: request.name }) };
  }
  const items = Array.isArray(body.problems) ? (body.problems as { path?: unknown; message?: unknown }[]) : [];
  if (error.status === 422 && items.length > 0) {
    const problems: SourceProblems = {};
    for (const item of items) {
      const field = FIELD_OF_PATH[String(item?.path ?? "")] ?? "form";
      const message = String(item?.message ?? "");
      problems[field] = problems[field] ? `${problems[field]}; ${message}` : field === "form" ? t("sources.failed", { message }) : message;
    }
    return problems;
  }
  return { form: t("sources.failed", { message: error.message }) };
}

/** A check's outcome in words: a sentence for its code, and what the driver said (the password never in it). */
export function checkText(check: DataSourceCheck, t: Translate): { ok: boolean; said: string; detail: string | null } {
  if (check.ok) return { ok: true, said: t("sources.checkOk", { server: check.server ?? "?" }), detail: null };
  const said = check.code ? t(`sources.check.${check.code}`) : t("sources.testFailed", { message: check.message });
  return { ok: false, said, detail: check.message ? t("sources.serverSaid", { message: check.message }) : null };
}

/** A connection test's state: not asked, running, answered, or the request itself failed. */
export type Testing = { state: "idle" } | { state: "testing" } | { state: "done"; check: DataSourceCheck } | { state: "failed"; message: string };

const IDLE: Testing = { state: "idle" };

/** A failure to ask for a check (not the check's own outcome) in words. */
const testFailure = (error: unknown, t: Translate): Testing => ({
  state: "failed",
  message:
    error instanceof ApiError && error.status === 0
      ? t("sources.network")
      : error instanceof ApiError && error.status === 403
        ? t("sources.forbidden")
        : t("sources.testFailed", { message: error instanceof Error ? error.message : String(error) }),
});

/**
 * A test's outcome, said: always on the page (an empty live region) so that a screen reader reads what comes into
 * it. `idle`: what is shown before any test (the table's "not tested"), nothing in a dialog.
 */
export function CheckResult({ testing, idle, testId }: { testing: Testing; idle?: string; testId: string }) {
  const { t } = useI18n();
  const outcome = testing.state === "done" ? checkText(testing.check, t) : null;
  const code = testing.state === "done" ? (testing.check.ok ? "ok" : (testing.check.code ?? "failed")) : testing.state;
  return (
    <div role="status" className="source-check" data-testid={testId} data-state={testing.state} data-code={code}>
      {testing.state === "idle" && idle && <span className="muted">{idle}</span>}
      {testing.state === "testing" && <span className="muted">{t("sources.testing")}</span>}
      {testing.state === "failed" && <span className="error-text">{testing.message}</span>}
      {outcome && (
        <>
          <span className={outcome.ok ? "success" : "error-text"}>{outcome.said}</span>
          {outcome.detail && <span className="hint source-check-detail">{outcome.detail}</span>}
        </>
      )}
    </div>
  );
}

/** The problem shown under a field, the field pointing at it (aria-describedby) while it is there. */
function FieldProblem({ id, problem, field }: { id: string; problem: string | undefined; field: SourceField }) {
  if (!problem) return null;
  return (
    <p id={id} className="error-text field-problem" role="alert" data-testid={`source-problem-${field}`}>
      {problem}
    </p>
  );
}

// -- the form ---------------------------------------------------------------------------------------------

/**
 * A source's fields, props only: its name (a new source's alone: a name cannot change), the URL with examples, the
 * access and the description, the Test connection button and what the test found.
 */
export function SourceFields(props: {
  form: SourceForm;
  /** The source edited; absent for a new one. */
  source?: DataSource;
  problems: SourceProblems;
  sending: boolean;
  attempt: number;
  testing: Testing;
  onChange(form: SourceForm, field: SourceField): void;
  onTest(): void;
  onSubmit(): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const { form, problems, source } = props;
  const formRef = useFocusOnRefusal(props.attempt);
  const ids = { name: useId(), nameHint: useId(), url: useId(), urlHint: useId(), readOnlyHint: useId(), triesHint: useId(), description: useId(), descriptionHint: useId() };
  function submit(event: FormEvent) {
    event.preventDefault();
    props.onSubmit();
  }
  return (
    <form ref={formRef} onSubmit={submit} noValidate className="user-form source-form" data-testid={source ? "edit-source-form" : "new-source-form"}>
      {!source && (
        <>
          <label>
            {t("sources.name")}
            <input name="source-name" autoComplete="off" spellCheck={false} maxLength={64} value={form.name}
              {...invalidity(problems.name, ids.name, ids.nameHint)} onChange={(e) => props.onChange({ ...form, name: e.target.value }, "name")} />
          </label>
          <p id={ids.nameHint} className="hint">{t("sources.nameHint")}</p>
          <FieldProblem id={ids.name} problem={problems.name} field="name" />
        </>
      )}
      <label>
        {source ? t("sources.newUrl") : t("sources.url")}
        <input name="source-url" className="mono" autoComplete="off" spellCheck={false} value={form.url}
          {...invalidity(problems.url, ids.url, ids.urlHint)} onChange={(e) => props.onChange({ ...form, url: e.target.value }, "url")} />
      </label>
      <div id={ids.urlHint} className="hint">
        {source ? (
          <p>{t("sources.newUrlHint", { target: source.target })}</p>
        ) : (
          <>
            <p>{t("sources.urlHint")}</p>
            <ul className="source-examples">
              {URL_EXAMPLES.map((example) => <li key={example}><code>{example}</code></li>)}
            </ul>
          </>
        )}
      </div>
      <FieldProblem id={ids.url} problem={problems.url} field="url" />
      <div className="row">
        <BusyButton name="test-connection" onClick={props.onTest} busy={props.testing.state === "testing"}>{t("sources.test")}</BusyButton>
      </div>
      <CheckResult testing={props.testing} testId="source-form-check" />
      <label className="inline-label">
        <input type="checkbox" name="source-read-only" checked={form.readOnly} aria-describedby={ids.readOnlyHint}
          onChange={(e) => props.onChange(withReadOnly(form, e.target.checked), "form")} />
        {t("sources.readOnly")}
      </label>
      <p id={ids.readOnlyHint} className="hint">{t("sources.readOnlyHint")}</p>
      <label className="inline-label">
        <input type="checkbox" name="source-tries-allowed" checked={form.triesAllowed} aria-describedby={ids.triesHint}
          onChange={(e) => props.onChange({ ...form, triesAllowed: e.target.checked }, "form")} />
        {t("sources.triesAllowed")}
      </label>
      <p id={ids.triesHint} className="hint">{t("sources.triesAllowedHint")}</p>
      <label>
        {t("sources.description")}
        <input name="source-description" value={form.description} maxLength={2000}
          {...invalidity(problems.description, ids.description, ids.descriptionHint)}
          onChange={(e) => props.onChange({ ...form, description: e.target.value }, "description")} />
      </label>
      <p id={ids.descriptionHint} className="hint">{t("sources.descriptionHint")}</p>
      <FieldProblem id={ids.description} problem={problems.description} field="description" />
      {problems.form && <p role="alert" className="error-text" data-testid="source-problem-form">{problems.form}</p>}
      <div className="row dialog-buttons">
        <BusyButton type="submit" className="primary" busy={props.sending} busyLabel={source ? t("sources.saving") : t("sources.creating")}>
          {source ? t("sources.save") : t("sources.create")}
        </BusyButton>
        <button type="button" onClick={props.onCancel}>{source ? t("sources.close") : t("sources.cancel")}</button>
      </div>
    </form>
  );
}

/** What saving said: saved, and whether the URL just saved connected (a warning when it did not). */
export function SourceSaved({ saved, created }: { saved: DataSourceSaved; created: boolean }) {
  const { t } = useI18n();
  const connected = saved.check === null || saved.check === undefined || saved.check.ok;
  const name = saved.name;
  const said = created
    ? connected ? t("sources.created", { name }) : t("sources.createdNotConnected", { name })
    : connected ? t("sources.saved", { name }) : t("sources.savedNotConnected", { name });
  return (
    <div data-testid="source-saved" data-connected={String(connected)}>
      <p className={connected ? "success" : "warning-text"} role="status">{said}</p>
      {saved.check && <CheckResult testing={{ state: "done", check: saved.check }} testId="source-saved-check" />}
    </div>
  );
}

/** Test what the form holds: the URL typed, else (editing) the source as saved. */
async function testForm(form: SourceForm, source: DataSource | undefined): Promise<DataSourceCheck> {
  return form.url.trim() || !source ? api.checkDataSourceUrl(form.url.trim()) : api.checkDataSource(source.id);
}

function useConnectionTest(): [Testing, (run: () => Promise<DataSourceCheck>) => Promise<void>, () => void] {
  const { t } = useI18n();
  const [testing, setTesting] = useState<Testing>(IDLE);
  const run = async (check: () => Promise<DataSourceCheck>) => {
    setTesting({ state: "testing" });
    try {
      setTesting({ state: "done", check: await check() });
    } catch (error) {
      setTesting(testFailure(error, t));
    }
  };
  return [testing, run, () => setTesting(IDLE)];
}

function NewSourceDialog({ onCreated, onClose }: { onCreated(source: DataSourceSaved): void; onClose(): void }) {
  const { t } = useI18n();
  const [form, setForm] = useState<SourceForm>(emptySource);
  const [problems, setProblems] = useState<SourceProblems>({});
  const [attempt, setAttempt] = useState(0);
  const [sending, setSending] = useState(false);
  const [created, setCreated] = useState<DataSourceSaved | null>(null);
  const [testing, test, forgetTest] = useConnectionTest();

  const refused = (found: SourceProblems) => {
    setProblems(found);
    setAttempt((n) => n + 1);
  };

  async function create() {
    if (sending) return;
    const found = newSourceProblems(form, t);
    if (hasProblems(found)) return refused(found);
    setSending(true);
    try {
      const source = await api.createDataSource({ name: form.name, url: form.url.trim(), read_only: form.readOnly, tries_allowed: form.triesAllowed, description: form.description });
      setCreated(source);
      onCreated(source);
    } catch (error) {
      refused(sourceFailure(error, t, { action: "create", name: form.name }));
    } finally {
      setSending(false);
    }
  }

  function checkTyped() {
    if (!form.url.trim()) return refused({ url: t("sources.needUrl") });
    void test(() => testForm(form, undefined));
  }

  return (
    <Dialog title={t("sources.newTitle")} onClose={onClose} wide>
      {created ? (
        <section data-testid="source-created">
          <SourceSaved saved={created} created />
          <div className="row dialog-buttons">
            <button type="button" className="primary" autoFocus onClick={onClose}>{t("sources.done")}</button>
          </div>
        </section>
      ) : (
        <SourceFields form={form} problems={problems} sending={sending} attempt={attempt} testing={testing} onTest={checkTyped}
          onSubmit={() => void create()} onCancel={onClose}
          onChange={(next, field) => {
            setForm(next);
            if (field === "url") forgetTest(); // what was tested is no longer what is typed
            setProblems((was) => ({ ...was, [field]: undefined, form: undefined }));
          }} />
      )}
    </Dialog>
  );
}

function EditSourceDialog({ source, onChanged, onClose }: { source: DataSource; onChanged(source: DataSourceSaved): void; onClose(): void }) {
  const { t } = useI18n();
  const [form, setForm] = useState<SourceForm>(() => editFormOf(source));
  const [problems, setProblems] = useState<SourceProblems>({});
  const [attempt, setAttempt] = useState(0);
  const [sending, setSending] = useState(false);
  const [saved, setSaved] = useState<DataSourceSaved | null>(null);
  const [testing, test, forgetTest] = useConnectionTest();

  const refused = (found: SourceProblems) => {
    setProblems(found);
    setAttempt((n) => n + 1);
  };

  async function save() {
    if (sending) return;
    const changes = sourceChanges(source, form);
    if (Object.keys(changes).length === 0) return refused({ form: t("sources.nothingChanged") });
    setSending(true);
    setSaved(null);
    try {
      const updated = await api.updateDataSource(source.id, changes);
      setForm(editFormOf(updated)); // the URL typed is gone from the page once saved
      setProblems({});
      forgetTest();
      setSaved(updated);
      onChanged(updated);
    } catch (error) {
      refused(sourceFailure(error, t, { action: "update", name: source.name }));
    } finally {
      setSending(false);
    }
  }

  return (
    <Dialog title={t("sources.editTitle", { name: source.name })} onClose={onClose} wide>
      <SourceFields form={form} source={source} problems={problems} sending={sending} attempt={attempt} testing={testing}
        onTest={() => void test(() => testForm(form, source))} onSubmit={() => void save()} onCancel={onClose}
        onChange={(next, field) => {
          setForm(next);
          setSaved(null);
          if (field === "url") forgetTest();
          setProblems((was) => ({ ...was, [field]: undefined, form: undefined }));
        }} />
      {saved && <SourceSaved saved={saved} created={false} />}
    </Dialog>
  );
}

// -- the table ----------------------------------------------------------------------------------------------

/** The sources, one row each, with the last test of each in words. */
export function SourceTable(props: {
  sources: DataSource[];
  tests: Record<number, Testing>;
  onTest(id: number): void;
  onEdit(id: number): void;
  onDelete(id: number): void;
}) {
  const { t } = useI18n();
  return (
    <table className="scenarios users sources" data-testid="source-table">
      <thead>
        <tr>
          <th scope="col">{t("sources.name")}</th>
          <th scope="col">{t("sources.target")}</th>
          <th scope="col">{t("sources.access")}</th>
          <th scope="col">{t("sources.description")}</th>
          <th scope="col">{t("sources.connection")}</th>
          <th scope="col"><span className="sr-only">{t("sources.actions")}</span></th>
        </tr>
      </thead>
      <tbody>
        {props.sources.map((source) => {
          const testing = props.tests[source.id] ?? IDLE;
          return (
            <tr key={source.id} data-source={source.name}>
              <th scope="row" className="mono">{source.name}</th>
              <td data-column="target" className="mono">{source.target}</td>
              <td data-column="access" data-read-only={String(source.read_only)} data-tries-allowed={String(source.tries_allowed)}>
                {source.read_only ? t("sources.readOnlyShort") : t("sources.readWriteShort")}
                {" · "}
                {source.tries_allowed ? t("sources.triesShort") : t("sources.noTriesShort")}
              </td>
              <td data-column="description">{source.description}</td>
              <td data-column="connection">
                <CheckResult testing={testing} idle={t("sources.notTested")} testId="source-check" />
              </td>
              <td className="actions">
                <div className="row">
                  <BusyButton aria-label={t("sources.testNamed", { name: source.name })} busy={testing.state === "testing"}
                    onClick={() => props.onTest(source.id)}>
                    {t("sources.test")}
                  </BusyButton>
                  <button type="button" aria-label={t("sources.editNamed", { name: source.name })} onClick={() => props.onEdit(source.id)}>
                    {t("sources.edit")}
                  </button>
                  <button type="button" className="danger" aria-label={t("sources.deleteNamed", { name: source.name })} onClick={() => props.onDelete(source.id)}>
                    {t("sources.delete")}
                  </button>
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

// -- the page -----------------------------------------------------------------------------------------------

/** What the page says after an action on the list: deleted, or why not. */
export type Notice = { kind: "deleted"; name: string } | { kind: "inUse"; name: string; scenarios: string[] } | { kind: "failed"; name: string; message: string };

export interface DataSourcesViewProps {
  me: User;
  sources: DataSource[] | null;
  loading: boolean;
  /** Why the list is not shown: it could not be loaded. */
  problem: string | null;
  tests: Record<number, Testing>;
  notice: Notice | null;
  /** Raised after a row whose button had the focus is gone (deleted): the focus goes to Add a data source. */
  focusAdd?: number;
  onAdd(): void;
  onRefresh(): void;
  onTest(id: number): void;
  onEdit(id: number): void;
  onDelete(id: number): void;
  children?: ReactNode;
}

function NoticeText({ notice }: { notice: Notice }) {
  const { t } = useI18n();
  if (notice.kind === "deleted") return <p className="success" data-testid="sources-notice">{t("sources.deleted", { name: notice.name })}</p>;
  if (notice.kind === "failed") {
    return <p className="error-text" data-testid="sources-notice">{t("sources.deleteFailed", { name: notice.name, message: notice.message })}</p>;
  }
  return (
    <div className="error-text" data-testid="sources-notice">
      <p>{t("sources.inUse", { name: notice.name })}</p>
      <ul>{notice.scenarios.map((scenario) => <li key={scenario}>{scenario}</li>)}</ul>
    </div>
  );
}

/** The view, props only. */
export function DataSourcesView(props: DataSourcesViewProps) {
  const { t } = useI18n();
  const add = useRef<HTMLButtonElement>(null);
  const focusAdd = props.focusAdd ?? 0;
  useEffect(() => {
    if (focusAdd > 0) add.current?.focus();
  }, [focusAdd]);
  if (props.me.role !== "admin") {
    return (
      <section className="list-page users-page" data-testid="data-sources">
        <h1>{t("sources.title")}</h1>
        <p className="error-text" role="alert" data-testid="sources-problem">{t("sources.adminOnly")}</p>
      </section>
    );
  }
  return (
    <section className="list-page users-page" data-testid="data-sources">
      <h1>{t("sources.title")}</h1>
      <p className="hint">{t("sources.intro")}</p>
      <div className="row toolbar">
        <button type="button" className="primary" ref={add} onClick={props.onAdd}>{t("sources.add")}</button>
        <BusyButton onClick={props.onRefresh} busy={props.loading}>{t("sources.refresh")}</BusyButton>
      </div>
      <p className="muted" role="status" data-testid="sources-status">{props.loading ? t("sources.loading") : ""}</p>
      {/* A live region present from the start: what comes into it is read out. */}
      <div role="status">{props.notice && <NoticeText notice={props.notice} />}</div>
      {props.problem && <p className="error-text" role="alert" data-testid="sources-problem">{props.problem}</p>}
      {props.sources && props.sources.length === 0 && <p className="empty" data-testid="sources-empty">{t("sources.empty")}</p>}
      {props.sources && props.sources.length > 0 && (
        <SourceTable sources={props.sources} tests={props.tests} onTest={props.onTest} onEdit={props.onEdit} onDelete={props.onDelete} />
      )}
      {props.children}
    </section>
  );
}

/** A failure to list the sources in words. */
export function sourcesLoadText(t: Translate, error: unknown): string {
  if (error instanceof ApiError && error.status === 403) return t("sources.adminOnly");
  if (error instanceof ApiError && error.status === 0) return t("sources.loadFailed", { message: t("error.network") });
  return t("sources.loadFailed", { message: error instanceof Error ? error.message : String(error) });
}

/** A refused delete in words: in use by published scenarios (409 `in-use`, naming them), or another failure. */
export function deleteNotice(error: unknown, name: string): Notice {
  if (error instanceof ApiError && error.status === 409 && error.body && typeof error.body === "object") {
    const referred = (error.body as ProblemBody).referred_by;
    if (Array.isArray(referred)) return { kind: "inUse", name, scenarios: referred.map((item) => String(item).replace(/^scenario /, "")) };
  }
  return { kind: "failed", name, message: error instanceof Error ? error.message : String(error) };
}

type Open = { kind: "new" } | { kind: "edit"; id: number } | null;

/** The page with its state. */
export function DataSourcesPage({ me }: { me: User }) {
  const { t } = useI18n();
  const admin = me.role === "admin";
  const { items: sources, setItems: setSources, loading, error: loadError, reload } = useListLoad(api.listDataSources, admin);
  const [open, setOpen] = useState<Open>(null);
  const [tests, setTests] = useState<Record<number, Testing>>({});
  const [notice, setNotice] = useState<Notice | null>(null);
  const [confirm, confirmation] = useConfirm();
  const [focusAdd, setFocusAdd] = useState(0);

  const setTest = (id: number, testing: Testing) => setTests((was) => ({ ...was, [id]: testing }));
  async function testSaved(id: number) {
    setTest(id, { state: "testing" });
    try {
      setTest(id, { state: "done", check: await api.checkDataSource(id) });
    } catch (error) {
      setTest(id, testFailure(error, t));
    }
  }

  async function remove(id: number) {
    const source = sources?.find((found) => found.id === id);
    if (!source) return;
    const yes = await confirm({
      title: t("sources.deleteTitle", { name: source.name }),
      body: t("sources.deleteBody"),
      confirmLabel: t("sources.deleteYes", { name: source.name }),
      destructive: true,
    });
    if (!yes) return;
    try {
      await api.deleteDataSource(id);
      setSources((listed) => listed?.filter((found) => found.id !== id) ?? listed);
      setNotice({ kind: "deleted", name: source.name });
      setFocusAdd((n) => n + 1); // the row whose button had the focus is gone
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) reload(); // deleted meanwhile
      setNotice(deleteNotice(error, source.name));
    }
  }

  const chosen = open?.kind === "edit" ? (sources?.find((source) => source.id === open.id) ?? null) : null;
  const saved = (source: DataSourceSaved) => {
    const { check, ...listed } = source;
    if (check) setTest(source.id, { state: "done", check }); // the row says what saving found; else its last test stands
    setSources((all) => (all?.some((was) => was.id === source.id) ? all.map((was) => (was.id === source.id ? listed : was)) : [...(all ?? []), listed].sort((a, b) => a.name.localeCompare(b.name))));
  };

  return (
    <DataSourcesView me={me} sources={sources} loading={loading}
      problem={loadError !== undefined ? sourcesLoadText(t, loadError) : null} tests={tests} notice={notice} focusAdd={focusAdd}
      onAdd={() => {
        setNotice(null);
        setOpen({ kind: "new" });
      }}
      onRefresh={reload} onTest={(id) => void testSaved(id)}
      onEdit={(id) => {
        setNotice(null);
        setOpen({ kind: "edit", id });
      }}
      onDelete={(id) => void remove(id)}>
      {open?.kind === "new" && <NewSourceDialog onCreated={saved} onClose={() => setOpen(null)} />}
      {open?.kind === "edit" && chosen && <EditSourceDialog source={chosen} onChanged={saved} onClose={() => setOpen(null)} />}
      {confirmation}
    </DataSourcesView>
  );
}
