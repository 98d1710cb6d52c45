import { beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { PublishResult, TestOutcome } from "../api/types";
import { LANGUAGES, translator } from "../lib/i18n";
import type { Problem } from "../lib/problems";
import { answering, listedItems } from "./confirmForTest";
import { alreadyFailing, blockedAnswer, onlyTestsBlock, publishAnywayRequest, rollbackAnywayRequest, rollbackOrAnyway } from "./failingTests";
import { PublishBlocked, PublishedTests, confirmPublishAnyway, publishSaved } from "./PublishDialog";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";

vi.mock("../api/client", () => ({ publish: vi.fn(), rollback: vi.fn() }));
const publish = vi.mocked(api.publish);
const rollback = vi.mocked(api.rollback);

const t = translator("en");
const own: TestOutcome = { scenario: null, name: "sales", passed: false, failures: ["dialed ['queue:ventas']"], story: [] };
const theirs: TestOutcome = {
  scenario: "employee-callthrough",
  name: "database down: main menu anyway",
  passed: false,
  failures: ["dialed ['queue:ventas'], expected ['queue:sales']"],
  story: [],
};
const warning: Problem = { severity: "warning", code: "unwired_exit", message: "Busy leads nowhere.", node: "sales", path: "$" };
const error: Problem = { severity: "error", code: "unknown_type", message: "No such block.", node: "x", path: "$" };
const published = { version: { number: 4 }, diff: {}, tests: [], problems: [] } as unknown as PublishResult;

/** The server's 422 for a publish (or rollback) blocked by these problems and tests. */
function blocked(problems: Problem[], tests: TestOutcome[]): ApiError {
  const body = { type: "https://ivrgraph.dev/problems/publish-blocked", status: 422, detail: "blocked", problems, tests };
  return new ApiError(422, body, body.detail);
}

/** The blocking list's items as text. */
function blockingItems(html: string): string[] {
  const list = /<ul data-testid="blocking-problems">(.*?)<\/ul>/s.exec(html)?.[1] ?? "";
  return [...list.matchAll(/<li[^>]*>(.*?)<\/li>/gs)].map((m) => m[1]!.replace(/<[^>]+>/g, "").replace(/&#x27;/g, "'"));
}

beforeEach(() => {
  publish.mockReset();
  rollback.mockReset();
});

describe("tests that block a publish", () => {
  it("name the other scenario a failed test belongs to, and only then", () => {
    const html = renderToHtml(PublishBlocked, { problems: [], failedTests: [own, theirs] });
    expect(blockingItems(html)).toEqual([
      "✘ sales: dialed ['queue:ventas']",
      "✘ database down: main menu anyway (a test of employee-callthrough, which continues into this scenario): dialed ['queue:ventas'], expected ['queue:sales']",
    ]);
    expect(html).toContain('data-scenario="employee-callthrough"');
  });

  it("name it in every interface language", () => {
    for (const language of ["es", "ru"] as const) {
      const html = renderInLanguage(language, PublishBlocked, { problems: [], failedTests: [theirs] });
      const [item] = blockingItems(html);
      expect(item).toContain("employee-callthrough");
      expect(item).not.toContain("a test of");
      expect(item).not.toMatch(/\{\w+\}/);
    }
  });

  it("offer to publish anyway only when nothing but failing tests blocks", () => {
    const onAnyway = vi.fn();
    const offered = renderToHtml(PublishBlocked, { problems: [warning], failedTests: [theirs], onAnyway });
    expect(buttonTexts(offered)).toEqual(["Publish anyway"]);
    expect(offered).toContain("Only failing tests block it.");
    expect(buttonTexts(renderToHtml(PublishBlocked, { problems: [error], failedTests: [theirs], onAnyway }))).toEqual([]);
    expect(buttonTexts(renderToHtml(PublishBlocked, { problems: [error], failedTests: [], onAnyway }))).toEqual([]);
    expect(buttonTexts(renderToHtml(PublishBlocked, { problems: [warning], failedTests: [theirs] }))).toEqual([]);
    expect(onlyTestsBlock([warning], [theirs])).toBe(true);
    expect(onlyTestsBlock([warning, error], [theirs])).toBe(false);
  });

  it("are listed one an item, each with its scenario, in the in-app confirmation, whose button says what it does", async () => {
    const asked = answering([true]);
    expect(await confirmPublishAnyway(t, [own, theirs], asked.confirm)).toBe(true);
    expect(asked.requests).toEqual([
      {
        title: "Publish despite failing tests?",
        body: "These tests fail with this draft:",
        items: ["✘ sales", "✘ database down: main menu anyway (a test of employee-callthrough, which continues into this scenario)"],
        note: "The version and the audit log will record that you published it anyway.",
        confirmLabel: "Publish anyway",
        destructive: true,
      },
    ]);
    const [shown] = asked.shown;
    expect(shown).toContain('role="alertdialog"');
    expect(listedItems(shown!)).toEqual(asked.requests[0]!.items);
    expect(buttonTexts(shown!)).toEqual(["Cancel", "Publish anyway"]);
    expect(shown).toContain('class="danger confirm"');
  });

  it("asks about the tests that block only, and a no publishes nothing", async () => {
    const old: TestOutcome = { ...theirs, name: "night: closed message", already_failing: true };
    const asked = answering([false]);
    expect(await confirmPublishAnyway(t, [old, own], asked.confirm)).toBe(false);
    expect(asked.requests[0]!.items).toEqual(["✘ sales"]);
  });

  it("are asked about in every interface language, the buttons in it too, no parameter missing", async () => {
    const publishButtons: Record<string, string[]> = {};
    for (const language of Object.keys(LANGUAGES) as (keyof typeof LANGUAGES)[]) {
      const say = translator(language);
      const asked = answering([true, true], language);
      await asked.confirm(publishAnywayRequest(say, [theirs]));
      await asked.confirm(rollbackAnywayRequest(say, 1, [theirs]));
      for (const [i, request] of asked.requests.entries()) {
        expect(request.items).toEqual([expect.stringContaining("employee-callthrough")]);
        expect(Object.values(request).join(" ")).not.toMatch(/\{\w+\}/);
        expect(buttonTexts(asked.shown[i]!)).toEqual([say("confirm.cancel"), request.confirmLabel]);
      }
      expect(asked.requests.map((r) => r.confirmLabel)).toEqual([say("publish.anyway"), say("versions.rollbackAnyway", { version: 1 })]);
      publishButtons[language] = buttonTexts(asked.shown[0]!);
    }
    expect(publishButtons.es).toEqual(["Cancelar", "Publicar de todos modos"]);
    expect(publishButtons.ru).toEqual(["Отмена", "Всё равно опубликовать"]);
  });
});

describe("publishing anyway", () => {
  it("asks the server to publish despite failing tests only when told to", async () => {
    const pin = { revision: 3, scenarioCreatedAt: "2026-12-01T08:00:00Z" };
    publish.mockRejectedValueOnce(blocked([warning], [own, theirs])).mockResolvedValueOnce(published);

    const first = await publishSaved("inbound-hotline", "Sales moved", async () => pin, () => undefined);
    expect(first).toEqual({ kind: "blocked", problems: [warning], tests: [own, theirs] });
    expect(publish).toHaveBeenLastCalledWith("inbound-hotline", "Sales moved", pin);

    const forced = await publishSaved("inbound-hotline", "Sales moved", async () => pin, () => undefined, true);
    expect(forced).toEqual({ kind: "published", result: published });
    expect(publish).toHaveBeenLastCalledWith("inbound-hotline", "Sales moved", pin, true);
  });
});

describe("rolling back", () => {
  it("offers to roll back anyway when only failing tests block, naming them, and does so on yes", async () => {
    rollback.mockRejectedValueOnce(blocked([warning], [theirs])).mockResolvedValueOnce(published);
    const asked = answering([true]);

    expect(await rollbackOrAnyway(t, "employee-callthrough", 1, asked.confirm)).toBe(published);

    expect(asked.requests).toEqual([
      {
        title: "Roll back despite failing tests?",
        body: "Only failing tests block the rollback to version 1:",
        items: ["✘ database down: main menu anyway (a test of employee-callthrough, which continues into this scenario)"],
        note: "The new version and the audit log will record that you rolled back anyway, with these tests failing.",
        confirmLabel: "Roll back to v1 anyway",
        destructive: true,
      },
    ]);
    expect(buttonTexts(asked.shown[0]!)).toEqual(["Cancel", "Roll back to v1 anyway"]);
    expect(rollback.mock.calls).toEqual([
      ["employee-callthrough", 1],
      ["employee-callthrough", 1, "", true],
    ]);
  });

  it("names only the tests that block in the rollback's confirmation, not those already failing", async () => {
    const old: TestOutcome = { ...theirs, name: "night: closed message", already_failing: true };
    rollback.mockRejectedValueOnce(blocked([], [theirs, old])).mockResolvedValueOnce(published);
    const asked = answering([true]);

    expect(await rollbackOrAnyway(t, "employee-callthrough", 1, asked.confirm)).toBe(published);

    expect(asked.shown).toHaveLength(1);
    expect(listedItems(asked.shown[0]!)).toEqual([
      "✘ database down: main menu anyway (a test of employee-callthrough, which continues into this scenario)",
    ]);
    expect(asked.shown[0]).not.toContain("night: closed message");
  });

  it("rolls back nothing more on no, and gives the server's refusal", async () => {
    const refusal = blocked([], [own]);
    rollback.mockRejectedValueOnce(refusal);
    await expect(rollbackOrAnyway(t, "employee-callthrough", 1, answering([false]).confirm)).rejects.toBe(refusal);
    expect(rollback).toHaveBeenCalledOnce();
  });

  it("offers nothing when a validation error blocks, or the refusal is another one", async () => {
    const confirm = vi.fn(async () => true);
    const invalid = blocked([error], []);
    const meanwhile = new ApiError(409, { type: "https://ivrgraph.dev/problems/published-meanwhile", version: 5 }, "meanwhile");
    for (const refusal of [invalid, meanwhile]) {
      rollback.mockRejectedValueOnce(refusal);
      await expect(rollbackOrAnyway(t, "employee-callthrough", 1, confirm)).rejects.toBe(refusal);
    }
    expect(confirm).not.toHaveBeenCalled();
    expect(rollback).toHaveBeenCalledTimes(2);
    expect(blockedAnswer(meanwhile)).toBeNull();
  });
});

// Finding: once a test of another scenario failed with the live version already, every later publish was blocked by
// it. The server marks such a test `already_failing` and publishes past it; the dialog shows it as a warning.
describe("a test of another scenario that fails with the live version already", () => {
  const stale: TestOutcome = { ...theirs, name: "vip line", failures: ["dialed ['queue:vip'], expected ['queue:gold']"], already_failing: true };

  /** The warnings list's items as text. */
  function warningItems(html: string): string[] {
    const list = /<ul data-testid="warnings">(.*?)<\/ul>/s.exec(html)?.[1] ?? "";
    return [...list.matchAll(/<li[^>]*>(.*?)<\/li>/gs)].map((m) => m[1]!.replace(/<[^>]+>/g, "").replace(/&#x27;/g, "'"));
  }

  it("is listed as a warning that does not block, saying it fails with the live version, and the others still block", () => {
    const onAnyway = vi.fn();
    const html = renderToHtml(PublishBlocked, { problems: [warning], failedTests: [theirs, stale], onAnyway, scenario: "Inbound hotline" });
    expect(blockingItems(html)).toEqual([
      "✘ database down: main menu anyway (a test of employee-callthrough, which continues into this scenario): dialed ['queue:ventas'], expected ['queue:sales']",
    ]);
    expect(warningItems(html)).toEqual([
      "Busy leads nowhere.",
      "⚠ vip line (a test of employee-callthrough, which continues into this scenario) — already fails with the live version of Inbound hotline: dialed ['queue:vip'], expected ['queue:gold']",
    ]);
    expect(html).toContain('data-already-failing="true"');
    expect(buttonTexts(html)).toEqual(["Publish anyway"]); // offered for the test this publish breaks
  });

  it("alone is nothing to publish past: no 'publish anyway' for it", () => {
    const html = renderToHtml(PublishBlocked, { problems: [error], failedTests: [stale], onAnyway: vi.fn(), scenario: "Inbound hotline" });
    expect(blockingItems(html)).toEqual(["No such block."]);
    expect(warningItems(html)).toHaveLength(1);
    expect(buttonTexts(html)).toEqual([]);
    expect(alreadyFailing(stale)).toBe(true);
    expect(alreadyFailing(theirs)).toBe(false);
    expect(alreadyFailing({ ...stale, passed: true })).toBe(false);
  });

  it("is said in every interface language, naming the scenario published, or this one when unnamed", () => {
    for (const language of Object.keys(LANGUAGES) as (keyof typeof LANGUAGES)[]) {
      const named = warningItems(renderInLanguage(language, PublishBlocked, { problems: [], failedTests: [stale], scenario: "Inbound hotline" }));
      const unnamed = warningItems(renderInLanguage(language, PublishBlocked, { problems: [], failedTests: [stale] }));
      for (const [item] of [named, unnamed]) {
        expect(item).toContain("employee-callthrough");
        expect(item).not.toMatch(/\{\w+\}/);
      }
      expect(named[0]).toContain("Inbound hotline");
      expect(named[0]).not.toBe(unnamed[0]);
    }
    expect(warningItems(renderToHtml(PublishBlocked, { problems: [], failedTests: [stale] }))[0]).toContain("already fails with the live version of this scenario");
  });

  it("is published past without asking, and the result shows it as a warning rather than a failure", async () => {
    const pin = { revision: 3, scenarioCreatedAt: "2026-12-01T08:00:00Z" };
    const passing: TestOutcome = { ...own, passed: true, failures: [] };
    const result = { ...published, tests: [passing, stale] } as PublishResult;
    publish.mockResolvedValueOnce(result);

    expect(await publishSaved("inbound-hotline", "Ring shorter", async () => pin, () => undefined)).toEqual({ kind: "published", result });
    expect(publish).toHaveBeenCalledExactlyOnceWith("inbound-hotline", "Ring shorter", pin);

    const html = renderToHtml(PublishedTests, { tests: [passing, stale, theirs], scenario: "Inbound hotline" });
    // Each test's line up to its failures (a list of their own).
    const items = [...html.matchAll(/<li class="([\w-]+)">(.*?)(?=<ul>|<\/li>)/gs)].map((m) => [m[1], m[2]!.replace(/<[^>]+>/g, "").replace(/&#x27;/g, "'")]);
    expect(items).toEqual([
      ["passed", "✔ sales — passed"],
      ["already-failing", "⚠ vip line (a test of employee-callthrough, which continues into this scenario) — already fails with the live version of Inbound hotline"],
      ["failed", "✘ database down: main menu anyway (a test of employee-callthrough, which continues into this scenario) — failed"],
    ]);
  });
});
