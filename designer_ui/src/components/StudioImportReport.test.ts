import { describe, expect, it } from "vitest";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";
import { StudioImportReport, studioReportOf, type StudioReportLine } from "./StudioImportReport";

const noop = () => undefined;
const report = [
  "crm_lookup (make-http-request): not converted: replace the placeholder",
  "main_menu (gather-input-on-call): speech input is not converted, only keys",
];
const props = { slug: "support-line", name: "Acme support line", report: report.map((text) => ({ text })), onOpen: noop, onClose: noop };

// As the server words and codes them (tests/graph_engine/test_studio_import_report_codes.py checks its side).
const placeholderLine =
  "crm_lookup (make-http-request): not converted: replace the placeholder; failed → sorry: connect it to the replacement's error/not_found exit; timeout → slow: not wired (the placeholder has one error exit), connect it to the replacement's exit";
const coded: StudioReportLine[] = [
  {
    code: "not_converted",
    params: { state: "crm_lookup", widget: "make-http-request", count: 2, event_1: "failed", target_1: "sorry", wired_1: "error", event_2: "timeout", target_2: "slow", wired_2: "none" },
    text: placeholderLine,
  },
  { code: "speech_not_converted", params: { state: "main_menu", widget: "gather-input-on-call" }, text: report[1]! },
  { code: "queue_to_check", params: { state: "queue", widget: "enqueue-call", queue: "sales" }, text: "queue (enqueue-call): to the Asterisk queue 'sales': check it exists" },
  { code: "said_next_year", params: { state: "x", widget: "say-play" }, text: "x (say-play): a line of a newer server" },
  { code: "queue_to_check", params: { state: "q", widget: "enqueue-call" }, text: "q (enqueue-call): a line whose params fall short" },
];
const listed = (html: string) => [...html.matchAll(/<li>(.*?)<\/li>/g)].map((m) => m[1]);

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

describe("the report's lines in the analyst's language (they were the server's English)", () => {
  it("says each coded line in Spanish, the paths a placeholder leaves to reconnect too", () => {
    const es = listed(renderInLanguage("es", StudioImportReport, { ...props, report: coded }));
    expect(es.slice(0, 3)).toEqual([
      "crm_lookup (make-http-request): no se convirtió: sustituya el marcador; failed → sorry: conéctelo a la salida error/not_found del bloque que lo sustituya; timeout → slow: sin conectar (el marcador tiene una sola salida de error), conéctelo a la salida del bloque que lo sustituya",
      "main_menu (gather-input-on-call): la entrada por voz no se convirtió, solo las teclas",
      "queue (enqueue-call): a la cola de Asterisk «sales»: compruebe que existe",
    ]);
  });

  it("and in Russian", () => {
    const ru = listed(renderInLanguage("ru", StudioImportReport, { ...props, report: coded }));
    expect(ru[0]).toBe(
      "crm_lookup (make-http-request): не преобразован: замените заглушку; failed → sorry: подключите к выходу error/not_found блока, который её заменит; timeout → slow: не подключено (у заглушки один выход ошибки), подключите к выходу блока, который её заменит",
    );
    expect(ru[2]).toBe("queue (enqueue-call): в очередь Asterisk «sales»: проверьте, что она существует");
  });

  it("keeps the server's English for English, a code it has no words for and params that fall short", () => {
    expect(listed(renderToHtml(StudioImportReport, { ...props, report: coded }))).toEqual(coded.map((line) => escapeHtml(line.text)));
    const es = listed(renderInLanguage("es", StudioImportReport, { ...props, report: coded }));
    expect(es.slice(3)).toEqual(["x (say-play): a line of a newer server", "q (enqueue-call): a line whose params fall short"]);
  });

  it("no longer says the detail is in English", () => {
    expect(renderInLanguage("es", StudioImportReport, { ...props, report: coded })).not.toContain("en inglés");
    expect(renderInLanguage("ru", StudioImportReport, { ...props, report: coded })).not.toContain("на английском");
  });
});

const escapeHtml = (text: string) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll("'", "&#x27;").replaceAll('"', "&quot;");

describe("the report an import answered", () => {
  it("is the draft's meta.studio_import.report, its lines as text (a draft imported before the codes)", () => {
    const imported = { draft: { document: { meta: { studio_import: { report: [...report, 7] } } } } };
    expect(studioReportOf(imported)).toEqual(report.map((text) => ({ text })));
    expect(studioReportOf({ draft: { document: { meta: { studio_import: { report: [] } } } } })).toEqual([]);
  });

  it("is its coded entries when the server sent them, each with its English line", () => {
    const imported = { draft: { document: { meta: { studio_import: { report: coded.map((e) => e.text), entries: coded } } } } };
    expect(studioReportOf(imported)).toEqual(coded);
  });

  it("falls back to the English lines when the entries are not what it reads", () => {
    const entries = [{ code: "not_converted", params: { state: ["x"] }, text: "x" }, 7];
    const imported = { draft: { document: { meta: { studio_import: { report, entries } } } } };
    expect(studioReportOf(imported)).toEqual(report.map((text) => ({ text })));
  });

  it("is none for a scenario that did not come from Studio", () => {
    expect(studioReportOf({ draft: { document: { nodes: [] } } })).toBeNull();
    expect(studioReportOf({ draft: { document: { meta: { studio_import: {} } } } })).toBeNull();
    expect(studioReportOf({})).toBeNull();
  });
});
