/**
 * Config form errors an analyst can read. The validator says `must match pattern "^[0-9*#]$"`: the schema's
 * regular expression, which tells an analyst nothing. A pattern the built-in blocks use is said in words; else a
 * field's known `format`, else its `description`, else a plain "not in the expected form". Other errors (too
 * long, required...) keep the validator's words.
 */
import type { RJSFValidationError } from "@rjsf/utils";
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
  "^[A-Za-z0-9_]{1,64}$": "form.pattern.name",
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

/**
 * rjsf's `transformErrors` for a form drawn from `schema`: pattern and format errors in words, in the interface
 * language. `stack` (the error list's line, not shown here) names the field as rjsf does.
 */
export function readableErrors(schema: JsonSchemaObject, t: Translate) {
  return (errors: RJSFValidationError[]): RJSFValidationError[] =>
    errors.map((error) => {
      if (error.name !== "pattern" && error.name !== "format") return error;
      const field = error.schemaPath ? schemaAt(schema, error.schemaPath) : undefined;
      const message =
        error.name === "pattern"
          ? patternMessage(field, typeof error.params?.pattern === "string" ? error.params.pattern : undefined, t)
          : patternMessage({ ...field, format: error.params?.format }, undefined, t);
      return { ...error, message, stack: error.title ? `'${error.title}' ${message}` : message };
    });
}
