/**
 * The Callbacks page's parts apart from its state: a job opened (when it is due and within what window, its attempts
 * and how it went, links to the call that scheduled it and to each attempt's call), the list of jobs, and the
 * filters, in each language and as a user without personal data reads them.
 */
import { describe, expect, it } from "vitest";
import type { CallbackJob } from "../api/client";
import { translator } from "../lib/i18n";
import { runInTimeZone } from "../testSupport";
import { JobDetails, JobForm, jobOutcomeText, JobTable } from "./CallbacksPage";
import { NO_JOB_FILTERS } from "./callbackJobs";
import { renderInLanguage, renderToHtml } from "./renderForTest";

runInTimeZone("Europe/Madrid");

const job: CallbackJob = {
  id: "7f3e-1",
  number: "+34600111222",
  scenario: "callback-connect",
  due: "2026-12-08T08:00:00Z",
  window_end: "2026-12-08T18:00:00Z",
  variables: { missed_reason: "abandoned" },
  attempts: 2,
  max_attempts: 3,
  status: "pending",
  outcome: "busy",
  last_attempt_at: "2026-12-08T08:10:00Z",
  reached_at: null,
  origin_call_id: "c-77",
  history: [
    { at: "2026-12-08T08:00:05Z", outcome: "no_answer", call_id: null },
    { at: "2026-12-08T08:10:00Z", outcome: "busy", call_id: "c-81" },
  ],
};

const names = (slug: string) => (slug === "callback-connect" ? "Callback connect" : slug);

/** The facts the job's detail lists, label and value, as text. */
function facts(html: string): Record<string, string> {
  const list = /<dl class="job-facts"[^>]*>(.*?)<\/dl>/s.exec(html)![1]!;
  const text = (markup: string) => markup.replace(/<[^>]+>/g, "").replace(/&#x27;/g, "'").replace(/\s+/g, " ").trim();
  return Object.fromEntries([...list.matchAll(/<dt>(.*?)<\/dt><dd[^>]*>(.*?)<\/dd>/gs)].map((m) => [text(m[1]!), text(m[2]!)]));
}

describe("a callback job opened", () => {
  it("says when it is due and within what window, its attempts, status and last outcome, on the browser's clock", () => {
    expect(facts(renderToHtml(JobDetails, { job, scenarioName: names }))).toEqual({
      "Job ID": "7f3e-1",
      Status: "Waiting (Not called yet, or waiting for its next attempt)",
      "Client's number": "+34600111222 · Calls from or to this number",
      Scenario: "Callback connect",
      Due: "Dec 8, 2026, 9:00:00 AM",
      "Time window": "Dec 8, 2026, 9:00:00 AM to Dec 8, 2026, 7:00:00 PM",
      Attempts: "2 of 3",
      "Last outcome": "busy",
      "Last attempt": "Dec 8, 2026, 9:10:00 AM",
      "Scheduled by": "the call c-77",
    });
  });

  it("links to the call that scheduled it among those that asked for it, to each attempt's call, and to the number's calls", () => {
    const html = renderToHtml(JobDetails, { job, scenarioName: names });
    // The call that scheduled it, opened among every call that asked for it: a client who called again joined it.
    expect(html).toContain(
      '<a href="#/calls?scheduled_job_id=7f3e-1&amp;call=c-77" title="Opens it among every call that asked for this callback" data-testid="job-origin-link">the call c-77</a>',
    );
    expect(html).toContain('<a href="#/calls?call=c-81" class="mono" aria-label="Open the call c-81">c-81</a>');
    expect(html).toContain("no call recorded");
    expect(html).toContain('<a href="#/calls?caller=+34600111222" data-testid="job-number-calls">');
  });

  it("names the node dialling it and until when its lease holds, in each language; nothing while no node holds it", () => {
    const dialling = { ...job, status: "dialing" as const, locked_by: "node-b", lock_until: "2026-12-08T08:12:00Z" };
    expect(facts(renderToHtml(JobDetails, { job: dialling, scenarioName: names }))).toMatchObject({
      "Being dialled by": "node node-b, its lease until Dec 8, 2026, 9:12:00 AM",
    });
    expect(facts(renderInLanguage("es", JobDetails, { job: dialling, scenarioName: names }))["Marcando desde"]).toMatch(/^el nodo node-b, con la reserva hasta .*2026/);
    expect(facts(renderInLanguage("ru", JobDetails, { job: dialling, scenarioName: names }))["Набирает"]).toMatch(/^узел node-b, захват до .*2026/);
    const html = renderToHtml(JobDetails, { job: { ...job, locked_by: null, lock_until: null }, scenarioName: names });
    expect(html).not.toContain("job-locked-by");
  });

  it("without an origin call or a window's end, or before any attempt, says so", () => {
    const fresh = { ...job, origin_call_id: null, window_end: null, attempts: 0, outcome: null, last_attempt_at: null, history: [] };
    const html = renderToHtml(JobDetails, { job: fresh, scenarioName: names });
    expect(facts(html)).toMatchObject({
      "Time window": "from Dec 8, 2026, 9:00:00 AM, no end",
      "Last outcome": "none yet",
      "Scheduled by": "no call: made through the API or a call list",
    });
    expect(html).toContain("Not dialled yet.");
    expect(html).not.toContain("job-history");
  });

  it("as a user without personal data reads it: the masked number not offered for a lookup, the masks in their language", () => {
    const masked = { ...job, number: "+34*******22", variables: { missed_reason: "[hidden: 9 characters]" } };
    const html = renderInLanguage("es", JobDetails, { job: masked, scenarioName: names });
    expect(html).not.toContain("job-number-calls");
    expect(html).toContain("missed_reason = &quot;[oculto: 9 caracteres]&quot;");
    expect(facts(html)).toMatchObject({ Estado: "En espera (Aún sin llamar, o esperando su próximo intento)", Intentos: "2 de 3" });
    expect(html).toContain('title="La abre entre todas las llamadas que pidieron esta devolución" data-testid="job-origin-link">la llamada c-77</a>');
  });

  it("says why a due dial was not made at the window's end, and when the client is called next (a collections supervisor's review)", () => {
    const moved = {
      ...job,
      due: "2026-12-09T08:00:00Z",
      history: [...job.history!, { at: "2026-12-08T17:59:40Z", outcome: "window_closed", call_id: null }],
    };
    const html = renderToHtml(JobDetails, { job: moved, scenarioName: names });
    expect(html).toMatch(/<td data-outcome="window_closed">Not dialled: a ring could still last when its window closes; next call [^<]*2026[^<]*<\/td>/);
    expect(renderInLanguage("es", JobDetails, { job: moved, scenarioName: names })).toContain("No se marcó: el timbre podría durar más allá del cierre de su franja");
    expect(renderInLanguage("ru", JobDetails, { job: moved, scenarioName: names })).toContain("Не набран: звонок мог не закончиться до закрытия окна");
  });

  it("says when the client is called next only on the newest window-closed entry of a job still waiting", () => {
    const closedTwice = {
      ...job,
      due: "2026-12-10T08:00:00Z",
      history: [
        { at: "2026-12-08T17:59:40Z", outcome: "window_closed", call_id: null },
        { at: "2026-12-09T08:00:05Z", outcome: "no_answer", call_id: null },
        { at: "2026-12-09T17:59:40Z", outcome: "window_closed", call_id: null },
      ],
    };
    const outcomes = (html: string) => [...html.matchAll(/<td data-outcome="window_closed">([^<]*)<\/td>/g)].map((m) => m[1]);
    // The older entry's next call has long happened: the job's due now is not when it was.
    expect(outcomes(renderToHtml(JobDetails, { job: closedTwice, scenarioName: names }))).toEqual([
      "Not dialled: a ring could still last when its window closes",
      "Not dialled: a ring could still last when its window closes; next call Dec 10, 2026, 9:00:00 AM",
    ]);
    // A dial after it: no entry says a next call any more.
    const dialledSince = { ...closedTwice, history: closedTwice.history.slice(0, 2) };
    expect(outcomes(renderToHtml(JobDetails, { job: dialledSince, scenarioName: names }))).toEqual([
      "Not dialled: a ring could still last when its window closes",
    ]);
    // Out of time (or cancelled): nothing is called next.
    for (const status of ["expired", "cancelled"] as const) {
      expect(outcomes(renderToHtml(JobDetails, { job: { ...closedTwice, status }, scenarioName: names }))).toEqual([
        "Not dialled: a ring could still last when its window closes",
        "Not dialled: a ring could still last when its window closes",
      ]);
    }
    expect(outcomes(renderInLanguage("es", JobDetails, { job: closedTwice, scenarioName: names }))[0]).toBe(
      "No se marcó: el timbre podría durar más allá del cierre de su franja",
    );
    expect(outcomes(renderInLanguage("ru", JobDetails, { job: closedTwice, scenarioName: names }))[0]).toBe(
      "Не набран: звонок мог не закончиться до закрытия окна",
    );
  });

  it("is told in Russian too", () => {
    const told = facts(renderInLanguage("ru", JobDetails, { job: { ...job, status: "expired", outcome: "window_closed" }, scenarioName: names }));
    expect(told).toMatchObject({ Статус: "Время вышло (Окно времени закрылось раньше, чем клиенту дозвонились)", "Последний итог": "окно времени закрылось" });
  });
});

describe("the list of jobs", () => {
  it("opens a job from its due time, and says each status and outcome in words", () => {
    const html = renderToHtml(JobTable, { jobs: [job], openId: "7f3e-1", names: new Map([["callback-connect", "Callback connect"]]), onOpen: () => undefined });
    expect(html).toContain('<tr class="open" aria-current="true" data-job-id="7f3e-1">');
    expect(html).toContain('<button type="button" class="link" title="Open the job">12/8/26, 9:00:00 AM</button>');
    expect(html).toContain('<td data-status="pending" title="Not called yet, or waiting for its next attempt">Waiting</td><td class="num">2 / 3</td><td data-outcome="busy">busy</td>');
  });

  it("words an outcome it knows, and spaces one it does not", () => {
    const t = translator("en");
    expect(jobOutcomeText(t, "no_answer")).toBe("no answer");
    expect(jobOutcomeText(t, "carrier_said_no")).toBe("carrier said no");
    expect(jobOutcomeText(t, null)).toBe("");
  });
});

describe("the filters of the Callbacks page", () => {
  const props = { filters: NO_JOB_FILTERS, scenarios: [], onChange: () => undefined, onSubmit: () => undefined };

  it("is a search a screen reader names, each field inside its label, every status offered in words", () => {
    const html = renderToHtml(JobForm, props);
    expect(html).toMatch(/^<form class="job-filters" role="search" aria-label="Find callback jobs"/);
    expect([...html.matchAll(/<label>([^<]*)<(input|select)/g)].map((m) => m[1])).toEqual(["Client&#x27;s number", "Status", "Scenario", "Campaign ID"]);
    expect([...html.matchAll(/<option value="(\w+)" title="[^"]+">([^<]+)</g)].map((m) => `${m[1]}: ${m[2]}`)).toEqual([
      "pending: Waiting", "dialing: Calling now", "done: Done", "failed: Not reached", "expired: Out of time", "cancelled: Cancelled",
    ]);
  });

  it("marks a number the server would refuse, pointing at why", () => {
    const html = renderToHtml(JobForm, { ...props, filters: { ...NO_JOB_FILTERS, number: "Петрова" } });
    expect(html).toContain('aria-invalid="true" aria-describedby="job-number-problem"');
    expect(renderToHtml(JobForm, { ...props, filters: { ...NO_JOB_FILTERS, number: "+34 600" } })).not.toContain("aria-invalid");
  });
});
