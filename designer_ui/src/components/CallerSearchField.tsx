/** The caller search, as the Calls page and the editor's Calls tab both ask for it: one label, one hint, one field. */
import { useState } from "react";
import { useI18n } from "../i18n";

/**
 * What the field passes on of `typed`: all of it, or for a user offered no name search (`names` false) only text
 * without a letter, which is a number; null when it holds one (the keystroke is refused and the field says why).
 * Text with a letter is a name search (callFilters.ts `callerQuery`), which the API refuses to a user who reads
 * names masked (403 `personal_data_hidden`): which calls it finds would tell the name they read "[hidden]".
 */
export function searchTyped(typed: string, names: boolean): string | null {
  return names || !/\p{L}/u.test(typed) ? typed : null;
}

/**
 * A number (the caller, or whom the call rang) or the caller's name. `onChange` gets what is typed: both forms apply
 * it once the typing pauses. `names`: whether the user may search by name (`sees_personal_data`); without it the
 * field asks for a number only, and keeps letters out.
 */
export function CallerSearchField({ value, onChange, names = true }: { value: string; onChange(value: string): void; names?: boolean }) {
  const { t } = useI18n();
  const [refused, setRefused] = useState(false);
  const hint = t(names ? "calls.callerSearchHint" : "calls.numberSearchHint");
  function typed(text: string) {
    const passed = searchTyped(text, names);
    setRefused(passed === null);
    if (passed !== null) onChange(passed);
  }
  return (
    <label>
      {t(names ? "calls.callerSearch" : "calls.numberSearch")}
      <input
        type="search"
        inputMode={names ? undefined : "tel"}
        value={value}
        placeholder={hint}
        title={hint}
        data-names={names ? undefined : "hidden"}
        onChange={(e) => typed(e.target.value)}
      />
      {refused && (
        <span className="hint" role="status">
          {t("calls.nameSearchHidden")}
        </span>
      )}
    </label>
  );
}
