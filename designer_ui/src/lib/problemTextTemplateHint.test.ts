import { describe, expect, it } from "vitest";
import type { Problem } from "./problems";
import { problemText } from "./problemText";

// As graph_engine/validation.py sends it (tests/graph_engine/test_template_issue_params.py checks that side).
const detail =
  "expected token 'end of print statement', got ':' (line 1) (written as in Liquid: did you mean {{ name | upper }}?)";
const liquid: Problem = {
  severity: "error",
  code: "template_syntax",
  message: `Say Phrase "Greeting": template ${detail}`,
  node: "hi",
  params: {
    block_type: "say_phrase",
    block_title: "Say Phrase",
    label: "Greeting",
    kind: "template",
    detail,
    reason: "liquid_form",
    written: "{{ name | upcase }}",
    suggestion: "{{ name | upper }}",
  },
};

describe("a template's Liquid hint in validation", () => {
  it("is worded in Spanish and Russian with the call trace's words", () => {
    expect(problemText(liquid, "es")).toBe(
      "El bloque «Greeting» (Decir frase): la plantilla tiene un error: «{{ name | upcase }}» está escrito como en Liquid; aquí se escribe «{{ name | upper }}»",
    );
    expect(problemText(liquid, "ru")).toContain(
      "ошибка в шаблоне: «{{ name | upcase }}» записано как в Liquid; здесь пишется «{{ name | upper }}»",
    );
    expect(problemText(liquid, "ru")).not.toContain("did you mean");
  });

  it("keeps the English detail when there is no hint, or its params are missing", () => {
    const { reason: _reason, written, suggestion: _suggestion, ...noHint } = liquid.params ?? {};
    const plain: Problem = { ...liquid, params: noHint };
    expect(problemText(plain, "es")).toContain(`la plantilla tiene un error: ${detail}`);
    const short: Problem = { ...liquid, params: { ...noHint, reason: "liquid_form", suggestion: String(written) } };
    expect(problemText(short, "ru")).toContain(`ошибка в шаблоне: ${detail}`);
    expect(problemText(liquid, "en")).toBe(liquid.message);
  });
});
