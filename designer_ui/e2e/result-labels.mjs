// Call results in the scenario's words, in real Chromium against a running `ivrgraph serve --seed examples`
// (review by a Spanish analyst and supervisor), in Spanish as they used it:
//  - the results editor shows each result's description, and moves the focus as the analyst adds and deletes results
//    (the new row's code; after a delete the next row's code, else the one before, else «Añadir resultado»);
//  - a campaign's «Respuestas» reads «Pagará», «Sin respuesta», each with its code after it, where it read the codes;
//  - the call register's «Respuesta» offers the scenario's results by label, and still takes a code typed;
//  - so does the «Respuesta» of the editor's «Llamadas» tab, offering the results its draft declares.
// The campaign's answers come from real FastAGI calls placed by the test suite's fake Asterisk (place_call.py).
//
//   IVRGRAPH_URL=http://127.0.0.1:8000 IVRGRAPH_AGI_PORT=4573 IVRGRAPH_E2E_USER=... IVRGRAPH_E2E_PASSWORD=... \
//     node e2e/result-labels.mjs
// Screenshots: test-artifacts/result-labels/.
import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { PYTHON, apiSession, artifactsFolder, check, emptied, launchChromium, screenshots, serverFromEnv, signIn, watchedPage } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { base, adminUser, adminPassword } = serverFromEnv();
const agiPort = process.env.IVRGRAPH_AGI_PORT ?? "4573";
const ARTIFACTS = artifactsFolder("result-labels");
const shot = screenshots(ARTIFACTS);

/**
 * A copy of the seeded debt reminder under a slug of its own (its results declared with descriptions), published,
 * and a campaign of it whose clients answered: two pressed 1 (`will_pay`), one pressed nothing (`no_response`).
 */
async function setUp(me) {
  const slug = `cobros-etiquetas-${Date.now().toString(36)}`;
  const { draft } = await me("GET", "/api/scenarios/debt-reminder");
  await me("POST", "/api/scenarios", { slug, name: "Cobros (etiquetas)", document: draft.document });
  await me("POST", `/api/scenarios/${slug}/publish`, { message: "v1" });
  const rows = [0, 1, 2, 3].map((n) => ({ phone: `60011133${n}`, name: `Cliente ${n}`, debt_amount: "120.50" }));
  const due = new Date(Date.now() + 30 * 86_400_000).toISOString(); // nobody's dialer calls them meanwhile
  const batch = await me("POST", "/api/callbacks/batch", { scenario: slug, rows, due, name: "Deudas diciembre" });
  const host = new URL(base).hostname;
  const answers = [["1"], ["1"], ["-", "-", "-"]];
  for (const [i, keys] of answers.entries()) {
    await promisify(execFile)(PYTHON, [resolve(here, "place_call.py"), host, agiPort, `${slug}?job=${batch.job_ids[i]}`, ...keys]);
  }
  for (let attempt = 0; attempt < 40; attempt += 1) {
    const campaign = await me("GET", `/api/callbacks/campaigns/${batch.campaign_id}`);
    if (Object.values(campaign.results).reduce((a, b) => a + b, 0) === 3) break;
    await new Promise((done) => setTimeout(done, 300)); // records are written in batches, off the call's path
  }
  return { slug, campaignId: batch.campaign_id };
}

/**
 * The editor's «Llamadas» tab: its «Respuesta» offers the results the scenario declares by label, as the register
 * does; the label picked finds its calls. Before the results editor below deletes the draft's results.
 */
async function editorCallsFilter(page, { slug }) {
  await page.goto(`${base}/#/s/${slug}`);
  await page.getByRole("tab", { name: "Llamadas" }).click();
  const panel = page.getByTestId("calls-panel");
  const answer = panel.getByTestId("call-filters").locator('select[name="result"]');
  await answer.waitFor();
  const offered = await answer.locator("option").allTextContents();
  check(
    offered.includes("Pagará (will_pay)") && offered.includes("Sin respuesta (no_response)") && offered.at(-1) === "Otro código…",
    `the Calls tab's «Respuesta» offers the results by label: ${JSON.stringify(offered)}`,
  );
  await panel.locator("table.calls tbody tr").nth(2).waitFor(); // the campaign's three calls, before filtering
  await answer.selectOption({ label: "Pagará (will_pay)" });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="calls-panel"] table.calls tbody tr').length === 2);
  check(true, "picking «Pagará» there finds its two calls");
  await shot(page, "00-editor-calls-answer-filter");
  await answer.selectOption({ label: "Otro código…" });
  const code = panel.getByLabel("Código de respuesta");
  check((await code.evaluate((el) => el === document.activeElement)) === true, "«Otro código…» opens a code field there too, focused");
}

/** Which result's code field has the focus (its place among them), or what else has it. */
const focused = (page) =>
  page.evaluate(() => {
    const active = document.activeElement;
    const codes = [...document.querySelectorAll('[data-testid=scenario-results] input[name="result-code"]')];
    if (codes.includes(active)) return `code ${codes.indexOf(active)} of ${codes.length}`;
    return active?.tagName === "BUTTON" ? `button ${active.textContent}` : String(active?.tagName);
  });

async function resultsEditor(page, slug) {
  await page.goto(`${base}/#/s/${slug}`);
  await page.getByRole("tab", { name: "Escenario" }).click();
  const section = page.getByTestId("scenario-results");
  await section.waitFor();
  await section.scrollIntoViewIfNeeded();
  const descriptions = section.locator('textarea[name="result-description"]');
  check((await descriptions.count()) === 4, "each of the four results has its description field");
  check((await descriptions.first().inputValue()) === "El cliente pulsó 1: se compromete a pagar", "the first one's description is shown");
  check((await section.getByLabel("Descripción").count()) === 4, "labelled «Descripción»");
  await section.locator("li").first().scrollIntoViewIfNeeded();
  await shot(page, "01-results-editor");

  const add = section.getByRole("button", { name: "Añadir resultado" });
  await add.click();
  check((await focused(page)) === "code 4 of 5", "after «Añadir resultado» the focus is on the new result's code");
  await page.keyboard.type("_x");
  check((await section.locator('input[name="result-code"]').nth(4).inputValue()) === "result_5_x", "and typing goes into it");

  await section.getByRole("button", { name: "Eliminar el resultado operator", exact: true }).click();
  check((await focused(page)) === "code 1 of 4", "deleting the second result puts the focus on the next one's code, now second");
  check((await section.locator('input[name="result-code"]').nth(1).inputValue()) === "operator_unavailable", "which is the result after it");
  await section.getByRole("button", { name: "Eliminar el resultado result_5_x" }).click();
  check((await focused(page)) === "code 2 of 3", "deleting the last result puts the focus on the one before it");
  for (const code of ["no_response", "operator_unavailable", "will_pay"]) {
    await section.getByRole("button", { name: `Eliminar el resultado ${code}`, exact: true }).click();
  }
  check((await focused(page)) === "button Añadir resultado", "deleting the only one left puts the focus on «Añadir resultado»");
  await shot(page, "02-results-editor-emptied");
}

async function campaignAnswers(page, { slug, campaignId }) {
  await page.goto(`${base}/#/`);
  const row = page.locator("table.scenarios tr", { has: page.locator(`code:text-is("${slug}")`) });
  await row.getByRole("button", { name: /^Más acciones para / }).click();
  await row.getByRole("menuitem", { name: "Campañas" }).click();
  await page.getByTestId("campaign-table").locator(`tr[data-campaign="${campaignId}"] button`).click();
  const answers = page.getByTestId("answers");
  await answers.locator('tr[data-result="no_response"]').waitFor();
  const cells = await answers.locator("tbody tr").evaluateAll((rows) => rows.map((tr) => tr.cells[0].innerText.trim()));
  check(JSON.stringify(cells) === JSON.stringify(["Pagará will_pay", "Sin respuesta no_response"]), `«Respuestas» reads the labels, each code after it: ${JSON.stringify(cells)}`);
  const code = answers.locator('tr[data-result="will_pay"] code');
  check((await code.evaluate((el) => getComputedStyle(el).opacity !== "0" && el.classList.contains("muted"))) === true, "the code is the secondary, muted text");
  await answers.scrollIntoViewIfNeeded();
  await shot(page, "03-campaign-answers");
}

/**
 * The register's «Respuesta»: the scenario's results offered by label (the published version's: the editor's
 * deletes above are a draft's), the label picked finds its calls; a code none declares is typed under «Otro código…».
 */
async function registerFilter(page, { slug }) {
  await page.goto(`${base}/#/calls?scenario=${slug}`);
  const answer = page.getByTestId("register-filters").locator('select[name="result"]');
  await answer.waitFor();
  const offered = await answer.locator("option").allTextContents();
  check(offered.includes("Pagará (will_pay)") && offered.includes("Sin respuesta (no_response)") && offered.at(-1) === "Otro código…", `«Respuesta» offers the results by label: ${JSON.stringify(offered)}`);
  await answer.selectOption({ label: "Pagará (will_pay)" });
  const rows = page.locator("table.calls tbody tr");
  await page.waitForFunction(() => document.querySelectorAll("table.calls tbody tr").length === 2);
  check((await rows.count()) === 2 && new URL(page.url().replace("#/", "")).searchParams.get("result") === "will_pay", "picking «Pagará» finds its two calls, by its code");
  await shot(page, "04-register-answer-filter");
  await answer.selectOption({ label: "Otro código…" });
  const code = page.getByLabel("Código de respuesta");
  check((await code.evaluate((el) => el === document.activeElement)) === true, "«Otro código…» opens a code field, focused");
  await code.fill("nobody_declares_it");
  await page.getByTestId("calls-none").waitFor();
  check(true, "a code typed there is searched as typed");
}

async function main() {
  await emptied(ARTIFACTS);
  const me = await apiSession(base, adminUser, adminPassword);
  const setup = await setUp(me);
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "es-ES" });
    await context.addInitScript(() => localStorage.setItem("ivrgraph.language", "es"));
    const { page, pageErrors } = await watchedPage(context);
    await signIn(page, base, adminUser, adminPassword);
    await editorCallsFilter(page, setup);
    await resultsEditor(page, setup.slug);
    await campaignAnswers(page, setup);
    await registerFilter(page, setup);
    check(pageErrors.length === 0, `no uncaught errors in the page${pageErrors.length ? `: ${pageErrors.join("\n")}` : ""}`);
  } finally {
    await browser.close();
  }
}

await main();
