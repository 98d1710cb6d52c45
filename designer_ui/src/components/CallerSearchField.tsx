/** The caller search, as the Calls page and the editor's Calls tab both ask for it: one label, one hint, one field. */
import { useId, useState } from "react";
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
  const ids = useId();
  const hint = t(names ? "calls.callerSearchHint" : "calls.numberSearchHint");
  function typed(text: string) {
    const passed = searchTyped(text, names);
    setRefused(passed === null);
    if (passed !== null) onChange(passed);
  }
  if (names)
    return (
      <label>
        {t("calls.callerSearch")}
        <input type="search" value={value} placeholder={hint} title={hint} onChange={(e) => typed(e.target.value)} />
      </label>
    );
  // Number only: what it takes is said in words the whole time, between the label and the field (a placeholder is
  // cut off and gone once typing starts), and is the field's description; the label stays its name alone. A letter
  // refused turns that hint to the warning colour, so the field and the row around it do not move, and is said
  // by a status region that is always there, outside the label, and only changes its text (a region put in
  // already filled is not announced by every screen reader).
  const hintId = `${ids}-hint`;
  return (
    <div className="caller-search">
      <label htmlFor={`${ids}-field`}>{t("calls.numberSearch")}</label>
      <span id={hintId} className={refused ? "hint caller-search-hint refused" : "hint caller-search-hint"}>
        {hint}
      </span>
      <input
        id={`${ids}-field`}
        type="search"
        inputMode="tel"
        value={value}
        aria-describedby={hintId}
        data-names="hidden"
        onChange={(e) => typed(e.target.value)}
      />
      <span className="sr-only" role="status" data-testid="number-search-status">
        {refused ? t("calls.nameSearchHidden") : ""}
      </span>
    </div>
  );
}
