/** The caller search, as the Calls page and the editor's Calls tab both ask for it: one label, one hint, one field. */
import { useI18n } from "../i18n";

/**
 * A number (the caller, or whom the call rang) or the caller's name. `onChange` gets what is typed: both forms apply
 * it once the typing pauses.
 */
export function CallerSearchField({ value, onChange }: { value: string; onChange(value: string): void }) {
  const { t } = useI18n();
  return (
    <label>
      {t("calls.callerSearch")}
      <input
        type="search"
        value={value}
        placeholder={t("calls.callerSearchHint")}
        title={t("calls.callerSearchHint")}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
