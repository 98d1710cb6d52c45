/**
 * Problems of the canvas as the server's validation sees them, checked a moment after each edit (unsaved); a
 * click focuses the block concerned. While a check is to come the last answer stays, said to be checking, or to
 * be maybe out of date when the server did not answer.
 */
import { useMemo } from "react";
import { useI18n } from "../i18n";
import { countText } from "../lib/i18n";
import { countProblems, problemsStatus, sortProblems, type Problem, type ProblemsStatus } from "../lib/problems";
import { problemText, type ProblemBlocks } from "../lib/problemText";
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
        <ul>
          {sorted.map((problem, i) => (
            <ProblemItem key={`${problem.code}-${problem.node}-${i}`} problem={problem} onOpen={focusNode} blocks={blocks} />
          ))}
        </ul>
      )}
    </section>
  );
}
