import { describe, expect, it } from "vitest";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";
import { StudioImportReport, studioReportOf } from "./StudioImportReport";

const noop = () => undefined;
const report = [
  "crm_lookup (make-http-request): not converted: replace the placeholder",
  "main_menu (gather-input-on-call): speech input is not converted, only keys",
];
const props = { slug: "support-line", name: "Acme support line", report, onOpen: noop, onClose: noop };

describe("after a Twilio Studio flow was imported (analysts: the import said nothing of what to check)", () => {
  it("lists every state converted approximately or left a placeholder, under a heading, in a dialog", () => {
    const html = renderToHtml(StudioImportReport, props);
    expect(html).toMatch(/<dialog[^>]*aria-label="Imported from Twilio Studio: what to check"/);
    expect(html).toContain("<h2>Imported from Twilio Studio: what to check</h2>");
    expect(html).toContain("“Acme support line”");
    const items = [...html.matchAll(/<li>(.*?)<\/li>/g)].map((m) => m[1]);
    expect(items).toEqual([
      "crm_lookup (make-http-request): not converted: replace the placeholder",
      "main_menu (gather-input-on-call): speech input is not converted, only keys",
    ]);
    expect(buttonTexts(html)).toEqual(["Open the scenario", "Close"]);
  });

  it("says how calls reach it: the slug the dialplan dials (a migrant from Studio had no phone number to look for)", () => {
    expect(renderToHtml(StudioImportReport, props)).toContain("Calls reach it with AGI(agi://&lt;this server&gt;:4573/support-line) in the dialplan.");
    expect(renderInLanguage("es", StudioImportReport, props)).toContain("AGI(agi://&lt;este servidor&gt;:4573/support-line)");
    expect(renderInLanguage("ru", StudioImportReport, props)).toContain("AGI(agi://&lt;этот сервер&gt;:4573/support-line)");
  });

  it("says when nothing needs checking", () => {
    const html = renderToHtml(StudioImportReport, { ...props, report: [] });
    expect(html).not.toContain("<ul");
    expect(html).toContain("Every widget was converted");
  });

  it("in the analyst's language (the report's lines are the server's, in English)", () => {
    const es = renderInLanguage("es", StudioImportReport, props);
    expect(es).toContain("<h2>Importado de Twilio Studio: qué revisar</h2>");
    expect(buttonTexts(es)).toEqual(["Abrir el escenario", "Cerrar"]);
    const ru = renderInLanguage("ru", StudioImportReport, props);
    expect(ru).toContain("<h2>Импортировано из Twilio Studio: что проверить</h2>");
    expect(buttonTexts(ru)).toEqual(["Открыть сценарий", "Закрыть"]);
  });
});

describe("the report an import answered", () => {
  it("is the draft's meta.studio_import.report, its lines as text", () => {
    const imported = { draft: { document: { meta: { studio_import: { report: [...report, 7] } } } } };
    expect(studioReportOf(imported)).toEqual(report);
    expect(studioReportOf({ draft: { document: { meta: { studio_import: { report: [] } } } } })).toEqual([]);
  });

  it("is none for a scenario that did not come from Studio", () => {
    expect(studioReportOf({ draft: { document: { nodes: [] } } })).toBeNull();
    expect(studioReportOf({ draft: { document: { meta: { studio_import: {} } } } })).toBeNull();
    expect(studioReportOf({})).toBeNull();
  });
});
