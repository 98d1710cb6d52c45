// Review (plugin developer): in Spanish or Russian a plugin's config form stayed English (its fields' titles, help
// and choices) although the palette spoke the language. The form now takes them from the plugin's `translations`.
import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import { BlockConfigForm } from "./BlockPanel";
import { renderInLanguage, renderToHtml } from "./renderForTest";

const slot = {
  type: "acme.appointment_slot",
  version: 1,
  title: "Appointment reminder slot",
  category: "Connect",
  icon: "clock",
  description: "",
  translations: {
    es: {
      "fields.after.title": "Hora más temprana",
      "fields.after.description": "HH:MM de 24 horas, p. ej. 09:00",
      "fields.service.title": "Servicio",
      "fields.service.enum.dentist": "Dentista",
      "fields.service.enum.doctor": "Médico",
    },
  },
  config_schema: {
    type: "object",
    properties: {
      after: { type: "string", title: "Earliest time", description: "24-hour HH:MM, e.g. 09:00" },
      service: { type: "string", title: "Service", enum: ["dentist", "doctor", "nurse"] },
    },
  },
  exit_rules: [{ name: "ok" }],
  default_exits: ["ok"],
  unwired_meaning: {},
} as BlockSpec;
const formContext = { variables: [], nodes: [], scenarios: [], audio: [], dataSources: [], language: "es" };
const props = { nodeId: "slot", spec: slot, config: { after: "09:00", service: "dentist" }, formContext, readOnly: false, onChange: () => undefined };

describe("a plugin block's form in the interface language", () => {
  it("titles, helps and names the choices in the words the plugin gives", () => {
    const html = renderInLanguage("es", BlockConfigForm, props);
    expect(html).toContain("Hora más temprana");
    expect(html).toContain("HH:MM de 24 horas, p. ej. 09:00");
    expect(html).toContain(">Servicio<");
    expect(html).toMatch(/<option value="0"[^>]*>Dentista<\/option>/);
    expect(html).toMatch(/<option value="2"[^>]*>nurse<\/option>/); // a choice it gives no name for keeps its value
    expect(html).not.toContain("Earliest time");
  });

  it("stays as the plugin wrote it in English, and in a language it gives nothing for", () => {
    for (const html of [renderToHtml(BlockConfigForm, props), renderInLanguage("ru", BlockConfigForm, props)]) {
      expect(html).toContain("Earliest time");
      expect(html).toContain(">Service<");
      expect(html).not.toContain("Dentista");
    }
  });
});
