import validator from "@rjsf/validator-ajv8";
import type { RJSFSchema } from "@rjsf/utils";
import { describe, expect, it } from "vitest";
import catalogJson from "./fixtures/catalog.json";
import type { BlockSpec, JsonSchemaObject } from "./catalog";
import { readableErrors } from "./formErrors";
import { translator, type Language } from "./i18n";
import { localizeSchema } from "./schemaText";

const configSchema = (type: string) => (catalogJson as unknown as BlockSpec[]).find((b) => b.type === type)!.config_schema;

/** The messages under each field as the block panel validates: rjsf + ajv, the form's schema in `language`. */
function shown(type: string | JsonSchemaObject, formData: unknown, language: Language): Record<string, string[]> {
  const schema = localizeSchema(typeof type === "string" ? configSchema(type) : type, language);
  const { errors } = validator.validateFormData(formData, schema as RJSFSchema, undefined, readableErrors(schema, translator(language)));
  const found: Record<string, string[]> = {};
  for (const e of errors) (found[e.property ?? ""] ??= []).push(e.message ?? "");
  return found;
}

const all = (errors: Record<string, string[]>) => Object.values(errors).flat();

describe("config form errors in the interface language", () => {
  it("names a required field by its title, never ajv's `must have required property`", () => {
    const ivr = { prompt: { text: "Pulse" }, options: [{ label: "Ventas" }] };
    expect(shown("ivr", ivr, "ru")[".options.0.key"]).toEqual(["Укажите «Клавиша»."]);
    expect(shown("ivr", ivr, "es")[".options.0.key"]).toEqual(["Rellene «Tecla»."]);
    expect(shown("ivr", ivr, "en")[".options.0.key"]).toEqual(["Fill in “Key”."]);
  });

  it("names a choice's alternatives (the IVR prompt: recorded audio or spoken text)", () => {
    expect(shown("ivr", { prompt: {} }, "ru")[".prompt"]).toContain("Выберите «Запись» или «Синтез речи».");
    expect(shown("ivr", { prompt: {} }, "es")[".prompt"]).toContain("Elija «Audio grabado» o «Texto hablado».");
    expect(all(shown("ivr", { prompt: {} }, "ru")).join(" ")).not.toMatch(/must|oneOf/);
  });

  it("says an empty list of days as days, and other list and value limits in words", () => {
    const schedule = { timezone: "UTC", hours: [{ days: [], from: "09:00", to: "18:00" }] };
    expect(shown("schedule", schedule, "ru")[".hours.0.days"]).toEqual(["Выберите хотя бы один день."]);
    expect(shown("schedule", schedule, "es")[".hours.0.days"]).toEqual(["Elija al menos un día."]);
    expect(shown("ivr", { prompt: { text: "x" }, timeout: 100 }, "ru")[".timeout"]).toEqual(["Не больше 60."]);
    expect(shown("ivr", { prompt: { text: "x" }, timeout: 0 }, "es")[".timeout"]).toEqual(["Como mínimo 1."]);
    expect(shown("ivr", { prompt: { text: "x".repeat(2001) } }, "ru")[".prompt.text"]).toEqual(["Символов должно быть не больше 2000."]);
    expect(shown("set_variable", { assignments: [] }, "ru")[".assignments"]).toEqual(["Добавьте хотя бы одно значение."]);
    const keys = Array.from({ length: 13 }, (_, i) => ({ key: String(i % 10) }));
    expect(shown("ivr", { prompt: { text: "x" }, options: keys }, "ru")[".options"]).toEqual(["Строк должно быть не больше 12."]);
  });

  it("says every other kind of error in words too, in each language", () => {
    const plugin: JsonSchemaObject = {
      type: "object",
      required: ["name"],
      properties: {
        name: { type: "string", minLength: 3, title: "Name" },
        count: { type: "integer", exclusiveMinimum: 0, title: "Count" },
        kind: { enum: ["a", "b"], title: "Kind" },
        fixed: { const: "x", title: "Fixed" },
        tags: { type: "array", items: { type: "string" }, uniqueItems: true, minItems: 2, title: "Tags" },
      },
      additionalProperties: false,
    } as JsonSchemaObject;
    const data = { name: "ab", count: 1.5, kind: "c", fixed: "y", tags: ["t", "t"], extra: 1 };
    const ru = shown(plugin, data, "ru");
    expect(ru[".name"]).toEqual(["Символов должно быть не меньше 3."]);
    expect(ru[".count"]).toEqual(["Введите целое число."]);
    expect(ru[".kind"]).toEqual(["Выберите один из вариантов."]);
    expect(ru[".fixed"]).toEqual(["Должно быть «x»."]);
    expect(ru[".tags"]).toEqual(expect.arrayContaining(["Каждое значение — только один раз."]));
    expect(all(shown(plugin, { ...data, name: undefined, count: 0 }, "ru"))).toEqual(expect.arrayContaining(["Укажите «Name».", "Больше 0."]));
    for (const language of ["en", "es", "ru"] as const) {
      expect(all(shown(plugin, data, language)).join(" "), language).not.toMatch(/must|should|property/);
    }
  });
});

describe("the SQL block's result columns", () => {
  const sql = (columns: Record<string, string>) => ({ source: "crm", query: "SELECT 1", columns });

  it("takes a column as a Russian CRM names it: Cyrillic, spaces, an expression", () => {
    expect(shown("sql", sql({ Сумма: "debt", "Дата платежа": "due", "COUNT(*)": "n" }), "ru")).toEqual({});
  });

  it("says a column no database would name (a pasted line end, too long) in words", () => {
    const words = all(shown("sql", sql({ "Сумма\n": "debt" }), "ru"));
    expect(words).toContain("Столбец результата так, как его называет база данных: не длиннее 256 символов, без переносов строк и табуляций.");
    expect(all(shown("sql", sql({ ["x".repeat(257)]: "debt" }), "es")).join(" ")).toContain("como máximo 256 caracteres");
  });
});
