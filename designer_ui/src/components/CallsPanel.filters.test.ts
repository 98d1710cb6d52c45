import { beforeEach, describe, expect, it, vi } from "vitest";

// The generated client's transport: what GET /api/calls was asked, and the page it answers.
const get = vi.hoisted(() => vi.fn());
vi.mock("openapi-fetch", async (actual) => ({
  ...(await actual<typeof import("openapi-fetch")>()),
  default: () => ({ use: () => undefined, GET: get, POST: vi.fn() }),
}));

import { createQuerySerializer } from "openapi-fetch";
import { calls, callsCsvUrl } from "../api/client";
import type { CallPage, CallSummary } from "../api/types";
import { runInTimeZone } from "../testSupport";
import { CallDownloads, CallFiltersForm, CallTable } from "./CallsPanel";
import { callerName, callerQuery, callNumbers, countNote, filterQuery, NO_FILTERS, withOlderPage, type CallFilters } from "./callFilters";
import { renderInLanguage, renderToHtml } from "./renderForTest";

runInTimeZone("Europe/Madrid");

// Cast: fields the API adds to a call's summary (none of which the panel's filters read) need not be listed here.
const summary = (id: string, over: Partial<CallSummary> = {}) =>
  ({
    id,
    scenario: "debt-reminder",
    version: 2,
    caller_id: "5551234",
    caller_name: "",
    dialed_number: "",
    started_at: "2026-03-29T09:00:00+00:00",
    answered_at: "2026-03-29T09:00:01+00:00",
    ended_at: "2026-03-29T09:01:00+00:00",
    duration_ms: 60000,
    outcome: "hung_up",
    result: null,
    status: "answered",
    last_node: null,
    origin_call_id: null,
    ...over,
  }) as CallSummary;

const page = (items: CallSummary[], next: string | null = null): CallPage => ({ items, next_cursor: next });

/** The query string as it goes to the server, through the generated client's own serializer. */
const onTheWire = (query: object) => createQuerySerializer()(query as Record<string, unknown>);

beforeEach(() => {
  get.mockReset().mockResolvedValue({ data: page([]), response: new Response(null, { status: 200 }) });
});

describe("the Calls panel's filters, as the API's query", () => {
  const filters: CallFilters = { ...NO_FILTERS, from: "2026-03-28", to: "2026-03-29", status: "missed", result: " will_pay ", caller: " +34 600 111 222 " };

  it("sends the days on the browser's clock, as instants with that day's offset, both days whole", () => {
    // Madrid moves to summer time on 2026-03-29: the range ends at the next midnight, two hours ahead of UTC.
    expect(filterQuery(filters, "Europe/Madrid")).toEqual({
      since: "2026-03-28T00:00:00+01:00",
      until: "2026-03-30T00:00:00+02:00",
      status: "missed",
      result: "will_pay",
      caller: "+34 600 111 222",
    });
    expect(filterQuery({ ...NO_FILTERS, to: "2026-12-31" }, "America/New_York")).toEqual({ until: "2027-01-01T00:00:00-05:00" });
    expect(filterQuery({ ...NO_FILTERS, from: "2026-02-28" }, "UTC")).toEqual({ since: "2026-02-28T00:00:00+00:00" });
  });

  it("leaves out what is not set: no filters, only the scenario", async () => {
    expect(filterQuery({ ...NO_FILTERS, caller: "  ", result: "" }, "Europe/Madrid")).toEqual({});
    await calls("debt-reminder", filterQuery(NO_FILTERS, "Europe/Madrid"));
    const [path, options] = get.mock.calls[0]!;
    expect(path).toBe("/api/calls");
    expect(onTheWire(options.params.query)).toBe("scenario=debt-reminder&page_size=50");
  });

  it("asks for the first page with the filters, then the next with the same filters and the cursor", async () => {
    const query = filterQuery(filters, "Europe/Madrid");
    await calls("debt-reminder", query);
    await calls("debt-reminder", query, "MjAyNi0wMy0yOVQwOTowMDowMCswMDowMHxjMQ");
    const [first, next] = get.mock.calls.map(([, options]) => onTheWire(options.params.query));
    const filtered =
      "since=2026-03-28T00%3A00%3A00%2B01%3A00&until=2026-03-30T00%3A00%3A00%2B02%3A00&status=missed&result=will_pay" +
      "&caller=%2B34%20600%20111%20222&scenario=debt-reminder&page_size=50";
    expect(first).toBe(filtered);
    expect(next).toBe(`${filtered}&cursor=MjAyNi0wMy0yOVQwOTowMDowMCswMDowMHxjMQ`);
  });

  it("downloads the CSV of the calls the filters pick, not the scenario's whole history", () => {
    const url = callsCsvUrl("debt-reminder", "Europe/Madrid", "semicolon", filterQuery(filters, "Europe/Madrid"));
    expect(url).toBe(
      "/api/calls.csv?scenario=debt-reminder&since=2026-03-28T00%3A00%3A00%2B01%3A00&until=2026-03-30T00%3A00%3A00%2B02%3A00" +
        "&status=missed&result=will_pay&caller=%2B34+600+111+222&tz=Europe%2FMadrid&delimiter=semicolon",
    );
    const sent = new URL(url, "http://designer").searchParams;
    expect([sent.get("since"), sent.get("caller")]).toEqual(["2026-03-28T00:00:00+01:00", "+34 600 111 222"]);
    expect(callsCsvUrl("debt-reminder", "UTC", "comma", {})).toBe("/api/calls.csv?scenario=debt-reminder&tz=UTC");
  });

  it("offers every status the API has, worded as the panel words statuses, in each language", () => {
    const options = (language: "en" | "es" | "ru") => {
      const html = renderInLanguage(language, CallFiltersForm, { filters: NO_FILTERS, onChange: () => undefined });
      const statuses = /<label>[^<]*<select>(.*?)<\/select>/.exec(html)![1]!;
      return [...statuses.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)</g)].map((m) => `${m[1]}=${m[2]}`);
    };
    expect(options("en")).toEqual([
      "=Any status",
      "answered=answered",
      "transferred=transferred",
      "missed=missed",
      "abandoned_in_menu=abandoned before the end",
      "abandoned_waiting=abandoned during a transfer",
      "callback_scheduled=callback scheduled",
      "failed=failed",
    ]);
    expect(options("es")).toContain("missed=perdida");
    expect(options("ru")).toContain("missed=пропущен");
    expect(options("ru")[0]).toBe("=Любой статус");
  });

  it("offers to clear the filters only once one is set", () => {
    const html = (filters: CallFilters) => renderToHtml(CallFiltersForm, { filters, onChange: () => undefined });
    expect(html(NO_FILTERS)).not.toContain("Clear filters");
    expect(html({ ...NO_FILTERS, status: "failed" })).toContain("Clear filters");
  });
});

describe("loading more", () => {
  it("adds the older page under the calls shown, none twice", () => {
    const shown = [summary("c3"), summary("c2")];
    expect(withOlderPage(shown, page([summary("c2"), summary("c1")])).map((call) => call.id)).toEqual(["c3", "c2", "c1"]);
  });

  it("says whether every matching call is shown or only the newest, more to load", () => {
    expect(countNote(50, "next")).toEqual({ key: "calls.countNewest", count: 50 });
    expect(countNote(51, null)).toEqual({ key: "calls.countAll", count: 51 });
  });
});

describe("whom a call rang (review: a campaign's rows all read the dialer's own CallerID)", () => {
  const campaignCall = summary("c1", { caller_id: "5550100", dialed_number: "+34600111222" });

  it("shows the number dialled beside the caller when it is another number", () => {
    expect(callNumbers(campaignCall)).toEqual({ caller: "5550100", dialled: "+34600111222" });
    expect(callNumbers(summary("c2", { dialed_number: "1001" }))).toEqual({ caller: "5551234", dialled: "1001" }); // the line called
  });

  it("shows the caller alone when nothing else was dialled, the same number, or an extension that is no number", () => {
    expect(callNumbers(summary("c1"))).toEqual({ caller: "5551234", dialled: null });
    expect(callNumbers(summary("c1", { dialed_number: "5551234" }))).toEqual({ caller: "5551234", dialled: null });
    expect(callNumbers(summary("c1", { dialed_number: "s" }))).toEqual({ caller: "5551234", dialled: null });
  });

  it("writes it in the row, under the caller, and says it in words on hover", () => {
    const html = renderToHtml(CallTable, { items: [campaignCall, summary("c2")], openId: null, onOpen: () => undefined });
    const cells = [...html.matchAll(/<td class="call-numbers"[^>]*>(.*?)<\/td>/g)].map((m) => m[0]);
    expect(cells[0]).toContain('title="5550100 rang +34600111222"');
    expect(cells[0]).toContain('5550100\u00a0→<span class="call-dialled" data-testid="call-dialled">+34600111222</span>');
    expect(cells[1]).toBe('<td class="call-numbers" data-testid="call-numbers">5551234</td>');
    expect(html).toContain("<th>Caller → dialled</th>");
  });
});

describe("a client found by name (review: typing \"Петрова\" found nothing, and rows showed no names)", () => {
  it("sends text with a letter as the caller's name, and a number as people type it as a number", () => {
    expect(callerQuery(" Петрова ")).toEqual({ caller_name: "Петрова" });
    expect(callerQuery("ivan p")).toEqual({ caller_name: "ivan p" });
    expect(callerQuery("Сёмина 2")).toEqual({ caller_name: "Сёмина 2" });
    expect(callerQuery("+7 (916) 123-45-67")).toEqual({ caller: "+7 (916) 123-45-67" });
    expect(callerQuery("1001")).toEqual({ caller: "1001" });
    expect(callerQuery("   ")).toEqual({});
    expect(filterQuery({ ...NO_FILTERS, status: "missed", caller: "петрова" }, "UTC")).toEqual({ status: "missed", caller_name: "петрова" });
  });

  it("asks the list and the CSV for the name, not for a number", async () => {
    const query = filterQuery({ ...NO_FILTERS, caller: "Петрова" }, "Europe/Moscow");
    await calls("debt-reminder", query);
    const [, options] = get.mock.calls[0]!;
    expect(onTheWire(options.params.query)).toBe("caller_name=%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2%D0%B0&scenario=debt-reminder&page_size=50");
    const sent = new URL(callsCsvUrl("debt-reminder", "Europe/Moscow", "semicolon", query), "http://designer").searchParams;
    expect([sent.get("caller_name"), sent.has("caller")]).toEqual(["Петрова", false]);
  });

  it("shows the caller's name beside their number, whole on hover", () => {
    const named = summary("c1", { caller_id: "+79161234567", caller_name: "Петрова Юлия", dialed_number: "+74951234567" });
    const html = renderToHtml(CallTable, { items: [named, summary("c2")], openId: null, onOpen: () => undefined });
    const cells = [...html.matchAll(/<td class="call-numbers"[^>]*>(.*?)<\/td>/g)].map((m) => m[1]!);
    expect(cells[0]).toBe(
      '+79161234567 <span class="call-name" data-testid="call-name" title="Петрова Юлия">Петрова Юлия</span>\u00a0→' +
        '<span class="call-dialled" data-testid="call-dialled">+74951234567</span>',
    );
    expect(cells[1]).toBe("5551234"); // no name sent
  });

  it("shows no name that only repeats the number, and a name as text, never markup", () => {
    expect(callerName(summary("c1", { caller_name: " 5551234 " }))).toBeNull();
    expect(callerName(summary("c1", { caller_name: "  " }))).toBeNull();
    expect(callerName(summary("c1", { caller_name: " Ivan " }))).toBe("Ivan");
    const html = renderToHtml(CallTable, { items: [summary("c1", { caller_name: '<img src=x onerror="alert(1)">' })], openId: null, onOpen: () => undefined });
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x");
  });

  it("says the search field takes a number or a name, in each language", () => {
    const field = (language: "en" | "es" | "ru") => {
      const html = renderInLanguage(language, CallFiltersForm, { filters: NO_FILTERS, onChange: () => undefined });
      return /<label>([^<]*)<input type="search" placeholder="([^"]*)"/.exec(html)!.slice(1);
    };
    expect(field("en")).toEqual(["Number or name", "A number (caller or dialled) or the caller&#x27;s name"]);
    expect(field("es")).toEqual(["Número o nombre", "Un número (llamante o marcado) o el nombre del llamante"]);
    expect(field("ru")).toEqual(["Номер или имя", "Номер (кто звонил или кому) или имя звонящего"]);
  });
});

describe("calls where a step took its block's error exit (a supervisor: \"where did the data source fail?\")", () => {
  it("asks the list for them, or for those without, as `with_errors`; every call when none is chosen", async () => {
    expect(filterQuery({ ...NO_FILTERS, withErrors: "true" }, "UTC")).toEqual({ with_errors: true });
    expect(filterQuery({ ...NO_FILTERS, withErrors: "false", status: "answered" }, "UTC")).toEqual({ status: "answered", with_errors: false });
    expect(filterQuery(NO_FILTERS, "UTC")).not.toHaveProperty("with_errors");
    await calls("debt-reminder", filterQuery({ ...NO_FILTERS, withErrors: "false" }, "UTC"));
    const [, options] = get.mock.calls[0]!;
    expect(onTheWire(options.params.query)).toBe("with_errors=false&scenario=debt-reminder&page_size=50");
  });

  it("downloads the same calls as the list shows: without errors is a filter too, not every call", () => {
    const hrefs = (filters: CallFilters) => {
      const html = renderToHtml(CallDownloads, { slug: "debt-reminder", query: filterQuery(filters, "UTC") });
      return [...html.matchAll(/href="([^"]+)"/g)].map((m) => new URL(m[1]!.replace(/&amp;/g, "&"), "http://designer"));
    };
    const without = hrefs({ ...NO_FILTERS, withErrors: "false", status: "answered" });
    expect(without.map((url) => url.pathname)).toEqual(["/api/calls.csv", "/api/calls.xlsx"]);
    expect(without.map((url) => [url.searchParams.get("with_errors"), url.searchParams.get("status")])).toEqual([["false", "answered"], ["false", "answered"]]);
    expect(hrefs({ ...NO_FILTERS, withErrors: "true" }).map((url) => url.searchParams.getAll("with_errors"))).toEqual([["true"], ["true"]]);
    expect(hrefs(NO_FILTERS).every((url) => !url.searchParams.has("with_errors"))).toBe(true);
  });

  it("is offered as every call, with errors or without, each explained on hover, in each language", () => {
    const errors = (language: "en" | "es" | "ru", filters = NO_FILTERS) => {
      const html = renderInLanguage(language, CallFiltersForm, { filters, onChange: () => undefined });
      const [, label, options] = [...html.matchAll(/<label>([^<]*)<select>(.*?)<\/select>/g)].at(-1)!; // after the status
      const offered = [...options!.matchAll(/<option value="([^"]*)"(?: title="[^"]*")?( selected="")?>([^<]*)</g)];
      return [label, ...offered.map((m) => `${m[1]}=${m[3]}${m[2] ? " (chosen)" : ""}`)];
    };
    expect(errors("en")).toEqual(["Errors", "=All calls (chosen)", "true=With errors", "false=Without errors"]);
    expect(errors("es", { ...NO_FILTERS, withErrors: "true" })).toEqual(["Errores", "=Todas las llamadas", "true=Con errores (chosen)", "false=Sin errores"]);
    expect(errors("ru", { ...NO_FILTERS, withErrors: "false" })).toEqual(["Ошибки", "=Все звонки", "true=С ошибками", "false=Без ошибок (chosen)"]);
    const html = renderToHtml(CallFiltersForm, { filters: NO_FILTERS, onChange: () => undefined });
    expect(html).toContain('<option value="true" title="A step took its block&#x27;s error exit (a data source or a service failed), whatever became of the call">');
  });

  it("marks each such call in the list, in words a screen reader says whole, not by colour alone", () => {
    const items = [summary("c1", { error_steps: 2 }), summary("c2", { error_steps: 0 }), summary("c3", { error_steps: null }), summary("c4", { error_steps: 1 })];
    const html = renderToHtml(CallTable, { items, openId: null, onOpen: () => undefined });
    const rows = [...html.matchAll(/<tr data-call-id="(c\d)">(.*?)<\/tr>/g)];
    const marks = rows.map(([, id, row]) => [id, /<span class="call-error-steps"[^>]*>[^<]*<\/span>/.exec(row!)?.[0] ?? null]);
    expect(marks).toEqual([
      ["c1", '<span class="call-error-steps" role="img" aria-label="2 steps took an error exit" title="2 steps took an error exit" data-testid="call-error-steps">\u26a0\ufe0e 2 errors</span>'],
      ["c2", null],
      ["c3", null], // not known: a call recorded before errors were counted
      ["c4", '<span class="call-error-steps" role="img" aria-label="1 step took an error exit" title="1 step took an error exit" data-testid="call-error-steps">\u26a0\ufe0e 1 error</span>'],
    ]);
  });

  it("says the mark in the reader's language, with its plural forms", () => {
    const mark = (language: "es" | "ru", n: number) => {
      const html = renderInLanguage(language, CallTable, { items: [summary("c1", { error_steps: n })], openId: null, onOpen: () => undefined });
      return /<span class="call-error-steps" role="img" aria-label="([^"]*)"[^>]*>([^<]*)<\/span>/.exec(html)!.slice(1);
    };
    expect(mark("es", 3)).toEqual(["3 pasos salieron por una salida «Error»", "\u26a0\ufe0e 3 errores"]);
    expect(mark("ru", 1)).toEqual(["1 шаг ушёл по выходу «Ошибка»", "\u26a0\ufe0e 1 ошибка"]);
    expect(mark("ru", 5)).toEqual(["5 шагов ушли по выходу «Ошибка»", "\u26a0\ufe0e 5 ошибок"]);
  });
});
