/**
 * An entry of a free-form map in a block's form (the SQL block's result column -> variable): rjsf labels the entry's
 * key input "<key> Key" ("fio Key"), in English whatever the interface language. Here the key is labelled as the map
 * names its keys (its schema's `propertyNames` title, "Столбец" for the SQL block's, passed down by `withKeyTitles`),
 * else with a plain translated "Name". The rest is rjsf's own entry: key input, value field, remove button.
 */
import { getDefaultRegistry } from "@rjsf/core";
import { ADDITIONAL_PROPERTY_FLAG, getUiOptions, TranslatableString, type WrapIfAdditionalTemplateProps } from "@rjsf/utils";
import { useI18n } from "../i18n";
import type { JsonSchemaObject } from "../lib/catalog";
import type { UiSchema } from "../lib/uischema";

const RjsfMapEntry = getDefaultRegistry().templates.WrapIfAdditionalTemplate;

/** The uiSchema option a map's entries read their key's label from. */
const KEY_TITLE = "ui:keyTitle";

export function MapEntryTemplate(props: WrapIfAdditionalTemplateProps) {
  const { t } = useI18n();
  if (!(ADDITIONAL_PROPERTY_FLAG in props.schema)) return <RjsfMapEntry {...props} />; // any other field: as it is
  const keyTitle = getUiOptions(props.uiSchema).keyTitle;
  const label = typeof keyTitle === "string" ? keyTitle : t("form.mapKey");
  const { registry } = props;
  const translateString = (text: TranslatableString, params?: string[]) =>
    text === TranslatableString.KeyLabel ? label : registry.translateString(text, params);
  return <RjsfMapEntry {...props} registry={{ ...registry, translateString }} />;
}

/**
 * `ui` with each top-level map field's key title (`propertyNames.title` in `schema`, the schema as the form shows
 * it: titles already in the interface language) where its entries' template finds it: rjsf hands a map's entries
 * the map's `additionalProperties` uiSchema, and the entries alone never see the map's schema.
 */
export function withKeyTitles(ui: UiSchema, schema: JsonSchemaObject): UiSchema {
  const out = { ...ui };
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const title = (field.propertyNames as JsonSchemaObject | undefined)?.title;
    if (typeof title !== "string") continue;
    const own = (out[name] as UiSchema | undefined) ?? {};
    const entries = (own.additionalProperties as UiSchema | undefined) ?? {};
    out[name] = { ...own, additionalProperties: { ...entries, [KEY_TITLE]: title } };
  }
  return out;
}
