/**
 * The Test call panel's fields for what a real call gets from outside the scenario: its declared variables (what a
 * call list gives an autoinformer) and rows for each data source its SQL blocks query (what the CRM answers).
 */
import { useI18n } from "../i18n";
import { rowsExample, variableText, type FieldProblem, type TestFieldTexts, type TestSource, type TestVariable } from "../lib/testCallInputs";
import { invalidity } from "./fieldProblems";

function Problem({ problem, id }: { problem: FieldProblem | undefined; id?: string }) {
  const { t } = useI18n();
  return problem ? (
    <p id={id} className="error-text" role="alert">
      {t(problem.message, problem.params)}
    </p>
  ) : null;
}

/**
 * The field a variable's type takes: a yes/no choice, a date picker, JSON for a list or an object, else text. `aria`
 * ties it to the problem said under it (fieldProblems.invalidity).
 */
function VariableInput(props: { variable: TestVariable; text: string; aria: ReturnType<typeof invalidity>; onChange(text: string): void }) {
  const { t } = useI18n();
  const { variable, text, aria, onChange } = props;
  const name = `var-${variable.name}`;
  switch (variable.type) {
    case "boolean":
      return (
        <select name={name} value={text} {...aria} onChange={(e) => onChange(e.target.value)}>
          <option value="">{t("test.none")}</option>
          <option value="true">{t("test.yes")}</option>
          <option value="false">{t("test.no")}</option>
        </select>
      );
    case "date":
      return <input name={name} type="date" value={text} {...aria} onChange={(e) => onChange(e.target.value)} />;
    case "list":
    case "object":
      return <textarea name={name} className="mono" rows={2} value={text} spellCheck={false} {...aria} onChange={(e) => onChange(e.target.value)} />;
    case "number":
    case "integer":
      return (
        <input name={name} inputMode={variable.type === "integer" ? "numeric" : "decimal"} value={text} {...aria} onChange={(e) => onChange(e.target.value)} />
      );
    default:
      return <input name={name} value={text} {...aria} onChange={(e) => onChange(e.target.value)} />;
  }
}

export function TestVariableFields(props: {
  variables: readonly TestVariable[];
  texts: TestFieldTexts;
  problems: Record<string, FieldProblem>;
  onChange(name: string, text: string): void;
}) {
  const { t } = useI18n();
  if (props.variables.length === 0) return null;
  return (
    <fieldset className="test-inputs" data-testid="test-variables">
      <legend>{t("test.declared")}</legend>
      <p className="hint">{t("test.declaredHint")}</p>
      {props.variables.map((variable) => {
        const problem = props.problems[`var:${variable.name}`];
        const problemId = `test-var-${variable.name}-problem`;
        return (
          <div key={variable.name} className="test-input">
            <label>
              <span>
                <span className="mono">{variable.name}</span> <span className="muted small">({t(`editor.variableType.${variable.type}`)})</span>
              </span>
              <VariableInput
                variable={variable}
                text={variableText(variable, props.texts)}
                aria={invalidity(problem, problemId)}
                onChange={(text) => props.onChange(variable.name, text)}
              />
            </label>
            {variable.description && <p className="hint">{variable.description}</p>}
            {!variable.hasDefault && <p className="hint">{t("test.noDefault")}</p>}
            <Problem problem={problem} id={problemId} />
          </div>
        );
      })}
    </fieldset>
  );
}

export function TestRowsFields(props: {
  sources: readonly TestSource[];
  texts: TestFieldTexts;
  problems: Record<string, FieldProblem>;
  onChange(source: string, text: string): void;
}) {
  const { t } = useI18n();
  if (props.sources.length === 0) return null;
  return (
    <fieldset className="test-inputs" data-testid="test-rows">
      <legend>{t("test.rows")}</legend>
      <p className="hint">{t("test.rowsHint")}</p>
      {props.sources.map((source) => {
        const problem = props.problems[`rows:${source.name}`];
        const problemId = `test-rows-${source.name}-problem`;
        return (
          <div key={source.name} className="test-input">
            <label>
              {t("test.rowsOf", { source: source.name })}
              <textarea
                name={`rows-${source.name}`}
                className="mono"
                rows={3}
                spellCheck={false}
                placeholder={rowsExample(source)}
                value={props.texts.rows[source.name] ?? ""}
                {...invalidity(problem, problemId)}
                onChange={(e) => props.onChange(source.name, e.target.value)}
              />
            </label>
            <Problem problem={problem} id={problemId} />
          </div>
        );
      })}
    </fieldset>
  );
}
