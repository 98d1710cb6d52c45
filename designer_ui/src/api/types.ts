/**
 * The API's shapes, taken from the client generated from api/openapi.json. Scenario documents and traces are
 * free-form objects in the OpenAPI document; here they get the designer's own types.
 */
import type { components } from "../generated/api";
import type { ScenarioDocument } from "../lib/convert";

type Schemas = components["schemas"];

export type User = Schemas["UserPublic"];
export type Role = User["role"];
export type ScenarioSummary = Schemas["ScenarioSummary"];
export type ScenarioPage = Schemas["ScenarioList"];
export type SaveResult = Schemas["DraftSaved"];
export type TestOutcome = Schemas["TestOutcome"];
export type VersionSummary = Schemas["VersionSummary"];
export type PublishResult = Schemas["PublishOut"];
export type SimulateRequest = Omit<Schemas["SimulateIn"], "document"> & { document?: ScenarioDocument };
export type CallSummary = Schemas["CallSummary"];
export type CallPage = Schemas["CallPage"];

export interface Draft extends Omit<Schemas["Draft"], "document"> {
  document: ScenarioDocument;
}

export interface ScenarioDetail extends Omit<Schemas["ScenarioDetail"], "draft"> {
  draft: Draft;
}

/** The body of a 409 on a draft save: what is stored now, so nothing has to be overwritten blindly. */
export interface Conflict {
  current_revision: number;
  document: ScenarioDocument;
}

/** graph_engine.trace.TraceStep as data. */
export interface TraceStep {
  index?: number;
  node: string;
  type?: string;
  label?: string;
  /** When the step began (ISO 8601). */
  at?: string;
  exit?: string | null;
  /** Every key pressed at the step, failed tries included (see `events`). */
  keys?: string;
  /** What was played or said: `{audio, text?, language?}`. */
  prompts?: Record<string, unknown>[];
  variables_changed?: Record<string, unknown>;
  /** What the block noted: `{kind: "invalid", keys}`, `{kind: "no_input"}`, `{kind: "transfer", ...}`... */
  events?: Record<string, unknown>[];
  duration_ms?: number;
  error?: string | null;
  scenario?: string | null;
}

/** graph_engine.trace.CallResult as data. */
export interface CallResultLike {
  call_id?: string;
  started_at?: string;
  ended_at?: string;
  outcome: string;
  steps: TraceStep[];
  variables: Record<string, unknown>;
}

export interface SimulateResult extends Omit<Schemas["SimulateOut"], "result"> {
  result: CallResultLike;
}

export interface CallDetail extends Omit<Schemas["CallDetail"], "trace"> {
  trace: Partial<CallResultLike>;
}

/** A call list file read into rows (POST /api/callbacks/lists). */
export type CallList = Schemas["CallListOut"];
export type CallListRow = CallList["rows"][number];
/** A call list to call (POST /api/callbacks/batch) and what the server planned or created. */
export type CallbackBatch = Schemas["CallbackBatchIn"];
export type CallbackBatchResult = Schemas["CallbackBatchOut"];
export type PlannedJob = Schemas["PlannedJobOut"];
export type OpeningHours = Schemas["OpeningHours"];
export type Weekday = OpeningHours["days"][number];
/** One imported call list, followed by status and answer (GET /api/callbacks/campaigns[/{id}]). */
export type Campaign = Schemas["CampaignOut"];
