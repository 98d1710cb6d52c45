/** A call's path (from a test call or a call record) as what to light up on the canvas. */
import type { ExitEdge } from "./convert";

export interface TraceStepLike {
  node: string;
  exit?: string | null;
  keys?: string;
  scenario?: string | null;
}

export interface Highlight {
  nodes: Map<string, number>; // node id -> order of its first visit (1-based)
  edges: Set<string>;
  last: string | null;
}

export const NO_HIGHLIGHT: Highlight = { nodes: new Map(), edges: new Set(), last: null };

/** Steps in another scenario (reached by Go To Scenario) are not on this canvas and are skipped. */
export function highlightPath(steps: TraceStepLike[], edges: ExitEdge[]): Highlight {
  const local = steps.filter((s) => !s.scenario);
  const nodes = new Map<string, number>();
  const taken = new Set<string>();
  local.forEach((step, i) => {
    if (!nodes.has(step.node)) nodes.set(step.node, nodes.size + 1);
    const next = local[i + 1];
    if (!step.exit || !next) return;
    const edge = edges.find((e) => e.source === step.node && e.sourceHandle === step.exit && e.target === next.node);
    if (edge) taken.add(edge.id);
  });
  return { nodes, edges: taken, last: local[local.length - 1]?.node ?? null };
}

/** "2  1234#  -  !5 hangup" -> ["2", "1234#", "-", "!5", "hangup"]; commas work as separators too. */
export function parseKeys(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

const TOKEN = /^(-|hangup|!?[0-9*#]+)$/;

export function invalidKeyTokens(tokens: string[]): string[] {
  return tokens.filter((token) => !TOKEN.test(token));
}
