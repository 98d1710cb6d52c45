/**
 * What a block's form shows beyond rjsf's plain rendering of the schema, all read from the schema itself so no
 * block needs code of its own:
 *
 * - an optional choice (the IVR's "When nothing is pressed": recorded audio or spoken text) offers "None" first,
 *   so a prompt left out shows no field to fill, and no required star on one;
 * - a field whose `x-ui.show_if` names values of a sibling (`{"mode": "capture"}`) is hidden while the sibling
 *   holds another, its value kept for when it applies again;
 * - a period of hours (`from`/`to`) says when it crosses midnight or lasts all day.
 */
import type { JsonSchemaObject } from "./catalog";
import type { UiSchema } from "./uischema";

/** The choice branch a form adds for "nothing": data `undefined` matches no other, so rjsf selects it. */
export const NONE_MARK = "none";

function branchesOf(schema: JsonSchemaObject): { key: "oneOf" | "anyOf"; branches: JsonSchemaObject[] } | null {
  for (const key of ["oneOf", "anyOf"] as const) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length > 1) return { key, branches: branches as JsonSchemaObject[] };
  }
  return null;
}

/** A field offering a choice between kinds of object (a prompt: recorded audio or spoken text). */
export function isObjectChoice(schema: JsonSchemaObject): boolean {
  const choice = branchesOf(schema);
  return !!choice && !schema.properties && choice.branches.every((b) => b.type === "object" || isNoneBranch(b));
}

export function isNoneBranch(branch: JsonSchemaObject): boolean {
  return branch["x-ui"]?.[NONE_MARK] === true;
}

/** Is this choice field optional (the form added "None" to it)? */
export function hasNoneChoice(schema: JsonSchemaObject): boolean {
  return branchesOf(schema)?.branches.some(isNoneBranch) ?? false;
}

/**
 * A copy of `schema` whose optional object choices start with a "None" branch titled `noneTitle`. It holds
 * `null` only, which the form never stores: rjsf draws no field for a null branch, and the choice's value stays
 * absent. The copy is for drawing the form; the block's own schema (and the server) never see it.
 */
export function withNoneChoices(schema: JsonSchemaObject, noneTitle: string): JsonSchemaObject {
  const properties = schema.properties;
  const items = schema.items;
  if (!properties && !(items && typeof items === "object")) return schema;
  const out: JsonSchemaObject = { ...schema };
  if (properties) {
    const required = new Set(schema.required ?? []);
    out.properties = Object.fromEntries(
      Object.entries(properties).map(([name, field]) => {
        const choice = branchesOf(field);
        if (choice && !required.has(name) && isObjectChoice(field) && !hasNoneChoice(field)) {
          const none: JsonSchemaObject = { title: noneTitle, type: "null", "x-ui": { [NONE_MARK]: true } };
          return [name, { ...field, [choice.key]: [none, ...choice.branches] }];
        }
        return [name, withNoneChoices(field, noneTitle)];
      }),
    );
  }
  if (items && typeof items === "object") out.items = withNoneChoices(items, noneTitle);
  return out;
}

/** The sibling values a field's `x-ui.show_if` asks for, by sibling name (a value or a list of values). */
function showIf(field: JsonSchemaObject): Record<string, unknown> | null {
  const hint = field["x-ui"]?.show_if;
  return hint && typeof hint === "object" && !Array.isArray(hint) ? (hint as Record<string, unknown>) : null;
}

/** Does the field apply to `data` (its siblings' values, an absent one taken at its schema default)? */
export function applies(field: JsonSchemaObject, parent: JsonSchemaObject, data: Record<string, unknown>): boolean {
  const wanted = showIf(field);
  if (!wanted) return true;
  return Object.entries(wanted).every(([sibling, values]) => {
    const value = Object.hasOwn(data, sibling) ? data[sibling] : parent.properties?.[sibling]?.default;
    return Array.isArray(values) ? values.includes(value) : values === value;
  });
}

/**
 * The form's uiSchema with the fields that do not apply hidden (`x-ui.show_if`, against `data`, the object's
 * values) and each object choice drawn as a titled selector (the branch's own legend would repeat the selector).
 * rjsf keeps a hidden field's value: switching the IVR back to capture finds the digits as they were.
 */
export function shapeUi(ui: UiSchema, schema: JsonSchemaObject, data: unknown): UiSchema {
  const values = data !== null && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  const out: UiSchema = { ...ui };
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const own = (out[name] ?? {}) as UiSchema;
    if (!applies(field, schema, values)) {
      out[name] = { ...own, "ui:field": "hidden", "ui:widget": "hidden" };
    } else if (isObjectChoice(field)) {
      out[name] = { ...own, "ui:label": false };
    } else if (field.properties) {
      out[name] = shapeUi(own, field, values[name]);
    }
  }
  return out;
}

const CLOCK = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** What a period of hours does besides the plain case: crosses midnight, or lasts the whole day. */
export type PeriodSpan = { kind: "overnight"; until: string } | { kind: "allDay" } | null;

export function periodSpan(from: unknown, to: unknown): PeriodSpan {
  if (typeof from !== "string" || typeof to !== "string" || !CLOCK.test(from) || !CLOCK.test(to)) return null;
  if (from === to) return { kind: "allDay" };
  return to < from ? { kind: "overnight", until: to } : null;
}

/** A list whose rows are periods of hours: objects with `from` and `to` clock times (Schedule, Callback). */
function isPeriodList(schema: JsonSchemaObject): boolean {
  const row = schema.items?.properties;
  return schema.type === "array" && !!row?.from && !!row?.to;
}

type ItemsUi = UiSchema | ((item: unknown, index: number, formContext?: unknown) => UiSchema);

/**
 * The form's uiSchema with `rowUi` laid over each row of the lists `applies` picks, from that row's current values:
 * rjsf hands each row's values to a function `items`, so a hint or a widget can follow what the row says now.
 * `rowUi` answers the row's uiSchema (`base`, what it had) or `base` itself where the row needs nothing.
 */
export function withRowUi(
  ui: UiSchema,
  schema: JsonSchemaObject,
  applies: (field: JsonSchemaObject) => boolean,
  rowUi: (row: Record<string, unknown>, base: UiSchema) => UiSchema,
): UiSchema {
  const out: UiSchema = { ...ui };
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    if (!applies(field)) continue;
    const own = (out[name] ?? {}) as UiSchema;
    const items = own.items as ItemsUi | undefined;
    out[name] = {
      ...own,
      items: (item: unknown, index: number, formContext?: unknown) => {
        const base = (typeof items === "function" ? items(item, index, formContext) : items) ?? {};
        return rowUi((item ?? {}) as Record<string, unknown>, base);
      },
    };
  }
  return out;
}

/**
 * The form's uiSchema with a help line under each period's "To" that crosses midnight or equals its "From"
 * (`say` words it): the server reads 22:00-06:00 as open overnight and 09:00-09:00 as all day, which a form
 * showing two times says nowhere.
 */
export function withPeriodHints(ui: UiSchema, schema: JsonSchemaObject, say: (span: NonNullable<PeriodSpan>) => string): UiSchema {
  return withRowUi(ui, schema, isPeriodList, (row, base) => {
    const span = periodSpan(row.from, row.to);
    if (!span) return base;
    return { ...base, to: { ...((base.to as UiSchema | undefined) ?? {}), "ui:help": say(span) } };
  });
}

/** Settings a block dropped on the canvas starts with that depend on where the analyst is: the time zone. */
export function localDefaults(schema: JsonSchemaObject, config: Record<string, unknown>, timeZone: string | undefined): Record<string, unknown> {
  const field = schema.properties?.timezone;
  if (!field || field.type !== "string" || !timeZone) return config;
  // The zone must be one the block's schema takes (the server checks the name against its own zone list).
  const pattern = typeof field.pattern === "string" ? new RegExp(field.pattern, "u") : null;
  if (pattern && !pattern.test(timeZone)) return config;
  return { ...config, timezone: timeZone };
}

/** The browser's time zone (an IANA name), or undefined where it cannot say. */
export function browserZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}
