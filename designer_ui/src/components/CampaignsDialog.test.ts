import { describe, expect, it } from "vitest";
import type { ScenarioSummary } from "../api/types";
import {
  AnswersTable,
  CalledSummary,
  CampaignDetails,
  CampaignsDialog,
  CampaignTable,
  StatusBar,
  StatusCounts,
  StopConfirmation,
} from "./CampaignsDialog";
import { campaignOf, runInTimeZone } from "../testSupport";
import { buttonTexts, renderToHtml } from "./renderForTest";

runInTimeZone("Europe/Madrid");

const campaign = campaignOf;

const scenario: ScenarioSummary = {
  slug: "debt-reminder",
  name: "Debt reminder",
  description: "",
  draft_revision: 3,
  updated_at: "2026-01-05T10:00:00Z",
  updated_by: "ana",
  latest_version: 2,
  missing_block_types: [],
};

const counts = (html: string) =>
  [...html.matchAll(/data-status="(\w+)"[^>]*>.*?<strong class="count">([^<]*)<\/strong>/gs)].map((m) => [m[1], m[2]]);
const details = (change: Partial<Parameters<typeof CampaignDetails>[0]> = {}) =>
  renderToHtml(CampaignDetails, {
    campaign: campaign({ pending: 3 }),
    role: "publisher",
    updatedAt: new Date(2026, 11, 5, 10, 30, 15),
    refreshing: false,
    stopped: null,
    onRefresh: () => {},
    onStop: async () => {},
    ...change,
  });

describe("the clients by status", () => {
  it("names every status with its count, in the dialer's order, and marks the empty ones", () => {
    const html = renderToHtml(StatusCounts, { campaign: campaign({ done: 1_240, pending: 3 }) });
    expect(counts(html)).toEqual([
      ["pending", "3"],
      ["dialing", "0"],
      ["done", "1,240"],
      ["failed", "0"],
      ["expired", "0"],
      ["cancelled", "0"],
    ]);
    expect(html).toContain('<li data-status="pending" title="Not called yet, or waiting for the next attempt">');
    expect(html).toContain('<li data-status="dialing" class="zero"');
    expect(html).toMatch(/data-status="done"[^>]*>.*?Reached/s);
  });

  it("draws one stretch per status that has clients, as wide as its share, and says the counts", () => {
    const html = renderToHtml(StatusBar, { campaign: campaign({ pending: 1, done: 3 }) });
    expect(html).toContain('aria-label="Waiting: 1, Reached: 3"');
    expect([...html.matchAll(/<span class="status-(\w+)" style="width:([\d.]+)%"/g)].map((m) => [m[1], m[2]])).toEqual([
      ["pending", "25"],
      ["done", "75"],
    ]);
  });
});

describe("the list of campaigns", () => {
  const running = { ...campaign({ pending: 2, done: 1 }, {}, "new"), name: "debts-november", created_by: "ana", next_due: "2026-12-02T08:30:00Z" };
  const list = [running, campaign({ done: 4, cancelled: 1 }, {}, "old")];
  const table = (change: Partial<Parameters<typeof CampaignTable>[0]> = {}) =>
    renderToHtml(CampaignTable, { campaigns: list, selectedId: "old", onSelect: () => {}, ...change });
  const html = table();
  const nameCell = (id: string) => new RegExp(`data-campaign="${id}"><td class="campaign-name">(.*?)</td>`).exec(html)?.[1] ?? "";

  it("shows when each list was imported, its clients, how far it got, and its state", () => {
    const rows = [...html.matchAll(/<tr class="[^"]*" data-campaign="(\w+)">|<tr data-campaign="(\w+)">/g)].map((m) => m[1] ?? m[2]);
    expect(rows).toEqual(["new", "old"]);
    expect(html).toContain("<td>Dec 1, 2026, 9:00 AM</td>");
    expect(html).toContain("1/3");
    // Stopped with one client cancelled: four called of five, not five "handled".
    expect(html).toMatch(/data-campaign="old">.*?<span class="muted">4\/5<\/span>/s);
    expect(html).toContain("In progress");
    expect(html).toContain("Stopped");
  });

  it("names each campaign, with who started it when known", () => {
    expect(nameCell("new")).toBe('<button type="button" class="link">debts-november</button><span class="muted small">by ana</span>');
    expect(nameCell("old")).toBe('<button type="button" class="link" aria-current="true">Call list of Dec 1, 2026</button>');
  });

  it("says when the next client is due while a campaign runs, in the browser's time", () => {
    expect(html).toContain('In progress<span class="muted small next-call">Next call: Dec 2, 2026, 9:30 AM</span>');
    expect(html.match(/Next call/g)).toHaveLength(1);
  });

  it("marks the campaign shown", () => {
    expect(html).toMatch(/<tr class="selected" data-campaign="old"><td class="campaign-name"><button type="button" class="link" aria-current="true">/);
    expect(html).not.toMatch(/data-campaign="new"><td[^>]*><button[^>]*aria-current/);
  });

  it("offers the next page only while there may be more (a page came back full)", () => {
    expect(buttonTexts(table({ more: true, onMore: () => {} })).at(-1)).toBe("Show more");
    expect(buttonTexts(table({ more: false, onMore: () => {} }))).not.toContain("Show more");
    expect(buttonTexts(html)).not.toContain("Show more");
    expect(table({ more: true, loadingMore: true, onMore: () => {} })).toContain('<button type="button" class="show-more" disabled="">Loading more…</button>');
  });
});

describe("the answers", () => {
  it("lists them the most frequent first with their share of the list, as text, never as markup", () => {
    const html = renderToHtml(AnswersTable, { campaign: campaign({ done: 6, pending: 4 }, { confirmed: 1, will_pay: 4, "<b>x</b>": 1 }) });
    const rows = [...html.matchAll(/<tr data-result="([^"]*)"><td><code>(.*?)<\/code><\/td><td class="num">(\d+)<\/td><td>.*?(\d+%)<\/td>/g)];
    expect(rows.map((m) => [m[2], m[3], m[4]])).toEqual([
      ["will_pay", "4", "40%"],
      ["&lt;b&gt;x&lt;/b&gt;", "1", "10%"],
      ["confirmed", "1", "10%"],
    ]);
    expect(html).not.toContain("<b>");
  });

  it("says when there are none yet, and counts the clients reached who gave none", () => {
    expect(renderToHtml(AnswersTable, { campaign: campaign({ pending: 3 }) })).toContain("No answers yet.");
    const html = renderToHtml(AnswersTable, { campaign: campaign({ done: 3 }, { will_pay: 1 }) });
    expect(html).toContain("Reached without an answer recorded: 2 clients.");
  });

  it("counts those who gave none among every client reached, a client waiting for a promised callback too", () => {
    const reached = { ...campaign({ done: 2, pending: 1 }, { will_pay: 1, operator_unavailable: 1 }), reached: 3 };
    expect(renderToHtml(AnswersTable, { campaign: reached })).toContain("Reached without an answer recorded: 1 client.");
  });
});

describe("one campaign followed", () => {
  it("is titled with the campaign's name, and says who started it, when, and when the next client is due", () => {
    const named = { ...campaign({ pending: 3 }), name: "debts-november", created_by: "ana", next_due: "2026-12-02T08:30:00Z" };
    const html = details({ campaign: named });
    expect(html).toContain('aria-label="debts-november"');
    expect(html).toContain("<h3>debts-november</h3>");
    expect(html).toContain('data-testid="campaign-started">Imported Dec 1, 2026, 9:00 AM by ana · Next call: Dec 2, 2026, 9:30 AM</p>');
  });

  it("without a name, is titled as the call list of its day; nobody named, no next call once over", () => {
    const html = details({ campaign: campaign({ done: 3 }) });
    expect(html).toContain("<h3>Call list of Dec 1, 2026</h3>");
    expect(html).toContain('data-testid="campaign-started">Imported Dec 1, 2026, 9:00 AM</p>');
  });

  it("offers the report as a plain link to its CSV, a refresh, and to a publisher a stop while clients wait", () => {
    const html = details();
    // No file name of its own: the server's (the campaign's name) is the one the browser saves under.
    expect(html).toMatch(/<a class="button" href="\/api\/callbacks\/campaigns\/c-1\.csv\?lang=en" download="">Download report \(CSV\)<\/a>/);
    expect(buttonTexts(html)).toEqual(["Refresh", "Stop campaign…"]);
    expect(html).toContain("3 clients · Called: 0 of 3 (0%) · <code");
    expect(html).toContain('data-testid="campaign-state">In progress<');
    expect(html).toContain("Updated every 15 seconds while clients remain to be called.");
  });

  it.each(["viewer", "editor"] as const)("lets a %s look but not stop", (role) => {
    const html = details({ role });
    expect(buttonTexts(html)).toEqual(["Refresh"]);
    expect(html).toContain("Download report (CSV)");
  });

  it("offers no stop once nobody waits, even while a call is in progress", () => {
    expect(buttonTexts(details({ role: "admin", campaign: campaign({ dialing: 1, cancelled: 2 }) }))).toEqual(["Refresh"]);
  });

  it("says how many clients the stop spared, and that a finished campaign no longer updates by itself", () => {
    const html = details({ campaign: campaign({ done: 1, cancelled: 3 }), stopped: 3 });
    expect(html).toContain("Stopped: 3 clients will not be called.");
    expect(html).toContain('data-testid="campaign-state">Stopped<');
    expect(html).not.toContain("Updated every 15 seconds");
  });

  it("tells the clients a stop cancelled apart from those called: stopped before any call, none was called", () => {
    const summary = (html: string) => /data-testid="campaign-summary">(.*?)<\/p>/s.exec(html)?.[1]?.replace(/<[^>]+>/g, "");
    expect(summary(details({ campaign: campaign({ cancelled: 3 }) }))).toBe("3 clients · Called: 0 of 3 (0%) · 3 clients cancelled by the stop · c-1");
    expect(summary(details({ campaign: campaign({ done: 1, failed: 1, expired: 1, cancelled: 1 }) }))).toBe(
      "4 clients · Called: 3 of 4 (75%) · 1 client cancelled by the stop · c-1",
    );
    expect(summary(details({ campaign: campaign({ done: 2, pending: 2 }) }))).toBe("4 clients · Called: 2 of 4 (50%) · c-1");
  });

  it("shows a refresh under way on its button", () => {
    expect(details({ refreshing: true })).toMatch(/<button type="button" disabled="">Refreshing…<\/button>/);
  });
});

describe("the question before a stop", () => {
  it("says how many clients will not be called, and that a call in progress goes on", () => {
    const html = renderToHtml(StopConfirmation, { waiting: 1, stopping: false, onConfirm: () => {}, onCancel: () => {} });
    expect(html).toContain("Stop this campaign? 1 client not called yet will not be called. A call in progress goes on.");
    expect(buttonTexts(html)).toEqual(["Stop: do not call 1 client", "Keep calling"]);
  });

  it("cannot be answered twice while the stop is on its way", () => {
    const html = renderToHtml(StopConfirmation, { waiting: 3, stopping: true, onConfirm: () => {}, onCancel: () => {} });
    expect(buttonTexts(html)).toEqual(["Stopping…", "Keep calling"]);
    expect(html.match(/disabled=""/g)).toHaveLength(2);
  });
});

describe("the dialog as it opens", () => {
  it("is titled with the scenario and loads before it shows anything", () => {
    const html = renderToHtml(CampaignsDialog, { scenario, role: "viewer", onClose: () => {} });
    expect(html).toContain("Campaigns of “Debt reminder”");
    expect(html).toContain("Loading the campaigns…");
    expect(buttonTexts(html)).toEqual(["Close"]);
  });
});

describe("a campaign's failed calls and its stop, as the supervisor reads them (review of 2026-12-12)", () => {
  it("says the calls that failed apart from the clients reached", () => {
    const c = { ...campaign({ done: 3 }, { will_pay: 1 }), reached: 1, failed_calls: 2 };
    const html = renderToHtml(AnswersTable, { campaign: c });
    expect(html).toContain("The call failed: 2 clients.");
    expect(html).not.toContain("Reached without an answer recorded");
  });

  it("counts every client rung as called, and as cancelled by the stop only the never rung", () => {
    const stopped = { ...campaign({ done: 10, cancelled: 50 }), dialled: 20, spared: 40 };
    const html = renderToHtml(CalledSummary, { campaign: stopped });
    expect(html).toContain("Called: 20 of 60 (33%)");
    expect(html).toContain("40 clients cancelled by the stop");
  });
});
