/** Problems of the draft as the server's validation sees them; a click focuses the block concerned. */
import { useMemo } from "react";
import { useI18n } from "../i18n";
import { countText } from "../lib/i18n";
import { countProblems, sortProblems } from "../lib/problems";
import { problemText } from "../lib/problemText";
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

export function ProblemsPanel() {
  const { t, language } = useI18n();
  const problems = useEditor((s) => s.problems);
  const nodes = useEditor((s) => s.nodes);
  const checking = useEditor((s) => s.checking);
  const focusNode = useEditor((s) => s.focusNode);
  const order = useMemo(() => nodes.map((n) => n.id), [nodes]);
  const sorted = useMemo(() => sortProblems(problems, order), [problems, order]);
  const counts = countProblems(problems);
  return (
    <section className="problems" aria-label={t("problems.title")} data-testid="problems">
      <header className="row">
        <h2>{t("problems.title")}</h2>
        <ProblemCounts errors={counts.errors} warnings={counts.warnings} />
        {checking && <span className="muted">{t("problems.checking")}</span>}
      </header>
      {sorted.length === 0 ? (
        <p className="muted">{t("problems.none")}</p>
      ) : (
        <ul>
          {sorted.map((problem, i) => (
            <li key={`${problem.code}-${problem.node}-${i}`} className={`problem ${problem.severity}`} data-code={problem.code}>
              <button
                type="button"
                className="link"
                disabled={!problem.node}
                onClick={() => problem.node && focusNode(problem.node)}
              >
                <span className="severity">{problem.severity === "error" ? "✖" : "▲"}</span>
                {/* The message already names the block; the scenario-wide ones get a prefix. */}
                {!problem.node && <strong>{t("problems.scenario")}: </strong>}
                {problemText(problem, language)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
