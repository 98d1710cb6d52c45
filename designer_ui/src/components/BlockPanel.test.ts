import validator from "@rjsf/validator-ajv8";
import type { RJSFSchema } from "@rjsf/utils";
import { describe, expect, it } from "vitest";
import catalogJson from "../lib/fixtures/catalog.json";
import type { BlockSpec, JsonSchemaObject } from "../lib/catalog";
import { readableErrors } from "../lib/formErrors";
import { translator } from "../lib/i18n";
import { BlockConfigForm, BlockIdInput, blockIdProblem } from "./BlockPanel";
import { renderInLanguage, renderToHtml } from "./renderForTest";

const spec = (type: string) => (catalogJson as unknown as BlockSpec[]).find((b) => b.type === type)!;
const formContext = { variables: [], nodes: [], scenarios: [], audio: [], dataSources: [], language: "en" };
const form = (type: string, config: Record<string, unknown>) =>
  renderToHtml(BlockConfigForm, { nodeId: type, spec: spec(type), config, formContext, readOnly: false, onChange: () => undefined });
const legends = (html: string) => [...html.matchAll(/<legend[^>]*>(.*?)<\/legend>/gs)].map((m) => m[1]!.replace(/<[^>]+>.*?<\/[^>]+>/g, "").trim());
const formIn = (language: "es" | "ru", type: string, config: Record<string, unknown>) =>
  renderInLanguage(language, BlockConfigForm, { nodeId: type, spec: spec(type), config, formContext, readOnly: false, onChange: () => undefined });
/** A checkbox group's boxes, as [label, checked]. */
const dayBoxes = (html: string, id: string) => {
  const group = new RegExp(`<div class="checkboxes" id="${id}">(.*?)</div>`, "s").exec(html)?.[1] ?? "";
  return [...group.matchAll(/<input type="checkbox"([^>]*)\/><span>([^<]*)<\/span>/g)].map((m) => [m[2], / checked=""/.test(m[1]!)]);
};
/** The visible choices of a select. */
const choices = (html: string, id: string) => {
  const select = new RegExp(`<select id="${id}"[^>]*>(.*?)</select>`, "s").exec(html)?.[1] ?? "";
  return [...select.matchAll(/<option[^>]*>([^<]*)<\/option>/g)].map((m) => m[1]);
};
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

  it("draws a list of choices as one set of checkboxes, not rows nor a multi-select (the schedule's days)", () => {
    // A plain click in a <select multiple> replaces the selection: adding Saturday to Mon-Fri left Saturday alone.
    const html = form("schedule", { timezone: "UTC", hours: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "18:00" }] });
    expect(legends(html)).toContain("Period 1");
    expect(html).not.toMatch(/<select[^>]*multiple/);
    expect(dayBoxes(html, "cfg-schedule_hours_0_days")).toEqual([
      ["Mon", true], ["Tue", true], ["Wed", true], ["Thu", true], ["Fri", true], ["Sat", false], ["Sun", false],
    ]);
    expect(html).toMatch(/<div class="checkboxes" id="cfg-schedule_hours_0_days">\s*<label class="checkbox-inline/);
    expect(labels(html)).toContain("Days");
    expect(html).not.toMatch(/Days? 1/);
  });

  it("names the days as the call-list dialog does, in the interface language (schedule and callback)", () => {
    const schedule = { timezone: "UTC", hours: [{ days: ["sat"], from: "10:00", to: "14:00" }] };
    expect(dayBoxes(formIn("es", "schedule", schedule), "cfg-schedule_hours_0_days").map(([day]) => day)).toEqual([
      "lun", "mar", "mié", "jue", "vie", "sáb", "dom",
    ]);
    expect(dayBoxes(formIn("ru", "schedule", schedule), "cfg-schedule_hours_0_days")).toEqual([
      ["пн", false], ["вт", false], ["ср", false], ["чт", false], ["пт", false], ["сб", true], ["вс", false],
    ]);
    const callback = { scenario: "x", window: [{ days: ["mon"], from: "09:00", to: "18:00" }] };
    expect(dayBoxes(formIn("es", "callback", callback), "cfg-callback_window_0_days").map(([day]) => day)).toContain("sáb");
  });

  it("names the built-in blocks' other choices in the interface language, keeping the values", () => {
    expect(choices(formIn("es", "ivr", { prompt: { text: "x" } }), "cfg-ivr_mode")).toEqual(["Menú", "Captura de número"]);
    expect(choices(formIn("ru", "ivr", { prompt: { text: "x" } }), "cfg-ivr_mode")).toEqual(["Меню", "Ввод номера"]);
    // English says the values as the field's description names them ("menu: one exit per key...").
    expect(choices(form("ivr", { prompt: { text: "x" } }), "cfg-ivr_mode")).toEqual(["menu", "capture"]);
    // The terminator's empty value is a choice of its own, not a blank line.
    expect(choices(form("ivr", { mode: "capture", prompt: { text: "x" }, variable: "n" }), "cfg-ivr_terminator")).toEqual(["#", "*", "None"]);
    expect(choices(formIn("ru", "callback", { scenario: "x" }), "cfg-callback_outside_window")).toEqual(["Отложить", "Отклонить"]);
    const assignments = { assignments: [{ variable: "a", value: "1" }] };
    expect(choices(formIn("es", "set_variable", assignments), "cfg-set_variable_assignments_0_mode")).toEqual(["Texto", "Expresión"]);
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

  it("says the other errors in words too, not in the validator's (lib/formErrors.test.ts has each kind)", () => {
    const errors = fieldErrors(ivr, { prompt: { text: "Pulse" }, timeout: 100 });
    expect(errors[".timeout"]).toEqual(["At most 60."]);
  });
});

describe("the block id field", () => {
  const ids = ["start", "menu", "sales"];
  const field = (language: "en" | "es" | "ru", draft: string) => {
    const props = { id: "menu", draft, problem: blockIdProblem(draft, "menu", ids), onDraft: () => {}, onLeave: () => {}, onEscape: () => {} };
    return language === "en" ? renderToHtml(BlockIdInput, props) : renderInLanguage(language, BlockIdInput, props);
  };
  const input = (html: string) => /<input[^>]*name="node-id"[^>]*>/.exec(html)?.[0] ?? "";
  const said = (html: string) => /<p[^>]*data-testid="node-id-problem"[^>]*>(.*?)<\/p>/s.exec(html)?.[1]?.replace(/<[^>]+>/g, "");

  it("knows which ids cannot be taken: another block's, or one with other characters", () => {
    expect(blockIdProblem("sales", "menu", ids)).toBe("taken");
    expect(blockIdProblem("menú principal", "menu", ids)).toBe("invalid");
    expect(blockIdProblem("", "menu", ids)).toBe("invalid");
    expect(blockIdProblem("x".repeat(65), "menu", ids)).toBe("invalid");
    expect(blockIdProblem("menu", "menu", ids)).toBeNull();
    expect(blockIdProblem("main:menu-2.b_c", "menu", ids)).toBeNull();
  });

  it("keeps what was typed and says why it is not the id (instead of snapping back in silence)", () => {
    const taken = field("en", "sales");
    expect(input(taken)).toContain('value="sales"');
    expect(input(taken)).toContain('aria-invalid="true"');
    expect(said(taken)).toBe("“sales” is already used by another block. Choose another id, or press Esc to keep “menu”.");
    const invalid = field("en", "menú principal");
    expect(input(invalid)).toContain('value="menú principal"');
    expect(said(invalid)).toBe("Only letters A-Z without accents, digits, _ . : and -, no spaces (at most 64). Press Esc to keep “menu”.");
    expect(input(invalid)).toMatch(/aria-describedby="node-id-problem"/);
  });

  it("says it in Spanish and Russian", () => {
    expect(said(field("es", "sales"))).toBe("«sales» ya lo usa otro bloque. Elija otro id, o pulse Esc para conservar «menu».");
    expect(said(field("ru", "menú principal"))).toBe("Только латинские буквы, цифры, _ . : и -, без пробелов (не длиннее 64 символов). Нажмите Esc, чтобы оставить «menu».");
  });

  it("says nothing while the id is fine", () => {
    const html = field("en", "main");
    expect(said(html)).toBeUndefined();
    expect(input(html)).not.toContain("aria-invalid");
  });
});
