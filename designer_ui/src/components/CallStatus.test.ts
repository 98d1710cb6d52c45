import { describe, expect, it } from "vitest";
import type { CallSummary } from "../api/types";
import { CallTable } from "./CallsPanel";
import { renderInLanguage, renderToHtml } from "./renderForTest";

const call = (id: string, status: CallSummary["status"]): CallSummary => ({
  id, scenario: "sales-line", version: 1, caller_id: "+34600111222", caller_name: "", dialed_number: "",
  started_at: "2026-12-05T10:00:00Z", answered_at: "2026-12-05T10:00:01Z", ended_at: "2026-12-05T10:01:00Z",
  duration_ms: 59000, outcome: "caller_hangup", result: null, status, last_node: "sales", origin_call_id: null,
  recorded_at: "2026-12-05T10:01:00Z",
});

const shown = (html: string) =>
  [...html.matchAll(/<td class="call-outcome"[^>]*>(.*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, " ").trim());

describe("a caller who hung up", () => {
  it("waiting for an operator is told apart, under the outcome, from one who left the menu", () => {
    const items = [call("a", "abandoned_waiting"), call("b", "abandoned_in_menu")];
    expect(shown(renderToHtml(CallTable, { items, openId: null, onOpen: () => {} }))).toEqual([
      "the caller hung up abandoned waiting for an operator",
      "the caller hung up",
    ]);
    expect(shown(renderInLanguage("es", CallTable, { items, openId: null, onOpen: () => {} }))[0]).toBe(
      "quien llama colgó abandonada esperando a un operador",
    );
  });
});
