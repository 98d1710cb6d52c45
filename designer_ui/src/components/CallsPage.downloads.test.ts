/**
 * The Call records page downloads the calls it lists, as the editor's Calls tab does a scenario's: every scenario's
 * (or the one chosen), with the page's filters and range on the browser's clock, titled in the designer's language.
 * A support engineer who found a client's calls across the campaigns had no file of them to attach to the ticket.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { callsCsvUrl, callsXlsxUrl } from "../api/client";
import type { User } from "../api/types";
import type { Language } from "../lib/i18n";
import { runInTimeZone } from "../testSupport";
import { CallDownloads } from "./CallsPanel";
import { CallsPage, downloadsOf } from "./CallsPage";
import { renderInLanguage, renderToHtml } from "./renderForTest";

runInTimeZone("Europe/Madrid");

afterEach(() => {
  vi.unstubAllGlobals();
});

const user: User = { id: 2, username: "ana", role: "viewer", active: true, sees_personal_data: true };

/** Where each download link of the page at address `#/calls?<query>` leads, in `language`. */
function downloads(query: string, language: Language = "en"): URL[] {
  const html = renderInLanguage(language, CallsPage, { query, user });
  return [...html.matchAll(/<a class="button" href="([^"]*)" download="">/g)].map((m) => new URL(m[1]!.replace(/&amp;/g, "&"), "http://designer"));
}

const params = (url: URL) => Object.fromEntries(url.searchParams);

describe("the Call records page's downloads", () => {
  it("are every scenario's calls when none is chosen: no `scenario` at all, on the browser's clock", () => {
    vi.stubGlobal("navigator", { language: "en-GB" });
    const [csv, xlsx] = downloads("");
    expect([csv!.pathname, xlsx!.pathname]).toEqual(["/api/calls.csv", "/api/calls.xlsx"]);
    expect(params(csv!)).toEqual({ tz: "Europe/Madrid", lang: "en" });
    expect(params(xlsx!)).toEqual({ tz: "Europe/Madrid", lang: "en" });
  });

  it("carry the page's filters and range as the list asks for them", () => {
    vi.stubGlobal("navigator", { language: "es-ES" });
    const address =
      "scenario=hotline&from=2026-12-07T15:30&to=2026-12-07T16:00&caller=%2B34600111222&uniqueid=1795295104.117" +
      "&status=missed&result=will_pay&with_errors=false&scheduled_job_id=7f3e-1";
    const [csv, xlsx] = downloads(address, "es");
    const asked = {
      scenario: "hotline",
      since: "2026-12-07T15:30:00",
      until: "2026-12-07T16:01:00", // the `to` minute included, as the list reads it
      caller: "+34600111222",
      uniqueid: "1795295104.117",
      status: "missed",
      result: "will_pay",
      with_errors: "false",
      scheduled_job_id: "7f3e-1",
      tz: "Europe/Madrid",
      lang: "es",
    };
    expect(params(csv!)).toEqual({ ...asked, delimiter: "semicolon" }); // as a Spanish Excel splits
    expect(params(xlsx!)).toEqual(asked);
  });

  it("find a caller by name as the list does, in Russian", () => {
    const [csv, xlsx] = downloads("caller=%D0%BF%D0%B5%D1%82%D1%80%D0%BE%D0%B2%D0%B0", "ru");
    for (const url of [csv!, xlsx!]) {
      expect([url.searchParams.get("caller_name"), url.searchParams.has("caller"), url.searchParams.get("lang")]).toEqual(["петрова", false, "ru"]);
      expect(url.searchParams.has("scenario")).toBe(false);
    }
  });

  it("are not offered while the range ends before it starts: the list says so, and has no calls to give", () => {
    const html = renderToHtml(CallsPage, { query: "from=2026-12-07T16:00&to=2026-12-07T15:00", user });
    expect(html).not.toContain("/api/calls.csv");
    expect(html).not.toContain("/api/calls.xlsx");
    expect(downloads("from=2026-12-07T15:00&to=2026-12-07T16:00").map((url) => url.pathname)).toEqual(["/api/calls.csv", "/api/calls.xlsx"]);
  });

  it("are those of the list's query: its scenario or none, its clock, the rest of its filters", () => {
    expect(downloadsOf({ tz: "America/Bogota", status: "answered" })).toEqual({ slug: null, zone: "America/Bogota", query: { status: "answered" } });
    expect(downloadsOf({ tz: "UTC", scenario: "hotline", uniqueid: "1.2" })).toEqual({ slug: "hotline", zone: "UTC", query: { uniqueid: "1.2" } });
  });
});

describe("CallDownloads, shared with a scenario's Calls tab", () => {
  it("downloads a scenario's calls when given one, every scenario's when not, on the clock given", () => {
    const hrefs = (props: Parameters<typeof CallDownloads>[0]) =>
      [...renderToHtml(CallDownloads, props).matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
    expect(hrefs({ slug: "hotline", query: { status: "missed" }, zone: "UTC" })).toEqual([
      "/api/calls.csv?scenario=hotline&status=missed&tz=UTC&lang=en",
      "/api/calls.xlsx?scenario=hotline&status=missed&tz=UTC&lang=en",
    ]);
    const everyScenario = ["/api/calls.csv?tz=Asia%2FTokyo&lang=en", "/api/calls.xlsx?tz=Asia%2FTokyo&lang=en"];
    expect(hrefs({ query: {}, zone: "Asia/Tokyo" })).toEqual(everyScenario);
    expect(hrefs({ slug: null, query: {}, zone: "Asia/Tokyo" })).toEqual(everyScenario);
  });

  it("leaves out an empty scenario rather than asking for one named \"\"", () => {
    expect(callsCsvUrl("", "UTC")).toBe("/api/calls.csv?tz=UTC");
    expect(callsXlsxUrl(null, "UTC", { uniqueid: "1795295104.117" }, "es")).toBe("/api/calls.xlsx?uniqueid=1795295104.117&tz=UTC&lang=es");
  });
});
