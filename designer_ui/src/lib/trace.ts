/** A call's path (from a test call or a call record) as what to light up on the canvas. */
import { localInputToIso } from "./callList";
import type { ExitEdge } from "./convert";

export interface TraceStepLike {
  node: string;
  type?: string | null;
  exit?: string | null;
  keys?: string;
  scenario?: string | null;
}

export interface Highlight {
  /**
   * Block id -> every step it ran at (1-based, in order). Steps are counted over the whole call, those in another
   * scenario included, so a block's numbers are the story's row numbers: a block passed twice is at both.
   */
  nodes: Map<string, number[]>;
  edges: Set<string>;
  last: string | null;
  /** The caller hung up at `last` (its step's exit), rather than the scenario ending the call there. */
  callerHungUp: boolean;
}

export const NO_HIGHLIGHT: Highlight = { nodes: new Map(), edges: new Set(), last: null, callerHungUp: false };

/** The caller ended the call at this step: its exit is the hangup, and the block is not a Hang Up ending it. */
export function callerHungUpAt(step: Pick<TraceStepLike, "exit" | "type">): boolean {
  return step.exit === "hangup" && step.type !== "hangup";
}

/** Steps in another scenario (reached by Go To Scenario) are not on this canvas and are skipped. */
export function highlightPath(steps: TraceStepLike[], edges: ExitEdge[]): Highlight {
  const local = steps.flatMap((step, i) => (step.scenario ? [] : [{ step, number: i + 1 }]));
  const nodes = new Map<string, number[]>();
  const taken = new Set<string>();
  local.forEach(({ step, number }, i) => {
    const visits = nodes.get(step.node);
    if (visits) visits.push(number);
    else nodes.set(step.node, [number]);
    const next = local[i + 1]?.step;
    if (!step.exit || !next) return;
    const edge = edges.find((e) => e.source === step.node && e.sourceHandle === step.exit && e.target === next.node);
    if (edge) taken.add(edge.id);
  });
  const end = local[local.length - 1];
  // A call that went on elsewhere (Go To Scenario) and was hung up there did not end on this canvas.
  const endedHere = end !== undefined && end.number === steps.length;
  return { nodes, edges: taken, last: end?.step.node ?? null, callerHungUp: endedHere && callerHungUpAt(end.step) };
}

/** A block's steps as its badge shows them: "3", "2, 9", "2, 9, 14"; past three, the first two and "+N". */
export function stepsShort(steps: readonly number[]): string {
  if (steps.length <= 3) return steps.join(", ");
  return `${steps.slice(0, 2).join(", ")} +${steps.length - 2}`;
}

/** The scenario a step ran in when a Go To Scenario took the call out of its own. */
export interface OtherScenario {
  slug: string | null;
  /** The published version that ran; null when the trace names none (a test call's draft, an older record). */
  version: number | null;
}

/**
 * For each step, the scenario it ran in when that is not the call's own (null for the call's own). The engine
 * marks such a step with the scenario's name only; the Go To Scenario step that led there noted the slug and the
 * version (`{kind: "goto_scenario", scenario, version}`), and every step after it ran there until the next one.
 */
export function otherScenarios(steps: { scenario?: string | null; events?: Record<string, unknown>[] | null }[]): (OtherScenario | null)[] {
  let entered: OtherScenario | null = null;
  return steps.map((step) => {
    const here = step.scenario ? (entered ?? { slug: null, version: null }) : null;
    const goto = step.events?.find((event) => event.kind === "goto_scenario");
    if (goto) {
      entered = {
        slug: typeof goto.scenario === "string" ? goto.scenario : null,
        version: typeof goto.version === "number" ? goto.version : null,
      };
    }
    return here;
  });
}

/** "2  1234#  -  !5 hangup" -> ["2", "1234#", "-", "!5", "hangup"]; commas work as separators too. */
export function parseKeys(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/**
 * The moment a test call happens, from its `datetime-local` field, with the browser's offset. A field left empty
 * (or half typed) is now, as the field starts: not a "could not run: Invalid time value", and not the server's
 * fixed default day, which a Schedule block would answer for a date the analyst never chose.
 */
export function testCallMoment(value: string, now: Date = new Date()): string {
  return localInputToIso(value) ?? now.toISOString();
}

const TOKEN = /^(-|hangup|!?[0-9*#]+)$/;

export function invalidKeyTokens(tokens: string[]): string[] {
  return tokens.filter((token) => !TOKEN.test(token));
}

/** What a caller did at one step, from its trace: the failed tries first (each said), then the keys that counted. */
export interface StepKeys {
  /** A menu's tries that did not count, in order: the keys typed (a wrong key), or null (no key in time). */
  wrong: (string | null)[];
  /** The keys typed after them: the ones the step went on with. */
  pressed: string;
}

interface KeyEvent {
  kind?: unknown;
  keys?: unknown;
  terminator?: unknown;
}

/**
 * A step's keys told apart as the server's story does (graph_engine/story.py `_after_wrong_entries`): an IVR
 * menu notes each failed try ("invalid" with its keys, "no_input"), and `keys` holds every key of every try, so
 * three wrong 9s then a 1 read "9 wrong, 9 wrong, 9 wrong, pressed 1", never "pressed 9991".
 */
export function stepKeys(step: { keys?: string | null; events?: KeyEvent[] | null }): StepKeys {
  let rest = step.keys ?? "";
  const wrong: (string | null)[] = [];
  for (const event of step.events ?? []) {
    if (event.kind !== "invalid" && event.kind !== "no_input") continue;
    const typed = event.kind === "invalid" ? String(event.keys ?? "") : "";
    wrong.push(typed || null);
    const spent = typed + (typeof event.terminator === "string" ? event.terminator : "");
    if (spent && rest.startsWith(spent)) rest = rest.slice(spent.length);
  }
  return { wrong, pressed: rest };
}

/** A prompt as the trace notes it: the text said, else the audio played. */
export function promptText(prompt: Record<string, unknown>): { said: string } | { played: string } | null {
  if (typeof prompt.text === "string" && prompt.text.trim()) return { said: prompt.text };
  if (typeof prompt.audio === "string" && prompt.audio) return { played: prompt.audio };
  return null;
}
