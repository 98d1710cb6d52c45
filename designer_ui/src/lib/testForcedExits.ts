/**
 * The exit a plugin's block takes in a test call, chosen by the analyst. A block that must not reach its service in a
 * test call (a CRM lookup written as a plugin, an SMS) runs its `simulate`, which takes one exit (`not_found`), so no
 * test call could go down its `found` branch and say "Hello Ana" (finding: a team replacing Twilio Studio's HTTP
 * widget). The panel offers, for each such block, its exits and the variables it sets on the one chosen, sent as
 * `exits` and `set` (POST /api/scenarios/{slug}/simulate), which the server checks as a scenario test's `exits`.
 *
 * Which blocks: those the catalog says do not run in a test call as in a real one (`safe_in_test_call: false`, every
 * plugin's unless it says otherwise); every built-in runs for real, led to its exits by the call's inputs.
 */
import { exitLabel, specTitle } from "./blockText";
import type { Catalog, Config } from "./catalog";
import { exitsFor } from "./exits";
import type { Language } from "./i18n";
import { jsonProblem, type FieldProblem } from "./testCallInputs";

/** A block whose exit a test call may force, named and with its exits as the interface says them. */
export interface TestPluginBlock {
  id: string;
  label: string;
  title: string;
  exits: { name: string; label: string }[];
}

export function pluginBlocksInTestCall(
  nodes: readonly { id: string; data: { blockType: string; label?: string; config: Config } }[],
  catalog: Catalog,
  language: Language,
): TestPluginBlock[] {
  const blocks: TestPluginBlock[] = [];
  for (const { id, data } of nodes) {
    const spec = catalog.get(data.blockType);
    // Not installed (no spec): the server cannot force it either; it says so when the call reaches it.
    if (!spec || spec.safe_in_test_call !== false) continue;
    blocks.push({
      id,
      label: data.label?.trim() || id,
      title: specTitle(language, data.blockType, spec),
      exits: exitsFor(spec, data.config).map((exit) => ({
        name: exit.name,
        label: exitLabel(language, data.blockType, exit.name, exit.label, spec),
      })),
    });
  }
  return blocks.sort((a, b) => a.label.localeCompare(b.label));
}

/** What the analyst chose for one block: an exit ("" for as its test call does) and the variables' JSON. */
export interface ForcedExitText {
  exit: string;
  set: string;
}

export type ForcedExitTexts = Record<string, ForcedExitText>;

/** The `exits` and `set` to send, and each variables box that cannot be read, by `set:id`. */
export interface ForcedExitValues {
  exits: Record<string, string>;
  set: Record<string, Record<string, unknown>>;
  problems: Record<string, FieldProblem>;
}

/**
 * The choices of the blocks on the canvas now. A choice kept for a block since deleted, or for an exit it no longer
 * has (an edit of its config), is left out rather than refused by the server: the block does as its test call does.
 */
export function forcedExitValues(blocks: readonly TestPluginBlock[], texts: ForcedExitTexts): ForcedExitValues {
  const values: ForcedExitValues = { exits: {}, set: {}, problems: {} };
  for (const block of blocks) {
    const chosen = texts[block.id];
    if (!chosen || !block.exits.some((exit) => exit.name === chosen.exit)) continue;
    values.exits[block.id] = chosen.exit;
    const text = chosen.set.trim();
    if (text === "") continue;
    let read: unknown;
    try {
      read = JSON.parse(text) as unknown;
    } catch (error) {
      values.problems[`set:${block.id}`] = jsonProblem(text, error);
      continue;
    }
    if (typeof read !== "object" || read === null || Array.isArray(read)) {
      values.problems[`set:${block.id}`] = { message: "test.notObject" };
    } else if (Object.keys(read).length > 0) {
      values.set[block.id] = read as Record<string, unknown>;
    }
  }
  return values;
}

/** A scenario test's `exits` from a test call's: `{"crm": {"exit": "found", "set": {...}}}`, `{"sms": "failed"}`. */
export function testExits(
  exits: Readonly<Record<string, string>> | undefined,
  set: Readonly<Record<string, Record<string, unknown>>> | undefined,
): Record<string, string | { exit: string; set: Record<string, unknown> }> {
  return Object.fromEntries(
    Object.entries(exits ?? {}).map(([node, exit]) => {
      const sets = set?.[node];
      return [node, sets && Object.keys(sets).length > 0 ? { exit, set: sets } : exit];
    }),
  );
}
