import { getDefaultRegistry } from "@rjsf/core";
import type { WidgetProps } from "@rjsf/utils";
import type { ComponentType } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";

// The generated client's transport: what the data-sources routes were asked, and what they answer.
const transport = vi.hoisted(() => ({ GET: vi.fn(), POST: vi.fn(), PATCH: vi.fn(), DELETE: vi.fn() }));
vi.mock("openapi-fetch", async (actual) => ({
  ...(await actual<typeof import("openapi-fetch")>()),
  default: () => ({ use: () => undefined, ...transport }),
}));

import {
  checkDataSource,
  checkDataSourceUrl,
  createDataSource,
  deleteDataSource,
  listDataSources,
  updateDataSource,
  type DataSource,
  type DataSourceCheck,
} from "../api/client";
import { ApiError } from "../api/http";
import type { User } from "../api/types";
import { LANGUAGES, translator, type Language } from "../lib/i18n";
import {
  CheckResult,
  DataSourcesView,
  SourceFields,
  SourceSaved,
  URL_EXAMPLES,
  checkText,
  deleteNotice,
  editFormOf,
  emptySource,
  newSourceProblems,
  sourceChanges,
  sourceFailure,
  sourcesLoadText,
  withReadOnly,
  type DataSourcesViewProps,
  type SourceForm,
  type SourceProblems,
  type Testing,
} from "./DataSourcesPage";
import { buttonTexts, renderInLanguage, renderToHtml, tableCells as cells, visibleText as text } from "./renderForTest";
import { WIDGETS, type FormContext } from "./widgets";

const t = translator("en");
const admin: User = { id: 1, username: "root", role: "admin", active: true, sees_personal_data: true };
const source = (change: Partial<DataSource> = {}): DataSource => ({
  id: 3, name: "crm", target: "mysql://db.local:3306/crm", read_only: true, tries_allowed: true, description: "Clients and debts",
  created_at: "2026-12-01T08:00:00Z", updated_at: "2026-12-01T08:00:00Z", ...change,
});
const ok: DataSourceCheck = { ok: true, code: null, server: "MariaDB 10.11.19", message: "", elapsed_ms: 40 };
const refused = (code: NonNullable<DataSourceCheck["code"]>, message = ""): DataSourceCheck => ({ ok: false, code, server: null, message, elapsed_ms: 12 });
const noop = () => undefined;

const tag = (html: string, name: string) => new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0] ?? "";
/** The texts of the elements an element's aria-describedby names. */
function describedBy(html: string, element: string): string[] {
  const ids = /aria-describedby="([^"]*)"/.exec(element)?.[1]?.split(" ") ?? [];
  return ids.map((id) => text(new RegExp(`<(p|div) id="${id}"[^>]*>(.*?)</\\1>`, "s").exec(html)?.[2] ?? `(no ${id})`));
}

const view = (over: Partial<DataSourcesViewProps> = {}): DataSourcesViewProps => ({
  me: admin, sources: [source(), source({ id: 4, name: "staff", target: "postgresql://10.0.0.5:5432/hr", read_only: false, tries_allowed: false, description: "" })],
  loading: false, problem: null, tests: {}, notice: null, onAdd: noop, onRefresh: noop, onTest: noop, onEdit: noop, onDelete: noop, ...over,
});
const fields = (form: Partial<SourceForm> = {}, problems: SourceProblems = {}, extra: { source?: DataSource; testing?: Testing } = {}) =>
  renderToHtml(SourceFields, {
    form: { ...emptySource(), ...form }, problems, sending: false, attempt: 0, testing: extra.testing ?? { state: "idle" },
    onChange: noop, onTest: noop, onSubmit: noop, onCancel: noop, ...(extra.source ? { source: extra.source } : {}),
  });

describe("the page", () => {
  it("lists each source with where it points, its access and its last test, never a URL", () => {
    const html = renderToHtml(DataSourcesView, view({ tests: { 3: { state: "done", check: ok } } }));
    expect(cells(html)).toEqual([
      ["Name", "Where", "Access", "Description", "Connection", "Actions"],
      ["crm", "mysql://db.local:3306/crm", "read only · Try query allowed", "Clients and debts", "Connected: MariaDB 10.11.19 answered.", "Test connection Edit Delete"],
      ["staff", "postgresql://10.0.0.5:5432/hr", "reads and writes · no Try query", "", "not tested", "Test connection Edit Delete"],
    ]);
    // Each row's buttons name their source for a screen reader, which hears the buttons out of the table.
    expect(html).toContain('aria-label="Test the connection of crm"');
    expect(html).toContain('aria-label="Edit staff"');
    expect(html).toContain('aria-label="Delete crm"');
    expect(buttonTexts(html).slice(0, 2)).toEqual(["Add a data source", "Refresh"]);
  });

  it("says when there are none yet, while loading, and why the list could not be loaded", () => {
    expect(text(renderToHtml(DataSourcesView, view({ sources: [] })))).toContain("No data sources yet. Add one for the SQL block to query.");
    expect(renderToHtml(DataSourcesView, view({ sources: null, loading: true }))).toMatch(/role="status" data-testid="sources-status">Loading the data sources…/);
    expect(sourcesLoadText(t, new ApiError(0, null, "x"))).toBe("The data sources could not be loaded: The server did not answer.");
    expect(sourcesLoadText(t, new ApiError(403, null, "x"))).toBe("Only an administrator manages data sources.");
  });

  it("is an admin's: anyone else is told so, and offered nothing", () => {
    const html = renderToHtml(DataSourcesView, view({ me: { ...admin, role: "publisher" } }));
    expect(text(html)).toContain("Only an administrator manages data sources.");
    expect(buttonTexts(html)).toEqual([]);
  });

  it("says a delete refused while published scenarios query the source, naming them", () => {
    const inUse = new ApiError(409, { type: "https://ivrgraph.dev/problems/in-use", referred_by: ["scenario support", "scenario debts"] }, "in use");
    const notice = deleteNotice(inUse, "crm");
    expect(notice).toEqual({ kind: "inUse", name: "crm", scenarios: ["support", "debts"] });
    const html = renderToHtml(DataSourcesView, view({ notice }));
    expect(text(html)).toContain("Data source crm was not deleted: the published versions of these scenarios query it. Publish them without it first. support debts");
    expect(text(renderToHtml(DataSourcesView, view({ notice: { kind: "deleted", name: "crm" } })))).toContain("Data source crm deleted.");
  });

  it("reads in Spanish and Russian", () => {
    const es = renderInLanguage("es", DataSourcesView, view());
    expect(text(es)).toContain("Orígenes de datos");
    expect(buttonTexts(es)).toContain("Probar la conexión");
    const ru = renderInLanguage("ru", DataSourcesView, view());
    expect(cells(ru)[0]).toEqual(["Имя", "Где", "Доступ", "Описание", "Подключение", "Действия"]);
    expect(buttonTexts(ru)).toEqual(expect.arrayContaining(["Добавить источник данных", "Проверить подключение", "Изменить", "Удалить"]));
  });
});

describe("a connection test in words", () => {
  it("says the server that answered", () => {
    expect(checkText(ok, t)).toEqual({ ok: true, said: "Connected: MariaDB 10.11.19 answered.", detail: null });
  });

  it("says each refusal's cause in words, and what the driver said", () => {
    const said = checkText(refused("auth_failed", "Access denied for user 'crm'@'10.0.0.9' (using password: YES)"), t);
    expect(said).toEqual({
      ok: false,
      said: "The database server refused the login: check the user name and the password.",
      detail: "It said: Access denied for user 'crm'@'10.0.0.9' (using password: YES)",
    });
    expect(checkText(refused("unreachable", "Connection refused"), t).said).toMatch(/^No database server answers at this address/);
    expect(checkText(refused("unknown_database"), t)).toMatchObject({ said: expect.stringMatching(/no such database/), detail: null });
  });

  const codes = ["unreachable", "auth_failed", "unknown_database", "driver_missing", "timeout", "bad_url"] as const;
  it.each(Object.keys(LANGUAGES) as Language[])("has a sentence of its own for every code in %s", (language) => {
    const said = codes.map((code) => checkText(refused(code), translator(language)).said);
    expect(new Set(said).size).toBe(codes.length);
    for (const sentence of said) expect(sentence).not.toMatch(/sources\.check\./);
    if (language !== "en") expect(said).not.toEqual(codes.map((code) => checkText(refused(code), t).said));
  });

  it("is a live region, there before anything is said into it", () => {
    expect(renderToHtml(CheckResult, { testing: { state: "idle" }, testId: "x" })).toMatch(/^<div role="status"[^>]*data-state="idle"[^>]*><\/div>$/);
    expect(text(renderToHtml(CheckResult, { testing: { state: "testing" }, testId: "x" }))).toBe("Testing the connection…");
    const failed = renderToHtml(CheckResult, { testing: { state: "done", check: refused("timeout", "connection timeout expired") }, testId: "x" });
    expect(failed).toContain('data-code="timeout"');
    expect(text(failed)).toBe("The database server did not answer within a few seconds: check the host and the port, or a firewall between. It said: connection timeout expired");
  });

  it("after saving: saved, and a warning when the new URL did not connect", () => {
    const saved = { ...source(), check: refused("unreachable", "Connection refused") };
    const html = renderToHtml(SourceSaved, { saved, created: true });
    expect(html).toContain('data-connected="false"');
    expect(text(html)).toMatch(/^Data source crm added, but the connection test failed: calls take the SQL block's error exit until it connects\. No database server/);
    expect(text(renderToHtml(SourceSaved, { saved: { ...source(), check: ok }, created: true }))).toBe("Data source crm added. Connected: MariaDB 10.11.19 answered.");
    expect(text(renderToHtml(SourceSaved, { saved: { ...source(), check: null }, created: false }))).toBe("The changes to crm are saved.");
  });
});

describe("the form", () => {
  it("labels every field, shows what a URL looks like and describes the fields by their hints", () => {
    const html = fields();
    for (const example of URL_EXAMPLES) expect(html).toContain(`<code>${example}</code>`);
    expect(URL_EXAMPLES.join(" ")).toMatch(/mysql\+pymysql:\/\/.*:3306\/.*postgresql\+psycopg:\/\/.*:5432\/.*sqlite:\/\/\/\//);
    expect(html).toMatch(/<label>Name<input[^>]*name="source-name"/);
    expect(html).toMatch(/<label>Connection URL<input[^>]*name="source-url"/);
    expect(describedBy(html, tag(html, "source-url"))[0]).toMatch(/^With the user name and password/);
    // The URL holds a password: the browser neither offers nor keeps what is typed there.
    expect(tag(html, "source-url")).toMatch(/autocomplete="off"/i);
    expect(buttonTexts(html)).toEqual(["Test connection", "Add data source", "Cancel"]);
  });

  it("marks a field with a problem invalid and described by it", () => {
    const html = fields({ name: "crm-main" }, { name: "A name may hold only…" });
    const name = tag(html, "source-name");
    expect(name).toContain('aria-invalid="true"');
    expect(describedBy(html, name)).toEqual(["A name may hold only…", expect.stringMatching(/^What the SQL block names/)]);
    expect(tag(html, "source-url")).not.toContain("aria-invalid");
  });

  it("editing: no name to change, a new URL optional, said to keep the one saved (never shown)", () => {
    const html = fields({ name: "crm" }, {}, { source: source() });
    expect(tag(html, "source-name")).toBe("");
    expect(html).toMatch(/<label>New connection URL \(optional\)<input[^>]*name="source-url"[^>]*value=""/);
    expect(describedBy(html, tag(html, "source-url"))[0]).toContain("Left empty, the URL stays (mysql://db.local:3306/crm).");
    expect(buttonTexts(html)).toEqual(["Test connection", "Save changes", "Close"]);
  });

  it("shows the test's outcome under the URL", () => {
    const html = fields({ url: "mysql+pymysql://crm:x@db/crm" }, {}, { testing: { state: "done", check: ok } });
    expect(html).toMatch(/data-testid="source-form-check" data-state="done" data-code="ok">.*Connected: MariaDB 10\.11\.19 answered\./s);
  });

  it("is checked before it is sent", () => {
    expect(newSourceProblems(emptySource(), t)).toEqual({ name: "Type a name.", url: "Type the connection URL." });
    expect(newSourceProblems({ ...emptySource(), name: "crm-main", url: "x" }, t).name).toMatch(/^A name may hold only/);
    expect(newSourceProblems({ ...emptySource(), name: "1crm", url: "x" }, t).name).toBeDefined();
    expect(newSourceProblems({ ...emptySource(), name: "crm_eu", url: "sqlite://" }, t)).toEqual({});
  });

  it("sends only what changed, a URL only when one was typed", () => {
    const saved = source();
    expect(sourceChanges(saved, { name: "crm", url: "", readOnly: true, triesAllowed: true, description: "Clients and debts" })).toEqual({});
    expect(sourceChanges(saved, { name: "crm", url: " postgresql://a:b@h/db ", readOnly: false, triesAllowed: true, description: "Clients and debts" })).toEqual({
      url: "postgresql://a:b@h/db", read_only: false,
    });
    expect(sourceChanges(saved, { ...editFormOf(saved), triesAllowed: false })).toEqual({ tries_allowed: false });
  });

  // Security review of 2026-12-07: an editor's "Try query" ran with the source's account, which may read anything.
  it("lets an admin allow tries, by default on a read-only source only", () => {
    expect(emptySource()).toMatchObject({ readOnly: true, triesAllowed: true });
    expect(withReadOnly(emptySource(), false)).toMatchObject({ readOnly: false, triesAllowed: false });
    expect(withReadOnly({ ...emptySource(), readOnly: false, triesAllowed: true }, true)).toMatchObject({ readOnly: true, triesAllowed: true });
    expect(editFormOf(source({ read_only: false, tries_allowed: true })).triesAllowed).toBe(true);
    const html = fields({ triesAllowed: false });
    const box = tag(html, "source-tries-allowed");
    expect(box).toContain('type="checkbox"');
    expect(box).not.toContain("checked");
    expect(describedBy(html, box)).toEqual([t("sources.triesAllowedHint")]);
    expect(text(renderInLanguage("es", SourceFields, { form: emptySource(), problems: {}, sending: false, attempt: 0, testing: { state: "idle" },
      onChange: noop, onTest: noop, onSubmit: noop, onCancel: noop }))).toContain("Permitir «Probar consulta»");
  });

  it("shows the API's refusals at their fields", () => {
    const taken = new ApiError(409, { type: "https://ivrgraph.dev/problems/already-exists", detail: "data source 'crm' already exists" }, "x");
    expect(sourceFailure(taken, t, { action: "create", name: "crm" })).toEqual({ name: "There is a data source named crm already: choose another name." });
    const badUrl = new ApiError(422, { problems: [{ path: "$.url", message: "not a database URL (e.g. postgresql://user:pass@host/db)" }] }, "x");
    expect(sourceFailure(badUrl, t, { action: "create", name: "crm" })).toEqual({ url: "not a database URL (e.g. postgresql://user:pass@host/db)" });
    expect(sourceFailure(new ApiError(0, null, "x"), t, { action: "create", name: "crm" })).toEqual({ form: "The server did not answer. Nothing was lost: try again." });
    expect(sourceFailure(new ApiError(404, null, "x"), t, { action: "update", name: "crm" })).toEqual({ form: expect.stringMatching(/not on the server any more/) });
  });
});

describe("a button at work keeps the keyboard's focus", () => {
  // Accessibility review (WCAG 2.4.3, 2.4.7): Test connection, the row's test, Refresh, Create and Save were
  // disabled while at work, which sends the focus to <body> (in the dialogs too). Busy, each stays focusable.
  const button = (html: string, label: RegExp) => [...html.matchAll(/<button[^>]*>.*?<\/button>/gs)].map((m) => m[0]).find((b) => label.test(b)) ?? "";
  const busy = (tag: string) => tag.includes('aria-disabled="true"') && tag.includes('aria-busy="true"') && !tag.includes('disabled=""');

  it("Test connection in the form, while testing", () => {
    const testing = button(fields({ url: "sqlite:///x" }, {}, { testing: { state: "testing" } }), /name="test-connection"/);
    expect(busy(testing)).toBe(true);
    expect(busy(button(fields({ url: "sqlite:///x" }), /name="test-connection"/))).toBe(false);
  });

  it("Create and Save while sending, saying so", () => {
    const sending = (source?: DataSource) =>
      button(renderToHtml(SourceFields, { form: emptySource(), problems: {}, sending: true, attempt: 0, testing: { state: "idle" },
        onChange: noop, onTest: noop, onSubmit: noop, onCancel: noop, ...(source ? { source } : {}) }), /type="submit"/); // prettier-ignore
    expect(busy(sending())).toBe(true);
    expect(text(sending())).toBe("Adding…");
    expect(busy(sending(source()))).toBe(true);
    expect(text(sending(source()))).toBe("Saving…");
  });

  it("the row's Test connection while its source is tested, and Refresh while the list loads", () => {
    const html = renderToHtml(DataSourcesView, view({ tests: { 3: { state: "testing" } }, loading: true }));
    expect(busy(button(html, /aria-label="Test the connection of crm"/))).toBe(true);
    expect(busy(button(html, /aria-label="Test the connection of staff"/))).toBe(false);
    expect(busy(button(html, />Refresh</))).toBe(true);
  });
});

describe("the SQL block's data source field", () => {
  const formContext = (extra: Partial<FormContext>): FormContext => ({ variables: [], nodes: [], scenarios: [], audio: [], dataSources: [], language: "en", ...extra });
  const render = (context: FormContext) =>
    renderToHtml(WIDGETS["data-source"] as ComponentType<WidgetProps>, {
      id: "cfg-source", name: "source", label: "Data source", value: "", schema: { type: "string" }, uiSchema: {}, options: { emptyValue: undefined },
      required: true, disabled: false, readonly: false, autofocus: false, hideError: false, onChange: noop, onBlur: noop, onFocus: noop,
      registry: { ...getDefaultRegistry(), formContext: context },
    } as unknown as WidgetProps);

  it("points an admin with no source yet at the page that adds them", () => {
    const html = render(formContext({ dataSourcesPage: "#/data-sources" }));
    expect(html).toContain('<a href="#/data-sources">Add one on the Data sources page</a>');
    expect(text(html)).toContain("No data source is configured yet.");
  });

  it("says nothing of it once there are sources, or to anyone but an admin", () => {
    expect(render(formContext({ dataSourcesPage: "#/data-sources", dataSources: ["crm"] }))).not.toContain("no-data-sources");
    expect(render(formContext({}))).not.toContain("no-data-sources");
  });
});

describe("the client", () => {
  beforeEach(() => {
    for (const method of Object.values(transport)) method.mockReset();
  });
  const answer = (data: unknown, status = 200) => ({ data, response: new Response(null, { status: status === 204 ? 204 : status }) });

  it("checks a URL not saved, and a saved source by its id", async () => {
    transport.POST.mockResolvedValueOnce(answer(ok)).mockResolvedValueOnce(answer(refused("timeout")));
    expect(await checkDataSourceUrl("mysql+pymysql://crm:pw@db/crm")).toEqual(ok);
    expect(transport.POST).toHaveBeenLastCalledWith("/api/data-sources/check", { body: { url: "mysql+pymysql://crm:pw@db/crm" } });
    expect((await checkDataSource(3)).code).toBe("timeout");
    expect(transport.POST).toHaveBeenLastCalledWith("/api/data-sources/{source_id}/check", { params: { path: { source_id: 3 } } });
  });

  it("lists, adds, changes and deletes sources", async () => {
    transport.GET.mockResolvedValueOnce(answer([source()]));
    expect(await listDataSources()).toEqual([source()]);
    transport.POST.mockResolvedValueOnce(answer({ ...source(), check: ok }, 201));
    expect((await createDataSource({ name: "crm", url: "sqlite://", read_only: true, description: "" })).check).toEqual(ok);
    transport.PATCH.mockResolvedValueOnce(answer({ ...source({ read_only: false }), check: null }));
    await updateDataSource(3, { read_only: false });
    expect(transport.PATCH).toHaveBeenCalledWith("/api/data-sources/{source_id}", { params: { path: { source_id: 3 } }, body: { read_only: false } });
    transport.DELETE.mockResolvedValueOnce(answer(undefined, 204));
    await deleteDataSource(3);
    expect(transport.DELETE).toHaveBeenCalledWith("/api/data-sources/{source_id}", { params: { path: { source_id: 3 } } });
  });
});
