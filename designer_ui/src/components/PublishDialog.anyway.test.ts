import { beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { PublishResult, TestOutcome } from "../api/types";
import { LANGUAGES, translator } from "../lib/i18n";
import type { Problem } from "../lib/problems";
import { blockedAnswer, failingList, onlyTestsBlock, rollbackOrAnyway } from "./failingTests";
import { PublishBlocked, publishSaved } from "./PublishDialog";
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

  it("are listed, each with its scenario, in the confirmation of every language", () => {
    expect(t("publish.confirmAnyway", { tests: failingList(t, [own, theirs]) })).toBe(
      "Publish despite these failing tests?\n✘ sales\n✘ database down: main menu anyway (a test of employee-callthrough, which continues into this scenario)\n\nThe version and the audit log will record that you did.",
    );
    for (const language of Object.keys(LANGUAGES) as (keyof typeof LANGUAGES)[]) {
      const say = translator(language);
      for (const text of [
        say("publish.confirmAnyway", { tests: failingList(say, [theirs]) }),
        say("versions.confirmRollbackAnyway", { version: 1, tests: failingList(say, [theirs]) }),
      ]) {
        expect(text).toContain("employee-callthrough");
        expect(text).not.toMatch(/\{\w+\}/);
      }
    }
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
    const confirm = vi.fn(() => true);

    expect(await rollbackOrAnyway(t, "employee-callthrough", 1, confirm)).toBe(published);

    expect(confirm).toHaveBeenCalledOnce();
    expect(confirm.mock.calls[0]).toEqual([
      "Only failing tests block the rollback to version 1:\n✘ database down: main menu anyway (a test of employee-callthrough, which continues into this scenario)\n\nRoll back anyway? The new version and the audit log will record that you did, with these tests failing.",
    ]);
    expect(rollback.mock.calls).toEqual([
      ["employee-callthrough", 1],
      ["employee-callthrough", 1, "", true],
    ]);
  });

  it("rolls back nothing more on no, and gives the server's refusal", async () => {
    const refusal = blocked([], [own]);
    rollback.mockRejectedValueOnce(refusal);
    await expect(rollbackOrAnyway(t, "employee-callthrough", 1, () => false)).rejects.toBe(refusal);
    expect(rollback).toHaveBeenCalledOnce();
  });

  it("offers nothing when a validation error blocks, or the refusal is another one", async () => {
    const confirm = vi.fn(() => true);
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
