import { beforeEach, describe, expect, it, vi } from "vitest";

// The generated client's transport, answered by each test: what the server said to GET /api/scenarios/{slug}/diff,
// and to POST .../versions/{number}/rollback.
const get = vi.hoisted(() => vi.fn());
const post = vi.hoisted(() => vi.fn());
vi.mock("openapi-fetch", () => ({ default: () => ({ use: () => undefined, GET: get, POST: post }) }));

import { versionChanges } from "../api/client";
import { ApiError } from "../api/http";
import type { PublishResult, VersionSummary } from "../api/types";
import { translator } from "../lib/i18n";
import type { Confirm } from "./ConfirmDialog";
import { answering } from "./confirmForTest";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";
import {
  CompareForm,
  ComparisonView,
  ShippedFailing,
  AlreadyFailing,
  alreadyFailingAt,
  shippedFailing,
  VersionChangesButton,
  loadComparison,
  previousVersion,
  rollBackIfConfirmed,
  rollbackFailureText,
  rollbackRequest,
  versionGone,
  type VersionPair,
} from "./VersionsPanel";

const refused = (kind: string, version: number) =>
  new ApiError(409, { type: `https://ivrgraph.dev/problems/${kind}`, status: 409, detail: `the server's words (${kind})`, version }, `the server's words (${kind})`);

describe("a refused rollback", () => {
  const t = translator("en");

  it("says the version is the flow calls already run, not 'Something went wrong'", () => {
    expect(rollbackFailureText(t, refused("nothing-to-publish", 3), 1)).toBe(
      "Nothing to roll back: version 3, which calls already run, is the same flow as version 1.",
    );
  });

  it("says another publish landed first, with its version", () => {
    const text = rollbackFailureText(t, refused("published-meanwhile", 5), 2);
    expect(text).toContain("Not rolled back");
    expect(text).toContain("version 5");
  });

  it("keeps any other failure as the server said it, in every language without a missing parameter", () => {
    expect(rollbackFailureText(t, new ApiError(404, { detail: "no such version" }, "no such version"), 2)).toBe("Something went wrong: no such version");
    for (const language of ["es", "ru"] as const) {
      for (const kind of ["nothing-to-publish", "published-meanwhile"]) {
        expect(rollbackFailureText(translator(language), refused(kind, 4), 2)).not.toMatch(/\{|Something went wrong/);
      }
    }
  });
});

const version = (number: number, message = ""): VersionSummary => ({
  number,
  message,
  created_at: "2026-03-10T09:00:00Z",
  created_by: "ana",
  rolled_back_to: null,
  validation_summary: {},
});

/** Newest first, as the panel lists them; version 3 was never published (numbers may skip). */
const listed = [version(118, "Key 0 to the operator"), version(117), version(2), version(1, "First flow")];

describe("a version's own changes", () => {
  it("are against the version listed before it", () => {
    expect(previousVersion(listed, 118)).toBe(117);
    expect(previousVersion(listed, 117)).toBe(2);
    expect(previousVersion(listed, 2)).toBe(1);
  });

  it("do not exist for the first version, nor for one not listed", () => {
    expect(previousVersion(listed, 1)).toBeNull();
    expect(previousVersion(listed, 50)).toBeNull();
  });

  it("open from a button named with both versions, saying whether they are shown", () => {
    const html = renderToHtml(VersionChangesButton, { version: 118, previous: 117, expanded: false, controls: "diff", onToggle: () => undefined });
    expect(buttonTexts(html)).toEqual(["Changes"]);
    expect(html).toContain('aria-label="Changes in version 118 against version 117"');
    expect(html).toContain('aria-expanded="false"');
    expect(html).not.toContain("aria-controls");
    const open = renderToHtml(VersionChangesButton, { version: 118, previous: 117, expanded: true, controls: "diff", onToggle: () => undefined });
    expect(open).toContain('aria-expanded="true"');
    expect(open).toContain('aria-controls="diff"');
  });

  it("are said to be none to compare for the first version: no button that would find nothing", () => {
    const html = renderToHtml(VersionChangesButton, { version: 1, previous: null, expanded: false, controls: "diff", onToggle: () => undefined });
    expect(buttonTexts(html)).toEqual([]);
    expect(html).toContain("First version: nothing before it to compare with.");
  });

  it("are offered in Spanish and Russian", () => {
    const props = { version: 118, previous: 117, expanded: false, controls: "diff", onToggle: () => undefined };
    expect(renderInLanguage("es", VersionChangesButton, props)).toContain('aria-label="Cambios de la versión 118 respecto a la versión 117"');
    expect(renderInLanguage("ru", VersionChangesButton, props)).toContain('aria-label="Изменения версии 118 по сравнению с версией 117"');
    const first = { ...props, previous: null };
    expect(renderInLanguage("es", VersionChangesButton, first)).toContain("Primera versión");
    expect(renderInLanguage("ru", VersionChangesButton, first)).toContain("Первая версия");
  });
});

describe("comparing any two versions", () => {
  const props = { items: listed, before: 118, after: null, onBefore: () => undefined, onAfter: () => undefined, onCompare: () => undefined };

  it("picks a version before and a version (or the draft) after, each list named", () => {
    const html = renderToHtml(CompareForm, props);
    expect(html).toContain('aria-label="Compare versions"');
    expect(html).toMatch(/<label>Before <select>/);
    expect(html).toMatch(/<label>After <select>/);
    expect(html).toContain('<option value="118" selected="">Version 118 — Key 0 to the operator</option>');
    expect(html).toContain('<option value="draft" selected="">Draft (as last saved)</option>');
    expect(html).toContain('<option value="117">Version 117</option>');
    expect(buttonTexts(html)).toEqual(["Compare"]);
  });

  it("keeps the version after that was picked", () => {
    const html = renderToHtml(CompareForm, { ...props, before: 1, after: 2 });
    expect(html).toContain('<option value="1" selected="">Version 1 — First flow</option>');
    expect(html).toContain('<option value="2" selected="">Version 2</option>');
    expect(html).not.toContain('<option value="draft" selected="">');
  });

  it("asks the server for the two versions, or for a version and the draft", async () => {
    get.mockResolvedValue({ data: { from_version: 117, to_version: 118, diff: { empty: true } }, response: new Response(null, { status: 200 }) });
    await versionChanges("hotline", 117, 118);
    expect(get).toHaveBeenLastCalledWith("/api/scenarios/{slug}/diff", { params: { path: { slug: "hotline" }, query: { from: 117, to: 118 } } });
    await versionChanges("hotline", 117, null);
    expect(get).toHaveBeenLastCalledWith("/api/scenarios/{slug}/diff", { params: { path: { slug: "hotline" }, query: { from: 117 } } });
  });
});

describe("a comparison's answer", () => {
  const pair: VersionPair = { from: 117, to: 118 };
  const diff = { empty: false, changes: [{ kind: "setting_changed", field: "voice" }], summary: ["voice changed"] };
  const gone = new ApiError(404, { type: "https://ivrgraph.dev/problems/not-found", status: 404, detail: "version 'hotline@117' does not exist" }, "version 'hotline@117' does not exist");

  it("is the diff the server sent for the pair asked", async () => {
    const asked: VersionPair[] = [];
    const state = await loadComparison(pair, async (p) => {
      asked.push(p);
      return { from_version: 117, to_version: 118, diff };
    });
    expect(asked).toEqual([pair]);
    expect(state).toEqual({ status: "loaded", diff });
  });

  it("is a failure to show, never a rejection left unhandled", async () => {
    await expect(loadComparison(pair, () => Promise.reject(gone))).resolves.toEqual({ status: "failed", error: gone });
  });

  it("takes a 404 for a version no longer there, and nothing else", () => {
    expect(versionGone(gone)).toBe(true);
    expect(versionGone(new ApiError(500, null, "boom"))).toBe(false);
    expect(versionGone(new Error("offline"))).toBe(false);
  });
});

describe("the changes shown", () => {
  const pair: VersionPair = { from: 117, to: 118 };
  const props = { id: "diff", pair, onClose: () => undefined };

  it("are titled with both versions, or with the draft", () => {
    expect(renderToHtml(ComparisonView, { ...props, state: { status: "loading" } })).toContain('<h3 id="diff-title" tabindex="-1">Version 117 → version 118</h3>');
    expect(renderToHtml(ComparisonView, { ...props, pair: { from: 118, to: null }, state: { status: "loading" } })).toContain(">Version 118 → draft</h3>");
    expect(renderInLanguage("ru", ComparisonView, { ...props, pair: { from: 118, to: null }, state: { status: "loading" } })).toContain(">Версия 118 → черновик</h3>");
  });

  it("say they are loading while asked, not a blank", () => {
    const html = renderToHtml(ComparisonView, { ...props, state: { status: "loading" } });
    expect(html).toContain('<p role="status" class="muted">Loading the changes…</p>');
    expect(html).toContain('aria-labelledby="diff-title"');
    expect(buttonTexts(html)).toEqual(["Hide the changes"]);
  });

  it("say a version is no longer there in words, not the server's English nor 'Something went wrong'", () => {
    const gone = new ApiError(404, { detail: "version 'hotline@117' does not exist" }, "version 'hotline@117' does not exist");
    const html = renderToHtml(ComparisonView, { ...props, state: { status: "failed", error: gone } });
    expect(html).toContain('role="alert"');
    expect(html).toContain("These versions cannot be compared: one of them is no longer there");
    expect(html).not.toMatch(/does not exist|Something went wrong/);
    for (const language of ["es", "ru"] as const) {
      const said = renderInLanguage(language, ComparisonView, { ...props, state: { status: "failed", error: gone } });
      expect(said).not.toMatch(/does not exist|These versions|\{/);
    }
  });

  it("keep any other failure as the server said it", () => {
    const html = renderToHtml(ComparisonView, { ...props, state: { status: "failed", error: new ApiError(0, null, "the server did not answer") } });
    expect(html).toContain("Something went wrong: the server did not answer");
  });

  it("are the diff's lines in the interface language once loaded", () => {
    const diff = { empty: false, changes: [{ kind: "setting_changed", field: "voice" }], summary: ["voice changed"] };
    const html = renderInLanguage("es", ComparisonView, { ...props, state: { status: "loaded", diff } });
    expect(html).toContain("<li>ha cambiado el ajuste del escenario «Voz»</li>");
    expect(html).not.toContain("Cargando");
    expect(renderToHtml(ComparisonView, { ...props, state: { status: "loaded", diff: { empty: true } } })).toContain("No changes.");
  });
});

describe("a version published despite failing tests", () => {
  const summary = {
    errors: 0,
    despite_failing_tests: [
      { scenario: "employee-callthrough", test: "database down: main menu anyway", failures: ["dialed ['queue:ventas'], expected ['queue:sales']"] },
    ],
  };

  it("is read from its validation summary, and a green one says nothing", () => {
    expect(shippedFailing(summary)).toHaveLength(1);
    expect(shippedFailing({ errors: 0, tests_passed: 3 })).toEqual([]);
    expect(shippedFailing({ despite_failing_tests: "not a list" })).toEqual([]);
    expect(renderToHtml(ShippedFailing, { summary: { errors: 0 } })).toBe("");
  });

  it("names each test with its scenario and why it failed, in the analyst's language", () => {
    const html = renderInLanguage("es", ShippedFailing, { summary });
    expect(html).toContain("Publicada pese a pruebas fallidas: 1");
    expect(html).toContain("«database down: main menu anyway» de employee-callthrough");
    expect(html).toContain("expected [&#x27;queue:sales&#x27;]");
  });
});

// Finding: a version published despite failing tests said why each failed in English, whatever the analyst's
// language. The version records the failures' codes and params (`failure_details`) now, and says them as the Tests
// tab does; a version recorded before (English sentences only) still says those.
describe("why a test a version was published despite failed", () => {
  const dialed = {
    code: "dialed_mismatch",
    params: { dialed: ["queue:ventas"], expected: ["queue:sales"] },
    text: "dialed ['queue:ventas'], expected ['queue:sales']",
  };
  const unknownNode = { code: "unknown_node", params: { node: "salse" }, text: "expect.visited names 'salse', no block of the scenario" };
  const recorded = (failureDetails?: unknown[]) => ({
    despite_failing_tests: [
      {
        scenario: "employee-callthrough",
        test: "database down: main menu anyway",
        failures: (failureDetails ?? [dialed]).map((failure) => (failure as { text: string }).text),
        ...(failureDetails ? { failure_details: failureDetails } : {}),
      },
    ],
  });

  it("is said in Spanish and in Russian from the recorded details", () => {
    const es = renderInLanguage("es", ShippedFailing, { summary: recorded([dialed]), slug: "inbound-hotline" });
    expect(es).toContain("«database down: main menu anyway» de employee-callthrough: La llamada marcó «queue:ventas»; la prueba espera «queue:sales».");
    const ru = renderInLanguage("ru", ShippedFailing, { summary: recorded([dialed]), slug: "inbound-hotline" });
    expect(ru).toContain(": Звонок набрал «queue:ventas»; тест ожидает «queue:sales».");
    for (const html of [es, ru]) {
      expect(html).not.toContain("expected [");
      expect(html).not.toContain('lang="en"');
    }
  });

  it("keeps the server's English, marked English, for a failure with no words here", () => {
    const html = renderInLanguage("es", ShippedFailing, { summary: recorded([unknownNode, dialed]) });
    expect(html).toContain(`: <span lang="en">expect.visited names &#x27;salse&#x27;, no block of the scenario</span>; La llamada marcó`);
  });

  it("is the recorded English, marked English, for a version recorded without details, or with details out of step", () => {
    const english = `: <span lang="en">dialed [&#x27;queue:ventas&#x27;], expected [&#x27;queue:sales&#x27;]</span>`;
    expect(renderInLanguage("ru", ShippedFailing, { summary: recorded() })).toContain(english);
    const outOfStep = { despite_failing_tests: [{ ...recorded().despite_failing_tests[0]!, failure_details: [{ code: "dialed_mismatch" }] }] };
    expect(renderInLanguage("ru", ShippedFailing, { summary: outOfStep })).toContain(english);
  });
});

describe("a version published while tests of other scenarios already failed", () => {
  const summary = { errors: 0, already_failing: [{ scenario: "employee-callthrough", test: "night: closed message" }] };

  it("lists them, muted, apart from an override, in the analyst's language", () => {
    expect(alreadyFailingAt(summary)).toEqual(summary.already_failing);
    expect(alreadyFailingAt({ already_failing: "not a list" })).toEqual([]);
    expect(renderToHtml(AlreadyFailing, { summary: { errors: 0 } })).toBe("");
    const html = renderInLanguage("ru", AlreadyFailing, { summary });
    expect(html).toContain("Тесты других сценариев, не проходившие ещё до этой версии: 1");
    expect(html).toContain("«night: closed message» сценария employee-callthrough");
    expect(html).not.toContain("error-text");
    expect(renderToHtml(ShippedFailing, { summary })).toBe("");
  });
});

describe("rolling back asks first, in the designer, its button naming the version", () => {
  const t = translator("en");
  const published = { version: { number: 5 }, diff: {}, tests: [], problems: [] } as unknown as PublishResult;
  const answered = (data: unknown) => ({ data, response: new Response(null, { status: 200 }) });
  const refused = (status: number, error: unknown) => ({ error, response: new Response(null, { status }) });
  const rollbackCalls = () => post.mock.calls.map(([path, init]) => [path, init.params.path.number, init.body.despite_failing_tests]);

  beforeEach(() => post.mockReset());

  it("asks to roll back to that version, and rolls back on yes", async () => {
    post.mockResolvedValueOnce(answered(published));
    const asked = answering([true]);

    expect(await rollBackIfConfirmed(t, "hotline", 3, asked.confirm)).toEqual(published);

    expect(asked.requests).toEqual([
      {
        title: "Roll back to version 3?",
        body: "Version 3 will be published again as the newest version, and calls will run it.",
        confirmLabel: "Roll back to v3",
      },
    ]);
    expect(asked.shown[0]).toContain('role="alertdialog"');
    expect(buttonTexts(asked.shown[0]!)).toEqual(["Cancel", "Roll back to v3"]);
    expect(rollbackCalls()).toEqual([["/api/scenarios/{slug}/versions/{number}/rollback", 3, false]]);
  });

  it("asks the server nothing on no", async () => {
    expect(await rollBackIfConfirmed(t, "hotline", 3, answering([false]).confirm)).toBeNull();
    expect(post).not.toHaveBeenCalled();
  });

  it("blocked by failing tests alone, asks again, naming them, and rolls back anyway on yes", async () => {
    const failing = { scenario: null, name: "sales", passed: false, failures: ["dialed ['queue:ventas']"], story: [] };
    post.mockResolvedValueOnce(refused(422, { detail: "blocked", problems: [], tests: [failing] })).mockResolvedValueOnce(answered(published));
    const asked = answering([true, true]);

    expect(await rollBackIfConfirmed(t, "hotline", 3, asked.confirm)).toEqual(published);

    expect(asked.requests.map((r) => [r.title, r.confirmLabel, r.items])).toEqual([
      ["Roll back to version 3?", "Roll back to v3", undefined],
      ["Roll back despite failing tests?", "Roll back to v3 anyway", ["✘ sales"]],
    ]);
    expect(rollbackCalls().map(([, number, anyway]) => [number, anyway])).toEqual([
      [3, false],
      [3, true],
    ]);
  });

  it("is asked in the interface language", () => {
    for (const language of ["es", "ru"] as const) {
      const say = translator(language);
      const request = rollbackRequest(say, 3);
      expect(request.confirmLabel).toContain("3");
      expect(request.confirmLabel).not.toBe(rollbackRequest(t, 3).confirmLabel);
      expect(Object.values(request).join(" ")).not.toMatch(/\{\w+\}/);
    }
    expect(rollbackRequest(translator("es"), 3).confirmLabel).toBe("Volver a la v3");
  });
});

// Review (migrating from Twilio Studio): a rollback left the draft holding the change rolled back, the editor said
// "Saved", and the next routine publish shipped it again. The confirmation offers to reset the draft too, checked.
describe("a rollback resets the draft to that version too, unless unchecked", () => {
  const t = translator("en");
  const published = { version: { number: 5 }, diff: {}, tests: [], problems: [], draft_reset: { revision: 8, replaced_revision: 7 } } as unknown as PublishResult;
  const answered = (data: unknown) => ({ data, response: new Response(null, { status: 200 }) });
  const pin = { revision: 7, scenarioCreatedAt: "2026-03-01T08:00:00Z" };
  const bodies = () => post.mock.calls.map(([, init]) => init.body);

  beforeEach(() => post.mockReset());

  it("offers the checkbox, checked, and sends the draft the editor saved to be replaced", async () => {
    post.mockResolvedValueOnce(answered(published));
    const asked = answering([true]);
    const pinDraft = vi.fn(async () => pin);

    expect(await rollBackIfConfirmed(t, "hotline", 3, asked.confirm, pinDraft)).toEqual(published);

    expect(asked.requests[0]!.option).toMatchObject({ label: "Also reset the draft to version 3", checked: true });
    expect(asked.shown[0]).toMatch(/<input type="checkbox"[^>]* checked=""\/>/);
    expect(asked.shown[0]).toContain("Also reset the draft to version 3");
    expect(pinDraft).toHaveBeenCalledOnce();
    expect(bodies()).toEqual([
      { message: "", despite_failing_tests: false, reset_draft: true, revision: 7, scenario_created_at: "2026-03-01T08:00:00Z" },
    ]);
  });

  it("unchecked, leaves the draft as it is and saves nothing first", async () => {
    post.mockResolvedValueOnce(answered(published));
    const pinDraft = vi.fn(async () => pin);
    const uncheck: Confirm = async (request) => {
      request.option!.onChange(false);
      return true;
    };

    await rollBackIfConfirmed(t, "hotline", 3, uncheck, pinDraft);

    expect(pinDraft).not.toHaveBeenCalled();
    expect(bodies()).toEqual([{ message: "", despite_failing_tests: false, reset_draft: false }]);
  });

  it("rolls back nothing when the edits on the canvas could not be saved first", async () => {
    expect(await rollBackIfConfirmed(t, "hotline", 3, answering([true]).confirm, async () => null)).toBeNull();
    expect(post).not.toHaveBeenCalled();
  });

  it("names the version in every language", () => {
    for (const language of ["es", "ru"] as const) {
      const label = translator(language)("versions.resetDraft", { version: 3 });
      expect(label).toContain("3");
      expect(label).not.toBe(t("versions.resetDraft", { version: 3 }));
    }
  });
});
