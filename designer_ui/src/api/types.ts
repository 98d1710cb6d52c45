/**
 * The API's shapes, taken from the client generated from api/openapi.json. Scenario documents and traces are
 * free-form objects in the OpenAPI document; here they get the designer's own types.
 */
import type { components } from "../generated/api";
import type { ScenarioDocument } from "../lib/convert";

type Schemas = components["schemas"];

export type User = Schemas["UserPublic"];
export type Role = User["role"];
export type ApiToken = Schemas["TokenPublic"];
export type ApiTokenCreated = Schemas["TokenCreated"];
export type ApiTokenRequest = Schemas["TokenCreate"];
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

/**
 * The body of a 409 on a draft save (or on a publish of a draft that has moved on): what is stored now, so nothing
 * has to be overwritten blindly. `scenario_created_at` names the scenario that draft belongs to: another one than
 * the editor opened, when the scenario was deleted and created again under its slug.
 */
export interface Conflict {
  current_revision: number;
  scenario_created_at?: string | null;
  document: ScenarioDocument;
}

/**
 * Which draft a save or a publish is made against: its revision and, as the server sent it, when its scenario was
 * created (revisions start at 1 again when a slug is deleted and created again). Null: not known, and only the
 * revision is checked.
 */
export interface DraftPin {
  revision: number;
  scenarioCreatedAt: string | null;
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
export type ListVariable = Schemas["ListVariableOut"];
/** A call list to call (POST /api/callbacks/batch) and what the server planned or created. */
export type CallbackBatch = Schemas["CallbackBatchIn"];
export type CallbackBatchResult = Schemas["CallbackBatchOut"];
export type PlannedJob = Schemas["PlannedJobOut"];
export type OpeningHours = Schemas["OpeningHours"];
export type Weekday = OpeningHours["days"][number];
/** One imported call list, followed by status and answer (GET /api/callbacks/campaigns[/{id}]). */
export type Campaign = Schemas["CampaignOut"];

/**
 * A scenario's flow statistics (GET /api/scenarios/{slug}/stats): calls counted over the applied range, and per
 * block and per exit the visits and the distinct calls.
 */
export type FlowStats = Schemas["FlowStats"];
