/** A scenario test's name as the Tests tab and "Save as test" ask for it, and the problems said under a field. */
import type { FieldProblem } from "../lib/testCallInputs";
import { useI18n } from "../i18n";

/** What is wrong with a field, said under it (`id`: what the field's aria-describedby names); nothing when all is well. */
export function Problems({ id, problems }: { id: string; problems: readonly FieldProblem[] }) {
  const { t } = useI18n();
  if (problems.length === 0) return null;
  return (
    <ul className="error-text form-problems" id={id} role="alert" data-testid={id}>
      {problems.map((problem, i) => (
        <li key={i}>{t(problem.message, problem.params)}</li>
      ))}
    </ul>
  );
}

/** A test's name, focused, with what is wrong with it said under it and tied to it (`id`: the problem's). */
export function TestNameField(props: { id: string; name: string; problem: FieldProblem | null; onChange(name: string): void }) {
  const { t } = useI18n();
  return (
    <>
      <label>
        {t("tests.name")}
        <input
          name="test-name"
          value={props.name}
          autoFocus
          onChange={(e) => props.onChange(e.target.value)}
          aria-invalid={props.problem ? true : undefined}
          aria-describedby={props.problem ? props.id : undefined}
        />
      </label>
      <Problems id={props.id} problems={props.problem ? [props.problem] : []} />
    </>
  );
}

