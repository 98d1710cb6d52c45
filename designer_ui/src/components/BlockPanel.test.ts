import validator from "@rjsf/validator-ajv8";
import type { RJSFSchema } from "@rjsf/utils";
import { describe, expect, it } from "vitest";
import catalogJson from "../lib/fixtures/catalog.json";
import type { BlockSpec, JsonSchemaObject } from "../lib/catalog";
import { readableErrors } from "../lib/formErrors";
import { translator } from "../lib/i18n";
import { BlockConfigForm } from "./BlockPanel";
import { renderToHtml } from "./renderForTest";

const spec = (type: string) => (catalogJson as unknown as BlockSpec[]).find((b) => b.type === type)!;
const formContext = { variables: [], nodes: [], scenarios: [], audio: [], dataSources: [], language: "en" };
const form = (type: string, config: Record<string, unknown>) =>
  renderToHtml(BlockConfigForm, { nodeId: type, spec: spec(type), config, formContext, readOnly: false, onChange: () => undefined });
const legends = (html: string) => [...html.matchAll(/<legend[^>]*>(.*?)<\/legend>/gs)].map((m) => m[1]!.replace(/<[^>]+>.*?<\/[^>]+>/g, "").trim());
const labels = (html: string) => [...html.matchAll(/<label class="control-label"[^>]*>(.*?)<\/label>/gs)].map((m) => m[1]!.replace(/<[^>]+>.*?<\/[^>]+>/g, "").trim());

/** The messages the form shows under each field, as rjsf validates with our transform (by the field's path). */
function fieldErrors(schema: JsonSchemaObject, formData: unknown, language: "en" | "es" = "en"): Record<string, string[]> {
  const { errors } = validator.validateFormData(formData, schema as RJSFSchema, undefined, readableErrors(schema, translator(language)));
  const found: Record<string, string[]> = {};
  for (const e of errors) (found[e.property ?? ""] ??= []).push(e.message ?? "");
  return found;
}

describe("a block's config form", () => {
  it("labels the IVR's key rows Key 1, Key 2 (not Keys-1, Keys-2)", () => {
    const html = form("ivr", { prompt: { text: "Pulse" }, options: [{ key: "1" }, { key: "2" }] });
    expect(legends(html)).toEqual(expect.arrayContaining(["Key 1", "Key 2"]));
    expect(html).not.toContain("Keys-1");
    expect(html).not.toContain("Keys-2");
  });

  it("names the rows of the other built-in lists by what one row is", () => {
    expect(legends(form("switch", { expression: "x", cases: [{ value: "a", exit: "a" }] }))).toContain("Case 1");
    expect(legends(form("set_variable", { assignments: [{ variable: "a", value: "1" }, { variable: "b", value: "2" }] }))).toEqual(
      expect.arrayContaining(["Assignment 1", "Assignment 2"]),
    );
    // A list of plain values: each value's own label is the row's.
    expect(labels(form("callback", { scenario: "x", variables: ["a", "b"] }))).toEqual(expect.arrayContaining(["Variable 1", "Variable 2"]));
  });

  it("keeps a list of choices one field of choices, not rows (the schedule's days)", () => {
    const html = form("schedule", { timezone: "UTC", hours: [{ days: ["mon", "tue"], from: "09:00", to: "18:00" }] });
    expect(legends(html)).toContain("Period 1");
    const days = html.match(/<select id="cfg-schedule_hours_0_days"[^>]*multiple=""[^>]*>(.*?)<\/select>/s);
    expect(days?.[1]!.match(/<option/g)).toHaveLength(7);
    expect(labels(html)).toContain("Days");
    expect(html).not.toMatch(/Days? 1/);
  });

  it("draws the IVR's allow_star as a checkbox with its title, and shows the fields' descriptions", () => {
    const html = form("ivr", { mode: "capture", prompt: { text: "Marque su número" }, variable: "number" });
    const box = /<input type="checkbox" id="cfg-ivr_allow_star"[^>]*aria-describedby="([^"]*)"[^>]*\/><span>([^<]*)<\/span>/.exec(html);
    expect(box?.[2]).toBe("Accept * in the input");
    expect(box?.[1]).toContain("cfg-ivr_allow_star__description");
    expect(html).toMatch(/id="cfg-ivr_allow_star__description" class="field-description">Off: only the digits 0-9/);
    expect(html).toMatch(/id="cfg-ivr_max_tries__description" class="field-description">Counted each time the call comes to this block/);
  });

  it("in Spanish, the rows are Tecla 1, Tecla 2", () => {
    const storage = globalThis.localStorage;
    Object.assign(globalThis, { localStorage: { getItem: () => "es", setItem: () => undefined, removeItem: () => undefined } });
    try {
      const html = form("ivr", { prompt: { text: "Pulse" }, options: [{ key: "1" }, { key: "2" }] });
      expect(legends(html)).toEqual(expect.arrayContaining(["Tecla 1", "Tecla 2"]));
      expect(form("ivr", { mode: "capture", prompt: { text: "x" }, variable: "n" })).toContain("<span>Aceptar * en la entrada</span>");
    } finally {
      Object.assign(globalThis, { localStorage: storage });
    }
  });
});

describe("config form errors", () => {
  const ivr = spec("ivr").config_schema;

  it("says what an IVR key must be, not the schema's regular expression", () => {
    const errors = fieldErrors(ivr, { prompt: { text: "Pulse" }, options: [{ key: "12" }, { key: "2" }] });
    expect(errors[".options.0.key"]).toEqual(["One key: 0-9, * or #."]);
    expect(errors[".options.1.key"]).toBeUndefined();
    expect(JSON.stringify(errors)).not.toContain("pattern");
    expect(fieldErrors(ivr, { prompt: { text: "Pulse" }, options: [{ key: "x" }] }, "es")[".options.0.key"]).toEqual(["Una tecla: 0-9, * o #."]);
  });

  it("says the built-in blocks' other patterns in words too", () => {
    const schedule = spec("schedule").config_schema;
    const errors = fieldErrors(schedule, { timezone: "Madrid time", hours: [{ days: ["mon"], from: "9:00", to: "18:00" }], holidays: ["25/12/2026"] });
    expect(errors[".hours.0.from"]).toEqual(["A time as HH:MM, e.g. 09:30."]);
    expect(errors[".timezone"]).toEqual(["A time zone such as Europe/Madrid, or UTC."]);
    expect(errors[".holidays.0"]?.[0]).toBe("A date as YYYY-MM-DD, e.g. 2026-12-25.");
    expect(fieldErrors(ivr, { prompt: { text: "Pulse" }, variable: "1st" })[".variable"]).toEqual([
      "A variable name: letters, digits and _, not starting with a digit (at most 64).",
    ]);
  });

  it("a plugin's field: its known format, else its description, else plain words; never the expression", () => {
    const plugin: JsonSchemaObject = {
      type: "object",
      properties: {
        account: { type: "string", pattern: "^AC[0-9]{6}$", title: "Account", description: "AC and six digits, e.g. AC123456." },
        day: { type: "string", pattern: "^\\d{8}$", format: "date", title: "Day" },
        code: { type: "string", pattern: "^[A-Z]{3}$", title: "Code" },
        site: { type: "string", format: "uri", title: "Site" },
      },
    };
    const errors = fieldErrors(plugin, { account: "123", day: "tomorrow", code: "abcd" });
    expect(errors[".account"]).toEqual(["Not in the expected form: AC and six digits, e.g. AC123456."]);
    expect(errors[".day"]).toContain("A date as YYYY-MM-DD, e.g. 2026-12-25.");
    expect(errors[".code"]).toEqual(["Not in the form this field expects."]);
    expect(JSON.stringify(errors)).not.toMatch(/\^|must match/);
  });

  it("leaves the other errors as the validator says them", () => {
    const errors = fieldErrors(ivr, { prompt: { text: "Pulse" }, timeout: 100 });
    expect(errors[".timeout"]).toEqual(["must be <= 60"]);
  });
});
