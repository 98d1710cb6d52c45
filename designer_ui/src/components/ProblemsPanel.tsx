/**
 * Problems of the canvas as the server's validation sees them, checked a moment after each edit (unsaved); a
 * click focuses the block concerned. While a check is to come the last answer stays, said to be checking, or to
 * be maybe out of date when the server did not answer.
 */
import { useMemo } from "react";
import { useI18n } from "../i18n";
import { countText } from "../lib/i18n";
import { countProblems, problemsStatus, sortProblems, type Problem, type ProblemsStatus } from "../lib/problems";
import { problemText, unwiredExitParts, type ProblemBlocks, type UnwiredExitParts } from "../lib/problemText";
import { useEditor } from "../store/editor";

/** "1 error · 2 warnings", in the language's plural forms ("1 ошибка", "3 ошибки", "5 ошибок"). Props only. */
export function ProblemCounts({ errors, warnings }: { errors: number; warnings: number }) {
  const { language } = useI18n();
  return (
    <>
      <span className="count error" data-testid="error-count">{countText(language, "error", errors)}</span>
      <span className="count warning">{countText(language, "warning", warnings)}</span>
    </>
  );
}

/** Whether the problems shown are of the canvas as it is: nothing said when they are. Props only. */
export function ProblemsStatusNote({ status }: { status: ProblemsStatus }) {
  const { t } = useI18n();
  if (status === "checking") return <span className="muted" data-testid="problems-status">{t("problems.checking")}</span>;
  if (status === "stale") return <span className="stale" role="status" data-testid="problems-status">{t("problems.stale")}</span>;
  return null;
}

/**
 * One problem: a block's opens that block; one of the scenario as a whole (no Start block) is plain text, there being
 * nothing to open. A disabled button said "unavailable", was skipped by Tab and drawn faded, hard to read. Props only.
 */
export function ProblemItem({ problem, onOpen, blocks }: { problem: Problem; onOpen(node: string): void; blocks?: ProblemBlocks }) {
  const { t, language } = useI18n();
  const mark = <span className="severity">{problem.severity === "error" ? "✖" : "▲"}</span>;
  const node = problem.node;
  return (
    <li className={`problem ${problem.severity}`} data-code={problem.code}>
      {node ? (
        <button type="button" className="link" onClick={() => onOpen(node)}>
          {mark}
          {/* The message already names the block. */}
          {problemText(problem, language, blocks)}
        </button>
      ) : (
        <span className="problem-line">
          {mark}
          <strong>{t("problems.scenario")}: </strong>
          {problemText(problem, language, blocks)}
        </span>
      )}
    </li>
  );
}

/** A row of the list: one problem, or the exits of one block that lead nowhere. */
export type ProblemRow = { problem: Problem } | { node: string; unwired: Problem[] };

/** An exit leading nowhere that shares a row with the block's others: not `next`, whose own row says how to end on purpose. */
function sharesRow(problem: Problem): problem is Problem & { node: string } {
  return problem.code === "unwired_exit" && problem.severity === "warning" && !!problem.node && problem.params?.exit !== "next";
}

/**
 * The sorted problems as rows: a block's exits that lead nowhere in one row where the first of them is. Each is a
 * warning of its own on the server, the canvas and the counts; listed one by one, a Transfer's Busy, No answer and
 * Failed took three rows, and three Transfers buried the warnings that matter (review of an Oktell user).
 */
export function problemRows(sorted: Problem[]): ProblemRow[] {
  const rows: ProblemRow[] = [];
  const unwired = new Map<string, Problem[]>();
  for (const problem of sorted) {
    if (!sharesRow(problem)) {
      rows.push({ problem });
      continue;
    }
    const exits = unwired.get(problem.node);
    if (exits) exits.push(problem);
    else {
      const first = [problem];
      unwired.set(problem.node, first);
      rows.push({ node: problem.node, unwired: first });
    }
  }
  return rows.map((row) => ("unwired" in row && row.unwired.length === 1 ? { problem: row.unwired[0]! } : row));
}

/**
 * A block's exits that lead nowhere, as one row that opens the block: `Transfer "Ventas": Busy, No answer, and Failed
 * lead nowhere: …`, the exits joined as the interface language joins a list. The call ends there whatever each
 * exit's own words: they differ only in how it comes to end, which the block's panel says under each exit. Each
 * exit on its own row when the words for one are missing. Props only.
 */
export function UnwiredExitsItem({ node, problems, onOpen, blocks }: { node: string; problems: Problem[]; onOpen(node: string): void; blocks?: ProblemBlocks }) {
  const { t, language } = useI18n();
  const parts = problems.map((problem) => unwiredExitParts(problem, language, blocks));
  if (parts.some((part) => part === null)) {
    return problems.map((problem, i) => <ProblemItem key={i} problem={problem} onOpen={onOpen} blocks={blocks} />);
  }
  const said = parts as UnwiredExitParts[];
  const meanings = new Set(said.map((part) => part.meaning));
  const text = t("problems.unwiredExits", {
    block: said[0]!.block,
    exits: new Intl.ListFormat(language, { type: "conjunction" }).format(said.map((part) => part.exit)),
    meaning: meanings.size === 1 ? said[0]!.meaning : t("problems.unwiredExitsEnd"),
  });
  return (
    <li className="problem warning" data-code="unwired_exit">
      <button type="button" className="link" onClick={() => onOpen(node)}>
        <span className="severity">▲</span>
        {text}
      </button>
    </li>
  );
}

/** The list of problems, sorted, a block's exits that lead nowhere in one row. Props only. */
export function ProblemList({ problems, onOpen, blocks }: { problems: Problem[]; onOpen(node: string): void; blocks?: ProblemBlocks }) {
  const rows = useMemo(() => problemRows(problems), [problems]);
  return (
    <ul>
      {rows.map((row, i) =>
        "unwired" in row ? (
          <UnwiredExitsItem key={`unwired_exit-${row.node}`} node={row.node} problems={row.unwired} onOpen={onOpen} blocks={blocks} />
        ) : (
          <ProblemItem key={`${row.problem.code}-${row.problem.node}-${i}`} problem={row.problem} onOpen={onOpen} blocks={blocks} />
        ),
      )}
    </ul>
  );
}

export function ProblemsPanel() {
  const { t } = useI18n();
  const problems = useEditor((s) => s.problems);
  const nodes = useEditor((s) => s.nodes);
  const status = useEditor((s) => problemsStatus(s.changeSeq, s.problemsSeq, s.checkFailed));
  const answered = useEditor((s) => s.problemsSeq !== null);
  const focusNode = useEditor((s) => s.focusNode);
  const catalog = useEditor((s) => s.catalog);
  const order = useMemo(() => nodes.map((n) => n.id), [nodes]);
  // A plugin's block named in the words its plugin gives, its own problems too (lib/problemText.ts).
  const blocks = useMemo<ProblemBlocks>(() => ({ catalog, typeOf: (id) => nodes.find((n) => n.id === id)?.data.blockType }), [catalog, nodes]);
  const sorted = useMemo(() => sortProblems(problems, order), [problems, order]);
  // Of problems, not rows: what the publish check and the canvas count, each exit that leads nowhere being one.
  const counts = countProblems(problems);
  return (
    <section className="problems" aria-label={t("problems.title")} data-testid="problems" data-status={status} aria-busy={status === "checking"}>
      <header className="row">
        <h2>{t("problems.title")}</h2>
        <ProblemCounts errors={counts.errors} warnings={counts.warnings} />
        <ProblemsStatusNote status={status} />
      </header>
      {sorted.length === 0 ? (
        // Before the first answer nothing is known yet: "no problems" would be a guess.
        answered && <p className="muted">{t("problems.none")}</p>
      ) : (
        <ProblemList problems={sorted} onOpen={focusNode} blocks={blocks} />
      )}
    </section>
  );
}
