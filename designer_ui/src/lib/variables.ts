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

/** Insert `{{ name }}` at the caret, so the analyst never types braces. */
export function insertPlaceholder(text: string, name: string, start: number, end = start): { text: string; caret: number } {
  const token = `{{ ${name} }}`;
  const at = Math.max(0, Math.min(start, text.length));
  const to = Math.max(at, Math.min(end, text.length));
  return { text: text.slice(0, at) + token + text.slice(to), caret: at + token.length };
}
