/**
 * The line under a call's outcome in the call lists (the Calls page's and the editor's Calls tab, one `CallTable`):
 * what happened, where the outcome alone does not tell it. A review: a caller who hung up while a transfer to a
 * plain extension (PJSIP/203) rang read "abandoned waiting for an operator", and one who hung up during the menu's
 * prompt had no line at all.
 */
import { describe, expect, it } from "vitest";
import type { CallSummary } from "../api/types";
import { translator, type Language } from "../lib/i18n";
import { CallTable } from "./CallsPanel";
import { statusNote } from "./callStatusNote";
import { renderInLanguage, renderToHtml } from "./renderForTest";

const call = (id: string, status: CallSummary["status"], over: Partial<CallSummary> = {}): CallSummary => ({
  id, asterisk_uniqueid: `1795295104.${id}`, scenario: "sales-line", version: 1, caller_id: "+34600111222",
  caller_name: "", dialed_number: "", started_at: "2026-12-05T10:00:00Z", answered_at: "2026-12-05T10:00:01Z",
  ended_at: "2026-12-05T10:01:00Z", duration_ms: 59000, outcome: "caller_hangup", result: null, status,
  last_node: "sales", origin_call_id: null, recorded_at: "2026-12-05T10:01:00Z", ...over,
});

const shown = (html: string) =>
  [...html.matchAll(/<td class="call-outcome"[^>]*>(.*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, " ").trim());
const table = (items: CallSummary[]) => ({ items, openId: null, onOpen: () => {} });

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
        statusNote(translator(language), during(word)),
      );
    expect(notes("en")).toEqual([
      "before the scenario was done with them", // a record that does not say (before migration 0009)
      "as the call was answered",
      "while a prompt played",
      "while a prompt asked for keys",
      "while the scenario read or set a channel variable",
      "while the scenario read or set a channel variable",
      "while the sql block worked, away from the line",
      "before the scenario was done with them", // a word this designer does not know yet
    ]);
    for (const language of ["es", "ru"] as const) {
      const said = notes(language);
      expect(said.every((note) => note && !note.includes("{"))).toBe(true);
      expect(new Set(said).size).toBe(6); // each told apart as in English
      expect(said[6]).toContain("sql");
    }
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
