/**
 * The API's shapes as the designer uses them (issue 4's contract). Until api/openapi.json is generated into
 * src/generated/api.ts these are written by hand; the client checks them against the generated paths.
 */
import type { BlockSpec } from "../lib/catalog";
import type { ScenarioDocument } from "../lib/convert";
import type { Problem } from "../lib/problems";

export type Role = "viewer" | "editor" | "publisher" | "admin";

export interface User {
  id: number | string;
  username: string;
  role: Role;
}

export interface LoginResult {
  user: User;
  csrf_token: string;
}

export interface ScenarioSummary {
  slug: string;
  name: string;
  description?: string | null;
  draft_revision: number;
  updated_at: string;
  updated_by?: string | null;
  latest_version?: number | null;
}

export interface ScenarioPage {
  items: ScenarioSummary[];
  total: number;
}

export interface Draft {
  document: ScenarioDocument;
  revision: number;
  updated_at: string;
  updated_by?: string | null;
}

export interface ScenarioDetail {
  slug: string;
  name: string;
  description?: string | null;
  draft: Draft;
  latest_version?: number | null;
}

export interface SaveResult {
  revision: number;
  problems: Problem[];
}

export interface Conflict {
  current_revision: number;
  document: ScenarioDocument;
}

export interface TestOutcome {
  name: string;
  passed: boolean;
  failures: string[];
  story: string[];
}

export interface VersionSummary {
  number: number;
  message: string;
  created_at: string;
  created_by: string;
  validation_summary?: Record<string, unknown>;
}

export interface PublishResult {
  version: VersionSummary;
  diff: Record<string, unknown>;
  tests: TestOutcome[];
  problems?: Problem[];
}

export interface TraceStep {
  index?: number;
  node: string;
  type?: string;
  label?: string;
  exit?: string | null;
  keys?: string;
  prompts?: Record<string, unknown>[];
  error?: string | null;
  scenario?: string | null;
}

export interface CallResultLike {
  call_id?: string;
  outcome: string;
  steps: TraceStep[];
  variables: Record<string, unknown>;
}

export interface SimulateRequest {
  document?: ScenarioDocument;
  keys: string[];
  caller_id?: string;
  at?: string;
  variables?: Record<string, unknown>;
  data_rows?: Record<string, unknown[]>;
  transfers?: string[];
}

export interface SimulateResult {
  result: CallResultLike;
  story: string[];
}

export interface CallSummary {
  id: string;
  scenario: string;
  version: number | null;
  caller_id: string;
  started_at: string;
  duration_ms: number;
  outcome: string;
  status: string;
  last_node: string | null;
}

export interface CallDetail extends CallSummary {
  trace: Partial<CallResultLike>;
  variables: Record<string, unknown>;
}

export interface CallPage {
  items: CallSummary[];
  next_cursor: string | null;
}

export type BlockCatalog = BlockSpec[];
