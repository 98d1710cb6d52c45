// A support engineer answers "I called a few minutes ago from +34 6.. and you promised to call me back": real FastAGI
// calls from one number into two published scenarios (one schedules a callback), then the top-level Calls page finds
// both by the number and a time range on the browser's clock, across scenarios; the link keeps the filters; the call
// opened shows its ids (call id with Copy, Asterisk UniqueID, channel) and its story, whose callback job is a link to
// the Callbacks page; the job names the call that scheduled it, which opens back on the Calls page among the calls
// that asked for the job, and on its scenario's canvas with its path lit. A call whose data source was not there is
// marked in the list and found by the errors filter, which the address keeps. A viewer without personal data, on another time zone's clock, finds the same
// calls by the full number and their local times, and reads them masked. Called from designer.e2e.mjs with its helpers.
import { submitSignIn } from "./lib.mjs";

const at = (x, y) => ({ x, y });

/** Start -> Promise -> Callback (the caller's own number, an hour later, any day) -> End. */
function promiseScenario(name, slug) {
  return {
    format: "ivrgraph.scenario/1",
    name,
    language: "es",
    nodes: [
      { id: "start", type: "start", position: at(0, 80), config: {} },
      { id: "promise", type: "say_phrase", label: "Promise", position: at(280, 80), config: { text: "Le llamaremos en una hora." } },
      {
        id: "later",
        type: "callback",
        label: "Call back",
        position: at(560, 80),
        config: {
          number: "{{ caller_id }}",
          delay_minutes: 60,
          timezone: "UTC",
          window: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "00:00", to: "23:59" }],
          scenario: slug,
        },
      },
      { id: "bye", type: "hangup", label: "End", position: at(840, 0), config: {} },
      { id: "refused", type: "hangup", label: "Refused", position: at(840, 200), config: {} },
    ],
    edges: [
      { id: "start.next->promise", source: "start", exit: "next", target: "promise" },
      { id: "promise.next->later", source: "promise", exit: "next", target: "later" },
      { id: "later.scheduled->bye", source: "later", exit: "scheduled", target: "bye" },
      { id: "later.rejected->refused", source: "later", exit: "rejected", target: "refused" },
    ],
  };
}

/** Start -> Hello -> End: the other scenario the same client called. */
function helloScenario(name) {
  return {
    format: "ivrgraph.scenario/1",
    name,
    nodes: [
      { id: "start", type: "start", position: at(0, 80), config: {} },
      { id: "hello", type: "say_phrase", label: "Hello", position: at(280, 80), config: { text: "Hola." } },
      { id: "bye", type: "hangup", label: "End", position: at(560, 80), config: {} },
    ],
    edges: [
      { id: "start.next->hello", source: "start", exit: "next", target: "hello" },
      { id: "hello.next->bye", source: "hello", exit: "next", target: "bye" },
    ],
  };
}

/** Start -> Lookup (SQL on a data source nobody configured: its error exit) -> Sorry; found or not, Thanks. */
function lookupScenario(name) {
  return {
    format: "ivrgraph.scenario/1",
    name,
    nodes: [
      { id: "start", type: "start", position: at(0, 80), config: {} },
      { id: "lookup", type: "sql", label: "Lookup", position: at(280, 80), config: { source: "support_crm_not_configured", query: "SELECT 1 AS one" } },
      { id: "thanks", type: "hangup", label: "Thanks", position: at(560, 0), config: {} },
      { id: "sorry", type: "hangup", label: "Sorry", position: at(560, 200), config: {} },
    ],
    edges: [
      { id: "start.next->lookup", source: "start", exit: "next", target: "lookup" },
      { id: "lookup.found->thanks", source: "lookup", exit: "found", target: "thanks" },
      { id: "lookup.not_found->thanks", source: "lookup", exit: "not_found", target: "thanks" },
      { id: "lookup.error->sorry", source: "lookup", exit: "error", target: "sorry" },
    ],
  };
}

/** A `datetime-local` value `minutes` from now on the browser's clock ("2026-12-07T15:40"). */
const localTime = (page, minutes) =>
  page.evaluate((m) => {
    const when = new Date(Date.now() + m * 60_000);
    const two = (n) => String(n).padStart(2, "0");
    return `${when.getFullYear()}-${two(when.getMonth() + 1)}-${two(when.getDate())}T${two(when.getHours())}:${two(when.getMinutes())}`;
  }, minutes);

const hashParams = (page) => new URLSearchParams(new URL(page.url()).hash.replace(/^#\/[a-z]+\?/, "").replace(/\+/g, "%2B"));

export async function supportLookup(browser, page, { check, shot, me, admin, base, placeCall, stamp }) {
  const promiseSlug = `support-promise-${stamp}`;
  const helloSlug = `support-hello-${stamp}`;
  const promiseName = `Support promise ${stamp}`;
  const helloName = `Support hello ${stamp}`;
  await me("POST", "/api/scenarios", { slug: promiseSlug, name: promiseName, document: promiseScenario(promiseName, promiseSlug) });
  await me("POST", `/api/scenarios/${promiseSlug}/publish`, { message: "Callback" });
  await me("POST", "/api/scenarios", { slug: helloSlug, name: helloName, document: helloScenario(helloName) });
  await me("POST", `/api/scenarios/${helloSlug}/publish`, { message: "Hello" });
  const lookupSlug = `support-lookup-${stamp}`;
  await me("POST", "/api/scenarios", { slug: lookupSlug, name: `Support lookup ${stamp}`, document: lookupScenario(`Support lookup ${stamp}`) });
  await me("POST", `/api/scenarios/${lookupSlug}/publish`, { message: "Lookup" });

  // A Spanish mobile of this run only: + 34 6 and eight digits.
  const digits = String(Date.now() % 100_000_000).padStart(8, "0");
  const client = `+346${digits}`;
  const typed = `+34 6${digits.slice(0, 2)} ${digits.slice(2, 5)} ${digits.slice(5)}`;
  const uniqueid = `support-${stamp}.7`;
  const channel = `PJSIP/trunk-${stamp}`;
  await placeCall(helloSlug, "-", ["--callerid", client, "--uniqueid", `support-${stamp}.3`]);
  await placeCall(promiseSlug, "-", ["--callerid", client, "--uniqueid", uniqueid, "--channel", channel]);
  await placeCall(promiseSlug, "-", []); // someone else's call into the same scenario
  const failedUniqueid = `support-${stamp}.9`;
  await placeCall(lookupSlug, "-", ["--uniqueid", failedUniqueid]); // someone else's, whose lookup failed
  let found = [];
  for (let attempt = 0; attempt < 40 && found.length < 2; attempt += 1) {
    found = (await me("GET", `/api/calls?caller=${encodeURIComponent(client)}`)).items;
    if (found.length < 2) await page.waitForTimeout(300); // records are written in batches, off the call's path
  }
  const promised = found.find((call) => call.scenario === promiseSlug);
  check(found.length === 2 && promised?.status === "callback_scheduled", `two calls from ${client} recorded, one scheduling a callback`);

  // -- the Calls page: by number and time, across scenarios ------------------------------------------------------
  const asked = [];
  const onRequest = (request) => /\/api\/calls\?/.test(request.url()) && asked.push(new URL(request.url()).searchParams);
  page.on("request", onRequest);
  await page.goto(`${base}/#/`);
  await page.getByTestId("current-user").waitFor();
  await page.locator("header nav").getByRole("link", { name: "Call records", exact: true }).click();
  const calls = page.getByTestId("calls-page");
  await calls.getByRole("heading", { name: "Call records", level: 1 }).waitFor();
  const filters = calls.getByRole("search", { name: "Find calls" });
  await filters.getByLabel("Number or name").fill(typed);
  await filters.getByLabel("From", { exact: true }).fill(await localTime(page, -10));
  await filters.getByLabel("To", { exact: true }).fill(await localTime(page, 10));
  const count = calls.getByTestId("calls-count");
  await count.filter({ hasText: /^2 calls in all$/ }).waitFor();
  const rows = calls.locator("table.calls tbody tr");
  const scenarioCells = await rows.locator("td.call-scenario").allTextContents();
  check(
    (await rows.count()) === 2 && scenarioCells.includes(promiseName) && scenarioCells.includes(helloName),
    `the number and the last 20 minutes find the client's calls in both scenarios (${scenarioCells.join(", ")})`,
  );
  const sent = asked.at(-1);
  const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  check(
    sent.get("tz") === zone && /^\d{4}-\d\d-\d\dT\d\d:\d\d:00$/.test(sent.get("since")) && !sent.has("scenario") && sent.get("caller") === typed,
    `asked on the browser's clock: since ${sent.get("since")} with tz ${sent.get("tz")}, every scenario, the number as typed`,
  );
  const linked = hashParams(page);
  check(linked.get("caller") === typed && linked.has("from") && linked.has("to"), `the address keeps the filters (${new URL(page.url()).hash})`);
  await shot(page, "17-calls-page-by-number");

  // The range ends before the calls: none; the same address opened again shows them again.
  await filters.getByLabel("To", { exact: true }).fill(await localTime(page, -5));
  await calls.getByTestId("calls-none").filter({ hasText: "No calls match these filters." }).waitFor();
  check(true, "a range that ends before the calls finds none");
  await filters.getByLabel("To", { exact: true }).fill(await localTime(page, 10));
  await count.filter({ hasText: /^2 calls in all$/ }).waitFor();
  const shared = page.url();
  await page.goto(`${base}/#/`);
  await page.getByTestId("current-user").waitFor();
  await page.goto(shared);
  await count.filter({ hasText: /^2 calls in all$/ }).waitFor();
  check((await filters.getByLabel("Number or name").inputValue()) === typed, "the link opened again shows the same filters and calls");

  // By Asterisk's UniqueID alone: the one call a CDR line is about.
  await calls.getByRole("button", { name: "Clear filters" }).click();
  await filters.getByLabel("Asterisk UniqueID").fill(uniqueid);
  await count.filter({ hasText: /^1 call in all$/ }).waitFor();
  check((await rows.locator("td.call-scenario").textContent()) === promiseName, "the UniqueID finds its one call");

  // -- a call whose data source failed: marked in its row, found by the errors filter -----------------------------
  for (let attempt = 0; attempt < 40 && (await me("GET", `/api/calls?uniqueid=${failedUniqueid}`)).items.length === 0; attempt += 1) {
    await page.waitForTimeout(300);
  }
  const uniqueidField = filters.getByLabel("Asterisk UniqueID");
  const errorsFilter = filters.getByLabel("Errors");
  await uniqueidField.fill(failedUniqueid);
  const mark = rows.getByRole("img", { name: "1 step took an error exit" });
  await mark.waitFor();
  check((await mark.textContent()).endsWith("1 error"), `the call whose lookup failed is marked in words: "${await mark.textContent()}"`);
  await errorsFilter.selectOption({ label: "Without errors" });
  await calls.getByTestId("calls-none").filter({ hasText: "No calls match these filters." }).waitFor();
  await errorsFilter.selectOption({ label: "With errors" });
  await count.filter({ hasText: /^1 call in all$/ }).waitFor();
  check(
    hashParams(page).get("with_errors") === "true" && asked.at(-1).get("with_errors") === "true",
    "the errors filter finds it (not Without errors), asks with_errors=true and keeps it in the address",
  );
  await shot(page, "17-calls-page-with-errors");
  await uniqueidField.fill(uniqueid);
  await calls.getByTestId("calls-none").filter({ hasText: "No calls match these filters." }).waitFor();
  check(true, "the call that scheduled a callback took no error exit: not among the calls with errors");
  await errorsFilter.selectOption({ label: "All calls" });
  await count.filter({ hasText: /^1 call in all$/ }).waitFor();
  check(!hashParams(page).has("with_errors") && (await rows.getByTestId("call-error-steps").count()) === 0, "All calls again: the one call, unmarked");

  // -- the call opened: its ids and its story -------------------------------------------------------------------
  await rows.first().getByRole("button").click();
  const detail = calls.getByTestId("call-detail");
  await detail.getByTestId("call-story").waitFor();
  check(hashParams(page).get("call") === promised.id, "opening the call puts its id in the address");
  check(
    (await detail.getByTestId("call-id").textContent()) === promised.id &&
      (await detail.getByTestId("call-uniqueid").textContent()) === uniqueid &&
      (await detail.getByTestId("call-channel").textContent()) === channel,
    "the detail shows the call id, Asterisk's UniqueID and the channel, each labelled for what it is",
  );
  check((await detail.locator("dl.call-identity dt").allTextContents()).join(" | ") === "Call ID | Asterisk UniqueID | Channel", "labelled Call ID, Asterisk UniqueID, Channel");
  await detail.getByRole("button", { name: "Copy the call ID" }).click();
  await detail.getByTestId("call-id-copied").filter({ hasText: /^Copied$/ }).waitFor();
  check(true, "Copy says the id was copied");
  const jobLink = detail.getByTestId("step-job-link");
  const jobId = await jobLink.textContent();
  const event = await detail.getByTestId("step-event").filter({ has: page.getByTestId("step-job-link") }).textContent();
  check(event.startsWith(`Callback to ${client} scheduled for `) && event.endsWith(`(job ${jobId})`), `the story names the callback and its job: ${event}`);
  check(
    (await detail.getByTestId("call-scheduled-job-link").getAttribute("href")) === `#/callbacks?job=${jobId}`,
    "the call's links name the callback job it asked for",
  );
  await shot(page, "17a-calls-page-call-opened");

  // -- to its job and back ------------------------------------------------------------------------------------
  await jobLink.click();
  const callbacks = page.getByTestId("callbacks-page");
  const job = callbacks.getByTestId("job-detail");
  await job.getByTestId("job-facts").waitFor();
  check(
    (await job.getByTestId("job-id").textContent()) === jobId &&
      (await job.getByTestId("job-status").locator(".job-status").textContent()) === "Waiting" &&
      (await job.getByTestId("job-attempts").textContent()) === "0 of 3" &&
      (await job.getByTestId("job-number").textContent()) === client,
    "the job opens on the Callbacks page: waiting, no attempt of 3, the client's number",
  );
  const due = await me("GET", `/api/callbacks/${jobId}`);
  const dueShown = await job.getByTestId("job-due").textContent();
  const dueLocal = await page.evaluate((iso) => new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "medium" }).format(new Date(iso)), due.due);
  check(dueShown === dueLocal, `its due time is shown on the browser's clock (${dueShown})`);
  await callbacks.getByRole("search", { name: "Find callback jobs" }).getByLabel("Client's number").fill(typed);
  await callbacks.getByTestId("jobs-count").filter({ hasText: /^Jobs shown: 1, newest first\.$/ }).waitFor();
  check(
    (await callbacks.locator("table.jobs tbody tr").getAttribute("data-job-id")) === jobId && hashParams(page).get("number") === typed,
    "the number filter lists the client's one job, and the address keeps it",
  );
  await shot(page, "17b-callbacks-page-job");

  await job.getByTestId("job-origin-link").click();
  await detail.getByTestId("call-story").waitFor();
  check((await detail.getByTestId("call-id").textContent()) === promised.id, "the job's origin call opens back on the Calls page");
  await count.filter({ hasText: /^1 call in all$/ }).waitFor();
  check(
    hashParams(page).get("scheduled_job_id") === jobId &&
      asked.at(-1).get("scheduled_job_id") === jobId &&
      (await calls.getByTestId("register-job-link").textContent()) === jobId &&
      (await rows.getAttribute("data-call-id")) === promised.id,
    "among the calls that asked for its job (scheduled_job_id=), said above the filters with the job linked back",
  );

  // -- on its scenario's canvas ---------------------------------------------------------------------------------
  await detail.getByTestId("call-canvas-link").click();
  await page.getByTestId("editor").waitFor();
  await page.getByTestId("calls-panel").getByTestId("call-steps").waitFor();
  await page.waitForFunction(() => document.querySelectorAll(".react-flow__node .block-node.on-path").length > 0);
  const lit = await page.evaluate(() => [...document.querySelectorAll(".react-flow__node .block-node.on-path")].map((el) => el.getAttribute("data-node-id")));
  check(
    (await page.getByRole("tab", { name: "Calls" }).getAttribute("aria-selected")) === "true" && lit.includes("later") && !lit.includes("refused"),
    `"Show its path on the canvas" opens the scenario's Calls tab on that call, its path lit (${lit.join(" -> ")})`,
  );
  await shot(page, "17c-call-path-on-canvas");
  page.off("request", onRequest);

  // -- a viewer without personal data, on another clock: the same calls, by the full number and their local time -------
  // Bogotá is 5 hours behind UTC all year: a range sent as if it were UTC would miss the calls by 5 hours.
  const viewer = `support-viewer-${stamp}`;
  const password = `support-viewer-${stamp}-secret`;
  await admin("POST", "/api/users", { username: viewer, password, role: "viewer" });
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: "en-US", timezoneId: "America/Bogota" });
  const viewerPage = await context.newPage();
  try {
    const range = new URLSearchParams({ caller: client, from: await localTime(viewerPage, -10), to: await localTime(viewerPage, 10) });
    const sentAs = [];
    viewerPage.on("request", (request) => /\/api\/calls\?/.test(request.url()) && sentAs.push(new URL(request.url()).searchParams));
    await viewerPage.goto(`${base}/#/calls?${range}`);
    await submitSignIn(viewerPage, viewer, password);
    const page2 = viewerPage.getByTestId("calls-page");
    await page2.getByTestId("calls-count").filter({ hasText: /^2 calls in all$/ }).waitFor();
    const numbers = await page2.locator("table.calls tbody [data-testid=call-numbers]").allTextContents();
    check(
      numbers.length === 2 && numbers.every((text) => text.startsWith("+34*") && !text.includes(digits)) && (await page2.getByTestId("calls-masked").isVisible()),
      `a viewer without personal data finds the calls by the full number and reads it masked (${numbers.join(", ")})`,
    );
    const sentBogota = sentAs.at(-1);
    check(
      sentBogota.get("tz") === "America/Bogota" && sentBogota.get("since") === `${range.get("from")}:00`,
      `on Bogotá's clock the same calls are found by its local times (since ${sentBogota.get("since")}, tz ${sentBogota.get("tz")})`,
    );
    await shot(viewerPage, "17d-calls-page-viewer-masked");

    // In Russian, the call opened: its ids, the masked caller, the job still a link (its id is no personal data).
    await viewerPage.locator("header .language-picker select").selectOption("ru");
    await page2.getByRole("heading", { name: "Журнал звонков", level: 1 }).waitFor();
    await page2.locator(`tr[data-call-id="${promised.id}"] button`).click();
    const told = page2.getByTestId("call-detail");
    await told.getByTestId("step-job-link").waitFor();
    check(
      (await told.locator("dl.call-identity dt").allTextContents()).join(" | ") === "ID звонка | UniqueID в Asterisk | Канал" &&
        (await told.getByTestId("call-caller").textContent()).includes("[скрыто]"),
      "in Russian the viewer reads the call's ids labelled, the caller's name masked in Russian, the job linked",
    );
    await shot(viewerPage, "17e-calls-page-viewer-russian");
    await told.getByTestId("step-job-link").click();
    const jobForViewer = viewerPage.getByTestId("job-detail");
    await jobForViewer.getByTestId("job-facts").waitFor();
    check(
      (await jobForViewer.getByTestId("job-number").textContent()).startsWith("+34*") && (await jobForViewer.getByTestId("job-number-calls").count()) === 0,
      "the viewer's job shows the number masked, with no lookup link a masked number could not serve",
    );
    await shot(viewerPage, "17f-callbacks-page-viewer-russian");
  } finally {
    await context.close();
  }
}
