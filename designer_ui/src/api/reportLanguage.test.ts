/**
 * The report downloads ask for the designer's language: a Spanish supervisor's campaign report opened in Excel read
 * `status`, `done`, `hung_up` (review, 2026-12). The server titles the columns and labels the codes in it; without
 * `lang` (the API's `raw`) it keeps the codes API clients and scripts parse.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { CallDownloads } from "../components/CallsPanel";
import { CampaignDetails } from "../components/CampaignsDialog";
import { renderInLanguage } from "../components/renderForTest";
import { LANGUAGES, type Language } from "../lib/i18n";
import { campaignOf } from "../testSupport";
import { callsCsvUrl, callsXlsxUrl, campaignReportUrl, campaignReportXlsxUrl, type ReportLanguage } from "./client";

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Where each download link of some markup leads, as a URL. */
const links = (html: string) =>
  [...html.matchAll(/<a class="button" href="([^"]*)" download="">/g)].map((m) => new URL(m[1]!.replace(/&amp;/g, "&"), "http://designer"));

const campaignDetails = (language: Language) =>
  renderInLanguage(language, CampaignDetails, {
    campaign: campaignOf({ pending: 3 }),
    role: "viewer",
    updatedAt: new Date(2026, 11, 5, 10, 30, 15),
    refreshing: false,
    stopped: null,
    onRefresh: () => {},
    onStop: async () => {},
  });

describe("the report links ask for the designer's language", () => {
  it("every language of the designer is one the server writes reports in", () => {
    // A type check as much as a test: a designer language the API's `lang` does not take would not compile here.
    const asked: ReportLanguage[] = Object.keys(LANGUAGES) as Language[];
    expect(asked).toEqual(["en", "es", "ru"]);
  });

  it.each(["en", "es", "ru"] as const)("the campaign's CSV and workbook, in %s", (language) => {
    vi.stubGlobal("navigator", { language: "es-ES" });
    const [csv, xlsx] = links(campaignDetails(language));
    expect([csv!.pathname, csv!.searchParams.get("lang"), csv!.searchParams.get("delimiter")]).toEqual([
      "/api/callbacks/campaigns/c-1.csv",
      language,
      "semicolon",
    ]);
    expect([xlsx!.pathname, xlsx!.search]).toEqual(["/api/callbacks/campaigns/c-1.xlsx", `?lang=${language}`]);
  });

  it.each(["es", "ru"] as const)("the calls' CSV and workbook, in %s, with their filters and clock", (language) => {
    const [csv, xlsx] = links(renderInLanguage(language, CallDownloads, { slug: "hotline", query: { status: "missed" } }));
    for (const url of [csv!, xlsx!]) {
      expect(url.searchParams.get("lang")).toBe(language);
      expect(url.searchParams.get("status")).toBe("missed");
      expect(url.searchParams.get("scenario")).toBe("hotline");
    }
    expect([csv!.pathname, xlsx!.pathname]).toEqual(["/api/calls.csv", "/api/calls.xlsx"]);
  });
});

describe("the report URLs", () => {
  it("add the language when given, and leave it out for raw, the API's default", () => {
    expect(campaignReportUrl("c/1", "comma", "es")).toBe("/api/callbacks/campaigns/c%2F1.csv?lang=es");
    expect(campaignReportUrl("c-1", "semicolon", "ru")).toBe("/api/callbacks/campaigns/c-1.csv?delimiter=semicolon&lang=ru");
    expect(campaignReportXlsxUrl("c-1", "es")).toBe("/api/callbacks/campaigns/c-1.xlsx?lang=es");
    expect(callsCsvUrl("hotline", "UTC", "comma", {}, "ru")).toBe("/api/calls.csv?scenario=hotline&tz=UTC&lang=ru");
    expect(callsXlsxUrl("hotline", "UTC", {}, "es")).toBe("/api/calls.xlsx?scenario=hotline&tz=UTC&lang=es");
    expect(campaignReportUrl("c-1", "comma", "raw")).toBe("/api/callbacks/campaigns/c-1.csv");
    expect(campaignReportXlsxUrl("c-1")).toBe("/api/callbacks/campaigns/c-1.xlsx");
    expect(callsXlsxUrl("hotline", "UTC")).toBe("/api/calls.xlsx?scenario=hotline&tz=UTC");
  });
});
