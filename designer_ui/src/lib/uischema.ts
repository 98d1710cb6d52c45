/**
 * From a block's JSON Schema to rjsf's uiSchema: the schema's `x-ui.widget` hints pick our widgets, so forms
 * need no per-block code. oneOf branches (the IVR's prompt: audio or text) share one uiSchema per field.
 */
import type { JsonSchemaObject } from "./catalog";

export type UiSchema = Record<string, unknown>;

/** x-ui widget names the designer draws; anything else falls back to rjsf's default for the type. */
export const KNOWN_WIDGETS = new Set(["template", "expression", "sql", "variable", "node", "scenario", "audio", "data-source"]);

function propertiesOf(schema: JsonSchemaObject): Record<string, JsonSchemaObject> {
  const merged: Record<string, JsonSchemaObject> = { ...(schema.properties ?? {}) };
  for (const key of ["oneOf", "anyOf"] as const) {
    const branches = schema[key];
    if (!Array.isArray(branches)) continue;
    for (const branch of branches as JsonSchemaObject[]) Object.assign(merged, branch.properties ?? {});
  }
  return merged;
}

/** The label of row `n` (from 1) of a list field; without one, rjsf's ("Keys-1"). */
export type ItemTitle = (list: JsonSchemaObject, n: number) => string;

export function uiSchemaFor(schema: JsonSchemaObject, itemTitle?: ItemTitle): UiSchema {
  const ui: UiSchema = {};
  const hint = schema["x-ui"];
  const widget = hint && typeof hint.widget === "string" ? hint.widget : undefined;
  if (widget && KNOWN_WIDGETS.has(widget)) ui["ui:widget"] = widget;
  if (hint && typeof hint.placeholder === "string") ui["ui:placeholder"] = hint.placeholder;
  for (const [name, child] of Object.entries(propertiesOf(schema))) {
    const childUi = uiSchemaFor(child, itemTitle);
    if (Object.keys(childUi).length) ui[name] = childUi;
  }
  if (schema.items && typeof schema.items === "object") {
    const itemsUi = uiSchemaFor(schema.items, itemTitle);
    // A list of choices (days of the week) is one set of checkboxes, not rows: rjsf reads its items' uiSchema
    // for the options and takes no function there.
    if (itemTitle && !Array.isArray(schema.items.enum)) {
      ui.items = (_item: unknown, index: number) => ({ ...itemsUi, "ui:title": itemTitle(schema, index + 1) });
    } else if (Object.keys(itemsUi).length) ui.items = itemsUi;
  }
  return ui;
}

export function formUiSchema(schema: JsonSchemaObject, itemTitle?: ItemTitle): UiSchema {
  return { ...uiSchemaFor(schema, itemTitle), "ui:submitButtonOptions": { norender: true } };
}
