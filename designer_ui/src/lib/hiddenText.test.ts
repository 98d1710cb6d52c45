import { describe, expect, it } from "vitest";
import type { TraceStep } from "../api/types";
import { CallStory } from "../components/CallStory";
import { renderInLanguage } from "../components/renderForTest";
import { hiddenText } from "./hiddenText";

describe("the mask of a sensitive value, in the interface language", () => {
  it("keeps the count and changes the words", () => {
    expect(hiddenText("[hidden: 4 characters]#", "ru")).toBe("[скрыто: 4 символа]#");
    expect(hiddenText("[hidden: 9 characters]", "ru")).toBe("[скрыто: 9 символов]");
    expect(hiddenText("[hidden: 1 character]", "ru")).toBe("[скрыто: 1 символ]");
    expect(hiddenText("[hidden: 1 item]", "es")).toBe("[oculto: 1 elemento]");
    expect(hiddenText('pin = "[hidden: 4 characters]"', "es")).toBe('pin = "[oculto: 4 caracteres]"');
    expect(hiddenText("vip = [hidden]", "ru")).toBe("vip = [скрыто]");
  });

  it("leaves English, and text without a mask, as it is", () => {
    expect(hiddenText("[hidden: 4 characters]", "en")).toBe("[hidden: 4 characters]");
    expect(hiddenText("Pressed 1 [hidden files]", "ru")).toBe("Pressed 1 [hidden files]");
  });

  it("is how a recorded call's story tells a PIN typed, kept and said", () => {
    const steps: TraceStep[] = [
      {
        node: "pin",
        type: "ivr",
        label: "PIN",
        at: "2026-12-05T09:00:00+00:00",
        exit: "next",
        keys: "[hidden: 3 characters]#[hidden: 4 characters]#",
        prompts: [{ audio: "[hidden]", text: "Su PIN es [hidden: 4 characters]", language: "es" }],
        events: [
          { kind: "attempt", number: 1 },
          { kind: "invalid", attempt: 1, keys: "[hidden: 3 characters]", terminator: "#", reason: "too_short" },
          { kind: "attempt", number: 2 },
        ],
        variables_changed: { pin: "[hidden: 4 characters]" },
      },
    ];
    const html = renderInLanguage("es", CallStory, { steps, startedAt: "2026-12-05T09:00:00+00:00" });
    expect(html).toContain("[oculto: 3 caracteres]");
    expect(html).toContain("[oculto: 4 caracteres]#");
    expect(html).toContain("Su PIN es [oculto: 4 caracteres]");
    expect(html).toContain("pin = &quot;[oculto: 4 caracteres]&quot;");
    expect(html).not.toContain("hidden");
  });
});
