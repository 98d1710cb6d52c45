/**
 * A block's texts in the interface language, as its block gives them in the catalog's `translations`
 * (graph_engine/translations.py): by key, `title`, `fields.<name>.title`, `fields.<name>.description`,
 * `fields.<name>.enum.<value>`, `exits.<name>` and `issues.<code>`. Anything it does not give keeps the server's
 * English. A plugin's block gives what it likes; a built-in gives its title (blockText.ts `specTitle`) and a few
 * field titles (the IVR's prompts), the rest of its words being the designer's own (blockText.ts, schemaText.ts,
 * descriptions.ts).
 */
import type { BlockSpec, JsonSchemaObject } from "./catalog";
import type { Language } from "./i18n";

/** The text the block gives for `key` in `language`, or undefined. */
export function pluginText(spec: BlockSpec | undefined, language: Language, key: string): string | undefined {
  const text = spec?.translations?.[language]?.[key];
  return typeof text === "string" ? text : undefined;
}

/** A config field's title as the form labels it: the plugin's for the language, else the schema's, else its name. */
export function fieldTitle(spec: BlockSpec | undefined, language: Language, name: string): string {
  return pluginText(spec, language, `fields.${name}.title`) ?? spec?.config_schema.properties?.[name]?.title ?? name;
}

/** Fields whose value is never shown outside its own input: JSON Schema's `writeOnly`, or `format: "password"`. */
export function isSecretField(field: JsonSchemaObject | undefined): boolean {
  return field?.writeOnly === true || field?.format === "password";
}

function withFieldTexts(fields: Record<string, JsonSchemaObject>, spec: BlockSpec, language: Language): Record<string, JsonSchemaObject> {
  const out: Record<string, JsonSchemaObject> = {};
  for (const [name, field] of Object.entries(fields)) {
    const title = pluginText(spec, language, `fields.${name}.title`);
    const description = pluginText(spec, language, `fields.${name}.description`);
    out[name] = { ...field, ...(title !== undefined && { title }), ...(description !== undefined && { description }) };
  }
  return out;
}

/**
 * A copy of a plugin block's form schema with its fields' titles and help in the words the plugin gives for the
 * language: its properties and those of its `oneOf`/`anyOf` branches, as the form draws them (uischema.ts). The
 * schema itself when the plugin gives none.
 */
export function pluginSchema(schema: JsonSchemaObject, spec: BlockSpec, language: Language): JsonSchemaObject {
  const texts = spec.translations?.[language];
  if (!texts || !Object.keys(texts).some((key) => key.startsWith("fields."))) return schema;
  const out: JsonSchemaObject = { ...schema };
  if (schema.properties) out.properties = withFieldTexts(schema.properties, spec, language);
  for (const key of ["oneOf", "anyOf"] as const) {
    const branches = schema[key];
    if (!Array.isArray(branches)) continue;
    out[key] = (branches as JsonSchemaObject[]).map((branch) =>
      branch.properties ? { ...branch, properties: withFieldTexts(branch.properties, spec, language) } : branch,
    );
  }
  return out;
}

/** The names the plugin gives a field's choices in the language, by value (as String() writes it). */
export function pluginChoiceLabels(spec: BlockSpec, language: Language, field: string, values: readonly unknown[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values) {
    const label = pluginText(spec, language, `fields.${field}.enum.${String(value)}`);
    if (label) labels[String(value)] = label;
  }
  return labels;
}

/**
 * A problem of the plugin's own `check` in the words it gives for the language (`issues.<code>`), each `{name}`
 * filled from the problem's params; undefined when it gives none, or names a param the problem lacks (the server's
 * English is then shown whole rather than a sentence with a hole).
 */
export function pluginIssueText(
  spec: BlockSpec | undefined,
  language: Language,
  code: string,
  params: Record<string, string | number> = {},
): string | undefined {
  const words = pluginText(spec, language, `issues.${code}`);
  if (words === undefined) return undefined;
  let missing = false;
  const text = words.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === null) missing = true;
    return String(value);
  });
  return missing ? undefined : text;
}
