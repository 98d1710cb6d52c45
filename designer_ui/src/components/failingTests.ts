/**
 * Publishes and rollbacks that only failing tests block. Publishing runs the scenario's own tests and those of every
 * published scenario that continues in it by Go To Scenario (each test names the `scenario` it belongs to, null for
 * the scenario's own). A publisher may go ahead anyway, after a confirmation: the server records who did, with
 * which tests failing. Validation errors are never overridden, so nothing is offered while one blocks.
 */
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { DraftPin, PublishResult, TestOutcome } from "../api/types";
import type { Translate } from "../lib/i18n";
import { normalizeProblems, type Problem } from "../lib/problems";
import type { Confirm, ConfirmRequest } from "./ConfirmDialog";

/** What a refused publish (or rollback) says blocks it: a 422 with problems and tests; null for any other answer. */
export function blockedAnswer(error: unknown): { problems: Problem[]; tests: TestOutcome[] } | null {
  if (!(error instanceof ApiError) || error.status !== 422) return null;
  const body = error.body as { problems?: unknown; tests?: unknown } | null;
  if (!body || (!body.problems && !body.tests)) return null;
  const tests = Array.isArray(body.tests) ? (body.tests as TestOutcome[]) : [];
  return { problems: normalizeProblems(body.problems), tests: tests.filter((test) => !test.passed) };
}

/**
 * A failed test of another scenario that fails with the live version of this one too (the server marks it): this
 * publish did not break it, so it is a warning, not a blocker, and no "publish anyway" is needed past it.
 */
export function alreadyFailing(test: TestOutcome): boolean {
  return !test.passed && test.already_failing === true;
}

/** The failed tests that block a publish or rollback: all but those `alreadyFailing`. */
export function blockingTests(failedTests: TestOutcome[]): TestOutcome[] {
  return failedTests.filter((test) => !alreadyFailing(test));
}

/** Whether failing tests, and nothing else, block: the one refusal a publisher may override. */
export function onlyTestsBlock(problems: Problem[], failedTests: TestOutcome[]): boolean {
  return failedTests.length > 0 && !problems.some((problem) => problem.severity === "error");
}

/** A test as the designer names it: with the scenario it belongs to when that is another one, continuing in this. */
export function testLabel(t: Translate, test: TestOutcome): string {
  return test.scenario ? t("publish.testOf", { name: test.name, scenario: test.scenario }) : test.name;
}

/** The failing tests as a confirmation lists them, one an item, each with the scenario it belongs to. */
export function failingItems(t: Translate, failedTests: TestOutcome[]): string[] {
  return failedTests.map((test) => `✘ ${testLabel(t, test)}`);
}

/** What publishing past the tests that block it (`blocking`) asks: each one named, as a list. */
export function publishAnywayRequest(t: Translate, blocking: TestOutcome[]): ConfirmRequest {
  return {
    title: t("publish.confirmAnywayTitle"),
    body: t("publish.confirmAnyway"),
    items: failingItems(t, blocking),
    note: t("publish.confirmAnywayNote"),
    confirmLabel: t("publish.anyway"),
    destructive: true,
  };
}

/** What rolling back to `version` past the tests that block it (`blocking`) asks: each one named, as a list. */
export function rollbackAnywayRequest(t: Translate, version: number, blocking: TestOutcome[]): ConfirmRequest {
  return {
    title: t("versions.confirmRollbackAnywayTitle"),
    body: t("versions.confirmRollbackAnyway", { version }),
    items: failingItems(t, blocking),
    note: t("versions.confirmRollbackAnywayNote"),
    confirmLabel: t("versions.rollbackAnyway", { version }),
    destructive: true,
  };
}

/**
 * Roll back to `version`. When only failing tests block it (during an incident, often because another scenario
 * changed), `confirm` asks whether to roll back anyway, naming each test; yes rolls back despite them. Any other
 * refusal, or a no, is thrown as the server gave it.
 */
export async function rollbackOrAnyway(
  t: Translate,
  slug: string,
  version: number,
  confirm: Confirm,
  resetDraft: DraftPin | null = null,
): Promise<PublishResult> {
  // Without a draft to reset, asked as before this option was (the API's own default: the draft stays).
  const roll = (anyway: boolean) =>
    resetDraft ? api.rollback(slug, version, "", anyway, resetDraft) : anyway ? api.rollback(slug, version, "", true) : api.rollback(slug, version);
  try {
    return await roll(false);
  } catch (error) {
    const blocked = blockedAnswer(error);
    const blocking = blocked ? blockingTests(blocked.tests) : [];
    if (!blocked || !onlyTestsBlock(blocked.problems, blocking)) throw error;
    if (!(await confirm(rollbackAnywayRequest(t, version, blocking)))) throw error;
    return await roll(true);
  }
}
