/**
 * A call the dialer placed (a callback job's attempt, a campaign's client) told as ours, in the register's rows and
 * in the opened call, and linked to its campaign. A collections supervisor's review: the row read «Смирнов Алексей →
 * 89165556677» and the card «звонил на 89165556677 · Смирнов Алексей», both as if the client had called that number;
 * and the card linked only to the job's id.
 */
import { createElement } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import type { CallDetail, CallSummary } from "../api/types";
import { CallerLine } from "./CallsPage";
import { CallDetails, CallTable, openedCall, type OpenCall } from "./CallsPanel";
import { outboundParty } from "./callFilters";
import { decodeEntities, renderInLanguage, renderToHtml } from "./renderForTest";
import { StoryBlocks } from "./storyBlocks";

vi.mock("../api/client", () => ({ call: vi.fn(), callVersionDocument: vi.fn() }));

// Cast: fields of a call's summary the numbers do not read need not be listed here.
const summary = (id: string, over: Partial<CallSummary> = {}) =>
  ({ id, scenario: "debtors", version: 1, caller_id: "84951230000", caller_name: "", dialed_number: "", outcome: "ended",
     status: "answered", started_at: "2026-12-07T10:00:00Z", result: null, callback_job_id: null, ...over }) as CallSummary; // prettier-ignore

/** A campaign's client, as the register names the call placed for them (agi_server/node.py `name_callees`). */
const smirnov = summary("c1", { caller_name: "Смирнов Алексей", dialed_number: "89165556677", callback_job_id: "job-9" });

const numbersCells = (html: string) =>
  [...html.matchAll(/<td class="call-numbers"[^>]*>(.*?)<\/td>/g)].map((m) => decodeEntities(m[1]!.replace(/<[^>]+>/g, "")));

describe("a call the dialer placed, in the register's rows", () => {
  it("says it was ours, to whom and at which number, not our CallerID as the caller", () => {
    const row = (language: "en" | "es" | "ru") => numbersCells(renderInLanguage(language, CallTable, { items: [smirnov], openId: null, onOpen: () => undefined }));
    expect(row("ru")).toEqual(["исходящий → Смирнов Алексей (89165556677)"]);
    expect(row("en")).toEqual(["outbound → Смирнов Алексей (89165556677)"]);
    expect(row("es")).toEqual(["saliente → Смирнов Алексей (89165556677)"]);
  });

  it("names our CallerID on hover only, and the number alone when the client has no name", () => {
    const html = renderInLanguage("ru", CallTable, { items: [smirnov], openId: null, onOpen: () => undefined });
    expect(html).toContain('data-direction="outbound"');
    expect(decodeEntities(/<td class="call-numbers"[^>]*title="([^"]*)"/.exec(html)![1]!)).toBe(
      "Исходящий звонок (обратный звонок или кампания) с нашего номера 84951230000",
    );
    const unnamed = summary("c2", { dialed_number: "89165556677", callback_job_id: "job-9" });
    expect(numbersCells(renderToHtml(CallTable, { items: [unnamed], openId: null, onOpen: () => undefined }))).toEqual(["outbound → 89165556677"]);
  });

  it("says a masked name in the reader's language, and leaves an inbound call as it was", () => {
    const masked = summary("c3", { caller_name: "[hidden]", dialed_number: "8916*****77", callback_job_id: "job-9" });
    expect(numbersCells(renderInLanguage("ru", CallTable, { items: [masked], openId: null, onOpen: () => undefined }))).toEqual(["исходящий → [скрыто] (8916*****77)"]);
    const inbound = summary("c4", { caller_id: "89165556677", caller_name: "Смирнов Алексей", dialed_number: "84951230000" });
    expect(outboundParty(inbound)).toBeNull();
    expect(numbersCells(renderToHtml(CallTable, { items: [inbound], openId: null, onOpen: () => undefined }))).toEqual([
      "89165556677 Смирнов Алексей\u00a0→84951230000",
    ]);
  });

  it("finds whom it rang from the record: the client's name and the number dialled, `s` being no number", () => {
    expect(outboundParty(smirnov)).toEqual({ name: "Смирнов Алексей", number: "89165556677" });
    expect(outboundParty(summary("c5", { dialed_number: "s", callback_job_id: "job-9" }))).toEqual({ name: null, number: null });
  });
});

describe("a call the dialer placed, opened", () => {
  const numbers = { caller_id: smirnov.caller_id, caller_name: smirnov.caller_name, dialed_number: smirnov.dialed_number, callback_job_id: "job-9" };

  it("says we called the client, by name and number", () => {
    const line = (language: "en" | "es" | "ru") => decodeEntities(renderInLanguage(language, CallerLine, { numbers }).replace(/<[^>]+>/g, ""));
    expect(line("ru")).toBe("Мы звонили: Смирнов Алексей, 89165556677");
    expect(line("en")).toBe("We called: Смирнов Алексей, 89165556677");
    expect(line("es")).toBe("Llamamos a: Смирнов Алексей, 89165556677");
    // An inbound call keeps its line: who called which number.
    const inbound = { caller_id: "89165556677", caller_name: "", dialed_number: "84951230000", callback_job_id: null };
    expect(decodeEntities(renderInLanguage("ru", CallerLine, { numbers: inbound }).replace(/<[^>]+>/g, ""))).toBe("89165556677 звонил на 84951230000");
  });

  const placed: OpenCall = { id: "c1", version: 1, outcome: "ended", error: null, steps: [], scenario: "debtors", callbackJobId: "job-9" };
  const offCanvas = (call: OpenCall) => createElement(StoryBlocks.Provider, { value: [] }, createElement(CallDetails, { call }));
  const campaignLink = (html: string) => /<a href="([^"]+)" data-testid="call-campaign-link">([^<]*)<\/a>/.exec(html)?.slice(1).map(decodeEntities);

  it("links to its campaign's clients, its own job opened among them", () => {
    const call = { ...placed, campaignId: "camp-1", campaignName: "Должники, март" };
    expect(campaignLink(renderInLanguage("ru", () => offCanvas(call), {}))).toEqual(["#/callbacks?campaign=camp-1&job=job-9", "Кампания «Должники, март»: её клиенты"]);
    expect(campaignLink(renderToHtml(() => offCanvas(call), {}))).toEqual(["#/callbacks?campaign=camp-1&job=job-9", "Campaign “Должники, март”: its clients"]);
    expect(campaignLink(renderInLanguage("es", () => offCanvas({ ...call, campaignName: "" }), {}))?.[1]).toBe("Campaña «camp-1»: sus clientes");
  });

  it("has no campaign link for a call of none", () => {
    expect(renderToHtml(() => offCanvas(placed), {})).not.toContain("call-campaign-link");
  });
});

describe("opening a call the dialer placed", () => {
  beforeEach(() => {
    const detail = {
      id: "c1", scenario: "debtors", version: null, outcome: "ended", error: null, started_at: "2026-12-07T10:00:00Z",
      asterisk_uniqueid: "", channel: "", caller_id: "84951230000", caller_name: "Смирнов Алексей", dialed_number: "89165556677",
      callback_job_id: "job-9", origin_call_id: null, campaign_id: "camp-1", campaign_name: "Должники, март", trace: { steps: [] },
    } as unknown as CallDetail; // prettier-ignore
    vi.mocked(api.call).mockReset().mockResolvedValue(detail);
  });

  it("keeps its campaign and that it was ours, from the call's detail", async () => {
    const opened = await openedCall("c1");
    expect(opened).toMatchObject({ campaignId: "camp-1", campaignName: "Должники, март", callbackJobId: "job-9" });
    expect(opened.numbers?.callback_job_id).toBe("job-9");
  });
});
