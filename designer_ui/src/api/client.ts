/** The designer's calls to the ivrgraph API, one function per operation, named after what the analyst does. */
import type { ScenarioDocument } from "../lib/convert";
import type { Problem } from "../lib/problems";
import { request, setCsrfToken } from "./http";
import type {
  BlockCatalog,
  CallDetail,
  CallPage,
  LoginResult,
  PublishResult,
  SaveResult,
  ScenarioDetail,
  ScenarioPage,
  SimulateRequest,
  SimulateResult,
  User,
  VersionSummary,
} from "./types";

const slugPath = (slug: string) => `/scenarios/${encodeURIComponent(slug)}`;

export async function login(username: string, password: string): Promise<User> {
  const result = await request<LoginResult>("/auth/login", { method: "POST", body: { username, password } });
  setCsrfToken(result.csrf_token);
  return result.user;
}

/** The session survives a reload in its cookie; the CSRF token is handed out again by /auth/me. */
export async function me(): Promise<User> {
  const result = await request<{ user?: User; csrf_token?: string } & Partial<User>>("/auth/me");
  if (result.csrf_token) setCsrfToken(result.csrf_token);
  return (result.user ?? result) as User;
}

export async function logout(): Promise<void> {
  await request("/auth/logout", { method: "POST" });
  setCsrfToken(null);
}

export const blocks = () => request<BlockCatalog>("/blocks");

export const listScenarios = (q: string, page: number, pageSize: number) =>
  request<ScenarioPage>("/scenarios", { query: { q, page, page_size: pageSize } });

export const createScenario = (slug: string, name: string, document?: ScenarioDocument) =>
  request<ScenarioDetail>("/scenarios", { method: "POST", body: document ? { slug, name, document } : { slug, name } });

export const getScenario = (slug: string) => request<ScenarioDetail>(slugPath(slug));

export const saveDraft = (slug: string, revision: number, document: ScenarioDocument) =>
  request<SaveResult>(`${slugPath(slug)}/draft`, { method: "PUT", body: { revision, document } });

export const deleteScenario = (slug: string) => request<void>(slugPath(slug), { method: "DELETE" });

export const duplicateScenario = (slug: string, newSlug: string, name: string) =>
  request<ScenarioDetail>(`${slugPath(slug)}/duplicate`, { method: "POST", body: { slug: newSlug, name } });

export const importScenario = (slug: string, document: unknown, name?: string) =>
  request<ScenarioDetail>("/scenarios/import", { method: "POST", body: name ? { slug, name, document } : { slug, document } });

export const exportScenario = (slug: string) => request<unknown>(`${slugPath(slug)}/export`);

export const validate = (slug: string, document: ScenarioDocument) =>
  request<{ problems: Problem[] }>(`${slugPath(slug)}/validate`, { method: "POST", body: { document } });

export const publish = (slug: string, message: string) =>
  request<PublishResult>(`${slugPath(slug)}/publish`, { method: "POST", body: { message } });

export const versions = (slug: string) => request<VersionSummary[]>(`${slugPath(slug)}/versions`);

export const rollback = (slug: string, version: number) =>
  request<PublishResult>(`${slugPath(slug)}/versions/${version}/rollback`, { method: "POST" });

export const simulate = (slug: string, body: SimulateRequest) =>
  request<SimulateResult>(`${slugPath(slug)}/simulate`, { method: "POST", body });

export const calls = (scenario: string) => request<CallPage>("/calls", { query: { scenario, limit: 50 } });

export const call = (id: string | number) => request<CallDetail>(`/calls/${encodeURIComponent(String(id))}`);

export const audioAssets = () => request<unknown>("/audio");

export async function ttsPreview(text: string, language: string, voice?: string): Promise<Blob> {
  const response = await request<Response>("/tts/preview", { method: "POST", body: { text, language, voice }, raw: true });
  return response.blob();
}

