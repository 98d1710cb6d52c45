/**
 * The exit-rule interpreter, the same as `BlockType.exits()` in graph_engine/block.py, so handles follow the
 * config while the analyst edits (an IVR key added in the form is a new handle at once, without a round trip).
 */
import type { BlockSpec, Config, ExitRule } from "./catalog";

export const ERROR_EXIT = "error";

export interface ExitInfo {
  name: string;
  label: string;
}

/** Python `==` on JSON values: deep, and 1 == 1.0 (JS numbers already agree). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const ob = b as Record<string, unknown>;
  return ka.length === kb.length && ka.every((k) => k in ob && jsonEqual((a as Record<string, unknown>)[k], ob[k]));
}

function fieldValue(spec: BlockSpec, config: Config, field: string): unknown {
  // A missing field compares as its schema default, like the Python side.
  if (Object.prototype.hasOwnProperty.call(config, field)) return config[field];
  return spec.config_schema.properties?.[field]?.default ?? null;
}

function ruleApplies(spec: BlockSpec, rule: ExitRule, config: Config): boolean {
  return Object.entries(rule.if ?? {}).every(([field, value]) => jsonEqual(fieldValue(spec, config, field), value));
}

/** The exits of a block with this config, in display order, `error` last (every block has it implicitly). */
export function exitsFor(spec: BlockSpec, config: Config): ExitInfo[] {
  const exits: ExitInfo[] = [];
  const seen = new Set<string>();
  const add = (name: string, label: string) => {
    if (!name || seen.has(name)) return;
    seen.add(name);
    exits.push({ name, label });
  };
  for (const rule of spec.exit_rules) {
    if (!ruleApplies(spec, rule, config)) continue;
    if (rule.each !== undefined) {
      const items = fieldValue(spec, config, rule.each);
      if (!Array.isArray(items)) continue;
      for (const item of items) {
        if (item === null || typeof item !== "object" || Array.isArray(item)) continue;
        const record = item as Record<string, unknown>;
        const raw = record[rule.name_from ?? "name"];
        if (raw === undefined || raw === null) continue;
        const name = String(raw);
        // The item's own label ("Meaning" of an IVR key) makes the handle readable: "2: Soporte".
        const text = record[rule.label_from ?? "label"];
        const label = typeof text === "string" && text.trim() ? `${name}: ${text.trim()}` : name;
        add(name, label);
      }
    } else if (rule.name) {
      add(rule.name, rule.label ?? rule.name);
    }
  }
  add(ERROR_EXIT, "error");
  return exits;
}

/** Exits for a node whose type is not in the catalog (a plugin that is not installed): keep what is wired. */
export function exitsForUnknown(wired: string[]): ExitInfo[] {
  return [...new Set([...wired, ERROR_EXIT])].map((name) => ({ name, label: name }));
}
