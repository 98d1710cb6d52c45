/**
 * The Test call panel's rows for one SQL block (lib/testBlockRows): one box per SQL block whose data source another
 * block queries too, left empty to give the block its source's rows.
 */
import { useI18n } from "../i18n";
import type { TestSqlBlock } from "../lib/testBlockRows";
import { rowsExample, type FieldProblem, type TestFieldTexts } from "../lib/testCallInputs";
import { invalidity } from "./fieldProblems";

export function TestBlockRowsFields(props: {
  blocks: readonly TestSqlBlock[];
  texts: TestFieldTexts;
  problems: Record<string, FieldProblem>;
  onChange(name: string, text: string): void;
}) {
  const { t } = useI18n();
  if (props.blocks.length === 0) return null;
  return (
    <fieldset className="test-inputs" data-testid="test-block-rows">
      <legend>{t("test.blockRows")}</legend>
      <p className="hint">{t("test.blockRowsHint")}</p>
      {props.blocks.map((block) => {
        const problem = props.problems[`rows:${block.name}`];
        const problemId = `test-rows-${block.name}-problem`;
        return (
          <div key={block.name} className="test-input">
            <label>
              {t("test.rowsOfBlock", { block: block.label, source: block.source })}
              <textarea
                name={`rows-${block.name}`}
                className="mono"
                rows={2}
                spellCheck={false}
                placeholder={rowsExample(block)}
                value={props.texts.rows[block.name] ?? ""}
                {...invalidity(problem, problemId)}
                onChange={(e) => props.onChange(block.name, e.target.value)}
              />
            </label>
            {problem && (
              <p id={problemId} className="error-text" role="alert">
                {t(problem.message, problem.params)}
              </p>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}
