/** The block catalog as `GET /api/blocks` returns it (see graph_engine/block.py `BlockType.describe()`). */

export type Config = Record<string, unknown>;

/** One line of a block's exit rule language; `each` rules expand to one exit per item of a config list. */
export interface ExitRule {
  name?: string;
  label?: string;
  if?: Record<string, unknown>;
  each?: string;
  name_from?: string;
  label_from?: string;
}

export interface JsonSchemaObject {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchemaObject>;
  items?: JsonSchemaObject;
  default?: unknown;
  enum?: unknown[];
  required?: string[];
  "x-ui"?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface BlockSpec {
  type: string;
  version: number;
  title: string;
  category: string;
  icon: string;
  description: string;
  config_schema: JsonSchemaObject;
  exit_rules: ExitRule[];
  default_exits: string[];
  unwired_meaning: Record<string, string>;
  waits_for_caller?: boolean;
  terminal?: boolean;
  plugin?: string | null;
}

export type Catalog = Map<string, BlockSpec>;

export function catalogFrom(specs: BlockSpec[]): Catalog {
  return new Map(specs.map((spec) => [spec.type, spec]));
}

/** The config a freshly dropped block starts with: every schema default. */
export function defaultConfig(spec: BlockSpec): Config {
  const config: Config = {};
  for (const [name, field] of Object.entries(spec.config_schema.properties ?? {})) {
    if (field.default !== undefined) config[name] = structuredClone(field.default);
  }
  return config;
}

/** Palette groups: categories in first-seen order, blocks by title, filtered by a free-text query. */
export function paletteGroups(specs: BlockSpec[], query: string): { category: string; blocks: BlockSpec[] }[] {
  const needle = query.trim().toLowerCase();
  const groups = new Map<string, BlockSpec[]>();
  for (const spec of specs) {
    const haystack = `${spec.title} ${spec.type} ${spec.category} ${spec.description}`.toLowerCase();
    if (needle && !haystack.includes(needle)) continue;
    const list = groups.get(spec.category) ?? [];
    list.push(spec);
    groups.set(spec.category, list);
  }
  return [...groups].map(([category, blocks]) => ({
    category,
    blocks: blocks.sort((a, b) => a.title.localeCompare(b.title)),
  }));
}

function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === "") return true;
  return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0;
}

/**
 * What a form produced, minus the optional settings left empty. Forms fill an untouched optional object
 * (the IVR's "when nothing is pressed" prompt) with `{}`, which the block's schema rightly refuses.
 */
export function pruneConfig(config: Config, schema: JsonSchemaObject): Config {
  const required = new Set(schema.required ?? []);
  const out: Config = {};
  for (const [key, value] of Object.entries(config)) {
    if (!required.has(key) && isEmptyValue(value)) continue;
    out[key] = value;
  }
  return out;
}
