/**
 * The Calls page's parts apart from its state: the filters' form, an opened call told away from any canvas (named by
 * the version it ran, linked to its path on its scenario's canvas and to the callback job it scheduled), and the
 * list's failures in words.
 */
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/http";
import { fromScenario, type BlockNode, type ScenarioDocument } from "../lib/convert";
import { translator, type Language } from "../lib/i18n";
import { runInTimeZone } from "../testSupport";
import { CallDetails, type OpenCall } from "./CallsPanel";
import { RegisterForm, type RegisterFormProps } from "./CallsPage";
import { NO_REGISTER_FILTERS } from "./callRegister";
import { listFailureText } from "./pageFailure";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";
import { StoryBlocks } from "./storyBlocks";

runInTimeZone("Europe/Madrid");

/** A call that scheduled a callback, as the register's detail gives it. */
const promised: OpenCall = {
  id: "c-77",
  version: 2,
  outcome: "hung_up",
  error: null,
  scenario: "missed-call",
  uniqueid: "1795295104.117",
  channel: "PJSIP/trunk-0000002a",
  startedAt: "2026-12-07T14:40:05Z",
  steps: [
    { node: "start", type: "start", label: "Start", exit: "next" },
    { node: "menu", type: "ivr", label: "Menu", exit: "1", keys: "1" },
    {
      node: "later",
      type: "callback",
      label: "Call back",
      exit: "scheduled",
      events: [{ kind: "callback_scheduled", number: "+34600111222", due: "2026-12-08T09:00:00+01:00", job_id: "7f3e-1" }],
    },
  ],
};

/** The version the call ran: its menu is labelled "Main menu" there. */
const ran = {
  format: "ivrgraph.scenario/1",
  name: "Missed call",
  nodes: [
    { id: "start", type: "start", config: {} },
    { id: "menu", type: "ivr", label: "Main menu", config: { options: [{ key: "1", label: "Billing" }] } },
  ],
  edges: [],
} as unknown as ScenarioDocument;

/** The detail as the Calls page shows it: no canvas, the blocks of the version the call ran. */
function OffCanvas({ call, blocks, scenarioName }: { call: OpenCall; blocks: readonly BlockNode[]; scenarioName?: string }) {
  return createElement(StoryBlocks.Provider, { value: blocks }, createElement(CallDetails, { call, scenarioName }));
}

const linkTo = (html: string, testId: string) => new RegExp(`<a href="([^"]+)" data-testid="${testId}">([^<]*)</a>`).exec(html);

describe("a call opened on the Calls page", () => {
  it("links to its path on its scenario's canvas, and not to itself", () => {
    const html = renderToHtml(OffCanvas, { call: promised, blocks: [] });
    expect(linkTo(html, "call-canvas-link")?.slice(1)).toEqual(["#/s/missed-call?call=c-77", "Show its path on the canvas of “missed-call”"]);
    expect(html).not.toContain("call-page-link");
  });

  it("names the scenario of that link as the analyst named it, in the interface language", () => {
    const named = (language: Language) =>
      linkTo(renderInLanguage(language, OffCanvas, { call: promised, blocks: [], scenarioName: "Входящая линия ЖКХ" }), "call-canvas-link")?.[2];
    expect(named("ru")).toBe("Показать его путь на холсте сценария «Входящая линия ЖКХ»");
    expect(named("es")).toBe("Ver su recorrido en el lienzo de «Входящая линия ЖКХ»");
  });

  it("beside the canvas (the editor's Calls tab), links to itself on the Calls page instead, to be shared", () => {
    const html = renderToHtml(CallDetails, { call: promised });
    expect(linkTo(html, "call-page-link")?.[1]).toBe("#/calls?call=c-77");
    expect(html).not.toContain("call-canvas-link");
  });

  it("makes the job its callback scheduled a link to that job", () => {
    const html = renderToHtml(OffCanvas, { call: promised, blocks: [] });
    expect(html).toMatch(/\(job <a href="#\/callbacks\?job=7f3e-1" data-testid="step-job-link">7f3e-1<\/a>\)<\/div>/);
    // The same in the editor's Calls tab, and in Russian.
    expect(renderInLanguage("ru", CallDetails, { call: promised })).toMatch(/\(задание <a href="#\/callbacks\?job=7f3e-1"[^>]*>7f3e-1<\/a>\)/);
  });

  it("links a call the dialer placed to its job, and to the call that scheduled that job", () => {
    const html = renderToHtml(OffCanvas, { call: { ...promised, callbackJobId: "7f3e-1", originCallId: "c-70" }, blocks: [] });
    expect(linkTo(html, "call-job-link")?.slice(1)).toEqual(["#/callbacks?job=7f3e-1", "Placed for callback job 7f3e-1"]);
    expect(linkTo(html, "call-origin-link")?.slice(1)).toEqual(["#/calls?call=c-70", "The call that scheduled this callback (c-70)"]);
  });

  it("names its steps as text, and the blocks its events name by the version it ran, not by the editor's canvas", () => {
    const fellBack: OpenCall = { ...promised, steps: [...promised.steps, { node: "lookup", type: "sql", label: "Lookup", events: [{ kind: "fallback", target: "menu" }] }] };
    const html = renderToHtml(OffCanvas, { call: fellBack, blocks: fromScenario(ran).nodes });
    const storyPart = /<ol class="story call-story".*<\/ol>/s.exec(html)![0];
    expect(buttonTexts(storyPart)).toEqual([]);
    expect(storyPart).toContain('<span class="step-name">Menu</span>');
    expect(storyPart).toContain("Went to the fallback block Main menu");
  });

  it("links each callback job it asked for to that job on the Callbacks page", () => {
    const html = renderToHtml(OffCanvas, { call: { ...promised, scheduledJobIds: ["7f3e-1", "9a0b-2"] }, blocks: [] });
    const links = [...html.matchAll(/<a href="([^"]+)" data-testid="call-scheduled-job-link">([^<]*)<\/a>/g)].map((m) => m.slice(1));
    expect(links).toEqual([
      ["#/callbacks?job=7f3e-1", "Asked for callback job 7f3e-1"],
      ["#/callbacks?job=9a0b-2", "Asked for callback job 9a0b-2"],
    ]);
    // Beside the canvas too, in the reader's language.
    expect(renderInLanguage("es", CallDetails, { call: { ...promised, scheduledJobIds: ["7f3e-1"] } })).toContain(
      '<a href="#/callbacks?job=7f3e-1" data-testid="call-scheduled-job-link">Pidió la tarea de devolución 7f3e-1</a>',
    );
    for (const none of [[], null, undefined]) {
      expect(renderToHtml(CallDetails, { call: { ...promised, scheduledJobIds: none } })).not.toContain("call-scheduled-job-link");
    }
  });

  it("says which version it ran without speaking of a canvas there is not", () => {
    const html = renderToHtml(OffCanvas, { call: promised, blocks: [] });
    expect(html).toContain('data-testid="version-note">This call ran published version 2.</p>');
    expect(html).not.toContain("canvas shows the draft");
  });
});

describe("the filters of the Calls page", () => {
  const props: RegisterFormProps = {
    filters: { ...NO_REGISTER_FILTERS, from: "2026-12-07T15:30", caller: "+34600111222" },
    scenarios: [{ slug: "missed-call", name: "Missed call" }],
    zone: "Europe/Madrid",
    onChange: () => undefined,
    onSubmit: () => undefined,
  };

  it("is a search a screen reader names, each field inside its label, the range read on a clock it names", () => {
    const html = renderToHtml(RegisterForm, props);
    expect(html).toMatch(/^<form class="register-filters" role="search" aria-label="Find calls"/);
    const labels = [...html.matchAll(/<label>([^<]*)<(input|select)/g)].map((m) => m[1]);
    expect(labels).toEqual(["Scenario", "From", "To", "Number or name", "Asterisk UniqueID", "Status", "Answer", "Errors"]);
    expect(html).toContain('<label>From<input type="datetime-local" aria-describedby="register-clock" value="2026-12-07T15:30"/></label>');
    expect(html).toContain('id="register-clock">Times are on this browser&#x27;s clock (Europe/Madrid); both ends are included.</p>');
    expect(html).toContain('<option value="missed-call">Missed call (missed-call)</option>');
  });

  it("offers every call, those with errors or those without, the choice the address names chosen", () => {
    const html = renderInLanguage("ru", RegisterForm, { ...props, filters: { ...props.filters, withErrors: "true" } });
    const errors = /<label>Ошибки<select>(.*?)<\/select><\/label>/.exec(html)![1]!;
    expect([...errors.matchAll(/<option value="(\w*)"[^>]*?( selected="")?>([^<]*)</g)].map((m) => `${m[1]}=${m[3]}${m[2] ?? ""}`)).toEqual([
      "=Все звонки",
      'true=С ошибками selected=""',
      "false=Без ошибок",
    ]);
  });

  it("says it shows the calls that asked for a callback job, links the job back, and offers to drop that filter", () => {
    const html = renderToHtml(RegisterForm, { ...props, filters: { ...NO_REGISTER_FILTERS, scheduledJob: "7f3e-1" } });
    expect(html).toContain(
      '<p class="register-job" data-testid="register-job">Only the calls that asked for callback job ' +
        '<a href="#/callbacks?job=7f3e-1" class="mono" data-testid="register-job-link">7f3e-1</a> ' +
        '<button type="button" class="link">Remove this filter</button></p>',
    );
    expect(html).toContain("Clear filters");
    expect(renderToHtml(RegisterForm, props)).not.toContain("register-job");
    expect(renderInLanguage("ru", RegisterForm, { ...props, filters: { ...NO_REGISTER_FILTERS, scheduledJob: "7f3e-1" } })).toMatch(
      /Только звонки, запросившие обратный звонок по заданию <a href="#\/callbacks\?job=7f3e-1"[^>]*>7f3e-1<\/a> <button type="button" class="link">Убрать этот фильтр<\/button>/,
    );
  });

  it("still offers a scenario the address names that the list does not hold", () => {
    const html = renderInLanguage("es", RegisterForm, { ...props, filters: { ...props.filters, scenario: "gone" } });
    expect(html).toContain('<option value="gone" selected="">gone</option>');
    expect(html).toContain("Todos los escenarios");
  });
});

describe("a list the server did not give", () => {
  const t = translator("en");
  it("says the zone the server does not know, what it refused, or why it failed", () => {
    const zone = new ApiError(422, { problems: [{ path: "$.tz", message: "unknown time zone" }] }, "422");
    expect(listFailureText(t, zone, "Mars/Olympus")).toBe(
      "The server does not know this browser's time zone (Mars/Olympus): the times cannot be read on its clock.",
    );
    const refused = new ApiError(422, { problems: [{ path: "$.caller", message: "too long" }] }, "422");
    expect(listFailureText(t, refused, "UTC")).toBe("The search was refused: caller: too long");
    expect(listFailureText(t, new ApiError(0, null, "the server did not answer"), "UTC")).toBe("The calls could not be loaded: the server did not answer");
    expect(listFailureText(t, new Error("boom"), "UTC", "callbacks.failed")).toBe("The callback jobs could not be loaded: boom");
  });
});
