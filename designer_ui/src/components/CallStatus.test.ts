/**
 * The line under a call's outcome in the call lists (the Calls page's and the editor's Calls tab, one `CallTable`):
 * what happened, where the outcome alone does not tell it. A review: a caller who hung up while a transfer to a
 * plain extension (PJSIP/203) rang read "abandoned waiting for an operator", and one who hung up during the menu's
 * prompt had no line at all.
 */
import { describe, expect, it } from "vitest";
import type { CallSummary, TraceStep } from "../api/types";
import { specTitle } from "../lib/blockText";
import { catalogFrom, type BlockSpec } from "../lib/catalog";
import { translator, type Language } from "../lib/i18n";
import { CallTable } from "./CallsPanel";
import { CallEnding } from "./CallStory";
import { statusNote } from "./callStatusNote";
import { renderInLanguage, renderToHtml, visibleText } from "./renderForTest";

const call = (id: string, status: CallSummary["status"], over: Partial<CallSummary> = {}): CallSummary => ({
  id, asterisk_uniqueid: `1795295104.${id}`, scenario: "sales-line", version: 1, caller_id: "+34600111222",
  caller_name: "", dialed_number: "", started_at: "2026-12-05T10:00:00Z", answered_at: "2026-12-05T10:00:01Z",
  ended_at: "2026-12-05T10:01:00Z", duration_ms: 59000, outcome: "caller_hangup", result: null, status,
  last_node: "sales", node: "ivr-1", origin_call_id: null, recorded_at: "2026-12-05T10:01:00Z", ...over,
});

const shown = (html: string) =>
  [...html.matchAll(/<td class="call-outcome"[^>]*>(.*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, " ").trim());
const table = (items: CallSummary[]) => ({ items, openId: null, onOpen: () => {} });

// A plugin's block, titled in the designer's languages by its plugin (catalog `translations`).
const SMS = {
  type: "send_sms", version: 1, title: "Send SMS", category: "Connect", icon: "message-circle", description: "Sends a text message.",
  translations: { es: { title: "Enviar SMS" }, ru: { title: "Отправить SMS" } },
  config_schema: { type: "object" }, exit_rules: [{ name: "sent" }, { name: "failed" }], default_exits: ["sent", "failed"], unwired_meaning: {},
} as BlockSpec; // prettier-ignore

// The calls the review saw, as the register records them (persistence/calls.py `derive_status`).
const LEFT_WHILE_EXTENSION_RANG = call("a", "abandoned_waiting", { hangup_during: "transfer", transfer_outcome: "caller_hangup" });
const LEFT_DURING_MENU_PROMPT = call("b", "abandoned_in_menu", { hangup_during: "read_digits", last_node: "menu" });

describe("a caller who hung up", () => {
  it("while a transfer rang is said so, naming no operator: the transfer may dial a plain extension", () => {
    expect(shown(renderToHtml(CallTable, table([LEFT_WHILE_EXTENSION_RANG])))).toEqual(["the caller hung up while the transfer rang or queued"]);
    expect(shown(renderInLanguage("es", CallTable, table([LEFT_WHILE_EXTENSION_RANG])))).toEqual([
      "quien llama colgó mientras la transferencia sonaba o esperaba en cola",
    ]);
    expect(shown(renderInLanguage("ru", CallTable, table([LEFT_WHILE_EXTENSION_RANG])))).toEqual([
      "абонент положил трубку пока шёл перевод или ожидание в очереди",
    ]);
  });

  it("in the menu says what they hung up during, as the record names it", () => {
    expect(shown(renderToHtml(CallTable, table([LEFT_DURING_MENU_PROMPT])))).toEqual(["the caller hung up while a prompt asked for keys"]);
    const during = (hangup_during: string | null) => call("c", "abandoned_in_menu", { hangup_during });
    const notes = (language: Language) =>
      [null, "answer", "play", "read_digits", "get_variable", "set_variable", "block:sql", "something_new"].map((word) =>
        statusNote(translator(language), during(word), (type) => specTitle(language, type, undefined)),
      );
    expect(notes("en")).toEqual([
      "before the scenario was done with them", // a record that does not say (before migration 0009)
      "as the call was answered",
      "while a prompt played",
      "while a prompt asked for keys",
      "while the scenario read or set a channel variable",
      "while the scenario read or set a channel variable",
      "in the silence while the “sql” block ran", // no catalog to title it: its type
      "before the scenario was done with them", // a word this designer does not know yet
    ]);
    for (const language of ["es", "ru"] as const) {
      const said = notes(language);
      expect(said.every((note) => note && !note.includes("{"))).toBe(true);
      expect(new Set(said).size).toBe(6); // each told apart as in English
    }
    // The palette's title of the block, not its type (i18n review: «el bloque say_phrase»).
    expect(notes("es")[6]).toBe("en el silencio mientras se ejecutaba el bloque «Consulta SQL»");
    expect(notes("ru")[6]).toBe("в тишине, пока выполнялся блок «SQL-запрос»");
  });

  it("while a block worked names it by the palette's title: a built-in's, a plugin's in its own words, else its type", () => {
    const saying = call("j", "abandoned_in_menu", { hangup_during: "block:say_phrase" });
    expect(shown(renderInLanguage("es", CallTable, table([saying])))).toEqual([
      "quien llama colgó en el silencio mientras se ejecutaba el bloque «Decir frase»",
    ]);
    // A supervisor's review: «пока работал блок «Произнести фразу», вне линии» meant nothing, and its status «брошен
    // в меню» named a menu the caller never reached. They hung up in the silence while the phrase was synthesised.
    const russian = renderInLanguage("ru", CallTable, table([saying]));
    expect(shown(russian)).toEqual(["абонент положил трубку в тишине, пока выполнялся блок «Произнести фразу»"]);
    expect(russian).toContain('title="В журнале звонков: брошен до конца сценария"');
    expect(renderToHtml(CallTable, table([saying]))).toContain('title="In the call register: abandoned before the end"');
    expect(renderInLanguage("es", CallTable, table([saying]))).toContain('title="En el registro de llamadas: abandonada antes del final"');
    const catalog = catalogFrom([SMS]);
    const titled = (language: Language, during: string) =>
      statusNote(translator(language), call("k", "abandoned_in_menu", { hangup_during: during }), (type) => specTitle(language, type, catalog.get(type)));
    expect(titled("es", "block:send_sms")).toBe("en el silencio mientras se ejecutaba el bloque «Enviar SMS»");
    expect(titled("ru", "block:send_sms")).toBe("в тишине, пока выполнялся блок «Отправить SMS»");
    expect(titled("en", "block:send_sms")).toBe("in the silence while the “Send SMS” block ran");
    // A type the catalog does not know (its plugin uninstalled since): said as the record names it.
    expect(titled("es", "block:fax_out")).toBe("en el silencio mientras se ejecutaba el bloque «fax_out»");
  });

  it("after talking on the transfer says it was answered; the register's own words stay in the tooltip", () => {
    const talked = call("d", "transferred", { hangup_during: "transfer", transfer_outcome: "answered" });
    const html = renderToHtml(CallTable, table([talked]));
    expect(shown(html)).toEqual(["the caller hung up after the transfer was answered"]);
    expect(html).toContain('title="In the call register: transferred"');
    expect(renderToHtml(CallTable, table([LEFT_WHILE_EXTENSION_RANG]))).toContain(
      'title="In the call register: abandoned during a transfer"',
    );
  });
});

describe("a call whose outcome tells it all", () => {
  it("has no line under it; one never picked up or that promised a callback keeps its status there", () => {
    const items = [
      call("e", "answered", { outcome: "hung_up" }),
      call("f", "transferred", { outcome: "transferred" }),
      call("g", "failed", { outcome: "failed" }),
      call("h", "missed", { outcome: "caller_hangup", answered_at: null }),
      call("i", "callback_scheduled", { outcome: "hung_up" }),
    ];
    expect(shown(renderToHtml(CallTable, table(items)))).toEqual([
      "the scenario hung up",
      "transferred",
      "failed",
      "the caller hung up missed",
      "the scenario hung up callback scheduled",
    ]);
  });
});

// A supervisor's review: a Transfer that found the queue busy, its Busy exit left unconnected, ended the call there;
// the column said only "ended after its last block" (status answered) and the transfer's failure was in the API alone.
describe("a call the flow ended after its transfer did not connect", () => {
  const afterTransfer = (transfer_outcome: string, outcome = "ended") =>
    call("t", "answered", { outcome, last_node: "to_sales", transfer_outcome });
  const TRANSFERS = ["busy", "no_answer", "failed"].map((outcome) => afterTransfer(outcome));

  it("says under its outcome what the transfer found, in each language", () => {
    expect(shown(renderToHtml(CallTable, table(TRANSFERS)))).toEqual([
      "ended after its last block the transfer found the line busy",
      "ended after its last block the transfer was not answered",
      "ended after its last block the transfer failed",
    ]);
    expect(shown(renderInLanguage("es", CallTable, table(TRANSFERS)))).toEqual([
      "terminada tras su último bloque la transferencia encontró la línea ocupada",
      "terminada tras su último bloque nadie contestó la transferencia",
      "terminada tras su último bloque la transferencia falló",
    ]);
    expect(shown(renderInLanguage("ru", CallTable, table(TRANSFERS)))).toEqual([
      "завершён после последнего блока перевод: линия занята",
      "завершён после последнего блока перевод: нет ответа",
      "завершён после последнего блока перевод не удался",
    ]);
  });

  it("says it too where the scenario hung up after it; a transfer that connected, or none, keeps its words", () => {
    const items = [
      afterTransfer("busy", "hung_up"),
      afterTransfer("answered"),
      call("u", "answered", { outcome: "ended", transfer_outcome: null }),
      call("v", "transferred", { outcome: "transferred", transfer_outcome: "answered" }),
    ];
    expect(shown(renderToHtml(CallTable, table(items)))).toEqual([
      "the scenario hung up the transfer found the line busy",
      "ended after its last block",
      "ended after its last block",
      "transferred",
    ]);
  });
});

describe("an opened call the flow ended after its transfer did not connect", () => {
  const transferStep = (outcome: string | null, exit: string): TraceStep => ({
    node: "to_sales", type: "transfer", exit,
    events: outcome === null ? [] : [{ kind: "transfer", target: "Local/600@queues", outcome }],
  }); // prettier-ignore
  const ending = (language: Language, outcome: string, steps: TraceStep[]) =>
    visibleText(renderInLanguage(language, CallEnding, { outcome, steps }));

  it("says what the transfer found beside how it ended, as the list does", () => {
    expect(ending("en", "ended", [transferStep("busy", "busy")])).toBe("Outcome: ended after its last block — the transfer found the line busy");
    expect(ending("es", "ended", [transferStep("no_answer", "no_answer")])).toBe(
      "Cómo terminó: terminada tras su último bloque — nadie contestó la transferencia",
    );
    expect(ending("ru", "ended", [transferStep("busy", "busy")])).toBe("Итог: завершён после последнего блока — перевод: линия занята");
    // A transfer that could not be started (no number to dial) took its error exit and noted nothing: failed.
    expect(ending("en", "ended", [transferStep(null, "error")])).toBe("Outcome: ended after its last block — the transfer failed");
  });

  it("says what the last transfer found: one that connected after a busy one keeps the outcome's words", () => {
    expect(ending("en", "ended", [transferStep("busy", "busy"), transferStep("answered", "answered")])).toBe(
      "Outcome: ended after its last block",
    );
    expect(ending("en", "ended", [{ node: "bye", type: "play", exit: "next" }])).toBe("Outcome: ended after its last block");
  });
});
