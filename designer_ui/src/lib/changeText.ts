/**
 * A published version's changes (graph_engine.diff `changes`) worded in the interface language, with the names the
 * canvas shows: a block's label (else its title), a block type's title, a field's title, a menu key as a key.
 * The server's `summary` is English, for API clients; a change of a kind this designer does not know keeps it.
 */
import { exitLabel, specTitle } from "./blockText";
import type { Catalog } from "./catalog";
import type { Language, MessageKey, Translate } from "./i18n";
import { localTitle } from "./schemaText";

type Scalar = string | number | boolean | null;

/** One change as the server sends it: a stable `kind` and its parameters (see graph_engine/diff.py). */
export interface Change {
  kind: string;
  node?: string;
  label?: string;
  type?: string;
  field?: string;
  fields?: string[];
  /** Of `fields`, those short enough to show as they were and as they are (block_changed); null: not set. */
  values?: { field: string; before: Scalar; after: Scalar }[];
  keys?: string[];
  key?: string;
  exit?: string;
  before?: string | null;
  after?: string | null;
  before_label?: string | null;
  after_label?: string | null;
  /** The declared call result a `result_*` change is about; its `before`/`after` are its label or description. */
  code?: string;
  /** Texts too long for the line (a SQL query, a long TTS text), whole on both sides; null: not set. */
  texts?: TextChange[];
  /** The scenario tests (`meta.tests`) a `tests_*` change names: added, removed or changed. */
  tests?: string[];
}

/** A long text of a `block_changed` or `prompt_changed` change, as it was and as it is (graph_engine/diff.py). */
export interface TextChange {
  field: string;
  before: string | null;
  after: string | null;
}

export interface Wording {
  t: Translate;
  language: Language;
  catalog: Catalog;
  /** The type of a block by id, in the draft (a target of an exit has only its id and label in a change). */
  typeOf(node: string): string | undefined;
}

const QUOTES: Record<Language, [string, string]> = { en: ["“", "”"], es: ["«", "»"], ru: ["«", "»"] };

function quoted(language: Language, text: string): string {
  const [open, close] = QUOTES[language];
  return `${open}${text}${close}`;
}

function typeTitle(w: Wording, type: string): string {
  return specTitle(w.language, type, w.catalog.get(type));
}

/** A block as the canvas names it: its label, else its type's title, else its id; quoted. */
function blockName(w: Wording, node: string, label: string | null | undefined, type?: string): string {
  const known = type || w.typeOf(node);
  return quoted(w.language, label || (known ? typeTitle(w, known) : node));
}

function fieldTitle(w: Wording, type: string, field: string): string {
  if (field === "label") return w.t("editor.label"); // the block's own name, not a config field
  const title = w.catalog.get(type)?.config_schema.properties?.[field]?.title;
  return typeof title === "string" ? localTitle(title, w.language) : field;
}

/** A menu's key exit as "key 0"; any other exit by its label on the canvas ("Closed" of a Schedule: «Закрыто»). */
function exitName(w: Wording, type: string, exit: string): string {
  if (type === "ivr" && /^[0-9*#]$/.test(exit)) return w.t("change.key", { key: exit });
  const fixed = w.catalog.get(type)?.exit_rules.find((rule) => rule.name === exit)?.label;
  // A label equal to its exit reads as an analyst's own list item to exitLabel, left as written: give it the word.
  const serverLabel = fixed ?? (exit === "error" ? "Error" : exit);
  return w.t("change.exit", { exit: exitLabel(w.language, type, exit, serverLabel, w.catalog.get(type)) });
}

/** A setting's value as the block's form shows it: text quoted, yes/no, or "not set". */
function valueText(w: Wording, value: Scalar | undefined): string {
  if (value === null || value === undefined || value === "") return w.t("change.unset");
  if (typeof value === "boolean") return w.t(value ? "change.yes" : "change.no");
  return quoted(w.language, String(value));
}

/** A block's changed fields: `«Куда»: «100» → «101»` where the server sent the values, else the field's title. */
function changedFields(w: Wording, type: string, change: Change): string {
  const values = new Map((change.values ?? []).map((v) => [v.field, v]));
  const said = (change.fields ?? []).map((field) => {
    const title = quoted(w.language, fieldTitle(w, type, field));
    const value = values.get(field);
    return value ? `${title}: ${valueText(w, value.before)} → ${valueText(w, value.after)}` : title;
  });
  return said.join(values.size > 0 ? "; " : ", ");
}

/** A field of a block of type `type` as its form titles it, quoted: what a change's long text is of. */
export function quotedFieldTitle(w: Wording, type: string, field: string): string {
  return quoted(w.language, fieldTitle(w, type, field));
}

/** The Scenario panel's title of each scenario-level field graph_engine.diff compares (`_SCENARIO_FIELDS`). */
const SETTING_TITLES: Record<string, MessageKey> = {
  name: "editor.scenarioName",
  description: "editor.scenarioDescription",
  language: "editor.scenarioLanguage",
  voice: "change.settingVoice",
  variables: "editor.variables",
  fallback: "editor.fallback",
};

/** A scenario setting as the Scenario panel titles it, not the document's key; a key not known here as sent. */
function settingTitle(w: Wording, field: string): string {
  const key = Object.hasOwn(SETTING_TITLES, field) ? SETTING_TITLES[field] : undefined;
  return key ? w.t(key) : field;
}

function keysText(w: Wording, block: string, keys: string[], added: boolean): string {
  const key = keys.length === 1 ? (added ? "change.keyAdded" : "change.keyRemoved") : added ? "change.keysAdded" : "change.keysRemoved";
  return w.t(key, { block, keys: keys.join(", ") });
}

/** A kept key of a menu that changed: its new meaning (label), or only that it changed when the label did not. */
function keyChangeText(w: Wording, block: string, change: Change): string {
  const key = change.key ?? "";
  if (change.before === change.after) return w.t("change.keySettingsChanged", { block, key });
  return w.t("change.keyChanged", { block, key, before: valueText(w, change.before), after: valueText(w, change.after) });
}

function target(w: Wording, node: string | null | undefined, label: string | null | undefined): string {
  return node ? blockName(w, node, label) : w.t("change.nowhere");
}

/**
 * A declared call result added, removed, renamed or described anew. A new label is said with what it does to the
 * calls already made: reports and call records show every call in the latest version's words (review: «Sin
 * cambios» was said while every past call then read the new label).
 */
function resultChangeText(w: Wording, change: Change): string | null {
  const code = quoted(w.language, change.code ?? "");
  switch (change.kind) {
    case "result_added":
      return w.t("change.resultAdded", { code, label: valueText(w, change.after) });
    case "result_removed":
      return w.t("change.resultRemoved", { code, label: valueText(w, change.before) });
    case "result_relabelled":
      return w.t("change.resultRelabelled", { code, before: valueText(w, change.before), after: valueText(w, change.after) });
    case "result_description_changed":
      // Neither side sent: one was too long to show.
      if (change.before == null && change.after == null) return w.t("change.resultDescriptionChanged", { code });
      return w.t("change.resultDescribed", { code, before: valueText(w, change.before), after: valueText(w, change.after) });
    default:
      return null;
  }
}

const TEST_CHANGES: Record<string, [MessageKey, MessageKey]> = {
  tests_added: ["change.testAdded", "change.testsAdded"],
  tests_removed: ["change.testRemoved", "change.testsRemoved"],
  tests_changed: ["change.testChanged", "change.testsChanged"],
};

/**
 * Scenario tests added, removed or changed, each named: no call changes, but a test removed is one the publish was
 * not checked against (review: a failing test deleted got a publish past the check, and the dialog said «No changes»).
 */
function testsChangeText(w: Wording, change: Change): string | null {
  const keys = Object.hasOwn(TEST_CHANGES, change.kind) ? TEST_CHANGES[change.kind] : undefined;
  if (!keys) return null;
  const names = change.tests ?? [];
  return w.t(names.length === 1 ? keys[0] : keys[1], { tests: names.map((name) => quoted(w.language, name)).join(", ") });
}

/** The change in words, or null for a kind this designer does not know (the server's sentence stands in). */
export function changeText(change: Change, w: Wording): string | null {
  const { t } = w;
  const type = change.type ?? "";
  const block = blockName(w, change.node ?? "", change.label, type);
  switch (change.kind) {
    case "block_added":
      return t("change.blockAdded", { block, type: typeTitle(w, type) });
    case "block_removed":
      return t("change.blockRemoved", { block, type: typeTitle(w, type) });
    case "prompt_changed": {
      // Quoted as the form shows it: unquoted, the title read as the sentence's own words (review: "ha cambiado
      // Texto que se dice del bloque…").
      const field = quotedFieldTitle(w, type, change.field ?? "");
      if (change.before && change.after) return t("change.promptChangedTo", { field, block, before: change.before, after: change.after });
      return t("change.promptChanged", { field, block });
    }
    case "keys_added":
      return keysText(w, block, change.keys ?? [], true);
    case "keys_removed":
      return keysText(w, block, change.keys ?? [], false);
    case "key_changed":
      return keyChangeText(w, block, change);
    case "exit_changed": {
      const exit = exitName(w, type, change.exit ?? "");
      return t("change.exitChanged", { exit, block, after: target(w, change.after, change.after_label), before: target(w, change.before, change.before_label) });
    }
    case "block_changed": {
      const key = (change.fields ?? []).length === 1 ? "change.blockFieldChanged" : "change.blockChanged";
      return t(key, { block, type: typeTitle(w, type), fields: changedFields(w, type, change) });
    }
    case "setting_changed":
      return t("change.settingChanged", { field: settingTitle(w, change.field ?? "") });
    default:
      if (change.kind.startsWith("tests_")) return testsChangeText(w, change);
      return change.kind.startsWith("result_") ? resultChangeText(w, change) : null;
  }
}

/**
 * A menu key's connection gone with the key: the key's removal says it already, and a second line that the key
 * "now leads nowhere" read as if the key were still offered (review: «удалена клавиша 9» and «клавиша 9 ... теперь
 * ведёт в никуда»).
 */
function goneWithItsKey(change: Change, changes: readonly Change[]): boolean {
  if (change.kind !== "exit_changed" || change.after != null) return false;
  return changes.some((other) => other.kind === "keys_removed" && other.node === change.node && (other.keys ?? []).includes(change.exit ?? ""));
}

/** A line of a diff and the change it tells; null for a line of the server's summary alone. */
export interface DiffLine {
  text: string;
  change: Change | null;
}

/**
 * The lines of a diff to show, each with its change: each change in words, but for one another line tells
 * already; the server's English summary when the diff has no `changes` (a server from before them) or for a
 * change of an unknown kind.
 */
export function diffEntries(diff: Record<string, unknown>, w: Wording): DiffLine[] {
  const summary = Array.isArray(diff.summary) ? (diff.summary as unknown[]).map(String) : [];
  if (!Array.isArray(diff.changes)) return summary.map((text) => ({ text, change: null }));
  const changes = diff.changes as Change[];
  return changes.flatMap((change, i) =>
    goneWithItsKey(change, changes) ? [] : [{ text: changeText(change, w) ?? summary[i] ?? change.kind, change }],
  );
}

/** The text of `diffEntries`' lines. */
export function diffLines(diff: Record<string, unknown>, w: Wording): string[] {
  return diffEntries(diff, w).map((line) => line.text);
}
