/** Scenario-wide settings: name, language, description and declared variables. */
import { useState } from "react";
import * as api from "../api/client";
import { useI18n } from "../i18n";
import { useEditor } from "../store/editor";

export function ScenarioPanel() {
  const { t } = useI18n();
  const head = useEditor((s) => s.head);
  const updateHead = useEditor((s) => s.updateHead);
  const slug = useEditor((s) => s.slug);
  const readOnly = useEditor((s) => s.readOnly);
  const [renameError, setRenameError] = useState<string | null>(null);
  const variables = head.variables ?? [];
  return (
    <fieldset className="scenario-panel block-panel" disabled={readOnly}>
      <h2>{t("editor.scenario")}</h2>
      <label>
        {t("editor.scenarioName")}
        <input
          value={head.name}
          onChange={(e) => updateHead({ name: e.target.value })}
          onBlur={async () => {
            // The list shows the scenario's own name: keep it the same as the document's.
            if (!slug || readOnly || !head.name.trim()) return;
            try {
              await api.renameScenario(slug, head.name.trim());
              setRenameError(null);
            } catch (e) {
              setRenameError(t("error.generic", { message: e instanceof Error ? e.message : String(e) }));
            }
          }}
        />
      </label>
      {renameError && <p className="error-text">{renameError}</p>}
      <label>
        {t("editor.scenarioLanguage")}
        <input
          value={head.language ?? ""}
          placeholder="es, es-ES, ru, en"
          onChange={(e) => updateHead({ language: e.target.value || undefined })}
        />
      </label>
      <label>
        {t("editor.scenarioDescription")}
        <textarea rows={3} value={head.description ?? ""} onChange={(e) => updateHead({ description: e.target.value })} />
      </label>
      <h3>{t("editor.variables")}</h3>
      <ul className="variables">
        {variables.map((variable, index) => (
          <li key={index} className="row">
            <input
              className="mono"
              aria-label={t("editor.variableName")}
              value={variable.name}
              onChange={(e) =>
                updateHead({ variables: variables.map((v, i) => (i === index ? { ...v, name: e.target.value } : v)) })
              }
            />
            <button
              type="button"
              aria-label={`${t("editor.delete")} ${variable.name}`}
              onClick={() => updateHead({ variables: variables.filter((_, i) => i !== index) })}
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => updateHead({ variables: [...variables, { name: `var_${variables.length + 1}` }] })}>
        {t("editor.addVariable")}
      </button>
    </fieldset>
  );
}
