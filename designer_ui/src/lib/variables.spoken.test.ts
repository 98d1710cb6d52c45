import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { BlockSpec, JsonSchemaObject } from "./catalog";
import catalogJson from "./fixtures/catalog.json";
import { declaredType, insertVariable, isSpoken, SPOKEN_FORMS, templateSlot, type VariableSlot } from "./variables";

// The fields as the widgets (widgets.tsx) take a variable: a `template` field by what its schema says of it, an
// `expression` by its bare name, an `sql` query in braces.
const sayPhraseText = templateSlot({ type: "string", "x-ui": { widget: "template", spoken: true } });
const transferTarget = templateSlot({ type: "string", "x-ui": { widget: "template" } });
// The example SMS plugin's message (examples/plugins/ivrgraph-sms): a field named `text`, sent and never heard.
const smsText = templateSlot({ type: "string", title: "Text", "x-ui": { widget: "template" } });
const condition: VariableSlot = "bare";
const sqlQuery: VariableSlot = "template";

const declared = [{ name: "fecha", type: "date" }, { name: "nombre", type: "string" }, { name: "saldo", type: "number" }];

/** What picking `name` at the end of `text` writes into a field like `field`. */
function pick(text: string, name: string, field: VariableSlot): string {
  return insertVariable(text, name, declaredType(declared, name), field, text.length).text;
}

describe("Insert variable in a phrase the caller hears", () => {
  it("writes a date variable through spoken_date, so the call says the date rather than 2026-12-15", () => {
    expect(pick("Le recordamos su cita el ", "fecha", sayPhraseText)).toBe("Le recordamos su cita el {{ spoken_date(fecha, language) }}");
  });

  it("puts the caret after what it wrote, over the selection it replaced", () => {
    const text = "el XX.";
    expect(insertVariable(text, "fecha", "date", "spoken", 3, 5)).toEqual({
      text: "el {{ spoken_date(fecha, language) }}.",
      caret: "el {{ spoken_date(fecha, language) }}".length,
    });
  });

  it("writes any other variable as it is", () => {
    expect(pick("Hola ", "nombre", sayPhraseText)).toBe("Hola {{ nombre }}");
    expect(pick("Debe ", "saldo", sayPhraseText)).toBe("Debe {{ saldo }}");
    expect(pick("Llama desde ", "caller_id", sayPhraseText)).toBe("Llama desde {{ caller_id }}"); // not declared
  });
});

describe("Insert variable where nothing is spoken", () => {
  it("writes a date as it is in a template that is dialled, shown, sent or stored", () => {
    expect(pick("", "fecha", transferTarget)).toBe("{{ fecha }}");
    expect(pick("Su cita es el ", "fecha", smsText)).toBe("Su cita es el {{ fecha }}");
    expect(pick("SELECT 1 WHERE d = ", "fecha", sqlQuery)).toBe("SELECT 1 WHERE d = {{ fecha }}");
  });

  it("writes its bare name in an expression", () => {
    expect(pick("", "fecha", condition)).toBe("fecha");
  });
});

/** Each template-widget field of the built-in blocks: its name and its schema. */
function templateFields(schema: JsonSchemaObject, out: { name: string; schema: JsonSchemaObject }[] = []) {
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    if (field["x-ui"]?.widget === "template") out.push({ name, schema: field });
    templateFields(field, out);
  }
  for (const branch of [...((schema.oneOf ?? []) as JsonSchemaObject[]), ...((schema.anyOf ?? []) as JsonSchemaObject[])]) templateFields(branch, out);
  if (schema.items && typeof schema.items === "object") templateFields(schema.items, out);
  return out;
}

describe("what counts as spoken", () => {
  it("is what the field's schema says: the spoken text of Say Phrase and the prompts, not a Transfer's destination nor a Callback's number", () => {
    const blocks = catalogJson as unknown as BlockSpec[];
    const spoken = blocks.flatMap((block) => templateFields(block.config_schema).filter((field) => isSpoken(field.schema)).map(() => block.type));
    expect(spoken).toEqual(["ivr", "ivr", "ivr", "say_phrase"]); // the IVR's three prompts, Say Phrase's text
    const heard = (type: string) => templateFields(blocks.find((block) => block.type === type)!.config_schema).map((field) => templateSlot(field.schema));
    expect(heard("transfer")).not.toContain("spoken");
    expect(heard("callback")).toEqual(["template"]);
  });

  it("is only a spoken: true, never a field's name nor another hint", () => {
    expect(isSpoken({ "x-ui": { widget: "template", spoken: "yes" } })).toBe(false);
    expect(isSpoken({ "x-ui": { widget: "template" } })).toBe(false);
    expect(isSpoken({})).toBe(false);
    expect(isSpoken({ "x-ui": { widget: "template", spoken: true } })).toBe(true);
  });

  it("says the types the server warns of as the server writes them (graph_engine/template_hints.py)", () => {
    const source = readFileSync(new URL("../../../graph_engine/template_hints.py", import.meta.url), "utf8");
    const server = /^SPOKEN_FORMS[^=]*= (\{[^}]*\})/m.exec(source)?.[1];
    expect(server && JSON.parse(server)).toEqual(SPOKEN_FORMS);
  });
});
