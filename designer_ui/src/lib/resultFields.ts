/**
 * The fields of a block's form that record the call's result, where the form offers the results the scenario
 * declares (its `results`, code and label): a field its schema marks `"x-ui": {"widget": "result"}` (Hang Up's
 * «Result to record», through uischema.ts), and a list's row that assigns `result` as text (a Set Variable's
 * assignment), whose value is the result widget while it does. Review: «Resultado a registrar» was a bare text box,
 * and a typo recorded a result reports then showed by its code.
 */
import type { JsonSchemaObject } from "./catalog";
import { withRowUi } from "./formShape";
import { RESULT_VARIABLE } from "./scenarioTests";
import type { UiSchema } from "./uischema";

/** A declared result as the form offers it. */
export interface ResultChoice {
  code: string;
  label: string;
}

/** A list whose rows assign a value to a variable (Set Variable's `assignments`): `variable`, `value`, maybe `mode`. */
function isAssignmentList(schema: JsonSchemaObject): boolean {
  const row = schema.items?.properties;
  return schema.type === "array" && !!row?.variable && !!row?.value;
}

/** Whether a row of such a list records the call's result as written: `result`, in text mode (the default). */
function recordsResult(row: Record<string, unknown>): boolean {
  return row.variable === RESULT_VARIABLE && (row.mode ?? "text") === "text";
}

/**
 * The form's uiSchema with the result widget on the value of each assignment row that sets `result` as text; the
 * other rows as they were (formShape.ts `withRowUi`, as the period hints).
 */
export function withResultValues(ui: UiSchema, schema: JsonSchemaObject): UiSchema {
  return withRowUi(ui, schema, isAssignmentList, (row, base) =>
    recordsResult(row) ? { ...base, value: { ...((base.value as UiSchema | undefined) ?? {}), "ui:widget": "result" } } : base,
  );
}

/** The declared results to offer: each code once (a draft may declare one twice), none without a code yet. */
export function resultChoices(results: readonly ResultChoice[]): ResultChoice[] {
  const seen = new Set<string>();
  return results.filter((result) => result.code !== "" && !seen.has(result.code) && seen.add(result.code));
}
