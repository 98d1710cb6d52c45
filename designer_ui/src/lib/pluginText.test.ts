// Review (plugin developer): a plugin could translate only its block's title and description; in Spanish or
// Russian its form, exits and problems stayed English, its `error` exit read "error" beside a built-in's "Ошибка",
// the Problems panel named it in English, and the canvas showed its API key in plain text
// (`api_key: CONFIGSECRET-abc-123`). A plugin now gives `fields.<name>.title`, `fields.<name>.enum.<value>`,
// `exits.<name>` and `issues.<code>` in `translations` (graph_engine/translations.py), as the catalog serves them.
import { describe, expect, it } from "vitest";
import { exitLabel, stepExitLabel } from "./blockText";
import { catalogFrom, type BlockSpec } from "./catalog";
import { translator } from "./i18n";
import { problemText } from "./problemText";
import { blockSummary } from "./summary";

/** The reviewer's block (/tmp acme_slot), as GET /api/blocks serves it. */
const slot = {
  type: "acme.appointment_slot",
  version: 1,
  title: "Appointment reminder slot",
  category: "Connect",
  icon: "clock",
  description: "Finds the next free appointment slot after a time of day and tells the caller.",
  translations: {
    es: {
      title: "Hueco de cita",
      "fields.after.title": "Hora más temprana",
      "fields.service.enum.dentist": "Dentista",
      "exits.ok": "Hueco encontrado",
      "issues.acme_after_too_late": "El bloque «{label}»: la hora más temprana debe ser anterior a las {limit}",
    },
    ru: { title: "Слот для записи", "fields.after.title": "Самое раннее время" },
  },
  config_schema: {
    type: "object",
    properties: {
      api_key: { type: "string", title: "API key", writeOnly: true, format: "password" },
      token: { type: "string", format: "password" },
      after: { type: "string", title: "Earliest time" },
      service: { type: "string", title: "Service", enum: ["dentist", "doctor"] },
    },
  },
  exit_rules: [
    { name: "ok", label: "Slot found" },
    { name: "timeout", label: "Booking API timed out" },
  ],
  default_exits: ["ok", "timeout"],
  unwired_meaning: {},
  plugin: "acme.appointment_slot = acme_slot:AppointmentSlotBlock (from acme-slot)",
} as BlockSpec;
const catalog = catalogFrom([slot]);
const config = { api_key: "CONFIGSECRET-abc-123", token: "tok-1", after: "09:00", service: "dentist" };

describe("a plugin block's summary on the canvas", () => {
  it("never shows a secret field (writeOnly, or format password) and names the field by its title", () => {
    const summary = blockSummary(slot.type, config, translator("en"), "en", slot);
    expect(summary).not.toMatch(/CONFIGSECRET|tok-1/);
    expect(summary).toBe("Earliest time: 09:00");
  });

  it("names the field by the title the plugin gives in the interface language", () => {
    expect(blockSummary(slot.type, config, translator("es"), "es", slot)).toBe("Hora más temprana: 09:00");
    expect(blockSummary(slot.type, config, translator("ru"), "ru", slot)).toBe("Самое раннее время: 09:00");
  });

  it("shows nothing rather than a secret when only secrets are set", () => {
    expect(blockSummary(slot.type, { api_key: "CONFIGSECRET-abc-123" }, translator("en"), "en", slot)).toBe("");
  });
});

describe("a plugin block's exits", () => {
  it("are labelled in the words the plugin gives for the language", () => {
    expect(exitLabel("es", slot.type, "ok", "Slot found", slot)).toBe("Hueco encontrado");
    expect(exitLabel("ru", slot.type, "ok", "Slot found", slot)).toBe("Slot found"); // none given in Russian
  });

  it("share the built-ins' words for the exits every block has when the plugin gives none", () => {
    expect(exitLabel("ru", slot.type, "error", "error", slot)).toBe("Ошибка");
    expect(exitLabel("es", slot.type, "error", "error")).toBe("Error");
    expect(exitLabel("ru", slot.type, "timeout", "Booking API timed out", slot)).toBe("Время истекло");
    expect(exitLabel("en", slot.type, "timeout", "Booking API timed out", slot)).toBe("Booking API timed out");
    expect(stepExitLabel("ru", slot.type, "error", [{ name: "error", label: "error" }])).toBe("Ошибка");
  });
});

describe("a plugin block's problems", () => {
  const notWired = {
    severity: "warning" as const,
    code: "unknown_exit",
    message: 'Appointment reminder slot "Slot": it has no exit "ok"',
    node: "slot",
    params: { block_type: slot.type, block_title: slot.title, label: "Slot", exit: "ok", exit_label: "Slot found" },
  };

  it("name the block by the title its plugin gives for the language", () => {
    const text = problemText(notWired, "es", { catalog });
    expect(text).toBe("El bloque «Slot» (Hueco de cita): no tiene la salida «Hueco encontrado»");
  });

  it("name a plugin's field by the title its plugin gives for the language", () => {
    const empty = {
      severity: "error" as const,
      code: "config",
      message: 'Appointment reminder slot "Slot": Earliest time: should be non-empty',
      node: "slot",
      params: { block_type: slot.type, block_title: slot.title, label: "Slot", field: "Earliest time", rule: "minLength", limit: 1 },
    };
    expect(problemText(empty, "es", { catalog })).toBe("El bloque «Slot» (Hueco de cita): «Hora más temprana» — no puede estar vacío");
  });

  it("of its own `check` are said in the words its plugin gives, from the problem's params", () => {
    const own = {
      severity: "error" as const,
      code: "acme_after_too_late",
      message: 'Appointment reminder slot "Slot": the earliest time must be before 20:00',
      node: "slot",
      params: { label: "Slot", limit: "20:00" },
    };
    const typeOf = (node: string) => (node === "slot" ? slot.type : undefined);
    expect(problemText(own, "es", { catalog, typeOf })).toBe("El bloque «Slot»: la hora más temprana debe ser anterior a las 20:00");
    expect(problemText(own, "ru", { catalog, typeOf })).toBe(own.message); // no Russian given
    expect(problemText({ ...own, params: { label: "Slot" } }, "es", { catalog, typeOf })).toBe(own.message); // a param missing
    expect(problemText(own, "es")).toBe(own.message); // no catalog: the server's
  });
});
