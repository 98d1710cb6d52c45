import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { BlockSpec, JsonSchemaObject } from "./catalog";
import catalogJson from "./fixtures/catalog.json";
import { declaredType, insertVariable, SPOKEN_FIELDS, SPOKEN_FORMS, variableSlot } from "./variables";

// The fields as the template widgets (widgets.tsx) describe them: `template` offers Listen, `expression` does not
// and is one line, `sql` says nothing of speaking.
const sayPhraseText = { name: "text", speak: true, multiline: true };
const transferTarget = { name: "target", speak: true, multiline: true };
const condition = { name: "expression", speak: false, multiline: false };
const sqlQuery = { name: "query", multiline: true };

const declared = [{ name: "fecha", type: "date" }, { name: "nombre", type: "string" }, { name: "saldo", type: "number" }];

/** What picking `name` at the end of `text` writes into a field like `field`. */
function pick(text: string, name: string, field: { name: string; speak?: boolean; multiline: boolean }): string {
  return insertVariable(text, name, declaredType(declared, name), variableSlot(field), text.length).text;
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
  it("writes a date as it is in a template that is dialled, shown or stored", () => {
    expect(pick("", "fecha", transferTarget)).toBe("{{ fecha }}");
    expect(pick("SELECT 1 WHERE d = ", "fecha", sqlQuery)).toBe("SELECT 1 WHERE d = {{ fecha }}");
  });

  it("writes its bare name in an expression", () => {
    expect(pick("", "fecha", condition)).toBe("fecha");
  });
});

/** Each template-widget field of the built-in blocks: its name, and whether it sits beside a voice, as spoken text does. */
function templateFields(schema: JsonSchemaObject, out: { name: string; spoken: boolean }[] = []): { name: string; spoken: boolean }[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchemaObject>;
  for (const [name, field] of Object.entries(properties)) {
    if (field["x-ui"]?.widget === "template") out.push({ name, spoken: "voice" in properties });
    templateFields(field, out);
  }
  for (const branch of [...((schema.oneOf ?? []) as JsonSchemaObject[]), ...((schema.anyOf ?? []) as JsonSchemaObject[])]) templateFields(branch, out);
  if (schema.items && typeof schema.items === "object") templateFields(schema.items as JsonSchemaObject, out);
  return out;
}

describe("what counts as spoken", () => {
  it("is the spoken text of Say Phrase and the prompts, not a Transfer's destination nor a Callback's number", () => {
    const fields = (catalogJson as unknown as BlockSpec[]).flatMap((block) => templateFields(block.config_schema));
    expect(fields.filter((field) => field.spoken).length).toBeGreaterThan(3); // Say Phrase, the IVR's prompts, Message
    for (const field of fields) expect(variableSlot({ name: field.name, speak: true, multiline: true }) === "spoken", field.name).toBe(field.spoken);
    expect([...SPOKEN_FIELDS]).toEqual(["text"]);
  });

  it("says the types the server warns of as the server writes them (graph_engine/template_hints.py)", () => {
    const source = readFileSync(new URL("../../../graph_engine/template_hints.py", import.meta.url), "utf8");
    const server = /^SPOKEN_FORMS[^=]*= (\{[^}]*\})/m.exec(source)?.[1];
    expect(server && JSON.parse(server)).toEqual(SPOKEN_FORMS);
  });
});
