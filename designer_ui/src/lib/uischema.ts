/**
 * From a block's JSON Schema to rjsf's uiSchema: the schema's `x-ui.widget` hints pick our widgets, so forms
 * need no per-block code. oneOf branches (the IVR's prompt: audio or text) share one uiSchema per field.
 */
import type { JsonSchemaObject } from "./catalog";

export type UiSchema = Record<string, unknown>;

/** x-ui widget names the designer draws; anything else falls back to rjsf's default for the type. */
export const KNOWN_WIDGETS = new Set(["template", "expression", "sql", "variable", "node", "scenario", "audio", "data-source", "clock_time", "result"]);

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

/** The names of an enum field's choices by value, for those that have one; the others show their value. */
export type ChoiceLabels = (field: string, values: readonly unknown[]) => Record<string, string>;

export interface FormText {
  itemTitle?: ItemTitle;
  choiceLabels?: ChoiceLabels;
}

/** A set of choices (the days of the week): an array of distinct values from a list, which rjsf draws as one field. */
function isChoiceSet(schema: JsonSchemaObject): boolean {
  return schema.uniqueItems === true && !!schema.items && Array.isArray(schema.items.enum);
}

/** The days of a week as a block's schema lists them (a Schedule's opening hours, a Callback's calling window). */
const WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** A set of choices that is the days of a week: drawn as a week, seven in a row (styles.css `.week-days`). */
function isWeek(schema: JsonSchemaObject): boolean {
  const days = schema.items?.enum;
  return Array.isArray(days) && days.length === WEEK.length && days.every((day, i) => day === WEEK[i]);
}

/** `field` is the property name the schema sits under: choice names are looked up by it. */
export function uiSchemaFor(schema: JsonSchemaObject, text: FormText = {}, field?: string): UiSchema {
  const ui: UiSchema = {};
  const hint = schema["x-ui"];
  const widget = hint && typeof hint.widget === "string" ? hint.widget : undefined;
  if (widget && KNOWN_WIDGETS.has(widget)) ui["ui:widget"] = widget;
  if (hint && typeof hint.placeholder === "string") ui["ui:placeholder"] = hint.placeholder;
  if (Array.isArray(schema.enum) && field !== undefined && text.choiceLabels) {
    const names = text.choiceLabels(field, schema.enum);
    if (Object.keys(names).length) ui["ui:enumNames"] = names;
  }
  for (const [name, child] of Object.entries(propertiesOf(schema))) {
    const childUi = uiSchemaFor(child, text, name);
    if (Object.keys(childUi).length) ui[name] = childUi;
  }
  if (schema.items && typeof schema.items === "object") {
    // The items of a list are named by the list's field: the schedule's "days" are each a day.
    const itemsUi = uiSchemaFor(schema.items, text, field);
    if (isChoiceSet(schema)) {
      // rjsf's default for a set of choices is <select multiple>, where a plain click replaces the selection:
      // clicking Saturday in Mon-Fri left Saturday alone. Checkboxes add and remove one choice each. rjsf reads
      // the choices' names from the items' uiSchema, and takes no function there.
      ui["ui:widget"] ??= "checkboxes";
      ui["ui:options"] = { inline: true };
      if (isWeek(schema)) ui["ui:classNames"] = "week-days";
      if (Object.keys(itemsUi).length) ui.items = itemsUi;
    } else if (text.itemTitle && !Array.isArray(schema.items.enum)) {
      const itemTitle = text.itemTitle;
      ui.items = (_item: unknown, index: number) => ({ ...itemsUi, "ui:title": itemTitle(schema, index + 1) });
    } else if (Object.keys(itemsUi).length) ui.items = itemsUi;
  }
  return ui;
}

export function formUiSchema(schema: JsonSchemaObject, text: FormText = {}): UiSchema {
  return { ...uiSchemaFor(schema, text), "ui:submitButtonOptions": { norender: true } };
}
