/**
 * The CSV downloads as a supervisor's Excel opens them: split on the separator the Excel of their locale splits on
 * (`;` in Spain or Russia, where a comma file opens as one column). Beside each, the same as an Excel workbook
 * (.xlsx), whose typed cells need no separator.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { CallDownloads } from "../components/CallsPanel";
import { CampaignDetails } from "../components/CampaignsDialog";
import { renderInLanguage, renderToHtml } from "../components/renderForTest";
import { campaignOf } from "../testSupport";
import {
  browserCsvDelimiter,
  browserTimeZone,
  callsCsvUrl,
  callsXlsxUrl,
  campaignReportUrl,
  campaignReportXlsxUrl,
  csvDelimiterFor,
} from "./client";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the delimiter a locale's Excel splits on", () => {
  it.each([
    ["es-ES", "semicolon"],
    ["ru-RU", "semicolon"],
    ["ru", "semicolon"],
    ["de-DE", "semicolon"],
    ["pt-BR", "semicolon"],
    ["en-US", "comma"],
    ["en-GB", "comma"],
    ["es-MX", "comma"], // Mexico writes 1.5: its Excel splits on commas
    ["de-CH", "comma"],
  ] as const)("%s: %s", (locale, delimiter) => {
    expect(csvDelimiterFor(locale)).toBe(delimiter);
  });

  it("is a comma when the locale is unknown or unreadable", () => {
    expect(csvDelimiterFor(undefined)).toBe("comma");
    expect(csvDelimiterFor("")).toBe("comma");
    expect(csvDelimiterFor("not a locale!")).toBe("comma");
  });

  it("follows the browser's language, and is a comma where there is no browser", () => {
    expect(browserCsvDelimiter()).toBe("comma"); // Node 20: no navigator
    vi.stubGlobal("navigator", { language: "es-ES" });
    expect(browserCsvDelimiter()).toBe("semicolon");
    vi.stubGlobal("navigator", { language: "en-US" });
    expect(browserCsvDelimiter()).toBe("comma");
  });
});

describe("the campaign report's link", () => {
  it("asks for semicolons only when they are wanted, the id kept in its path", () => {
    expect(campaignReportUrl("c-1")).toBe("/api/callbacks/campaigns/c-1.csv");
    expect(campaignReportUrl("c-1", "comma")).toBe("/api/callbacks/campaigns/c-1.csv");
    expect(campaignReportUrl("c/1", "semicolon")).toBe("/api/callbacks/campaigns/c%2F1.csv?delimiter=semicolon");
  });

  const link = (html: string) => /<a class="button" href="([^"]*)" download="">/.exec(html)?.[1];
  const details = () =>
    renderToHtml(CampaignDetails, {
      campaign: campaignOf({ pending: 3 }),
      role: "viewer",
      updatedAt: new Date(2026, 11, 5, 10, 30, 15),
      refreshing: false,
      stopped: null,
      onRefresh: () => {},
      onStop: async () => {},
    });

  it("in a Spanish or Russian browser, downloads a report split on semicolons", () => {
    vi.stubGlobal("navigator", { language: "es-ES" });
    expect(link(details())).toBe("/api/callbacks/campaigns/c-1.csv?delimiter=semicolon&amp;lang=en"); // an English designer; &amp;: as the markup writes it
    vi.stubGlobal("navigator", { language: "ru-RU" });
    expect(link(details())).toBe("/api/callbacks/campaigns/c-1.csv?delimiter=semicolon&amp;lang=en");
  });

  it("in an English one, downloads it split on commas", () => {
    vi.stubGlobal("navigator", { language: "en-US" });
    expect(link(details())).toBe("/api/callbacks/campaigns/c-1.csv?lang=en");
  });
});

describe("the call register's download", () => {
  it("asks for the scenario's calls on the browser's clock, split as its Excel splits", () => {
    expect(callsCsvUrl("inbound-hotline", "Europe/Madrid", "semicolon")).toBe(
      "/api/calls.csv?scenario=inbound-hotline&tz=Europe%2FMadrid&delimiter=semicolon",
    );
    expect(callsCsvUrl("hotline", "UTC")).toBe("/api/calls.csv?scenario=hotline&tz=UTC");
  });

  it("takes the browser's time zone, UTC when it has none", () => {
    expect(browserTimeZone()).toMatch(/^[A-Za-z_]+(\/[A-Za-z_+-]+)*$|^UTC$/);
    vi.stubGlobal("Intl", { ...Intl, DateTimeFormat: () => ({ resolvedOptions: () => ({ timeZone: "" }) }) });
    expect(browserTimeZone()).toBe("UTC");
  });
});

/** Each download link of some markup: its text and where it leads. */
const downloads = (html: string) =>
  [...html.matchAll(/<a class="button" href="([^"]*)" download="">([^<]*)<\/a>/g)].map((m) => `${m[2]} -> ${m[1]}`);

describe("the Excel (.xlsx) downloads beside the CSV ones", () => {
  it("ask for a workbook with no delimiter, the campaign's id kept in its path", () => {
    expect(campaignReportXlsxUrl("c-1")).toBe("/api/callbacks/campaigns/c-1.xlsx");
    expect(campaignReportXlsxUrl("c/1")).toBe("/api/callbacks/campaigns/c%2F1.xlsx");
    expect(callsXlsxUrl("hotline", "Europe/Madrid")).toBe("/api/calls.xlsx?scenario=hotline&tz=Europe%2FMadrid");
  });

  it("ask for the calls the CSV would hold: the same filters, on the same clock", () => {
    const filters = { since: "2026-03-28T00:00:00+01:00", status: "missed" as const, caller: "+34 600", caller_name: "" };
    const csv = new URL(callsCsvUrl("hotline", "Europe/Madrid", "semicolon", filters), "http://designer");
    const xlsx = new URL(callsXlsxUrl("hotline", "Europe/Madrid", filters), "http://designer");
    expect(xlsx.pathname).toBe("/api/calls.xlsx");
    csv.searchParams.delete("delimiter"); // what separates a CSV's cells: a workbook has none
    expect(xlsx.search).toBe(csv.search);
    expect(xlsx.searchParams.has("caller_name")).toBe(false); // an empty filter is no filter
  });

  it("are offered beside the CSV in the Calls panel, whatever the browser's locale", () => {
    vi.stubGlobal("navigator", { language: "es-ES" });
    const html = renderToHtml(CallDownloads, { slug: "hotline", query: { result: "will_pay" } });
    const tz = encodeURIComponent(browserTimeZone());
    expect(downloads(html)).toEqual([
      `Download CSV -> /api/calls.csv?scenario=hotline&amp;result=will_pay&amp;tz=${tz}&amp;delimiter=semicolon&amp;lang=en`,
      `Download Excel (.xlsx) -> /api/calls.xlsx?scenario=hotline&amp;result=will_pay&amp;tz=${tz}&amp;lang=en`,
    ]);
  });

  it("are offered beside the campaign report's CSV", () => {
    const html = renderToHtml(CampaignDetails, {
      campaign: campaignOf({ pending: 3 }),
      role: "viewer",
      updatedAt: new Date(2026, 11, 5, 10, 30, 15),
      refreshing: false,
      stopped: null,
      onRefresh: () => {},
      onStop: async () => {},
    });
    expect(downloads(html)).toEqual([
      "Download report (CSV) -> /api/callbacks/campaigns/c-1.csv?lang=en",
      "Download report (Excel .xlsx) -> /api/callbacks/campaigns/c-1.xlsx?lang=en",
    ]);
  });

  it.each([
    ["es", ["Descargar CSV", "Descargar Excel (.xlsx)"]],
    ["ru", ["Скачать CSV", "Скачать Excel (.xlsx)"]],
  ] as const)("are named in the analyst's language: %s", (language, names) => {
    const html = renderInLanguage(language, CallDownloads, { slug: "hotline", query: {} });
    expect(downloads(html).map((link) => link.split(" -> ")[0])).toEqual(names);
  });
});
