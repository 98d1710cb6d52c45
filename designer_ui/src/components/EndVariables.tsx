/**
 * A call's variables at its end, folded, as the Test call shows a simulated call's. A recorded call's come masked
 * by the API for a user without access to personal data (`[hidden: 4 characters]`, a number as `+34*******56`): the
 * masks said in the interface language, as the story says them, the values otherwise as they came.
 */
import { useI18n } from "../i18n";
import { hiddenText } from "../lib/hiddenText";

export function EndVariables({ variables }: { variables: Record<string, unknown> | null | undefined }) {
  const { t, language } = useI18n();
  if (!variables || Object.keys(variables).length === 0) return null;
  return (
    <details data-testid="end-variables">
      <summary>{t("test.variables")}</summary>
      <pre>{hiddenText(JSON.stringify(variables, null, 2), language)}</pre>
    </details>
  );
}
