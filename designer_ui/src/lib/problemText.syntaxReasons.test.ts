/**
 * A Spanish-speaking Oktell user's review: an expression's syntax error showed Jinja's own English ("unexpected 'end
 * of print statement'" of `es_vipp == 1 and`), which means nothing to an analyst. The server now names the mistake
 * (`reason`: empty, incomplete, unclosed, unexpected; tests/graph_engine/test_template_syntax_reasons.py); here, the
 * designer's words for each, and Jinja's detail only when the reason is not one it knows.
 */
import { describe, expect, it } from "vitest";
import type { Problem } from "./problems";
import { problemText } from "./problemText";

const condition = {
  block_type: "condition",
  block_title: "Condition",
  label: "Is VIP",
  kind: "expression",
};
const phrase = {
  block_type: "say_phrase",
  block_title: "Say Phrase",
  label: "Greeting",
  kind: "template",
};

// As graph_engine/validation.py sends it: the English message, Jinja's words gone from it but for the fallback.
function syntax(
  message: string,
  params: Record<string, string>,
  block = condition,
): Problem {
  return {
    severity: "error",
    code: "template_syntax",
    message,
    node: "n",
    params: { ...block, detail: message, ...params },
  };
}

const incomplete = syntax(
  'Condition "Is VIP": expression ends too early: something is missing after "and"',
  {
    reason: "incomplete",
    after: "and",
  },
);
const unclosed = syntax(
  'Say Phrase "Greeting": template opens "(" and does not close it: add ")"',
  { reason: "unclosed", opened: "(", closer: ")" },
  phrase,
);
const unexpected = syntax(
  'Condition "Is VIP": expression has "$" where it cannot be',
  { reason: "unexpected", found: "$" },
);
const empty = syntax('Condition "Is VIP": expression is empty', {
  reason: "empty",
});
const emptyBraces = syntax(
  'Say Phrase "Greeting": template has a "{{ }}" with nothing inside',
  { reason: "empty" },
  phrase,
);

describe("a template's or expression's syntax mistake", () => {
  it("is worded in Spanish with what it is about", () => {
    expect(problemText(incomplete, "es")).toBe(
      "Condición «Is VIP»: la expresión tiene un error: termina después de «and»: falta algo detrás",
    );
    expect(problemText(unclosed, "es")).toBe(
      "El bloque «Greeting» (Decir frase): la plantilla tiene un error: se abre «(» y no se cierra: añada «)»",
    );
    expect(problemText(unexpected, "es")).toBe(
      "Condición «Is VIP»: la expresión tiene un error: «$» no puede ir ahí",
    );
    expect(problemText(empty, "es")).toBe(
      "Condición «Is VIP»: la expresión tiene un error: está vacía",
    );
    expect(problemText(emptyBraces, "es")).toContain(
      "la plantilla tiene un error: hay un «{{ }}» sin nada dentro",
    );
  });

  it("is worded in Russian", () => {
    expect(problemText(incomplete, "ru")).toBe(
      "Условие «Is VIP»: ошибка в выражении: обрывается после «and»: дальше чего-то не хватает",
    );
    expect(problemText(unclosed, "ru")).toContain(
      "ошибка в шаблоне: открывается «(», но не закрывается: добавьте «)»",
    );
    expect(problemText(unexpected, "ru")).toContain(
      "ошибка в выражении: «$» не может здесь стоять",
    );
    expect(problemText(empty, "ru")).toContain(
      "ошибка в выражении: выражение пустое",
    );
    expect(problemText(emptyBraces, "ru")).toContain(
      "ошибка в шаблоне: внутри «{{ }}» ничего не написано",
    );
  });

  it("is the server's plain English in English", () => {
    expect(problemText(incomplete, "en")).toBe(incomplete.message);
  });

  it("falls back to the detail when the reason's params are missing or the reason is unknown", () => {
    const { after: _after, ...bare } = incomplete.params ?? {};
    expect(problemText({ ...incomplete, params: bare }, "es")).toContain(
      `la expresión tiene un error: ${incomplete.message}`,
    );
    const other = syntax(
      "Condition: expression syntax error on line 1: can't assign to 'const'",
      { reason: "something_new" },
    );
    expect(problemText(other, "ru")).toContain(
      "ошибка в выражении: Condition: expression syntax error on line 1",
    );
  });
});
