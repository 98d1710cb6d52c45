/**
 * Config form errors an analyst can read, in the interface language. The validator says `must match pattern
 * "^[0-9*#]$"` (the schema's regular expression, which tells an analyst nothing) and `must have required
 * property 'Клавиша'` (English around a Russian title). A pattern the built-in blocks use is said in words; else
 * a field's known `format`, else its `description`, else a plain "not in the expected form". Every other kind of
 * error is said in words too, naming the field's title or a choice's alternatives where it needs them.
 */
import type { RJSFValidationError } from "@rjsf/utils";
import { WEEKDAYS } from "./callList";
import type { JsonSchemaObject } from "./catalog";
import type { MessageKey, Translate } from "./i18n";

/** The patterns of the built-in blocks' fields (graph_engine's block schemas), each in words. */
const KNOWN_PATTERNS: Record<string, MessageKey> = {
  "^[0-9*#]$": "form.pattern.key",
  "^[0-9*#]*$": "form.pattern.keys",
  "^([01][0-9]|2[0-3]):[0-5][0-9]$": "form.pattern.time",
  "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "form.pattern.date",
  "^[A-Za-z_][A-Za-z0-9_]{0,63}$": "form.pattern.variable",
  "^[a-z0-9][a-z0-9-]{0,63}$": "form.pattern.slug",
  "^[A-Za-z0-9_.:-]{1,64}$": "form.pattern.blockId",
  "^[A-Za-z0-9_]{1,32}$": "form.pattern.exitName",
  "^[A-Za-z0-9_.-]{1,64}$": "form.pattern.name",
  "^[^\\x00-\\x1f\\x7f-\\x9f]{1,256}$": "form.pattern.column",
  "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$": "form.pattern.language",
  "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(/[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}){0,7}$": "form.pattern.audio",
  "^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$|^UTC$": "form.pattern.timezone",
};

/** JSON Schema formats said in words. */
const KNOWN_FORMATS: Record<string, MessageKey> = {
  date: "form.format.date",
  time: "form.format.time",
  "date-time": "form.format.date-time",
  email: "form.format.email",
  uri: "form.format.uri",
};

/** The schema a validator's `schemaPath` (`#/properties/options/items/properties/key/pattern`) points into. */
export function schemaAt(root: JsonSchemaObject, schemaPath: string): JsonSchemaObject | undefined {
  const steps = schemaPath.replace(/^#\/?/, "").split("/").filter(Boolean).slice(0, -1); // the keyword's parent
  let at: unknown = root;
  for (const raw of steps) {
    const step = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[step];
  }
  return at !== null && typeof at === "object" && !Array.isArray(at) ? (at as JsonSchemaObject) : undefined;
}

/** The words for a field whose value does not have the form its schema asks for. */
export function patternMessage(field: JsonSchemaObject | undefined, pattern: string | undefined, t: Translate): string {
  const known = pattern !== undefined ? KNOWN_PATTERNS[pattern] : undefined;
  if (known) return t(known);
  const format = typeof field?.format === "string" ? KNOWN_FORMATS[field.format] : undefined;
  if (format) return t(format);
  if (field?.description) return t("form.patternDescribed", { description: field.description });
  return t("form.pattern");
}

type ErrorParams = Record<string, unknown>;

/** A field's title or a choice's name, quoted as the interface language quotes. */
function quoted(text: string, t: Translate): string {
  return t("form.error.quote", { text });
}

/** "«Запись» или «Синтез речи»": the titled alternatives of the choice at `field`; empty when they have none. */
function alternatives(field: JsonSchemaObject | undefined, keyword: "oneOf" | "anyOf", t: Translate): string {
  const branches = (field as Record<string, unknown> | undefined)?.[keyword];
  const titles = Array.isArray(branches) ? branches.map((b: JsonSchemaObject) => b?.title).filter((title) => typeof title === "string") : [];
  return titles.length > 1 ? titles.map((title) => quoted(title, t)).join(t("form.error.or")) : "";
}

/** "Choose at least one day" for the weekday checkboxes, "Choose at least one" for other choices, else "Add". */
function atLeastOne(field: JsonSchemaObject | undefined): MessageKey {
  const choices = field?.items?.enum;
  if (!Array.isArray(choices)) return "form.error.minItemsOne";
  return choices.every((day) => (WEEKDAYS as readonly unknown[]).includes(day)) ? "form.error.chooseDay" : "form.error.chooseOne";
}

function typeMessage(type: unknown): MessageKey {
  if (type === "integer") return "form.error.integer";
  return type === "number" ? "form.error.number" : "form.error.type";
}

/** The words for one validator error (ajv's keyword and params) on `field`, the schema it was checked against. */
function errorMessage(error: RJSFValidationError, field: JsonSchemaObject | undefined, t: Translate): string {
  const params = (error.params ?? {}) as ErrorParams;
  const n = typeof params.limit === "number" ? params.limit : Number(params.limit);
  switch (error.name) {
    case "pattern":
      return patternMessage(field, typeof params.pattern === "string" ? params.pattern : undefined, t);
    case "format":
      return patternMessage({ ...field, format: params.format }, undefined, t);
    case "required":
      return t("form.error.required", { field: quoted(error.title || String(params.missingProperty), t) });
    case "oneOf":
    case "anyOf": {
      const choices = alternatives(field, error.name, t);
      if (!choices) return t("form.error.choice");
      return t(Array.isArray(params.passingSchemas) ? "form.error.notBoth" : "form.error.choose", { choices });
    }
    case "minItems":
      return n === 1 ? t(atLeastOne(field)) : t("form.error.minItems", { n });
    case "maxItems":
      return t("form.error.maxItems", { n });
    case "minLength":
      return n === 1 ? t("form.error.minLengthOne") : t("form.error.minLength", { n });
    case "maxLength":
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
    case "multipleOf":
      return t(`form.error.${error.name}`, { n: String(params.limit ?? params.multipleOf) });
    case "enum":
      return t("form.error.enum");
    case "const":
      return t("form.error.const", { value: quoted(String(params.allowedValue), t) });
    case "type":
      return t(typeMessage(params.type));
    case "uniqueItems":
      return t("form.error.uniqueItems");
    case "additionalProperties":
      return t("form.error.additional", { field: quoted(String(params.additionalProperty), t) });
    default:
      // `if`/`not`/`dependentRequired`...: ajv's own sentence is English and says nothing to an analyst.
      return t("form.error.other");
  }
}

/**
 * rjsf's `transformErrors` for a form drawn from `schema` (the one the form shows, its titles in the interface
 * language): every error in words, in that language. `stack` (the error list's line, not shown here) names the
 * field as rjsf does.
 */
export function readableErrors(schema: JsonSchemaObject, t: Translate) {
  return (errors: RJSFValidationError[]): RJSFValidationError[] =>
    errors.map((error) => {
      const field = error.schemaPath ? schemaAt(schema, error.schemaPath) : undefined;
      const message = errorMessage(error, field, t);
      return { ...error, message, stack: error.title && error.name !== "required" ? `${error.title}: ${message}` : message };
    });
}
