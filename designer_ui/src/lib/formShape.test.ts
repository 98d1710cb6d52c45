import { describe, expect, it } from "vitest";
import catalogJson from "./fixtures/catalog.json";
import { catalogFrom, type BlockSpec, type JsonSchemaObject } from "./catalog";
import { applies, localDefaults, periodSpan, shapeUi, withNoneChoices } from "./formShape";
import { newBlockNode } from "./graph";

const catalog = catalogFrom(catalogJson as unknown as BlockSpec[]);
const ivr = catalog.get("ivr")!.config_schema;

describe("optional choices", () => {
  it("start with a None branch the form never stores; required ones and the block's schema are left alone", () => {
    const shaped = withNoneChoices(ivr, "None");
    const branches = (name: string) => (shaped.properties![name]!.oneOf as JsonSchemaObject[]).map((b) => b.title);
    expect(branches("prompt")).toEqual(["Recorded audio", "Spoken text"]);
    expect(branches("no_input_prompt")).toEqual(["None", "Recorded audio", "Spoken text"]);
    expect((shaped.properties!.invalid_prompt!.oneOf as JsonSchemaObject[])[0]!.type).toBe("null");
    expect((ivr.properties!.no_input_prompt!.oneOf as unknown[]).length).toBe(2);
  });
});

describe("x-ui.show_if", () => {
  it("applies a field while its sibling holds the value named, an absent sibling at its default", () => {
    const minLength = ivr.properties!.min_length!;
    expect(applies(minLength, ivr, {})).toBe(false); // mode defaults to menu
    expect(applies(minLength, ivr, { mode: "capture" })).toBe(true);
    expect(applies(ivr.properties!.options!, ivr, {})).toBe(true);
    expect(applies({ "x-ui": { show_if: { mode: ["a", "b"] } } }, ivr, { mode: "b" })).toBe(true);
  });

  it("hides what does not apply by uiSchema only: the config (and so the values) is not touched", () => {
    const config = { mode: "menu", min_length: 4, prompt: { text: "x" } };
    const ui = shapeUi({ min_length: { "ui:help": "h" } }, ivr, config);
    expect(ui.min_length).toEqual({ "ui:help": "h", "ui:field": "hidden", "ui:widget": "hidden" });
    expect(ui.options).toBeUndefined();
    expect(config).toEqual({ mode: "menu", min_length: 4, prompt: { text: "x" } });
    expect(shapeUi({}, ivr, { mode: "capture" }).options).toMatchObject({ "ui:field": "hidden" });
  });
});

describe("a period of hours", () => {
  it("crosses midnight when it ends before it starts, lasts all day when both are the same", () => {
    expect(periodSpan("22:00", "06:00")).toEqual({ kind: "overnight", until: "06:00" });
    expect(periodSpan("09:30", "09:30")).toEqual({ kind: "allDay" });
    expect(periodSpan("09:00", "18:00")).toBeNull();
    expect(periodSpan("25:00", "06:00")).toBeNull();
    expect(periodSpan(undefined, "06:00")).toBeNull();
  });
});

describe("a block dropped on the canvas", () => {
  it("takes the analyst's time zone, where the block has one and the schema takes the name", () => {
    const schedule = newBlockNode(catalog.get("schedule")!, { x: 0, y: 0 }, new Set(), "Europe/Madrid");
    expect(schedule.data.config.timezone).toBe("Europe/Madrid");
    expect(newBlockNode(catalog.get("callback")!, { x: 0, y: 0 }, new Set(), "America/Argentina/Buenos_Aires").data.config.timezone).toBe(
      "America/Argentina/Buenos_Aires",
    );
    expect(newBlockNode(catalog.get("schedule")!, { x: 0, y: 0 }, new Set(), undefined).data.config.timezone).toBe("UTC");
    // A name the schema refuses keeps the default rather than start the block with a problem.
    expect(localDefaults(catalog.get("schedule")!.config_schema, { timezone: "UTC" }, "Not a zone!")).toEqual({ timezone: "UTC" });
    expect(newBlockNode(catalog.get("ivr")!, { x: 0, y: 0 }, new Set(), "Europe/Madrid").data.config).not.toHaveProperty("timezone");
  });
});
