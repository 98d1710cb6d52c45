/**
 * The list of calls as a user without access to personal data reads it: the API masks the numbers
 * (`+34*******56`) and the CallerID name (`[hidden]`, api/personal_data.py); the mask is said in the interface
 * language, as the call's story says the engine's masks (lib/hiddenText.ts).
 */
import { describe, expect, it } from "vitest";
import type { CallSummary } from "../api/types";
import { CallTable } from "./CallsPanel";
import { renderInLanguage, renderToHtml } from "./renderForTest";

const masked: CallSummary = {
  id: "c1", asterisk_uniqueid: "1795295104.1", scenario: "debt-reminder", version: 2, caller_id: "+34*******56", caller_name: "[hidden]",
  dialed_number: "+34*******77", started_at: "2026-12-05T10:00:00Z", answered_at: "2026-12-05T10:00:01Z",
  ended_at: "2026-12-05T10:01:00Z", duration_ms: 59000, outcome: "hung_up", result: null, status: "answered",
  last_node: "bye", node: "ivr-1", origin_call_id: null, recorded_at: "2026-12-05T10:01:00Z",
};

const numbersCell = (html: string) =>
  /<td class="call-numbers"[^>]*>(.*?)<\/td>/s.exec(html)![1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();

describe("a call read without access to personal data", () => {
  it("shows the masked numbers as they come and the hidden name in the interface language", () => {
    const props = { items: [masked], openId: null, onOpen: () => {} };
    expect(numbersCell(renderToHtml(CallTable, props))).toBe("+34*******56 [hidden] → +34*******77");
    expect(numbersCell(renderInLanguage("es", CallTable, props))).toBe("+34*******56 [oculto] → +34*******77");
    expect(numbersCell(renderInLanguage("ru", CallTable, props))).toBe("+34*******56 [скрыто] → +34*******77");
  });

  it("leaves a name that is no mask as it was sent", () => {
    const props = { items: [{ ...masked, caller_id: "+34600111256", caller_name: "María [hidden] López" }], openId: null, onOpen: () => {} };
    expect(numbersCell(renderInLanguage("es", CallTable, props))).toContain("María [oculto] López");
  });
});
