/**
 * The CSV downloads as a supervisor's Excel opens them: split on the separator the Excel of their locale splits on
 * (`;` in Spain or Russia, where a comma file opens as one column).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { CampaignDetails } from "../components/CampaignsDialog";
import { renderToHtml } from "../components/renderForTest";
import { campaignOf } from "../testSupport";
import { browserCsvDelimiter, browserTimeZone, callsCsvUrl, campaignReportUrl, csvDelimiterFor } from "./client";

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
    expect(link(details())).toBe("/api/callbacks/campaigns/c-1.csv?delimiter=semicolon");
    vi.stubGlobal("navigator", { language: "ru-RU" });
    expect(link(details())).toBe("/api/callbacks/campaigns/c-1.csv?delimiter=semicolon");
  });

  it("in an English one, downloads it split on commas", () => {
    vi.stubGlobal("navigator", { language: "en-US" });
    expect(link(details())).toBe("/api/callbacks/campaigns/c-1.csv");
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
