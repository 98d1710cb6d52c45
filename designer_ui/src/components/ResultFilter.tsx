/**
 * The register's answer filter (`result`, matched exactly on the code by the server). A supervisor reads the list's
 * answers as labels («Pagará»), and typing one found nothing (review): the field offers the results the scenario
 * chosen declares (every scenario's, for all), each by its label with its code, and "Another code…" for a result
 * no scenario declares (calls record those too), typed as before. The editor's Calls tab offers its scenario's
 * results through it too (CallsPanel's `panelResults`).
 *
 * Chosen over matching labels on the server: a label belongs to one scenario's latest version, two scenarios may
 * word one code apart or one word for two codes, and a choice cannot be misspelt; the API's `result`, the exports and
 * the links pasted into tickets keep naming the code.
 */
import { useState } from "react";
import { useI18n } from "../i18n";
import type { ResultChoice } from "../lib/resultFields";
import type { ScenarioChoice } from "./useCallPageData";

/** The select's choice for a code typed by hand: no result code holds `#` (the scenario format's pattern). */
const OTHER = "#other";

/**
 * The results to offer: those scenario `slug` declares, in its order; for "" (every scenario), each code once, in
 * the order the scenarios list them, with each of the labels the scenarios give it ("Pagará / Acude").
 */
export function offeredResults(scenarios: readonly ScenarioChoice[], slug: string): ResultChoice[] {
  const searched = slug ? scenarios.filter((scenario) => scenario.slug === slug) : scenarios;
  const labels = new Map<string, string[]>();
  for (const scenario of searched) {
    for (const { code, label } of scenario.results ?? []) {
      const said = labels.get(code) ?? [];
      if (!said.includes(label)) said.push(label);
      labels.set(code, said);
    }
  }
  return [...labels].map(([code, said]) => ({ code, label: said.join(" / ") }));
}

/** Whether `value` is a code typed by hand: one the results offered do not hold. */
export const isOtherResult = (value: string, results: readonly ResultChoice[]) => value !== "" && !results.some((r) => r.code === value);

export interface ResultFilterProps {
  /** The code searched for; "" for any. */
  value: string;
  results: readonly ResultChoice[];
  /** `typed`: a code being typed, applied once the typing pauses. */
  onChange(value: string, typed?: boolean): void;
}

export function ResultFilter({ value, results, onChange }: ResultFilterProps) {
  const { t } = useI18n();
  // "Another code…" picked, its field still empty.
  const [typing, setTyping] = useState(false);
  if (results.length === 0) {
    return (
      <label>
        {t("calls.result")}
        <input type="search" name="result" value={value} onChange={(e) => onChange(e.target.value, true)} />
      </label>
    );
  }
  const other = typing || isOtherResult(value, results);
  return (
    <>
      <label>
        {t("calls.result")}
        <select
          name="result"
          value={other ? OTHER : value}
          onChange={(e) => {
            const picked = e.target.value;
            setTyping(picked === OTHER);
            onChange(picked === OTHER ? "" : picked);
          }}
        >
          <option value="">{t("calls.anyResult")}</option>
          {results.map((result) => (
            <option key={result.code} value={result.code}>
              {/* A draft's result not labelled yet (the Calls tab offers the draft's): its code alone. */}
              {result.label ? `${result.label} (${result.code})` : result.code}
            </option>
          ))}
          <option value={OTHER}>{t("calls.otherResult")}</option>
        </select>
      </label>
      {other && (
        <label>
          {t("calls.resultCodeField")}
          {/* Focused when picked; not when the address opened the page with a code none declares. */}
          <input type="search" className="mono" name="result-code" autoFocus={typing} value={value} onChange={(e) => onChange(e.target.value, true)} />
        </label>
      )}
    </>
  );
}
