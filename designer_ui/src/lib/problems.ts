/** How validation problems are shown: grouped, ordered, and marked on their nodes. */
export type Severity = "error" | "warning";

export interface Problem {
  severity: Severity;
  code: string;
  message: string;
  node?: string | null;
  path?: string;
  /** The values `message` is built from, by name: what `problemText` says it with in another language. */
  params?: Record<string, string | number>;
}

export interface ProblemCounts {
  errors: number;
  warnings: number;
}

export function countProblems(problems: Problem[]): ProblemCounts {
  let errors = 0;
  for (const problem of problems) if (problem.severity === "error") errors += 1;
  return { errors, warnings: problems.length - errors };
}

/**
 * Warnings listed before the others: a variable nothing sets fails its block on every call (a mistyped name), and
 * was lost among the exits that lead nowhere (review of an Oktell administrator). As the server orders them.
 */
const FIRST_WARNINGS: ReadonlySet<string> = new Set(["unknown_variable"]);

/** Errors first, then the warnings said first, then by node in canvas order, so the list reads top to bottom like the flow. */
export function sortProblems(problems: Problem[], nodeOrder: string[]): Problem[] {
  const rank = new Map(nodeOrder.map((id, i) => [id, i]));
  const nodeRank = (p: Problem) => (p.node ? (rank.get(p.node) ?? nodeOrder.length) : -1);
  const tier = (p: Problem) => (p.severity === "error" ? 0 : FIRST_WARNINGS.has(p.code) ? 1 : 2);
  return [...problems].sort((a, b) => tier(a) - tier(b) || nodeRank(a) - nodeRank(b) || a.code.localeCompare(b.code));
}

/** The worst severity per node: what the node's marker shows. */
export function severityByNode(problems: Problem[]): Map<string, Severity> {
  const marks = new Map<string, Severity>();
  for (const problem of problems) {
    if (!problem.node) continue;
    if (problem.severity === "error" || !marks.has(problem.node)) marks.set(problem.node, problem.severity);
  }
  return marks;
}

/**
 * Whether the problems shown are of the canvas as it is now: `current` when they were found for its latest change,
 * `checking` while the check of a later change is waiting for its moment or for the server, `stale` when that
 * check found no server to answer (the problems shown are kept, and may be out of date).
 */
export type ProblemsStatus = "current" | "checking" | "stale";

export function problemsStatus(changeSeq: number, problemsSeq: number | null, checkFailed: boolean): ProblemsStatus {
  if (problemsSeq === changeSeq) return "current";
  return checkFailed ? "stale" : "checking";
}

/**
 * The config field a problem points at, from its JSON path (`$.nodes[3].config.options[1].key` -> `options`),
 * so the side panel can scroll to it. Null when the problem is about the block as a whole.
 */
export function configFieldOf(path: string | undefined): string | null {
  const match = /^\$\.nodes\[\d+\]\.config\.([A-Za-z0-9_]+)/.exec(path ?? "");
  return match?.[1] ?? null;
}


/**
 * Problems as the server sends them. A document that breaks the format's structure comes back as a 422 whose
 * problems carry only a path and a message: they are errors about the scenario as a whole.
 */
export function normalizeProblems(raw: unknown): Problem[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((p): p is Record<string, unknown> => p !== null && typeof p === "object")
    .map((p) => ({
      severity: p.severity === "warning" ? "warning" : "error",
      code: typeof p.code === "string" ? p.code : "structure",
      message: typeof p.message === "string" ? p.message : String(p.message ?? ""),
      node: typeof p.node === "string" ? p.node : null,
      path: typeof p.path === "string" ? p.path : "$",
      ...(isParams(p.params) ? { params: p.params } : {}),
    }));
}

function isParams(value: unknown): value is Record<string, string | number> {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === "string" || typeof item === "number")
  );
}
