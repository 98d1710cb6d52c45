/**
 * The designer's calls to the ivrgraph API, typed by the client generated from api/openapi.json
 * (openapi-fetch over src/generated/api.ts), one function per thing the analyst does.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "../generated/api";
import type { BlockSpec } from "../lib/catalog";
import { SESSION_RENEWED } from "../lib/sessionEvents";
import type { ScenarioDocument } from "../lib/convert";
import { ApiError, csrfHeaders, describeFailure, setCsrfToken } from "./http";
import type {
  ApiToken,
  ApiTokenCreated,
  ApiTokenRequest,
  CallbackBatch,
  CallbackBatchResult,
  CallDetail,
  Campaign,
  CallList,
  CallPage,
  DraftPin,
  FlowStats,
  PublishResult,
  SaveResult,
  ScenarioDetail,
  ScenarioPage,
  SimulateRequest,
  SimulateResult,
  User,
  VersionSummary,
} from "./types";

export type Schemas = components["schemas"];

const csrf: Middleware = {
  onRequest({ request }) {
    for (const [name, value] of Object.entries(csrfHeaders(request.method))) request.headers.set(name, value);
    return request;
  },
};

// Same origin: the API serves the designer, and `npm run dev` proxies /api to it.
const client = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
client.use(csrf);

/** Fired when the server no longer knows the session (expired, or signed out elsewhere). */
export const SESSION_EXPIRED = "ivrgraph:session-expired";

type Result<T> = { data?: T; error?: unknown; response: Response };

async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (error) {
    throw new ApiError(0, null, error instanceof Error ? error.message : String(error));
  }
  if (!result.response.ok) {
    // Anyone may be waiting on this answer; the shell listens and asks for the password again in place.
    if (result.response.status === 401) window.dispatchEvent(new Event(SESSION_EXPIRED));
    const { status, headers } = result.response;
    throw new ApiError(status, result.error ?? null, describeFailure(status, result.error), headers.get("Retry-After"));
  }
  return result.data as T;
}

const slugParams = (slug: string) => ({ params: { path: { slug } } });

export async function login(username: string, password: string): Promise<User> {
  const session = await unwrap(client.POST("/api/auth/login", { body: { username, password } }));
  setCsrfToken(session.csrf_token ?? null);
  // An editor whose save met the 401 sends its edits now, rather than after the analyst's next keystroke.
  window.dispatchEvent(new Event(SESSION_RENEWED));
  return session.user;
}

/** The session survives a reload in its cookie; /auth/me hands the CSRF token out again. */
export async function me(): Promise<User> {
  const session = await unwrap(client.GET("/api/auth/me"));
  setCsrfToken(session.csrf_token ?? null);
  return session.user;
}

/**
 * Change your own password. The server ends every session of yours and signs this one in again with a new
 * cookie: its CSRF token replaces the old one at once, or the next write would be refused (403 csrf). A wrong
 * current password is a 403, not a 401: the user is still signed in. Your API tokens keep working unless
 * `revokeTokens`.
 */
export async function changePassword(currentPassword: string, newPassword: string, revokeTokens = false): Promise<PasswordChanged> {
  const body = { current_password: currentPassword, new_password: newPassword, revoke_tokens: revokeTokens };
  const session = await unwrap(client.POST("/api/auth/password", { body }));
  setCsrfToken(session.csrf_token ?? null);
  return { user: session.user, tokensRevoked: session.tokens_revoked, tokensLive: session.tokens_live };
}

/** A password changed: who is signed in now, and how many of their API tokens it revoked and left working. */
export interface PasswordChanged {
  user: User;
  tokensRevoked: number;
  tokensLive: number;
}

export async function logout(): Promise<void> {
  await unwrap(client.POST("/api/auth/logout"));
  setCsrfToken(null);
}

/** Your API tokens (never their secrets), each with the role it acts with now. */
export async function apiTokens(): Promise<ApiToken[]> {
  return unwrap(client.GET("/api/tokens"));
}

/** A new API token: its secret is in this answer only. A role above yours is a 422 naming `$.role`. */
export async function createApiToken(body: ApiTokenRequest): Promise<ApiTokenCreated> {
  return unwrap(client.POST("/api/tokens", { body }));
}

export async function revokeApiToken(id: number): Promise<void> {
  await unwrap(client.DELETE("/api/tokens/{token_id}", { params: { path: { token_id: id } } }));
}

// Users (admin only, api/routes/users.py): the designer's Users page.

export async function listUsers(): Promise<User[]> {
  return unwrap(client.GET("/api/users"));
}

/** A new user. A name taken is a 409; an admin made without personal data a 422 naming `$.sees_personal_data`. */
export async function createUser(body: Schemas["UserCreate"]): Promise<User> {
  return unwrap(client.POST("/api/users", { body }));
}

/** Change what `body` holds (role, password, active, sees_personal_data); the last active admin's loss is a 409. */
export async function updateUser(id: number, body: Schemas["UserUpdate"]): Promise<User> {
  return unwrap(client.PATCH("/api/users/{user_id}", { params: { path: { user_id: id } }, body }));
}

export async function userTokens(id: number): Promise<ApiToken[]> {
  return unwrap(client.GET("/api/users/{user_id}/tokens", { params: { path: { user_id: id } } }));
}

export async function revokeUserToken(userId: number, tokenId: number): Promise<void> {
  await unwrap(client.DELETE("/api/users/{user_id}/tokens/{token_id}", { params: { path: { user_id: userId, token_id: tokenId } } }));
}

export async function blocks(): Promise<BlockSpec[]> {
  return (await unwrap(client.GET("/api/blocks"))) as unknown as BlockSpec[];
}

export type BrokenPlugin = Schemas["BrokenPlugin"];

/** The block plugins the server left out because they are broken (none of their blocks is in `blocks()`). */
export async function brokenPlugins(): Promise<BrokenPlugin[]> {
  return unwrap(client.GET("/api/blocks/broken"));
}

export type DialerState = Schemas["DialerPublic"];

/** Whether the server's callback dialer dials now: running, paused (why, until when) or off (no AMI settings). */
export async function dialerState(): Promise<DialerState> {
  return unwrap(client.GET("/api/dialer"));
}

/** Let every server dial again after dialling was held for the whole database (a restored backup): admins only. */
export async function resumeDialling(): Promise<DialerState> {
  return unwrap(client.POST("/api/dialer/resume"));
}

export async function listScenarios(q: string, page: number, pageSize: number): Promise<ScenarioPage> {
  return unwrap(client.GET("/api/scenarios", { params: { query: { q: q || undefined, page, page_size: pageSize } } }));
}

/** A scenario as the pickers offer it: slug, name and live version, no document. */
export type ScenarioName = Schemas["ScenarioName"];

/** Every scenario, unpaged, by slug: for pickers and for naming scenarios by slug (the list pages stop at 200). */
export async function scenarioNames(): Promise<ScenarioName[]> {
  return unwrap(client.GET("/api/scenarios/-/names"));
}

const asDetail = (detail: Schemas["ScenarioDetail"]) => detail as unknown as ScenarioDetail;

export async function createScenario(slug: string, name: string, document?: ScenarioDocument): Promise<ScenarioDetail> {
  const body = document ? { slug, name, document: document as unknown as Record<string, unknown> } : { slug, name };
  return asDetail(await unwrap(client.POST("/api/scenarios", { body })));
}

export async function getScenario(slug: string): Promise<ScenarioDetail> {
  return asDetail(await unwrap(client.GET("/api/scenarios/{slug}", slugParams(slug))));
}

/** The name in the list; the slug, which Asterisk dials, never changes. */
export async function renameScenario(slug: string, name: string): Promise<ScenarioDetail> {
  return asDetail(await unwrap(client.PATCH("/api/scenarios/{slug}", { ...slugParams(slug), body: { name } })));
}

/**
 * Save the draft. `keepalive`: the request outlives the page (the tab closed, another address) and is finished by
 * the browser, with the same session cookie and CSRF header; browsers take bodies of up to 64 KiB so.
 */
export async function saveDraft(
  slug: string,
  revision: number,
  document: ScenarioDocument,
  scenarioCreatedAt: string | null = null,
  { keepalive = false }: { keepalive?: boolean } = {},
): Promise<SaveResult> {
  const body = { revision, scenario_created_at: scenarioCreatedAt, document: document as unknown as Record<string, unknown> };
  return unwrap(client.PUT("/api/scenarios/{slug}/draft", { ...slugParams(slug), body, keepalive }));
}

export async function deleteScenario(slug: string): Promise<void> {
  await unwrap(client.DELETE("/api/scenarios/{slug}", slugParams(slug)));
}

export async function duplicateScenario(slug: string, newSlug: string, name: string): Promise<ScenarioDetail> {
  return asDetail(await unwrap(client.POST("/api/scenarios/{slug}/duplicate", { ...slugParams(slug), body: { slug: newSlug, name } })));
}

/** What an import made: the scenario, whether the file became the draft of the one under its slug, its recordings. */
export type Imported = Schemas["ScenarioImported"];

/**
 * Import a document under `slug` (null: the slug its export names). A taken slug is an `ApiError` 409 whose body
 * names `slug` and `name`, unless `replaceDraft`: the document then becomes that scenario's draft.
 */
export async function importScenario(slug: string | null, document: unknown, name?: string, replaceDraft = false): Promise<Imported> {
  const body = { slug, name: name ?? null, document: document as Record<string, unknown>, replace_draft: replaceDraft };
  return unwrap(client.POST("/api/scenarios/import", { body }));
}

/** Import a bundle (a scenario with its recordings, from `exportScenarioBundle`), as `importScenario` a document. */
export async function importScenarioBundle(file: Blob, fileName: string, options: { slug?: string; name?: string; replaceDraft?: boolean } = {}): Promise<Imported> {
  return unwrap(
    client.POST("/api/scenarios/import/bundle", {
      // The generated type calls the upload a string (OpenAPI's `format: binary`); what goes is the file itself.
      body: { file: file as unknown as string, replace_draft: options.replaceDraft ?? false },
      bodySerializer: () => {
        const form = new FormData();
        form.append("file", file, fileName);
        if (options.slug) form.append("slug", options.slug);
        if (options.name) form.append("name", options.name);
        if (options.replaceDraft) form.append("replace_draft", "true");
        return form;
      },
    }),
  );
}

export async function exportScenario(slug: string): Promise<unknown> {
  return unwrap(client.GET("/api/scenarios/{slug}/export", slugParams(slug)));
}

/** The scenario and the recordings it plays, as a zip for another installation's import. */
export async function exportScenarioBundle(slug: string): Promise<Blob> {
  const params = { path: { slug }, query: { audio: true } };
  return unwrap(client.GET("/api/scenarios/{slug}/export", { params, parseAs: "blob" })) as Promise<Blob>;
}

/** The problems of `document` as it is, unsaved; `signal` aborts the request once a newer edit makes it moot. */
export async function validate(slug: string, document: ScenarioDocument, signal?: AbortSignal): Promise<{ problems: unknown[] }> {
  const body = { document: document as unknown as Record<string, unknown> };
  return unwrap(client.POST("/api/scenarios/{slug}/validate", { ...slugParams(slug), body, signal }));
}

/**
 * Publish the draft `pin` names: a 409 `stale-revision` if it has moved on since (a colleague's save).
 * `despiteFailingTests`: the publisher chose to publish past failing tests (recorded with them); errors still block.
 */
export async function publish(slug: string, message: string, pin: DraftPin, despiteFailingTests = false): Promise<PublishResult> {
  const body = { message, revision: pin.revision, scenario_created_at: pin.scenarioCreatedAt, despite_failing_tests: despiteFailingTests };
  return unwrap(client.POST("/api/scenarios/{slug}/publish", { ...slugParams(slug), body }));
}

export async function versions(slug: string): Promise<VersionSummary[]> {
  return unwrap(client.GET("/api/scenarios/{slug}/versions", slugParams(slug)));
}

/** A published version's document, as it was published. */
export async function versionDocument(slug: string, version: number): Promise<ScenarioDocument> {
  const detail = await unwrap(client.GET("/api/scenarios/{slug}/versions/{number}", { params: { path: { slug, number: version } } }));
  return detail.document as unknown as ScenarioDocument;
}

export type VersionChanges = Schemas["DiffOut"];

/**
 * What changed from version `from` to version `to` (null: to the draft as last saved), as graph_engine.diff's
 * data; a 404 when either version (or the scenario) is no longer there.
 */
export async function versionChanges(slug: string, from: number, to: number | null): Promise<VersionChanges> {
  const query = to === null ? { from } : { from, to };
  return unwrap(client.GET("/api/scenarios/{slug}/diff", { params: { path: { slug }, query } }));
}

/** Publish version `version` again as the newest; `despiteFailingTests` as for `publish`. */
/**
 * Publish `version` again; with `resetDraft` (the draft the editor holds), make it the draft too: refused with 409
 * `stale-revision` if that draft has moved on. Without it the draft stays as it is.
 */
export async function rollback(
  slug: string,
  version: number,
  message = "",
  despiteFailingTests = false,
  resetDraft: DraftPin | null = null,
): Promise<PublishResult> {
  const reset = resetDraft
    ? { reset_draft: true, revision: resetDraft.revision, scenario_created_at: resetDraft.scenarioCreatedAt }
    : { reset_draft: false };
  return unwrap(
    client.POST("/api/scenarios/{slug}/versions/{number}/rollback", {
      params: { path: { slug, number: version } },
      body: { message, despite_failing_tests: despiteFailingTests, ...reset },
    }),
  );
}

export async function simulate(slug: string, request: SimulateRequest): Promise<SimulateResult> {
  const body = { ...request, document: request.document as unknown as Record<string, unknown> | undefined };
  return (await unwrap(client.POST("/api/scenarios/{slug}/simulate", { ...slugParams(slug), body }))) as unknown as SimulateResult;
}

export type TestsResult = Schemas["ScenarioTestsOut"];

/** Run the scenario's tests (`meta.tests`) on `document` as it is, unsaved; on the stored draft without one (a viewer). */
export async function runTests(slug: string, document?: ScenarioDocument): Promise<TestsResult> {
  const body = { document: document as unknown as Record<string, unknown> | undefined };
  return unwrap(client.POST("/api/scenarios/{slug}/tests", { ...slugParams(slug), body }));
}

/**
 * GET /api/scenarios/{slug}/stats's query as the designer sends it: the range's bounds with their offsets, the zone
 * they were read on, and one published version (all of them when left out).
 */
export type FlowStatsQuery = Pick<NonNullable<paths["/api/scenarios/{slug}/stats"]["get"]["parameters"]["query"]>, "since" | "until" | "version"> & {
  tz: string;
};

/** How many calls reached each block and took each exit of `slug` over a range: a 404 for no such scenario or version. */
export async function flowStats(slug: string, query: FlowStatsQuery): Promise<FlowStats> {
  return unwrap(client.GET("/api/scenarios/{slug}/stats", { params: { path: { slug }, query } }));
}

/** GET /api/reports/calls's query: the range (with offsets), the clock it is read on, the grouping, a scenario. */
export type CallReportQuery = paths["/api/reports/calls"]["get"]["parameters"]["query"];
export type CallReport = Schemas["CallReport"];

/** The register's calls of a range summed up by local day or hour, by scenario, or both (422: a range refused). */
export async function callReport(query: CallReportQuery): Promise<CallReport> {
  return unwrap(client.GET("/api/reports/calls", { params: { query } }));
}

/** The call register's filters the designer sends, to the list and to its downloads alike; each optional. */
export type CallFilterQuery = Pick<
  NonNullable<paths["/api/calls"]["get"]["parameters"]["query"]>,
  "since" | "until" | "status" | "result" | "caller" | "caller_name" | "with_errors" | "scheduled_job_id"
>;

/** How many calls a page of the Calls panel holds; "Load more" asks for the next. */
export const CALLS_PAGE_SIZE = 50;

/** A scenario's calls matching `filters`, newest first: the first page, or the one `cursor` (a `next_cursor`) names. */
export async function calls(scenario: string, filters: CallFilterQuery = {}, cursor: string | null = null): Promise<CallPage> {
  const query = { ...filters, scenario, page_size: CALLS_PAGE_SIZE, cursor: cursor ?? undefined };
  return unwrap(client.GET("/api/calls", { params: { query } }));
}

export async function call(id: string): Promise<CallDetail> {
  return (await unwrap(client.GET("/api/calls/{call_id}", { params: { path: { call_id: id } } }))) as unknown as CallDetail;
}

/**
 * The document of the version a recorded call ran, as it was published: found by the call, not by its slug and
 * number, which name another document (or none) once the scenario was deleted and created again.
 */
export async function callVersionDocument(id: string): Promise<ScenarioDocument> {
  const detail = await unwrap(client.GET("/api/calls/{call_id}/version", { params: { path: { call_id: id } } }));
  return detail.document as unknown as ScenarioDocument;
}

/**
 * The call register's filters the Calls page sends (every scenario, or one): local times read on `tz`'s clock,
 * a number or a name, Asterisk's UniqueID, a status, the flow's answer. Each optional but `tz`.
 */
export type RegisterQuery = Pick<
  NonNullable<paths["/api/calls"]["get"]["parameters"]["query"]>,
  "scenario" | "since" | "until" | "status" | "result" | "caller" | "caller_name" | "uniqueid" | "with_errors" | "scheduled_job_id"
> & { tz: string };

/** The register's calls matching `query`, across scenarios unless it names one: newest first, a page at a time. */
export async function callRegister(query: RegisterQuery, cursor: string | null = null): Promise<CallPage> {
  return unwrap(client.GET("/api/calls", { params: { query: { ...query, page_size: CALLS_PAGE_SIZE, cursor: cursor ?? undefined } } }));
}

export type CallbackJob = Schemas["CallbackJobOut"];
export type JobStatus = CallbackJob["status"];

/** GET /api/callbacks's filters: a client's number (as people type it), a status, a scenario, a campaign; a page. */
export type JobQuery = NonNullable<paths["/api/callbacks"]["get"]["parameters"]["query"]>;

/** Callback jobs, newest made first (a campaign's in its list's order): `limit` of them from `offset` on. */
export async function callbackJobs(query: JobQuery): Promise<CallbackJob[]> {
  return unwrap(client.GET("/api/callbacks", { params: { query } }));
}

/** One callback job with every dial attempt (a 404 for none such). */
export async function callbackJob(id: string): Promise<CallbackJob> {
  return unwrap(client.GET("/api/callbacks/{job_id}", { params: { path: { job_id: id } } }));
}

export async function dataSources(): Promise<string[]> {
  return (await unwrap(client.GET("/api/data-sources"))).map((source) => source.name);
}

/** A data source as listed: where it points (`target`), never its URL, which holds a password. */
export type DataSource = Schemas["DataSourcePublic"];
/** A source just saved, with the check of its new URL (`check`, a warning only; null when the URL stayed). */
export type DataSourceSaved = Schemas["DataSourceSaved"];
/** Whether a URL reached its database: `ok` with the `server`, or the `code` of why not and the driver's words. */
export type DataSourceCheck = Schemas["DataSourceCheck"];

/** The data sources the SQL block queries, by name (an admin's: api/routes/datasources.py). */
export async function listDataSources(): Promise<DataSource[]> {
  return unwrap(client.GET("/api/data-sources"));
}

/** A new source; a name taken is a 409, a name or URL that cannot be used a 422 naming `$.name` or `$.url`. */
export async function createDataSource(body: Schemas["DataSourceCreate"]): Promise<DataSourceSaved> {
  return unwrap(client.POST("/api/data-sources", { body }));
}

/** Change what `body` holds (url, read_only, description); read-only under a published query that writes is a 409. */
export async function updateDataSource(id: number, body: Schemas["DataSourceUpdate"]): Promise<DataSourceSaved> {
  return unwrap(client.PATCH("/api/data-sources/{source_id}", { params: { path: { source_id: id } }, body }));
}

/** Delete a source; refused (409 in-use, naming the scenarios) while a published scenario queries it. */
export async function deleteDataSource(id: number): Promise<void> {
  await unwrap(client.DELETE("/api/data-sources/{source_id}", { params: { path: { source_id: id } } }));
}

/** Check a URL not saved (yet): a few seconds at most, every outcome a 200. */
export async function checkDataSourceUrl(url: string): Promise<DataSourceCheck> {
  return unwrap(client.POST("/api/data-sources/check", { body: { url } }));
}

/** Check a saved source's connection now. */
export async function checkDataSource(id: number): Promise<DataSourceCheck> {
  return unwrap(client.POST("/api/data-sources/{source_id}/check", { params: { path: { source_id: id } } }));
}

export type DataSourceTry = Schemas["DataSourceTry"];

/** "Try query": a SQL block's reading query run once on the source it names, with values for its `:params`. */
export async function tryDataSourceQuery(source: string, query: string, params: Record<string, string>): Promise<DataSourceTry> {
  return unwrap(client.POST("/api/data-sources/{source_name}/try", { params: { path: { source_name: source } }, body: { query, params } }));
}

export interface AudioAsset {
  /** What goes in a prompt's `audio` field. */
  name: string;
  /** What the person who uploaded it called it. */
  title: string;
  /** Where the recording is fetched for listening. */
  url: string;
}

export async function audioAssets(): Promise<AudioAsset[]> {
  const list = await unwrap(client.GET("/api/audio"));
  return list.items.map((asset) => ({
    name: asset.media_name,
    title: asset.name,
    url: `/api/audio/${encodeURIComponent(asset.id)}/file`,
  }));
}

/**
 * Upload a recording as a new audio asset named `title`, in `language`. The server checks it is real audio
 * within its limits and converts it for Asterisk; a refusal is an `ApiError` 422 whose body's `code` says why
 * (`too_large`, `too_long`, `not_audio`).
 */
export async function uploadAudio(file: File, title: string, language: string): Promise<AudioAsset> {
  const asset = await unwrap(
    client.POST("/api/audio", {
      // The generated type calls the upload a string (OpenAPI's `format: binary`); what goes is the file itself.
      body: { file: file as unknown as string, name: title, language },
      bodySerializer: () => {
        const form = new FormData();
        form.append("file", file, file.name);
        form.append("name", title);
        form.append("language", language);
        return form;
      },
    }),
  );
  return { name: asset.media_name, title: asset.name, url: `/api/audio/${encodeURIComponent(asset.id)}/file` };
}

/**
 * A prompt's template spoken as a call would speak it: rendered with `variables` (declared defaults, test values)
 * first. A name without a value is a 422 `missing-variables` naming them (`missing_variables`).
 */
export async function ttsPreview(text: string, language: string, variables: Record<string, unknown> = {}, voice?: string): Promise<Blob> {
  return unwrap(client.POST("/api/tts/preview", { body: { text, language, variables, voice: voice ?? null }, parseAs: "blob" }));
}

/** What `ttsPreview` would speak for the same template and values, as text: the same 422s, nothing synthesized. */
export async function ttsPreviewText(text: string, language: string, variables: Record<string, unknown> = {}): Promise<string> {
  return (await unwrap(client.POST("/api/tts/preview/text", { body: { text, language, variables } }))).text;
}

/**
 * Read a call list file (CSV or XLSX) into rows, to check them before calling; the server stores nothing. With
 * `scenario`, the answer's `variables` name what it reads from a list, for the analyst to choose a column for each.
 */
export async function readCallList(file: File, scenario?: string): Promise<CallList> {
  return unwrap(
    client.POST("/api/callbacks/lists", {
      ...(scenario ? { params: { query: { scenario } } } : {}),
      // The generated type calls the upload a string (OpenAPI's `format: binary`); what goes is the file itself.
      body: { file: file as unknown as string },
      bodySerializer: () => {
        const form = new FormData();
        form.append("file", file, file.name);
        return form;
      },
    }),
  );
}

/**
 * Call a list: one callback job per row, all or none. With `dry_run` the server only checks and shows. With an
 * `idempotencyKey`, the same list sent again (a double click, a retry after a timeout) answers the campaign the
 * first made instead of starting a second.
 */
export async function callList(body: CallbackBatch, idempotencyKey?: string): Promise<CallbackBatchResult> {
  const headers = idempotencyKey ? { "Idempotency-Key": idempotencyKey } : undefined;
  return unwrap(client.POST("/api/callbacks/batch", { body, ...(headers ? { params: { header: headers } } : {}) }));
}

/** The lists called with a scenario, newest first, each with its clients counted by status; `limit` from `offset` on. */
export async function campaigns(scenario: string, page: { limit: number; offset?: number }): Promise<Campaign[]> {
  return unwrap(client.GET("/api/callbacks/campaigns", { params: { query: { scenario, limit: page.limit, offset: page.offset ?? 0 } } }));
}

const campaignParams = (id: string) => ({ params: { path: { campaign_id: id } } });

/** One campaign: its clients by status, and those reached by what they answered. */
export async function campaign(id: string): Promise<Campaign> {
  return unwrap(client.GET("/api/callbacks/campaigns/{campaign_id}", campaignParams(id)));
}

/** Stop a campaign: its clients not called yet never will be; a call in progress goes on. Its new counts. */
export async function stopCampaign(id: string): Promise<Campaign> {
  return unwrap(client.POST("/api/callbacks/campaigns/{campaign_id}/cancel", campaignParams(id)));
}

/** Hold a campaign: nobody is called until it is resumed; calls ringing finish. Idempotent. Its new counts. */
export async function pauseCampaign(id: string): Promise<Campaign> {
  return unwrap(client.POST("/api/callbacks/campaigns/{campaign_id}/pause", campaignParams(id)));
}

/** Carry on with a paused campaign. Idempotent. Its new counts. */
export async function resumeCampaign(id: string): Promise<Campaign> {
  return unwrap(client.POST("/api/callbacks/campaigns/{campaign_id}/resume", campaignParams(id)));
}

/** What separates the cells of a CSV download (the API's `delimiter`). */
export type CsvDelimiter = NonNullable<
  NonNullable<paths["/api/callbacks/campaigns/{campaign_id}.csv"]["get"]["parameters"]["query"]>["delimiter"]
>;

/**
 * The delimiter the Excel of someone in `locale` splits a CSV on when they open it: its list separator, which is
 * `;` where numbers are written with a decimal comma (Spain, Russia...), and a comma file opens there as one
 * column. A comma when the locale is unknown.
 */
export function csvDelimiterFor(locale: string | undefined): CsvDelimiter {
  if (!locale) return "comma";
  try {
    const decimal = new Intl.NumberFormat(locale).formatToParts(1.5).find((part) => part.type === "decimal");
    return decimal?.value === "," ? "semicolon" : "comma";
  } catch {
    return "comma"; // not a locale Intl reads
  }
}

/** The delimiter for the browser's own locale, the nearest sign of the computer's regional settings. */
export function browserCsvDelimiter(): CsvDelimiter {
  return csvDelimiterFor(typeof navigator === "undefined" ? undefined : navigator.language);
}

/**
 * The language a report's column titles and status and outcome labels are written in (the API's `lang`): the
 * designer's own for people opening it in Excel; `raw`, the API's default, keeps the codes BI tools parse.
 */
export type ReportLanguage = NonNullable<
  NonNullable<paths["/api/callbacks/campaigns/{campaign_id}.csv"]["get"]["parameters"]["query"]>["lang"]
>;

/** `path` with `query`, and `lang` unless raw (the API's default). */
function withLanguage(path: string, query: URLSearchParams, lang: ReportLanguage): string {
  if (lang !== "raw") query.set("lang", lang);
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * The campaign's report, a client a row; a plain link downloads it, the session cookie going along. Its times
 * are on the campaign's clock, which the header names (`last_attempt_at (Europe/Madrid)`, or in `lang`'s words).
 */
export function campaignReportUrl(id: string, delimiter: CsvDelimiter = "comma", lang: ReportLanguage = "raw"): string {
  const query = new URLSearchParams(delimiter === "comma" ? {} : { delimiter });
  return withLanguage(`/api/callbacks/campaigns/${encodeURIComponent(id)}.csv`, query, lang);
}

/**
 * The campaign's report as an Excel workbook (.xlsx): the CSV's columns, each cell typed (times as date-times on the
 * campaign's clock), so no delimiter to pick; it uploads back as a call list with its cells as they were.
 */
export function campaignReportXlsxUrl(id: string, lang: ReportLanguage = "raw"): string {
  return withLanguage(`/api/callbacks/campaigns/${encodeURIComponent(id)}.xlsx`, new URLSearchParams(), lang);
}

/** The browser's own time zone (an IANA name), which a download's times are written on; UTC when unknown. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/**
 * The filters the register's CSV and XLSX take beside the scenario, the clock and the file's form: a scenario's
 * Calls panel's, and the Call records page's (a UniqueID, the calls of a callback job) too.
 */
export type CallExportFilters = Omit<NonNullable<paths["/api/calls.csv"]["get"]["parameters"]["query"]>, "scenario" | "tz" | "delimiter" | "lang">;

/**
 * A scenario's call register as CSV (every call matching `filters`, newest first), or every scenario's (`scenario`
 * null or ""), its times on `tz`'s clock, which the header names (`started_at (Europe/Madrid)`); a plain link
 * downloads it, the session cookie going along.
 */
export function callsCsvUrl(
  scenario: string | null,
  tz: string,
  delimiter: CsvDelimiter = "comma",
  filters: CallExportFilters = {},
  lang: ReportLanguage = "raw",
): string {
  const query = callsExportQuery(scenario, tz, filters);
  if (delimiter !== "comma") query.set("delimiter", delimiter);
  return withLanguage("/api/calls.csv", query, lang);
}

/** The same calls as `callsCsvUrl`, as an Excel workbook (.xlsx): each cell typed, times as date-times on `tz`'s clock. */
export function callsXlsxUrl(scenario: string | null, tz: string, filters: CallExportFilters = {}, lang: ReportLanguage = "raw"): string {
  return withLanguage("/api/calls.xlsx", callsExportQuery(scenario, tz, filters), lang);
}

function callsExportQuery(scenario: string | null, tz: string, filters: CallExportFilters): URLSearchParams {
  // Every scenario's calls: no `scenario` at all, not an empty one (which the audit event would record as a filter).
  const query = new URLSearchParams(scenario ? { scenario } : {});
  // `with_errors=false` is a filter too (the calls without errors): only what is not set is left out.
  for (const [name, value] of Object.entries(filters)) if (value !== undefined && value !== null && value !== "") query.set(name, String(value));
  query.set("tz", tz);
  return query;
}
