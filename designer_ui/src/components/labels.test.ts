import { describe, expect, it } from "vitest";
import type { Role } from "../api/types";
import { translator, type Language } from "../lib/i18n";
import { localTitle } from "../lib/schemaText";
import { CallStory } from "./CallStory";
import { TraceSteps } from "./TraceSteps";
import { renderInLanguage } from "./renderForTest";

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
const call = [
  { node: "hours", type: "schedule", label: "Часы работы", exit: "open" },
  { node: "menu", type: "ivr", label: "Меню", exit: "max_tries" },
];

describe("labels a Russian-speaking analyst reads", () => {
  it("names the exits a call took as the canvas does, not by their codes", () => {
    expect(text(renderInLanguage("ru", TraceSteps, { steps: call }))).toBe("Часы работы → Открыто Меню → Попытки исчерпаны");
    const story = text(renderInLanguage("ru", CallStory, { steps: call }));
    expect(story).toContain("→ Открыто");
    expect(story).not.toMatch(/→ (open|max_tries)/);
    expect(text(renderInLanguage("es", TraceSteps, { steps: call }))).toContain("→ Abierto");
  });

  it("has a word for each role and whole words for the rollback button", () => {
    for (const language of ["en", "es", "ru"] as Language[]) {
      for (const role of ["viewer", "editor", "publisher", "admin"] as Role[]) {
        expect(translator(language)(`role.${role}`), `${language} ${role}`).not.toMatch(/^role\./);
      }
    }
    expect(translator("ru")("role.admin")).toBe("администратор");
    expect(translator("ru")("versions.rollback")).toBe("Вернуть эту версию");
    expect(translator("es")("versions.rollback")).toBe("Volver a esta versión");
  });

  it("tells the IVR prompt's recorded-audio choice from its audio field", () => {
    expect(localTitle("Audio", "ru")).not.toBe(localTitle("Recorded audio", "ru"));
    expect(localTitle("Audio", "es")).not.toBe(localTitle("Recorded audio", "es"));
  });
});
