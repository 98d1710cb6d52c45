// The call report, as a supervisor reads "how did the last days go?": four real FastAGI calls into a small
// published menu (two sales, one support, a caller who hangs up in the menu), then Reports, opened from the
// scenario's editor (where its Calls panel is), counts them by day and by hour, and says it in Spanish.
// Called from designer.e2e.mjs with its helpers.
import { cellTexts } from "./lib.mjs";

/** Start -> Menu (1: Sale, 2: Support; each hangs up with its result). */
function reportMenu(name) {
  const at = (x, y) => ({ x, y });
  return {
    format: "ivrgraph.scenario/1",
    name,
    nodes: [
      { id: "start", type: "start", position: at(0, 80), config: {} },
      {
        id: "menu",
        type: "ivr",
        label: "Menu",
        position: at(300, 60),
        config: { prompt: { text: "Pulse 1 para ventas o 2 para soporte." }, options: [{ key: "1", label: "sales" }, { key: "2", label: "support" }], max_tries: 1, timeout: 2 },
      },
      { id: "sale", type: "hangup", label: "Sale", position: at(620, 0), config: { result: "sale" } },
      { id: "support", type: "hangup", label: "Support", position: at(620, 150), config: { result: "support" } },
      { id: "bye", type: "hangup", label: "End", position: at(620, 300), config: {} },
    ],
    edges: [
      { id: "start.next->menu", source: "start", exit: "next", target: "menu" },
      { id: "menu.1->sale", source: "menu", exit: "1", target: "sale" },
      { id: "menu.2->support", source: "menu", exit: "2", target: "support" },
      { id: "menu.max_tries->bye", source: "menu", exit: "max_tries", target: "bye" },
    ],
  };
}

export async function callReports(page, { check, shot, me, openDrawn, placeCall, stamp }) {
  const slug = `report-${stamp}`;
  await me("POST", "/api/scenarios", { slug, name: `Report ${stamp}`, document: reportMenu(`Report ${stamp}`) });
  await me("POST", `/api/scenarios/${slug}/publish`, { message: "Menu" });
  for (const keys of ["1", "1", "2", "hangup"]) await placeCall(slug, keys);
  // The records are written off the call's path: wait until the register has all four.
  const day = 24 * 60 * 60 * 1000;
  const range = new URLSearchParams({ since: new Date(Date.now() - day).toISOString(), until: new Date(Date.now() + day).toISOString(), scenario: slug });
  for (let attempt = 0; attempt < 40; attempt += 1) {
    if ((await me("GET", `/api/reports/calls?${range}&group=scenario`)).totals.calls === 4) break;
    await page.waitForTimeout(300);
  }

  // From the scenario's editor, where its Calls panel is: the top bar's Reports opens on that scenario.
  await openDrawn(page, slug, 5);
  const link = page.locator("header nav").getByRole("link", { name: "Reports", exact: true });
  check((await link.getAttribute("href")) === `#/reports?scenario=${slug}`, "the top bar's Reports link names the scenario being edited");
  const asked = [];
  const onRequest = (request) => request.url().includes("/api/reports/calls") && asked.push(new URL(request.url()).searchParams);
  page.on("request", onRequest);
  await link.click();
  const view = page.getByTestId("reports");
  await view.waitFor();
  check((await view.getByLabel("Scenario", { exact: true }).inputValue()) === slug, "the report counts that scenario's calls");
  const summary = view.getByTestId("reports-summary");
  await summary.filter({ hasText: /^\d+ calls? from / }).waitFor();
  check(asked.length > 0 && asked[0].get("group") === "day" && asked[0].get("scenario") === slug, "the last 7 days are asked for by day first");
  await summary.filter({ hasText: /^4 calls from / }).waitFor(); // today's calls among them, not "0 calls" of yesterday

  await view.getByRole("button", { name: "Today", exact: true }).click();
  await summary.filter({ hasText: /^4 calls on / }).waitFor();
  check((await view.getByTestId("report-row").count()) === 1, "today: one row, its 4 calls");

  await view.getByRole("button", { name: "Last 7 days", exact: true }).click();
  await summary.filter({ hasText: /^4 calls from / }).waitFor();
  const sent = asked.at(-1);
  check(
    sent.get("tz") === (await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)) && /T00:00:00[+-]\d\d:\d\d$/.test(sent.get("since")),
    `the last 7 days are asked from the browser's midnight, its zone named (${sent.get("since")}, ${sent.get("tz")})`,
  );
  const rows = view.getByTestId("report-row");
  check((await rows.count()) === 7, "a row for each of the 7 days, those without calls too");
  const totals = await cellTexts(view.getByTestId("report-totals"));
  console.log(`report totals: ${totals.join(" | ")}`);
  // Total | calls | answered | abandoned | transfers tried, answered | 7 statuses (answered first) | talk | talk | results
  check(totals[0] === "Total" && totals[1] === "4" && totals[2] === "4 100%" && totals[3] === "1 25%", "the totals: 4 calls, 4 answered, 1 abandoned");
  check(totals[6] === "3" && totals.at(-1) === "sale 2 · support 1", "3 answered in the register, and the results counted: sale 2, support 1");
  const today = await cellTexts(rows.last());
  check(today[1] === "4", `today's row has the 4 calls (${today.join(" | ")})`);
  await shot(page, "16-call-report");

  await view.getByLabel("Rows", { exact: true }).selectOption("hour");
  await summary.filter({ hasText: /^4 calls from / }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=report-row]").length > 7);
  const hours = await rows.count();
  check(hours >= 7 * 23 && hours <= 7 * 25, `by hour: a row for every hour of the 7 days (${hours})`);
  const calledHours = await rows.evaluateAll((trs) =>
    trs.filter((tr) => !tr.classList.contains("no-calls")).map((tr) => Number(tr.querySelector("[data-column=calls]").textContent)),
  );
  check(calledHours.reduce((sum, n) => sum + n, 0) === 4, `the hours with calls add up to 4 (${calledHours.join(", ")})`);
  await shot(page, "16a-call-report-by-hour");

  await view.getByLabel("Rows", { exact: true }).selectOption("day");
  await page.locator("header .language-picker select").selectOption("es");
  await view.getByRole("heading", { name: "Informe de llamadas" }).waitFor();
  const spanish = await cellTexts(view.getByTestId("report-totals"));
  check(spanish[0] === "Total" && spanish[1] === "4" && spanish[2] === "4 100 %", `in Spanish, the totals read ${spanish.slice(0, 3).join(" | ")}`);
  await shot(page, "16b-call-report-spanish");
  await page.locator("header .language-picker select").selectOption("en");
  page.off("request", onRequest);
}
