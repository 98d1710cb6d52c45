import { describe, expect, it } from "vitest";
import catalogJson from "./fixtures/catalog.json";
import { exitLabel, stepExitLabel } from "./blockText";
import type { BlockSpec, Config } from "./catalog";
import { exitsFor } from "./exits";
import { translator } from "./i18n";

const exits = (type: string, config: Config = {}) => exitsFor((catalogJson as unknown as BlockSpec[]).find((b) => b.type === type)!, config);

describe("the exit a call's step took, as the canvas labels it", () => {
  it("translates a built-in block's fixed exits instead of showing their codes", () => {
    expect(stepExitLabel("ru", "schedule", "open", exits("schedule"))).toBe("Открыто");
    expect(stepExitLabel("ru", "start", "next", exits("start"))).toBe("Далее");
    expect(stepExitLabel("ru", "transfer", "answered", exits("transfer"))).toBe("Ответил");
    expect(stepExitLabel("es", "ivr", "max_tries", exits("ivr"))).toBe("Demasiados intentos");
    expect(stepExitLabel("en", "schedule", "open", exits("schedule"))).toBe("Open");
  });

  it("keeps an IVR key's own meaning, and says a hang-up in words", () => {
    const menu = exits("ivr", { prompt: { text: "x" }, options: [{ key: "1", label: "Продажи" }] });
    expect(stepExitLabel("ru", "ivr", "1", menu)).toBe("1: Продажи");
    expect(stepExitLabel("ru", "ivr", "hangup", menu)).toBe("абонент положил трубку");
    // A block this designer does not know: the exit's own name.
    expect(stepExitLabel("ru", "crm_lookup", "found_vip", [])).toBe("found_vip");
  });

  // Supervisor review: the Hang Up block's end read "→ абонент положил трубку", as if the caller had hung up.
  it("says the call ended, not that the caller hung up, where the Hang Up block ended it", () => {
    expect(stepExitLabel("ru", "hangup", "hangup", exits("hangup"))).toBe("звонок завершён");
    expect(stepExitLabel("es", "hangup", "hangup", exits("hangup"))).toBe("finalizó la llamada");
    expect(stepExitLabel("en", "hangup", "hangup", exits("hangup"))).toBe("call ended");
    expect(stepExitLabel("en", "hangup", "hangup", [])).toBe("call ended");
    expect(stepExitLabel("en", "say_phrase", "hangup", exits("say_phrase"))).toBe("caller hung up");
    expect(stepExitLabel("es", "sql", "hangup", [])).toBe("quien llama colgó");
  });
});

// Review: a Go To Scenario's step in a call's trace read "→ goto" in every language.
describe("the exit of a jump", () => {
  it("says in words where a Go To and a Go To Scenario went, in each language", () => {
    expect(stepExitLabel("en", "goto_scenario", "goto", exits("goto_scenario"))).toBe("continued in another scenario");
    expect(stepExitLabel("es", "goto_scenario", "goto", exits("goto_scenario"))).toBe("continuó en otro escenario");
    expect(stepExitLabel("ru", "goto_scenario", "goto", [])).toBe("продолжение в другом сценарии");
    expect(stepExitLabel("en", "goto", "goto", exits("goto"))).toBe("jumped to its block");
    expect(stepExitLabel("es", "goto", "goto", [])).toBe("saltó a su bloque");
    expect(stepExitLabel("ru", "goto", "goto", exits("goto"))).toBe("переход к блоку");
  });

  it("leaves a plugin's own exit named goto as its plugin names it", () => {
    expect(stepExitLabel("ru", "crm_lookup", "goto", [])).toBe("goto");
  });
});

describe("the error exit", () => {
  it("is capitalised like the other exits, and the fallback's help names it as the canvas does", () => {
    expect(stepExitLabel("ru", "sql", "error", exits("sql"))).toBe("Ошибка");
    expect(stepExitLabel("es", "sql", "error", exits("sql"))).toBe("Error");
    for (const language of ["es", "ru"] as const) {
      const error = exitLabel(language, "transfer", "error", "error");
      expect(translator(language)("editor.fallbackHint")).toContain(`«${error}»`);
    }
  });
});
