/**
 * The Test call panel's choice of exit for each block that does not run for real in a test call (lib/testForcedExits:
 * a plugin's CRM lookup, an SMS): as its test call does, or an exit it takes without running, with the variables it
 * sets on that exit (a lookup's `found` sets the customer's name).
 */
import { useI18n } from "../i18n";
import type { FieldProblem } from "../lib/testCallInputs";
import type { ForcedExitText, ForcedExitTexts, TestPluginBlock } from "../lib/testForcedExits";
import { invalidity } from "./fieldProblems";

export function TestForcedExitsFields(props: {
  blocks: readonly TestPluginBlock[];
  texts: ForcedExitTexts;
  problems: Record<string, FieldProblem>;
  onChange(id: string, text: ForcedExitText): void;
}) {
  const { t } = useI18n();
  if (props.blocks.length === 0) return null;
  return (
    <fieldset className="test-inputs" data-testid="test-forced-exits">
      <legend>{t("test.forcedExits")}</legend>
      <p className="hint">{t("test.forcedExitsHint")}</p>
      {props.blocks.map((block) => {
        const chosen = props.texts[block.id] ?? { exit: "", set: "" };
        // A choice kept for an exit the block no longer has reads as no choice (forcedExitValues sends none).
        const exit = block.exits.some((e) => e.name === chosen.exit) ? chosen.exit : "";
        const problem = props.problems[`set:${block.id}`];
        const problemId = `test-set-${block.id}-problem`;
        return (
          <div key={block.id} className="test-input">
            <label>
              {t("test.exitOfBlock", { block: block.label, type: block.title })}
              <select name={`exit-${block.id}`} value={exit} onChange={(e) => props.onChange(block.id, { ...chosen, exit: e.target.value })}>
                <option value="">{t("test.asTestCallDoes")}</option>
                {block.exits.map((e) => (
                  <option key={e.name} value={e.name}>
                    {e.label}
                  </option>
                ))}
              </select>
            </label>
            {exit !== "" && (
              <label>
                {t("test.setOfBlock", { block: block.label })}
                <textarea
                  name={`set-${block.id}`}
                  className="mono"
                  rows={2}
                  spellCheck={false}
                  placeholder='{"customer_name": "Ana"}'
                  value={chosen.set}
                  {...invalidity(problem, problemId)}
                  onChange={(e) => props.onChange(block.id, { ...chosen, exit, set: e.target.value })}
                />
              </label>
            )}
            {exit !== "" && problem && (
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
