import { beforeEach, describe, expect, it, vi } from "vitest";

// The generated client's transport: what the server said to DELETE /api/scenarios/{slug}.
const remove = vi.hoisted(() => vi.fn());
vi.mock("openapi-fetch", () => ({ default: () => ({ use: () => undefined, GET: vi.fn(), POST: vi.fn(), DELETE: remove }) }));

import { ApiError } from "../api/http";
import type { ScenarioSummary } from "../api/types";
import { translator, type Language } from "../lib/i18n";
import { answering } from "./confirmForTest";
import { buttonTexts, renderInLanguage } from "./renderForTest";
import { InUseRefusalView, deleteIfConfirmed, inUseReferrers, type InUseRefusal, type Referrer } from "./ScenarioList";

const target: ScenarioSummary = {
  slug: "support",
  name: "Support",
  description: "",
  draft_revision: 3,
  updated_at: "2026-01-05T10:00:00Z",
  updated_by: "ana",
  latest_version: 2,
  missing_block_types: [],
};

/** The 409 the server answers (tests/api/test_delete_in_use.py), as the client hands it over. */
const IN_USE = {
  type: "https://ivrgraph.dev/problems/in-use",
  title: "in use",
  status: 409,
  detail: "scenario 'support' is still used by: scenario main-menu, scenario night, 2 pending callback(s)",
  referred_by: ["scenario main-menu", "scenario night", "2 pending callback(s)"],
  referrers: [
    { kind: "scenario", slug: "main-menu", name: "Главное меню", where: "both" },
    { kind: "scenario", slug: "night", name: "Night line", where: "draft" },
    { kind: "callbacks", count: 2 },
  ],
};

const refusal = (referrers: Referrer[]): InUseRefusal => ({ slug: "support", name: "Support", referrers });
const noop = () => undefined;
const text = (html: string) => html.replace(/<[^>]+>/g, "");
const items = (html: string) => [...html.matchAll(/<li>(.*?)<\/li>/gs)].map((match) => text(match[1]!));

describe("a delete refused because others still need the scenario", () => {
  beforeEach(() => remove.mockReset());

  it("is told apart from other refusals by its type, with who needs it as the server listed them", async () => {
    remove.mockResolvedValueOnce({ error: IN_USE, response: new Response(null, { status: 409 }) });
    const refused = await deleteIfConfirmed(target, translator("en"), answering([true]).confirm).catch((e: unknown) => e);

    expect(refused).toBeInstanceOf(ApiError);
    expect(inUseReferrers(refused)).toEqual(IN_USE.referrers);
  });

  it.each<[string, unknown]>([
    ["a server too old to send them (referred_by alone)", new ApiError(409, { ...IN_USE, referrers: undefined }, "in use")],
    ["another conflict", new ApiError(409, { ...IN_USE, type: "https://ivrgraph.dev/problems/stale-revision" }, "stale")],
    ["a role that may not delete", new ApiError(403, { type: "https://ivrgraph.dev/problems/forbidden" }, "forbidden")],
    ["no answer", new ApiError(0, null, "the server did not answer")],
    ["not an API error", new Error("boom")],
  ])("%s: none, and its own words are shown as before", (_, error) => {
    expect(inUseReferrers(error)).toBeNull();
  });

  it("an entry of a kind this designer does not know is left out, the rest shown", () => {
    const unknown = [{ kind: "campaign", id: 7 }, null, { kind: "scenario", slug: "x", name: "X", where: "archived" }];
    const body = { ...IN_USE, referrers: [...IN_USE.referrers, ...unknown] };
    expect(inUseReferrers(new ApiError(409, body, "in use"))).toEqual(IN_USE.referrers);
  });
});

describe("why it was not deleted, in the interface language", () => {
  const shown = (language: Language, referrers = IN_USE.referrers as Referrer[]) =>
    renderInLanguage(language, InUseRefusalView, { refusal: refusal(referrers), onClose: noop });

  it("English: each scenario by name, a link opening it, with where it names the scenario; the callbacks, a link to them", () => {
    const html = shown("en");
    expect(text(html)).toContain("Scenario “Support” was not deleted: it is still needed.");
    expect(items(html)).toEqual([
      "Главное меню — in its draft and its published version",
      "Night line — in its draft",
      "2 pending callbacks",
    ]);
    expect(html).toContain('<a href="#/s/main-menu">Главное меню</a>');
    expect(html).toContain('<a href="#/s/night">Night line</a>');
    expect(html).toContain('<a href="#/callbacks?status=pending&amp;scenario=support">2 pending callbacks</a>');
    expect(buttonTexts(html)).toEqual(["Close"]);
  });

  it("Spanish", () => {
    const html = shown("es");
    expect(text(html)).toContain("El escenario «Support» no se ha eliminado: todavía se necesita.");
    expect(items(html)).toEqual([
      "Главное меню — en su borrador y en su versión publicada",
      "Night line — en su borrador",
      "2 devoluciones de llamada pendientes",
    ]);
    expect(buttonTexts(html)).toEqual(["Cerrar"]);
  });

  it("Russian", () => {
    const html = shown("ru");
    expect(text(html)).toContain("Сценарий «Support» не удалён: он ещё нужен.");
    expect(items(html)).toEqual([
      "Главное меню — в черновике и в опубликованной версии",
      "Night line — в черновике",
      "2 ожидающих обратных звонка",
    ]);
    expect(buttonTexts(html)).toEqual(["Закрыть"]);
  });

  it.each<[Language, number, string]>([
    ["ru", 1, "1 ожидающий обратный звонок"],
    ["ru", 3, "3 ожидающих обратных звонка"],
    ["ru", 5, "5 ожидающих обратных звонков"],
    ["ru", 11, "11 ожидающих обратных звонков"],
    ["ru", 21, "21 ожидающий обратный звонок"],
    ["ru", 22, "22 ожидающих обратных звонка"],
    ["ru", 1000, "1 000 ожидающих обратных звонков"],
    ["en", 1, "1 pending callback"],
    ["en", 1000, "1,000 pending callbacks"],
    ["es", 1, "1 devolución de llamada pendiente"],
    ["es", 7, "7 devoluciones de llamada pendientes"],
  ])("%s: %d callbacks read “%s”", (language, count, expected) => {
    expect(items(shown(language, [{ kind: "callbacks", count }])).map((item) => item.replace(/\u00a0/g, " "))).toEqual([expected]);
  });

  it("published only; a scenario without a name by its slug; what the names hold is text, not markup", () => {
    const html = shown("en", [
      { kind: "scenario", slug: "live", name: "<b>Live</b>", where: "published" },
      { kind: "scenario", slug: "unnamed", name: "", where: "draft" },
    ]);
    expect(html).toContain('<a href="#/s/live">&lt;b&gt;Live&lt;/b&gt;</a> — in its published version');
    expect(html).toContain('<a href="#/s/unnamed">unnamed</a>');
    expect(html).not.toContain("callbacks?");
  });

  it("is a region the focus is put on when it appears (far above the row its delete was asked in), named by its heading", () => {
    const html = shown("en");
    const panel = /^<section ([^>]*)>/.exec(html)?.[1] ?? "";
    expect(panel).toContain('tabindex="-1"');
    expect(panel).toContain('data-testid="delete-refused"');
    const heading = /aria-labelledby="([^"]+)"/.exec(panel)?.[1];
    expect(html).toContain(`<h2 id="${heading}">Scenario “Support” was not deleted: it is still needed.</h2>`);
    // Given the focus, it is read out: an alert as well would say it twice.
    expect(html).not.toContain('role="alert"');
  });

  it.each<Language>(["en", "es", "ru"])("%s: says what to do, and leaves no placeholder unfilled", (language) => {
    const html = shown(language);
    expect(text(html)).toContain(translator(language)("list.inUseHint"));
    expect(text(html)).not.toMatch(/\{\w+\}/);
  });
});
