/** Which variables a template may use: channel facts, declared variables, and those blocks set. */
import type { Config } from "./catalog";
import type { BlockNode, DocumentHead } from "./convert";

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
 * braces (`{{ caller_id }}`), a phrase the caller hears in braces and, for a date, through `spoken_date`.
 */
export type VariableSlot = "bare" | "template" | "spoken";

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
  const helper = slot === "spoken" && type !== undefined && Object.hasOwn(SPOKEN_FORMS, type) ? SPOKEN_FORMS[type] : undefined;
  return insertPlaceholder(text, helper ? `${helper}(${name}, language)` : name, start, end);
}

/** Insert `{{ name }}` (or `{{ expression }}`) at the caret, so the analyst never types braces. */
export function insertPlaceholder(text: string, name: string, start: number, end = start): { text: string; caret: number } {
  const token = `{{ ${name} }}`;
  const at = Math.max(0, Math.min(start, text.length));
  const to = Math.max(at, Math.min(end, text.length));
  return { text: text.slice(0, at) + token + text.slice(to), caret: at + token.length };
}
