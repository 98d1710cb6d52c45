/** Scenario-wide settings: name, language, description, fallback block, declared variables and call results. */
import { useLayoutEffect, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import * as api from "../api/client";
import type { Result, Variable } from "../generated/scenario";
import { useI18n } from "../i18n";
import { localDescription, SCENARIO_FIELD_HELP } from "../lib/descriptions";
import { useEditor } from "../store/editor";
import "./scenarioPanel.css";

/**
 * The types a declared variable may have, as schemas/scenario.schema.json lists them (a test keeps the two in
 * step). A type matters where values come from outside: a call list's column for a date, a number or yes/no is
 * checked and converted to it; "text" is what a variable with no type is.
 */
export const VARIABLE_TYPES = ["string", "number", "integer", "boolean", "date", "list", "object"] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

/** A declared variable's type. */
export function VariableTypeSelect(props: { name: string; value: string | undefined; onChange(type: VariableType): void }) {
  const { t, language } = useI18n();
  const value = props.value ?? "string";
  const known = (VARIABLE_TYPES as readonly string[]).includes(value);
  return (
    <select
      name="variable-type"
      aria-label={t("editor.variableType", { name: props.name })}
      title={localDescription(SCENARIO_FIELD_HELP.variableType, language)}
      value={value}
      onChange={(e) => props.onChange(e.target.value as VariableType)}
    >
      {!known && <option value={value}>{value}</option>}
      {VARIABLE_TYPES.map((type) => (
        <option key={type} value={type}>
          {t(`editor.variableType.${type}`)}
        </option>
      ))}
    </select>
  );
}

/**
 * Whether a declared variable is sensitive (a PIN, an account number): the call uses its value, and the call's
 * record, trace and story show only its length. The scenario format's description is the box's help.
 */
export function VariableSensitiveBox(props: { name: string; value: boolean | undefined; onChange(sensitive: boolean): void }) {
  const { t, language } = useI18n();
  return (
    <label className="inline-label" title={localDescription(SCENARIO_FIELD_HELP.variableSensitive, language)}>
      <input
        type="checkbox"
        name="variable-sensitive"
        data-variable={props.name}
        checked={props.value === true}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      {t("editor.variableSensitive")}
    </label>
  );
}

/**
 * The declared variables with the one at `index` marked sensitive or not. Unticked, its key goes: a document that
 * never marked anything stays as it was saved.
 */
export function markedSensitive<V extends { sensitive?: boolean }>(variables: V[], index: number, sensitive: boolean): V[] {
  return variables.map((variable, i) => {
    if (i !== index) return variable;
    const { sensitive: _was, ...rest } = variable;
    return (sensitive ? { ...rest, sensitive: true } : rest) as V;
  });
}

/**
 * One declared variable, in a box of its own headed "Variable 2": its name (labelled), with the ✕ that deletes it
 * beside it, named for the variable it deletes, then its type and sensitivity. Side by side in one wrapping row, the ✕
 * fell to the start of the next line, between two variables, and whose it was could not be told (review).
 */
export function VariableRow(props: {
  number: number;
  variable: Variable;
  onRename(name: string): void;
  onType(type: VariableType): void;
  onSensitive(sensitive: boolean): void;
  onDelete(): void;
}) {
  const { t } = useI18n();
  const { number, variable } = props;
  const deleteLabel = t("editor.deleteVariable", { name: variable.name || String(number) });
  return (
    <li className="variable-row">
      <fieldset>
        <legend>{t("editor.variableRow", { n: number })}</legend>
        <div className="variable-row-head">
          <label>
            {t("editor.variableName")}
            <input className="mono" name="variable-name" value={variable.name} onChange={(e) => props.onRename(e.target.value)} />
          </label>
          <button type="button" className="variable-delete" aria-label={deleteLabel} title={deleteLabel} onClick={props.onDelete}>
            ✕
          </button>
        </div>
        <div className="row">
          <VariableTypeSelect name={variable.name} value={variable.type} onChange={props.onType} />
          <VariableSensitiveBox name={variable.name} value={variable.sensitive} onChange={props.onSensitive} />
        </div>
      </fieldset>
    </li>
  );
}

/**
 * The declared results with the one at `index` changed by `patch` (its code, label or description): the rest of it
 * is kept. A description emptied goes, as a result that never had one.
 */
export function changedResult(results: Result[], index: number, patch: Partial<Pick<Result, "code" | "label" | "description">>): Result[] {
  return results.map((result, i) => {
    if (i !== index) return result;
    const changed = { ...result, ...patch };
    if (changed.description === "") delete changed.description;
    return changed;
  });
}

/**
 * Which result's code field takes the focus once the one at `deleted` is gone and `left` remain: the next (now at
 * its place), else the one before, else none ("add": the Add result button). The ✕ pressed is gone with its row,
 * and the focus fell to the page's start, a screen reader's user lost in the panel.
 */
export function focusAfterDeleting(deleted: number, left: number): number | "add" {
  if (left === 0) return "add";
  return Math.min(deleted, left - 1);
}

/**
 * The declared results with one more: a code not taken yet (`result_3`), and no label, which the analyst types
 * (until then the Problems panel names it: a label is what the result is declared for).
 */
export function addedResult(results: Result[]): Result[] {
  const taken = new Set(results.map((result) => result.code));
  let n = results.length + 1;
  while (taken.has(`result_${n}`)) n += 1;
  return [...results, { code: `result_${n}`, label: "" }];
}

/**
 * One declared call result, in a box headed "Result 2" as a variable's is: the code the flow writes into `result`
 * (with the ✕ that deletes it, named for it), the label reports and call records show for it, and its description,
 * notes for whoever edits the scenario.
 */
export function ResultRow(props: {
  number: number;
  result: Result;
  onCode(code: string): void;
  onLabel(label: string): void;
  onDescription(description: string): void;
  onDelete(): void;
}) {
  const { t, language } = useI18n();
  const { number, result } = props;
  const deleteLabel = t("editor.deleteResult", { name: result.code || String(number) });
  return (
    <li className="variable-row result-row">
      <fieldset>
        <legend>{t("editor.resultRow", { n: number })}</legend>
        <div className="variable-row-head">
          <label>
            {t("editor.resultCode")}
            <input
              className="mono"
              name="result-code"
              title={localDescription(SCENARIO_FIELD_HELP.resultCode, language)}
              value={result.code}
              onChange={(e) => props.onCode(e.target.value)}
            />
          </label>
          <button type="button" className="variable-delete" aria-label={deleteLabel} title={deleteLabel} onClick={props.onDelete}>
            ✕
          </button>
        </div>
        <label>
          {t("editor.resultLabel")}
          <input
            name="result-label"
            title={localDescription(SCENARIO_FIELD_HELP.resultLabel, language)}
            value={result.label}
            maxLength={80}
            onChange={(e) => props.onLabel(e.target.value)}
          />
        </label>
        <label>
          {t("editor.resultDescription")}
          <textarea
            name="result-description"
            rows={2}
            title={localDescription(SCENARIO_FIELD_HELP.resultDescription, language)}
            value={result.description ?? ""}
            maxLength={500}
            onChange={(e) => props.onDescription(e.target.value)}
          />
        </label>
      </fieldset>
    </li>
  );
}

/**
 * The scenario's call results (`results`): each edit one step of the document, undone and saved as any other. A
 * result added has its code field focused, to be named at once; after a delete the focus goes where
 * `focusAfterDeleting` says.
 */
function ResultsSection() {
  const { t, language } = useI18n();
  const results = useEditor((s) => s.head.results) ?? [];
  const updateHead = useEditor((s) => s.updateHead);
  const listRef = useRef<HTMLUListElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  // Where the focus goes once the edit is drawn: a result's place in the list, or the add button.
  const focusNext = useRef<number | "add" | null>(null);
  useLayoutEffect(() => {
    const target = focusNext.current;
    if (target === null) return;
    focusNext.current = null;
    const codes = listRef.current?.querySelectorAll<HTMLInputElement>('input[name="result-code"]');
    (target === "add" ? addRef.current : codes?.[target])?.focus();
  });
  return (
    <section className="scenario-results" data-testid="scenario-results">
      <h3>{t("editor.results")}</h3>
      <small className="hint">{localDescription(SCENARIO_FIELD_HELP.results, language)}</small>
      <ul className="variables results" ref={listRef}>
        {results.map((result, index) => (
          <ResultRow
            key={index}
            number={index + 1}
            result={result}
            onCode={(code) => updateHead({ results: changedResult(results, index, { code }) })}
            onLabel={(label) => updateHead({ results: changedResult(results, index, { label }) })}
            onDescription={(description) => updateHead({ results: changedResult(results, index, { description }) })}
            onDelete={() => {
              focusNext.current = focusAfterDeleting(index, results.length - 1);
              updateHead({ results: results.filter((_, i) => i !== index) });
            }}
          />
        ))}
      </ul>
      <button
        type="button"
        ref={addRef}
        onClick={() => {
          focusNext.current = results.length;
          updateHead({ results: addedResult(results) }, false);
        }}
      >
        {t("editor.addResult")}
      </button>
    </section>
  );
}

/** A block as the fallback select lists it. */
export interface BlockChoice {
  id: string;
  label?: string;
}

/**
 * The block a call goes to when a block fails and its error exit is not wired ("none": the call ends politely).
 * A fallback naming a block that no longer exists stays listed, marked, so it can be seen and replaced.
 */
export function FallbackSelect(props: { value: string; blocks: BlockChoice[]; onChange(fallback: string | undefined): void }) {
  const { t } = useI18n();
  const { value, blocks } = props;
  const missing = value !== "" && !blocks.some((block) => block.id === value);
  return (
    <label>
      {t("editor.fallback")}
      <select name="fallback" value={value} onChange={(e) => props.onChange(e.target.value || undefined)}>
        <option value="">{t("editor.fallbackNone")}</option>
        {missing && <option value={value}>{t("editor.fallbackMissing", { id: value })}</option>}
        {blocks.map((block) => (
          <option key={block.id} value={block.id}>
            {block.label ? `${block.label} (${block.id})` : block.id}
          </option>
        ))}
      </select>
      <small className="hint">{t("editor.fallbackHint")}</small>
    </label>
  );
}

/** The fallback select on the editor's document: a choice is one edit (undo, autosave) like any other field. */
function FallbackField() {
  const fallback = useEditor((s) => s.head.fallback ?? "");
  const updateHead = useEditor((s) => s.updateHead);
  // Ids and labels only (compared item by item): dragging a block must not redraw this list.
  const ids = useEditor(useShallow((s) => s.nodes.map((n) => n.id)));
  const labels = useEditor(useShallow((s) => s.nodes.map((n) => n.data.label)));
  return (
    <FallbackSelect
      value={fallback}
      blocks={ids.map((id, i) => ({ id, label: labels[i] }))}
      // Not merged with a choice made a moment before: each pick is its own undo step.
      onChange={(next) => updateHead({ fallback: next }, false)}
    />
  );
}

export function ScenarioPanel() {
  const { t, language } = useI18n();
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
        <small className="hint">{localDescription(SCENARIO_FIELD_HELP.language, language)}</small>
      </label>
      <label>
        {t("editor.scenarioDescription")}
        <textarea rows={3} value={head.description ?? ""} onChange={(e) => updateHead({ description: e.target.value })} />
      </label>
      <FallbackField />
      <h3>{t("editor.variables")}</h3>
      <ul className="variables">
        {variables.map((variable, index) => (
          <VariableRow
            key={index}
            number={index + 1}
            variable={variable}
            onRename={(name) => updateHead({ variables: variables.map((v, i) => (i === index ? { ...v, name } : v)) })}
            onType={(type) => updateHead({ variables: variables.map((v, i) => (i === index ? { ...v, type } : v)) })}
            // Each tick its own undo step, as a pick of the fallback is.
            onSensitive={(sensitive) => updateHead({ variables: markedSensitive(variables, index, sensitive) }, false)}
            onDelete={() => updateHead({ variables: variables.filter((_, i) => i !== index) })}
          />
        ))}
      </ul>
      <button type="button" onClick={() => updateHead({ variables: [...variables, { name: `var_${variables.length + 1}` }] })}>
        {t("editor.addVariable")}
      </button>
      <ResultsSection />
    </fieldset>
  );
}
