/** Which variables a template may use: channel facts, declared variables, and those blocks set. */
import type { Config } from "./catalog";
import type { BlockNode, DocumentHead } from "./convert";
import type { MessageKey } from "./i18n";

/** Every call has these (see graph_engine: channel facts). */
export const CHANNEL_FACTS = ["call_id", "caller_id", "caller_name", "dialed_number", "channel", "language"];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Variables a block's config writes, read from the config fields the built-in blocks use for that. */
export function variablesWritten(type: string, config: Config): string[] {
  const names: unknown[] = [];
  if (type === "set_variable" && Array.isArray(config.assignments)) {
    for (const a of config.assignments) names.push((a as Record<string, unknown>)?.variable);
  }
  if (type === "sql") {
    names.push(config.rows_variable);
    if (config.columns && typeof config.columns === "object") names.push(...Object.values(config.columns));
  }
  names.push(config.variable, config.key_variable);
  return names.filter((n): n is string => typeof n === "string" && IDENTIFIER.test(n));
}

export function availableVariables(head: DocumentHead, nodes: BlockNode[]): string[] {
  const names = new Set(CHANNEL_FACTS);
  for (const variable of head.variables ?? []) names.add(variable.name);
  for (const node of nodes) for (const name of variablesWritten(node.data.blockType, node.data.config)) names.add(name);
  return [...names].sort((a, b) => a.localeCompare(b));
}

/**
 * The declared types a phrase must not say as they are stored, each with the template helper that says its value as
 * people do, in the call's language (graph_engine/template_hints.py keeps the same list: validation warns of a
 * phrase that says one as it is stored). A date is ISO text, "2026-12-15", which a voice reads out as numbers.
 */
export const SPOKEN_FORMS: Readonly<Record<string, string>> = { date: "spoken_date" };

/**
 * Whether the caller hears a field's template: its schema says so, `"x-ui": {"widget": "template", "spoken": true}`,
 * as the spoken text of a Say Phrase and of every prompt does (blocks/common.py's SPOKEN_TEXT). The other template
 * fields (a Transfer's destination, a Callback's number, an SMS's text) are dialled, shown or sent, never spoken.
 */
export function isSpoken(schema: object): boolean {
  const hint = (schema as Record<string, unknown>)["x-ui"];
  return typeof hint === "object" && hint !== null && (hint as Record<string, unknown>).spoken === true;
}

/** A declared variable's type; undefined for a variable the scenario does not declare (a channel fact, a block's). */
export function declaredType(variables: readonly { name: string; type?: string }[] | undefined, name: string): string | undefined {
  return variables?.find((variable) => variable.name === name)?.type;
}

/**
 * How a field takes a picked variable: an expression by its bare name (`caller_id in vips`), a text template in
 * braces (`{{ caller_id }}`), a phrase the caller hears in braces and, for a date, through `spoken_date`, an SQL
 * query as a bound parameter (`:caller_id`: the SQL block renders no template, the database would get the braces).
 */
export type VariableSlot = "bare" | "template" | "spoken" | "param";

/** The slot of a field drawn by the `template` widget (widgets.tsx): a phrase the caller hears where its schema says so. */
export function templateSlot(schema: object): VariableSlot {
  return isSpoken(schema) ? "spoken" : "template";
}

/** Write variable `name` (of declared `type`, if any) over `start`..`end` of `text` as `slot` takes it; the caret after it. */
export function insertVariable(
  text: string,
  name: string,
  type: string | undefined,
  slot: VariableSlot,
  start: number,
  end = start,
): { text: string; caret: number } {
  if (slot === "bare") return { text: text.slice(0, start) + name + text.slice(end), caret: start + name.length };
  if (slot === "param") return insertParameter(text, name, start, end);
  const helper = slot === "spoken" && type !== undefined && Object.hasOwn(SPOKEN_FORMS, type) ? SPOKEN_FORMS[type] : undefined;
  return insertPlaceholder(text, helper ? `${helper}(${name}, language)` : name, start, end);
}

const WORD_CHARACTER = /[\p{L}\p{N}_]/u;

/** Insert `:name` at the caret, spaced from a word it would be glued to (`WHERE:name` is no parameter, `:nameFROM` another). */
function insertParameter(text: string, name: string, start: number, end: number): { text: string; caret: number } {
  const at = Math.max(0, Math.min(start, text.length));
  const to = Math.max(at, Math.min(end, text.length));
  const before = at > 0 && WORD_CHARACTER.test(text[at - 1]!) ? " " : "";
  const after = to < text.length && WORD_CHARACTER.test(text[to]!) ? " " : "";
  const token = `${before}:${name}`;
  return { text: text.slice(0, at) + token + after + text.slice(to), caret: at + token.length };
}

/** Insert `{{ name }}` (or `{{ expression }}`) at the caret, so the analyst never types braces. */
export function insertPlaceholder(text: string, name: string, start: number, end = start): { text: string; caret: number } {
  const token = `{{ ${name} }}`;
  const at = Math.max(0, Math.min(start, text.length));
  const to = Math.max(at, Math.min(end, text.length));
  return { text: text.slice(0, at) + token + text.slice(to), caret: at + token.length };
}

/**
 * A template helper as Insert variable offers it: voice/spoken.py's TEMPLATE_FUNCTIONS, which say a value in the
 * call's language, and graph_engine/templates.py's `e164` filter.
 */
export interface TemplateHelper {
  name: string;
  /** As the table of helpers in docs/scenario-format.md writes it; tests hold the two, and the table to the engine. */
  signature: string;
  /** What the helper does, one line in the analyst's language. */
  description: MessageKey;
  /** The call Insert writes on `value` (a variable's name), without braces. */
  call(value: string): string;
  /** The argument of the call the analyst most likely changes (the currency), selected once it is written. */
  edit?: string;
  /** What stands for the value, selected to be named, when no variable is at hand: the signature's own word. */
  placeholder: string;
}

export const TEMPLATE_HELPERS: readonly TemplateHelper[] = [
  {
    name: "number",
    signature: "number(value, lang, gender='m')",
    description: "editor.helper.number",
    call: (value) => `number(${value}, language)`,
    placeholder: "value",
  },
  {
    name: "ordinal",
    signature: "ordinal(value, lang, gender='m')",
    description: "editor.helper.ordinal",
    call: (value) => `ordinal(${value}, language)`,
    placeholder: "value",
  },
  {
    name: "money",
    signature: "money(amount, currency, lang)",
    description: "editor.helper.money",
    // No scenario setting names a currency: EUR, selected, for the analyst to change.
    call: (value) => `money(${value}, 'EUR', language)`,
    edit: "'EUR'",
    placeholder: "amount",
  },
  {
    name: "spoken_date",
    signature: "spoken_date(value, lang, form='nominative')",
    description: "editor.helper.spoken_date",
    call: (value) => `spoken_date(${value}, language)`,
    placeholder: "value",
  },
  {
    name: "spoken_time",
    signature: "spoken_time(value, lang, form='clock')",
    description: "editor.helper.spoken_time",
    call: (value) => `spoken_time(${value}, language)`,
    placeholder: "value",
  },
  {
    name: "digits",
    signature: "digits(value, lang)",
    description: "editor.helper.digits",
    call: (value) => `digits(${value}, language)`,
    placeholder: "value",
  },
  {
    name: "e164",
    signature: "number | e164(country_code, national_length, trunk_prefix='0', international_prefix='00')",
    description: "editor.helper.e164",
    // Spain's, as the docs' example: the country code and national length are the analyst's to set.
    call: (value) => `${value} | e164('34', 9)`,
    edit: "'34', 9",
    placeholder: "value",
  },
];

const PATH = String.raw`[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*`;
const SELECTED = new RegExp(String.raw`^\s*(?:\{\{\s*(${PATH})\s*\}\}|(${PATH}))\s*$`);
// `{{ balance }}` (or, in an expression, `balance`) just before the caret, maybe with spaces after it.
const PLACED_BEFORE = new RegExp(String.raw`\{\{\s*(${PATH})\s*\}\}(\s*)$`);
const NAME_BEFORE = new RegExp(String.raw`(?<![\w.])(${PATH})(\s*)$`);

/**
 * Write `helper`'s call over `start`..`end` of `text`, as `slot` takes it, on the variable at hand: the one selected
 * (`balance` or `{{ balance }}`), else the one just before the caret (Insert variable's last pick), else the
 * helper's placeholder. Returns the text and what to select in it: the placeholder to name, the argument to change
 * (the currency), or just the caret after the call.
 */
export function insertHelper(
  text: string,
  helper: TemplateHelper,
  slot: VariableSlot,
  start: number,
  end = start,
): { text: string; start: number; end: number } {
  let from = Math.max(0, Math.min(start, text.length));
  let to = Math.max(from, Math.min(end, text.length));
  let value: string | undefined;
  const selected = from < to ? SELECTED.exec(text.slice(from, to)) : null;
  if (selected) {
    value = selected[1] ?? selected[2];
  } else if (from === to) {
    const before = (slot === "bare" ? NAME_BEFORE : PLACED_BEFORE).exec(text.slice(0, from));
    if (before) {
      value = before[1];
      to = from - before[2]!.length;
      from = before.index;
    }
  }
  const call = helper.call(value ?? helper.placeholder);
  const written = slot === "bare" ? call : `{{ ${call} }}`;
  const callAt = from + written.indexOf(call);
  const out = text.slice(0, from) + written + text.slice(to);
  if (value === undefined) {
    const at = callAt + call.indexOf(helper.placeholder);
    return { text: out, start: at, end: at + helper.placeholder.length };
  }
  if (helper.edit) {
    const at = callAt + call.lastIndexOf(helper.edit);
    return { text: out, start: at, end: at + helper.edit.length };
  }
  return { text: out, start: from + written.length, end: from + written.length };
}
