/**
 * A free-form map in a block's form (the SQL block's result column -> variable). rjsf's own labelled an entry's key
 * input "<key> Key" ("fio Key") and its value by the key itself ("fio"), in English whatever the interface language,
 * and its "Add" made a row `newKey` -> "New Value", in error at once (review of a Russian contact centre). Here an
 * entry's key is labelled as the map names its keys (its schema's `propertyNames` title, «Столбец» for the SQL
 * block's) and its value as the map names its values (its `additionalProperties` title, «Переменная»), else with a
 * plain translated "Name" and "Value"; and a row added starts empty, the focus in its key. A row still empty is no
 * entry yet: the form says nothing of it and the block's config does not keep it (`withoutBlankEntries`).
 */
import { getDefaultRegistry } from "@rjsf/core";
import {
  ADDITIONAL_PROPERTY_FLAG,
  buttonId,
  descriptionId,
  getUiOptions,
  TranslatableString,
  type FieldProps,
  type RJSFValidationError,
  type WrapIfAdditionalTemplateProps,
} from "@rjsf/utils";
import { useEffect, useMemo, useRef, useState } from "react";
import { useI18n } from "../i18n";
import type { Config, JsonSchemaObject } from "../lib/catalog";
import type { UiSchema } from "../lib/uischema";
import { FieldDescription } from "./InlineCode";

const RjsfMapEntry = getDefaultRegistry().templates.WrapIfAdditionalTemplate;

/** The uiSchema options a map's entries read their labels from. */
const KEY_TITLE = "ui:keyTitle";
const VALUE_TITLE = "ui:valueTitle";
/** The field a map is drawn with (`FORM_FIELDS` in BlockPanel.tsx registers it under this name). */
export const MAP_FIELD = "map";

/** The key rjsf gives a row its "Add" makes (`newKey`, then `newKey-1`...): it has no way to be told another. */
const RJSF_NEW_KEY = /^newKey(-\d+)?$/;

const isBlank = (value: unknown) => value === undefined || value === null || value === "";

export function MapEntryTemplate(props: WrapIfAdditionalTemplateProps) {
  const { t } = useI18n();
  if (!(ADDITIONAL_PROPERTY_FLAG in props.schema)) return <RjsfMapEntry {...props} />; // any other field: as it is
  const { id, label: key, registry, rawDescription, rawErrors, hideError, required, disabled, readonly } = props;
  const options = getUiOptions(props.uiSchema);
  const keyLabel = typeof options.keyTitle === "string" ? options.keyTitle : t("form.mapKey");
  const valueLabel = typeof options.valueTitle === "string" ? options.valueTitle : t("form.mapValue");
  const { RemoveButton } = registry.templates.ButtonTemplates;
  const invalid = !hideError && !!rawErrors?.length;
  // rjsf's entry's layout and classes, so it is styled as before; the labels are this entry's own (`ui:label` is
  // off for the value, which rjsf would label with the key).
  return (
    <div className={`form-group map-entry ${props.classNames ?? ""}${invalid ? " has-error has-danger" : ""}`.trim()} style={props.style}>
      <div className="row">
        <div className="col-xs-5 form-additional">
          <div className="form-group">
            <label className="control-label" htmlFor={`${id}-key`}>
              {keyLabel}
              {required && <span className="required">*</span>}
            </label>
            <input className="form-control" type="text" id={`${id}-key`} onBlur={props.onKeyRenameBlur} defaultValue={key} key={key} />
          </div>
        </div>
        <div className="form-additional form-group col-xs-5">
          <label className="control-label" htmlFor={id}>
            {valueLabel}
          </label>
          {rawDescription && <FieldDescription id={descriptionId(id)} description={rawDescription} schema={props.schema} registry={registry} />}
          {props.children}
        </div>
        <div className="col-xs-2">
          <RemoveButton
            id={buttonId(id, "remove")}
            className="rjsf-object-property-remove btn-block"
            style={{ border: "0" }}
            disabled={disabled || readonly}
            onClick={props.onRemoveProperty}
            uiSchema={props.uiSchema}
            registry={registry}
          />
        </div>
      </div>
    </div>
  );
}

/** `formData` as an object's entries; none for anything else. */
const entriesOf = (value: unknown): [string, unknown][] =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? Object.entries(value) : [];

/** The key input of the map's empty row, inside `box`. */
const blankKeyInput = (box: HTMLElement | null) =>
  [...(box?.querySelectorAll<HTMLInputElement>("input[id$='-key']") ?? [])].find((input) => input.value === "");

/**
 * A map's field: rjsf's own object field, whose "Add" makes an empty row rather than `newKey` -> "New Value". rjsf
 * names a new row itself, so the row it reports is renamed to the empty key and its field drawn anew (it keeps the
 * order of its rows to itself, and would not show a row renamed from outside), the focus put in the new row's key.
 * One empty row at a time: "Add" with one there goes to it.
 */
export function MapField(props: FieldProps) {
  const ObjectField = props.registry.fields.ObjectField!;
  const [drawn, setDrawn] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const focusBlank = useRef(false);
  useEffect(() => {
    if (!focusBlank.current) return;
    focusBlank.current = false;
    blankKeyInput(box.current)?.focus();
  }, [drawn]);
  const before = entriesOf(props.formData);
  const blankValue = props.registry.translateString(TranslatableString.NewStringDefault);
  const onChange: FieldProps["onChange"] = (value, path, ...rest) => {
    const own = path !== undefined && path.length === props.fieldPathId.path.length && path.every((step, i) => step === props.fieldPathId.path[i]);
    const added = own ? entriesOf(value).filter(([key]) => !before.some(([was]) => was === key)) : [];
    if (added.length !== 1 || !RJSF_NEW_KEY.test(added[0]![0])) {
      props.onChange(value, path, ...rest);
      return;
    }
    if (!before.some(([key]) => key === "")) {
      const [newKey, newValue] = added[0]!;
      const renamed = entriesOf(value).map(([key, item]): [string, unknown] =>
        key === newKey ? ["", typeof newValue === "string" && newValue === blankValue ? "" : newValue] : [key, item],
      );
      props.onChange(Object.fromEntries(renamed), path, ...rest);
    }
    focusBlank.current = true;
    setDrawn((n) => n + 1);
  };
  return (
    <div ref={box} className="map-field">
      <ObjectField key={drawn} {...props} onChange={onChange} />
    </div>
  );
}

/**
 * `ui` with each top-level map field (an object whose `additionalProperties` is a schema) drawn by `MapField`, its
 * entries labelled with its key title (`propertyNames.title` in `schema`, the schema as the form shows it: titles
 * already in the interface language) and its value title (`additionalProperties.title`): rjsf hands a map's entries
 * the map's `additionalProperties` uiSchema, and the entries alone never see the map's schema.
 */
export function withKeyTitles(ui: UiSchema, schema: JsonSchemaObject): UiSchema {
  const out = { ...ui };
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    if (!isMap(field)) continue;
    const keyTitle = (field.propertyNames as JsonSchemaObject | undefined)?.title;
    const valueTitle = field.additionalProperties.title;
    const own = (out[name] as UiSchema | undefined) ?? {};
    const entries = (own.additionalProperties as UiSchema | undefined) ?? {};
    out[name] = {
      "ui:field": MAP_FIELD,
      ...own,
      additionalProperties: {
        ...entries,
        "ui:label": false, // the entry labels its value itself (`MapEntryTemplate`), not by its key
        ...(typeof keyTitle === "string" ? { [KEY_TITLE]: keyTitle } : {}),
        ...(typeof valueTitle === "string" ? { [VALUE_TITLE]: valueTitle } : {}),
      },
    };
  }
  return out;
}

function isMap(field: JsonSchemaObject): field is JsonSchemaObject & { additionalProperties: JsonSchemaObject } {
  const values = field.additionalProperties as unknown;
  return field.type === "object" && values !== null && typeof values === "object" && !Array.isArray(values);
}

/** The top-level maps of `config` that have an empty row (`"": ""`, a row added and not filled in yet). */
function mapsWithBlankRow(config: Config, schema: JsonSchemaObject): string[] {
  return Object.entries(schema.properties ?? {})
    .filter(([name, field]) => isMap(field) && entriesOf(config[name]).some(([key, item]) => key === "" && isBlank(item)))
    .map(([name]) => name);
}

/**
 * `config` without the empty rows of its top-level maps: such a row is no entry, so it is neither stored nor sent to
 * be checked. A row with either half typed is kept, and the check says what the other half lacks.
 */
export function withoutBlankEntries(config: Config, schema: JsonSchemaObject): Config {
  const maps = mapsWithBlankRow(config, schema);
  if (maps.length === 0) return config;
  const out = { ...config };
  for (const name of maps) out[name] = Object.fromEntries(entriesOf(config[name]).filter(([key, item]) => !(key === "" && isBlank(item))));
  return out;
}

/**
 * A block form's data with the empty rows it holds that the config does not (`withoutBlankEntries`): `formData`,
 * what the form is given, is the config with them; `reported(data)` takes what the form reports and gives the config
 * to store. The form is handed back what it reported, so it keeps an empty row while another field is edited: given
 * the config alone, it took the row's absence for an edit from outside and dropped it.
 */
export function useBlankRows(config: Config, schema: JsonSchemaObject): { formData: Config; reported(data: Config): Config } {
  const [maps, setMaps] = useState<readonly string[]>([]);
  const formData = useMemo(() => {
    if (maps.length === 0) return config;
    const out = { ...config };
    for (const name of maps) out[name] = { ...(entriesOf(config[name]).length ? (config[name] as object) : {}), "": "" };
    return out;
  }, [config, maps]);
  return {
    formData,
    reported(data) {
      const now = mapsWithBlankRow(data, schema);
      if (now.join("\n") !== maps.join("\n")) setMaps(now);
      return withoutBlankEntries(data, schema);
    },
  };
}

/**
 * The form's errors without those of a row's empty key: a row whose column is not typed yet is not in error, and the
 * server names it once the row holds a value. ajv says a bad key twice, as the rule its name breaks and as
 * `propertyNames` (naming the key): the rule is kept for any other key, the `propertyNames` one never (it says
 * nothing the rule does not, "property name must be valid"). The empty row's own value errors go with it
 * (`.columns.`, the value at the empty key) while it has none.
 */
export function withoutBlankKeyErrors(errors: RJSFValidationError[], config: Config): RJSFValidationError[] {
  const drop = new Set<number>();
  errors.forEach((error, i) => {
    if (error.name !== "propertyNames") return;
    drop.add(i);
    const previous = errors[i - 1];
    const name = (error.params as { propertyName?: unknown } | undefined)?.propertyName;
    if (name === "" && previous && previous.property === error.property && previous.schemaPath?.includes("/propertyNames/")) drop.add(i - 1);
  });
  return errors.filter((error, i) => {
    if (drop.has(i)) return false;
    const map = /^\.([^.[\]]+)\.$/.exec(error.property ?? "")?.[1];
    return map === undefined || !isBlank(entriesOf(config[map]).find(([key]) => key === "")?.[1] ?? "");
  });
}
