/**
 * What the tests of the call list dialog without a browser share (CallListDialog.duplicates.test.ts and
 * CallListDialog.focus.test.ts): the dialog called as React would render it, its hooks kept in cells (hookCells.ts,
 * with which each of those files mocks React), and a scenario to call a list with.
 */
import { isValidElement, type ReactElement, type ReactNode } from "react";
import type { ScenarioSummary } from "../api/types";
import { CallListDialog } from "./CallListDialog";
import { drawn } from "./hookCells";

/** A rendered tree's elements, depth first. */
export type Elements = ReactElement<Record<string, unknown>>[];

/** A published scenario to call a list with. */
export const scenarioNamed = (slug: string, name: string): ScenarioSummary => ({
  slug,
  name,
  description: "",
  draft_revision: 1,
  updated_at: "2026-12-01T10:00:00Z",
  updated_by: "ana",
  latest_version: 1,
  missing_block_types: [],
});

/** Every element in a rendered tree, depth first (a component the dialog draws is found, not drawn). */
export function elements(node: ReactNode): Elements {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (!isValidElement<Record<string, unknown>>(node)) return [];
  return [node, ...elements(node.props.children as ReactNode)];
}

/**
 * The dialog for `scenario` as drawn now, its effects run as React runs them after drawing it. The check area's ref
 * is given `checkArea`: a stand-in for its element, which the dialog scrolls into view and moves the focus into.
 */
export function renderDialog(scenario: ScenarioSummary, checkArea: unknown): Elements {
  return drawn(() => {
    const tree = elements(CallListDialog({ scenario, onClose: () => undefined, now: new Date(2026, 11, 1, 10) }));
    const area = tree.find((e) => e.props.className === "check-area");
    if (area) (area.props.ref as { current: unknown }).current = checkArea;
    return tree;
  });
}

/** Lets the promises already settled (an API call answered) run what waits on them. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
