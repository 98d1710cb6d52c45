/** The block catalog as `GET /api/blocks` returns it (see graph_engine/block.py `BlockType.describe()`). */
import type { Language } from "./i18n";

/**
 * A block's texts in one language (graph_engine/block.py `BlockType.translations`): its title and description, and
 * by key `fields.<name>.title`, `fields.<name>.description`, `fields.<name>.enum.<value>`, `exits.<name>` and
 * `issues.<code>` (graph_engine/translations.py; lib/pluginText.ts reads them).
 */
export interface BlockTexts {
  title?: string;
  description?: string;
  [key: string]: string | undefined;
}

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
  /** The block's texts in the designer's languages, as a plugin gives them (lib/blockText.ts `specTitle`, lib/pluginText.ts). */
  translations?: Partial<Record<Language, BlockTexts>>;
  config_schema: JsonSchemaObject;
  exit_rules: ExitRule[];
  default_exits: string[];
  unwired_meaning: Record<string, string>;
  waits_for_caller?: boolean;
  terminal?: boolean;
  /** False: a test call runs the block's `simulate`, not its `run` (a plugin's SMS, CRM lookup); lib/testForcedExits. */
  safe_in_test_call?: boolean;
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

/**
 * Palette groups: categories in first-seen order, blocks by title, filtered by a free-text query. `titleOf` is
 * the title as the palette shows it (the interface language's); the query is looked for in it, the server's
 * English title, the type, the category, the description and the block's search words (`keywordsOf`: other
 * designers' names for it, lib/blockText.ts `blockKeywords`). A block found by its title comes before one found
 * only elsewhere (typing "menu" puts IVR Menu first, not Go To, whose description mentions a menu), and so does
 * its group.
 */
export function paletteGroups(
  specs: BlockSpec[],
  query: string,
  titleOf: (spec: BlockSpec) => string = (spec) => spec.title,
  categoryOf: (category: string) => string = (category) => category,
  descriptionOf: (spec: BlockSpec) => string = (spec) => spec.description,
  keywordsOf: (spec: BlockSpec) => readonly string[] = () => [],
): { category: string; blocks: BlockSpec[] }[] {
  const needle = query.trim().toLowerCase();
  const groups = new Map<string, { spec: BlockSpec; title: string; byTitle: boolean }[]>();
  for (const spec of specs) {
    const title = titleOf(spec);
    const byTitle = !needle || `${title} ${spec.title}`.toLowerCase().includes(needle);
    // The description as shown (translated) and as the server wrote it: either finds the block.
    const described = `${descriptionOf(spec)} ${spec.description}`;
    const elsewhere = `${spec.type} ${spec.category} ${categoryOf(spec.category)} ${described} ${keywordsOf(spec).join(" | ")}`.toLowerCase();
    if (!byTitle && !elsewhere.includes(needle)) continue;
    const list = groups.get(spec.category) ?? [];
    list.push({ spec, title, byTitle });
    groups.set(spec.category, list);
  }
  const hasTitleMatch = (list: { byTitle: boolean }[]) => list.some((found) => found.byTitle);
  return [...groups]
    .map(([category, found]) => ({ category, found }))
    .sort((a, b) => Number(hasTitleMatch(b.found)) - Number(hasTitleMatch(a.found)))
    .map(({ category, found }) => ({
      category,
      blocks: found
        .sort((a, b) => Number(b.byTitle) - Number(a.byTitle) || a.title.localeCompare(b.title))
        .map((item) => item.spec),
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
