import { describe, expect, it } from "vitest";
import { ProblemItem } from "../components/ProblemsPanel";
import { renderInLanguage } from "../components/renderForTest";
import type { Problem } from "./problems";
import { problemText } from "./problemText";

// As the server sends it (tests/graph_engine/test_studio_placeholder_warning.py checks the server's side).
const lookup = { block_type: "set_variable", block_title: "Set Variable", label: "crm_lookup" };

const placeholder: Problem = {
  severity: "warning",
  code: "studio_placeholder",
  node: "crm_lookup",
  message:
    'Set Variable "crm_lookup" stands in for the Twilio Studio widget make-http-request, which was not converted: replace it with a block that does its work (its notes keep the widget\'s settings)',
  params: { ...lookup, widget: "make-http-request" },
};

const unrecorded: Problem = {
  ...placeholder,
  message:
    'Set Variable "crm_lookup" stands in for a Twilio Studio widget that was not converted: replace it with a block that does its work (its notes keep the widget\'s settings)',
  params: lookup,
};

describe("a placeholder a Twilio Studio import left, in the analyst's language (the import's checklist is shown once)", () => {
  it("keeps the server's English", () => {
    for (const problem of [placeholder, unrecorded]) expect(problemText(problem, "en")).toBe(problem.message);
  });

  it("names the block and the Studio widget it stands for in Spanish", () => {
    expect(problemText(placeholder, "es")).toBe(
      "El bloque «crm_lookup» (Asignar variable) ocupa el lugar del widget make-http-request de Twilio Studio, que no se convirtió: sustitúyalo por un bloque que haga su trabajo (sus notas guardan los ajustes del widget)",
    );
    expect(problemText(unrecorded, "es")).toBe(
      "El bloque «crm_lookup» (Asignar variable) ocupa el lugar de un widget de Twilio Studio que no se convirtió: sustitúyalo por un bloque que haga su trabajo (sus notas guardan los ajustes del widget)",
    );
  });

  it("and in Russian", () => {
    expect(problemText(placeholder, "ru")).toBe(
      "Блок «crm_lookup» («Задать переменную») — заглушка вместо виджета make-http-request из Twilio Studio, который не удалось преобразовать: замените его блоком, который делает ту же работу (настройки виджета сохранены в заметках блока)",
    );
    expect(problemText(unrecorded, "ru")).toContain("— заглушка вместо виджета из Twilio Studio, который не удалось преобразовать");
  });

  it("is listed in the Problems panel as a warning that opens its block, in the panel's language", () => {
    const html = renderInLanguage("es", ProblemItem, { problem: placeholder, onOpen: () => undefined });
    expect(html).toMatch(/<li class="problem warning" data-code="studio_placeholder"><button type="button" class="link">/);
    expect(html).toContain("ocupa el lugar del widget make-http-request de Twilio Studio");
  });
});
