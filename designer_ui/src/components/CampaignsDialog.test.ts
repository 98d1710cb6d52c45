import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ScenarioSummary } from "../api/types";
import {
  AnswersTable,
  CampaignDetails,
  CampaignsDialog,
  CampaignTable,
  ProgressSummary,
  StatusBar,
  StatusCounts,
  StopConfirmation,
} from "./CampaignsDialog";
import { campaignOf, runInTimeZone } from "../testSupport";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";

runInTimeZone("Europe/Madrid");
// "Today" for the moments of this year, which are shown without it.
beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-12-07T12:00:00Z"));
});
afterAll(() => vi.useRealTimers());

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
type DetailsProps = Parameters<typeof CampaignDetails>[0];
const detailsProps = (change: Partial<DetailsProps> = {}): DetailsProps => ({
  campaign: campaign({ pending: 3 }),
  role: "publisher",
  updatedAt: new Date(2026, 11, 5, 10, 30, 15),
  refreshing: false,
  stopped: null,
  onRefresh: () => {},
  onStop: async () => {},
  onPause: async () => {},
  onResume: async () => {},
  ...change,
});
const details = (change: Partial<DetailsProps> = {}) => renderToHtml(CampaignDetails, detailsProps(change));

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
    expect(html).toContain("<td>Dec 1, 9:00 AM</td>");
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
    expect(html).toContain('In progress<span class="muted small next-call">Next call: Dec 2, 9:30 AM (GMT+1)</span>');
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
    expect(html).toContain('data-testid="campaign-started">Imported Dec 1, 9:00 AM by ana · Next call: Dec 2, 9:30 AM (GMT+1)</p>');
  });

  it("without a name, is titled as the call list of its day; nobody named, no next call once over", () => {
    const html = details({ campaign: campaign({ done: 3 }) });
    expect(html).toContain("<h3>Call list of Dec 1, 2026</h3>");
    expect(html).toContain('data-testid="campaign-started">Imported Dec 1, 9:00 AM</p>');
  });

  it("offers the report as a plain link to its CSV, a refresh, and to a publisher a pause and a stop while clients wait", () => {
    const html = details();
    // No file name of its own: the server's (the campaign's name) is the one the browser saves under.
    expect(html).toMatch(/<a class="button" href="\/api\/callbacks\/campaigns\/c-1\.csv\?lang=en" download="">Download report \(CSV\)<\/a>/);
    expect(buttonTexts(html)).toEqual(["Refresh", "Pause", "Stop campaign…"]);
    expect(html).toContain("3 clients · Finished: 0 of 3 (0%) · 0 called at least once · <code");
    expect(html).toContain('data-testid="campaign-state">In progress<');
    expect(html).toContain("Updated every 15 seconds while clients remain to be called.");
  });

  it.each(["viewer", "editor"] as const)("lets a %s look but not pause nor stop", (role) => {
    const html = details({ role });
    expect(buttonTexts(html)).toEqual(["Refresh"]);
    expect(html).toContain("Download report (CSV)");
  });

  it("offers no stop once nobody waits, even while a call is in progress, nor a pause once stopped", () => {
    const stopped = { ...campaign({ dialing: 1, cancelled: 2 }), cancelled_at: "2026-12-01T09:00:00Z" };
    expect(buttonTexts(details({ role: "admin", campaign: stopped }))).toEqual(["Refresh"]);
  });

  it("says how many clients the stop spared, and that a finished campaign no longer updates by itself", () => {
    const html = details({ campaign: campaign({ done: 1, cancelled: 3 }), stopped: 3 });
    expect(html).toContain("Stopped: 3 clients will not be called.");
    expect(html).toContain('data-testid="campaign-state">Stopped<');
    expect(html).not.toContain("Updated every 15 seconds");
  });

  it("tells the clients a stop cancelled apart from those called: stopped before any call, none was called", () => {
    const summary = (html: string) => /data-testid="campaign-summary">(.*?)<\/p>/s.exec(html)?.[1]?.replace(/<[^>]+>/g, "");
    expect(summary(details({ campaign: campaign({ cancelled: 3 }) }))).toBe(
      "3 clients · Finished: 0 of 3 (0%) · 3 clients cancelled by the stop · 0 called at least once · c-1",
    );
    expect(summary(details({ campaign: campaign({ done: 1, failed: 1, expired: 1, cancelled: 1 }) }))).toBe(
      "4 clients · Finished: 3 of 4 (75%) · 1 client cancelled by the stop · 3 called at least once · c-1",
    );
    expect(summary(details({ campaign: campaign({ done: 2, pending: 2 }) }))).toBe("4 clients · Finished: 2 of 4 (50%) · 2 called at least once · c-1");
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

  it("says the clients who hung up before the message ended apart from the answers (a collections supervisor's review)", () => {
    const c = { ...campaign({ done: 4 }, { no_response: 3, will_pay: 1 }), reached: 4, hung_up_early: 1 };
    const html = renderToHtml(AnswersTable, { campaign: c });
    expect(html).toContain('data-testid="hung-up-early"');
    expect(html).toContain("Hung up before the message ended: 1 client (counted under its answer, the scenario&#x27;s default).");
    expect(renderInLanguage("ru", AnswersTable, { campaign: c })).toContain("Положили трубку до конца сообщения: 1");
    expect(renderInLanguage("es", AnswersTable, { campaign: c })).toContain("Colgaron antes del final del mensaje: 1");
    expect(renderToHtml(AnswersTable, { campaign: { ...c, hung_up_early: 0 } })).not.toContain("hung-up-early");
  });

  it("counts every client rung as called, and as cancelled by the stop only the never rung", () => {
    const stopped = { ...campaign({ done: 10, cancelled: 50 }), dialled: 20, spared: 40 };
    const html = renderToHtml(ProgressSummary, { campaign: stopped });
    expect(html).toContain("Finished: 20 of 60 (33%)"); // the 10 rung busy, then cancelled by the stop, with the 10 reached
    expect(html).toContain("40 clients cancelled by the stop");
    expect(html).toContain("20 called at least once");
  });
});

describe("a campaign paused, and its finished clients told from those waiting for a retry (review of a Spanish bank's supervisor)", () => {
  // 19 clients: 14 reached, 2 not, 3 rung busy who wait for their retry; every one rung at least once.
  const nineteen = { ...campaign({ done: 14, failed: 2, pending: 3 }), dialled: 19, awaiting_retry: 3 };
  const summary = (html: string) => /data-testid="campaign-summary">(.*?)<\/p>/s.exec(html)?.[1]?.replace(/<[^>]+>/g, "");
  const paused = {
    ...campaign({ pending: 3, done: 1 }),
    name: "deudas-diciembre",
    next_due: "2026-12-08T10:30:00Z",
    paused: true,
    paused_at: "2026-12-08T10:00:00Z",
    paused_by: "marta",
  };
  const inLanguage = (language: "es" | "ru", change: Partial<DetailsProps> = {}) =>
    renderInLanguage(language, CampaignDetails, detailsProps({ updatedAt: new Date(2026, 11, 8, 11, 30, 15), ...change }));

  it("reads the progress against the clients finished, not 100% while three wait for a retry", () => {
    expect(summary(details({ campaign: nineteen }))).toBe("19 clients · Finished: 16 of 19 (84%) · 3 waiting for a retry · 19 called at least once · c-1");
    expect(summary(inLanguage("es", { campaign: nineteen }))).toBe(
      "19 clientes · Terminados: 16 de 19 (84%) · 3 pendientes de reintento · 19 llamados al menos una vez · c-1",
    );
    expect(summary(inLanguage("ru", { campaign: nineteen }))).toBe(
      "19 клиентов · Завершено: 16 из 19 (84%) · 3 клиента ждут повторного звонка · 19 клиентам звонили хотя бы раз · c-1",
    );
    expect(summary(inLanguage("es", { campaign: { ...nineteen, awaiting_retry: 1 } }))).toContain("· 1 pendiente de reintento ·");
  });

  it("shows the list's progress as its clients finished", () => {
    const html = renderToHtml(CampaignTable, { campaigns: [nineteen], selectedId: null, onSelect: () => {} });
    expect(html).toContain('<span class="muted">16/19</span>');
  });

  it("says a paused campaign is paused, by whom and since when, holds its waiting clients and offers a resume, not a pause", () => {
    const html = details({ campaign: paused });
    expect(html).toContain('data-testid="campaign-state">Paused<');
    expect(html).toContain('class="campaign-state state-paused"');
    expect(html).toContain(
      '<div role="status" class="campaign-paused" data-testid="campaign-paused"><strong>Paused Dec 8, 11:00 AM by marta: nobody is called until it is resumed.</strong> Calls already ringing finish.',
    );
    expect(buttonTexts(html)).toEqual(["Refresh", "Resume", "Stop campaign…"]);
    expect(html).not.toContain("Next call"); // nobody is called while it is paused
    expect(counts(html)[0]).toEqual(["pending", "3"]);
    expect(html).toMatch(/data-status="pending" title="Not called while the campaign is paused, nor their retries">.*?Waiting \(paused\)/s);
    expect(html).toContain('aria-label="Waiting (paused): 3, Reached: 1"');
    expect(html).toContain("Updated every 15 seconds"); // the calls ringing when it was paused still end
  });

  it("while paused, says the clients waiting for a retry are retried once it is resumed, not as if a retry were coming", () => {
    const held = { ...nineteen, paused: true, paused_at: "2026-12-08T10:00:00Z", paused_by: "marta" };
    expect(summary(details({ campaign: held }))).toBe(
      "19 clients · Finished: 16 of 19 (84%) · 3 clients to be retried once it is resumed · 19 called at least once · c-1",
    );
    expect(summary(inLanguage("es", { campaign: held }))).toContain("· 3 clientes por reintentar al reanudarla ·");
    expect(summary(inLanguage("ru", { campaign: held }))).toContain("· повторный звонок после возобновления: 3 клиента ·");
  });

  it("says how many rows of the list were skipped as duplicates, and that the report lists them", () => {
    const skipped = { ...nineteen, settings: { ...nineteen.settings, duplicates_skipped: 2 } };
    expect(summary(details({ campaign: skipped }))).toContain("· Rows skipped as duplicates: 2 (listed in the report) ·");
    expect(summary(inLanguage("es", { campaign: skipped }))).toContain("· Filas omitidas por duplicadas: 2 (figuran en el informe) ·");
    expect(summary(inLanguage("ru", { campaign: skipped }))).toContain("· Пропущено строк-повторов: 2 (они есть в отчёте) ·");
    expect(summary(details({ campaign: nineteen }))).not.toContain("duplicates");
  });

  it("lets a viewer see the pause but not resume it", () => {
    const html = details({ campaign: paused, role: "viewer" });
    expect(html).toContain('data-testid="campaign-paused"');
    expect(buttonTexts(html)).toEqual(["Refresh"]);
  });

  it("marks a paused campaign in the list's state column, with no next call", () => {
    const html = renderToHtml(CampaignTable, { campaigns: [paused], selectedId: null, onSelect: () => {} });
    expect(html).toContain('<td class="campaign-state-cell"><span class="campaign-state state-paused">Paused</span></td>');
    expect(html).not.toContain("Next call");
  });

  it("says the buttons and the state in Spanish and Russian", () => {
    expect(buttonTexts(inLanguage("es"))).toEqual(["Actualizar", "Pausar", "Detener la campaña…"]);
    expect(buttonTexts(inLanguage("ru"))).toEqual(["Обновить", "Приостановить", "Остановить кампанию…"]);
    const es = inLanguage("es", { campaign: paused });
    expect(buttonTexts(es)).toEqual(["Actualizar", "Reanudar", "Detener la campaña…"]);
    expect(es).toContain('data-testid="campaign-state">En pausa<');
    expect(es).toMatch(/<strong>Pausada el .*? por marta: no se llama a nadie hasta reanudarla\.<\/strong>/);
    expect(es).toMatch(/En espera \(en pausa\) <strong class="count">3/);
    const ru = inLanguage("ru", { campaign: paused });
    expect(buttonTexts(ru)).toEqual(["Обновить", "Возобновить", "Остановить кампанию…"]);
    expect(ru).toContain('data-testid="campaign-state">Приостановлена<');
    expect(ru).toMatch(/<strong>Приостановлена .*? пользователем marta\. Никому не звоним, пока её не возобновят\.<\/strong>/);
    const list = renderInLanguage("es", CampaignTable, { campaigns: [paused], selectedId: null, onSelect: () => {} });
    expect(list).toContain('<span class="campaign-state state-paused">En pausa</span>');
  });

  it("before a stop, points to the pause to carry on later", () => {
    const html = renderToHtml(StopConfirmation, { waiting: 3, stopping: false, pausable: true, onConfirm: () => {}, onCancel: () => {} });
    expect(html).toContain("To carry on later, use “Pause” instead.");
    const es = renderInLanguage("es", StopConfirmation, { waiting: 3, stopping: false, pausable: true, onConfirm: () => {}, onCancel: () => {} });
    expect(es).toContain("Para continuar más tarde, use «Pausar».");
  });
});

// Review of a Russian call-centre supervisor: the campaign did not say its hours, zone, attempts nor end, the next
// call's time did not say its zone, and the state cell was cut off ("Следующий звонок: 7 дек. 20…").
describe("when and how a campaign calls", () => {
  const settings = {
    due: "2026-12-01T08:00:00+00:00",
    until: null,
    hours: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "21:00" }],
    timezone: "Europe/Moscow",
    holidays: [],
    max_attempts: 3,
    retry_hung_up_early: false,
  };
  const line = (html: string) => /data-testid="campaign-settings">(.*?)<\/p>/.exec(html)?.[1];
  const shown = (language: "en" | "es" | "ru", change: Record<string, unknown> = {}) =>
    line(renderInLanguage(language, CampaignDetails, detailsProps({ campaign: { ...campaign({ pending: 3 }), settings: { ...settings, ...change } } })));

  it("says its hours in its zone, its attempts and its end, in each language with its plural forms", () => {
    expect(shown("ru")).toBe("Звонки пн–пт 09:00–21:00 (Europe/Moscow) · до 3 попыток · без даты окончания");
    expect(shown("ru", { max_attempts: 1 })).toContain("· до 1 попытки ·");
    expect(shown("ru", { max_attempts: 2 })).toContain("· до 2 попыток ·");
    expect(shown("es")).toBe("Llamadas lun–vie 09:00–21:00 (Europe/Moscow) · hasta 3 intentos · sin fecha de fin");
    expect(shown("es", { max_attempts: 1 })).toContain("· hasta 1 intento ·");
    expect(shown("en")).toBe("Calls Mon–Fri 09:00–21:00 (Europe/Moscow) · up to 3 attempts · no end date");
  });

  it("says the end date with its zone, and calls at any time as such", () => {
    expect(shown("en", { until: "2026-12-31T20:00:00+00:00" })).toBe(
      "Calls Mon–Fri 09:00–21:00 (Europe/Moscow) · up to 3 attempts · until Dec 31, 9:00 PM (GMT+1)",
    );
    expect(shown("ru", { until: "2027-01-15T20:00:00+00:00" })).toContain("· до 15 янв. 2027 г., 21:00 (GMT+1)");
    expect(shown("es", { hours: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "00:00", to: "00:00" }] })).toMatch(
      /^Llamadas a cualquier hora \(Europe\/Moscow\) · /,
    );
  });

  it("says nothing of a list imported before campaigns kept their settings", () => {
    expect(details({ campaign: campaign({ pending: 3 }) })).not.toContain('data-testid="campaign-settings"');
  });

  it("names the zone of the next call, drops this year's year, and lets the state cell wrap", () => {
    const running = { ...campaign({ pending: 3 }), next_due: "2026-12-07T19:00:00Z" };
    const ru = renderInLanguage("ru", CampaignTable, { campaigns: [running], selectedId: null, onSelect: () => {} });
    expect(ru).toContain('<td class="campaign-state-cell">Идёт<span class="muted small next-call">Следующий звонок: 7 дек., 20:00 (GMT+1)</span></td>');
    const nextYear = renderToHtml(CampaignTable, { campaigns: [{ ...running, next_due: "2027-01-04T08:30:00Z" }], selectedId: null, onSelect: () => {} });
    expect(nextYear).toContain("Next call: Jan 4, 2027, 9:30 AM (GMT+1)");
  });
});
