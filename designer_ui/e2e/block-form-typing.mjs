// Typing into a block's form in real Chromium, as an Oktell administrator's review of the Russian designer found it
// failing: renaming a block in «Id блока», then clicking «Источник данных» and typing at once lost the typing (the
// rename drew the form anew under the click, the focus fell to <body>); and «+ Добавить» under «Столбцы в
// переменные» made a row `newKey` -> `New Value`, in error at once. Here both are done as a person does them, in
// Russian, and what lands in the draft is read back from the server.
//
//   IVRGRAPH_URL=http://127.0.0.1:8000 IVRGRAPH_E2E_USER=admin IVRGRAPH_E2E_PASSWORD=... node e2e/block-form-typing.mjs
//
// Screenshots go to test-artifacts/block-form-typing/ at the repository root. Exit code 0 only when every check passed.
import {
  apiSession,
  artifactsFolder,
  check,
  emptied,
  launchChromium,
  screenshots,
  serverFromEnv,
  signIn,
  viewportSettled,
  watchedPage,
} from "./lib.mjs";

const ARTIFACTS = artifactsFolder("block-form-typing");
const { base: BASE, adminUser: ADMIN_USER, adminPassword: ADMIN_PASSWORD } = serverFromEnv();
const stamp = Date.now().toString(36);
const shot = screenshots(ARTIFACTS, { fullPage: true });

const at = (x, y) => ({ x, y });

/** Start -> an SQL lookup with no data source yet -> a goodbye. */
function lookupScenario(name) {
  return {
    format: "ivrgraph.scenario/1",
    name,
    language: "ru",
    nodes: [
      { id: "start", type: "start", position: at(0, 80), config: {} },
      {
        id: "lookup",
        type: "sql",
        label: "Поиск сотрудника",
        position: at(280, 80),
        config: { query: "SELECT name FROM staff WHERE phone = :caller_id" },
      },
      { id: "bye", type: "hangup", label: "Конец", position: at(560, 80), config: {} },
    ],
    edges: [
      { id: "start.next->lookup", source: "start", exit: "next", target: "lookup" },
      { id: "lookup.found->bye", source: "lookup", exit: "found", target: "bye" },
    ],
  };
}

/**
 * Start -> an SQL lookup whose query has `:callerid` for `:caller_id` -> a greeting with `{{ nmae }}` for `{{ name }}`
 * -> a goodbye Message whose «Далее» is left unconnected on purpose.
 */
function typoScenario(name) {
  return {
    format: "ivrgraph.scenario/1",
    name,
    language: "ru",
    nodes: [
      { id: "start", type: "start", position: at(0, 80), config: {} },
      {
        id: "lookup",
        type: "sql",
        label: "Поиск",
        position: at(280, 80),
        config: { source: "staff_db", query: "SELECT name FROM staff WHERE phone = :callerid", columns: { name: "name" } },
      },
      { id: "hello", type: "say_phrase", label: "Приветствие", position: at(560, 80), config: { text: "Здравствуйте, {{ nmae }}" } },
      { id: "bye", type: "message", label: "Прощание", position: at(840, 80), config: { audio: "goodbye" } },
    ],
    edges: [
      { id: "start.next->lookup", source: "start", exit: "next", target: "lookup" },
      { id: "lookup.found->hello", source: "lookup", exit: "found", target: "hello" },
      { id: "lookup.not_found->bye", source: "lookup", exit: "not_found", target: "bye" },
      { id: "hello.next->bye", source: "hello", exit: "next", target: "bye" },
    ],
  };
}

const panel = (page) => page.getByTestId("block-panel");

/** What has the focus: its name, else its id, else its tag. */
const focused = (page) =>
  page.evaluate(() => {
    const element = document.activeElement;
    return element?.getAttribute("name") || element?.id || element?.tagName || null;
  });

/** The draft's SQL block as the server has it once autosave has sent what was typed (or after 10 s, as it is). */
async function savedLookup(page, me, slug, done) {
  const until = Date.now() + 10000;
  for (;;) {
    const node = (await me("GET", `/api/scenarios/${slug}`)).draft.document.nodes.find((n) => n.type === "sql");
    if (done(node) || Date.now() > until) return node;
    await page.waitForTimeout(200);
  }
}

async function renameThenType(page, me, slug) {
  await page.evaluate((s) => (window.location.hash = `/s/${s}`), slug);
  await page.locator('.react-flow__node[data-id="lookup"]').waitFor();
  await viewportSettled(page);
  await page.locator('.react-flow__node[data-id="lookup"] .block-head').click();
  const id = panel(page).locator("input[name=node-id]");
  await id.waitFor();
  await id.fill("staff_lookup");
  // Straight from the id field to «Источник данных», and typing at once: the rename happens as the id field loses
  // the focus to this click.
  const source = panel(page).locator('input[list$="-sources"]');
  await source.click();
  await page.keyboard.type("staff_db");
  const where = await focused(page);
  const typed = await panel(page).locator('input[list$="-sources"]').inputValue();
  await shot(page, "01-renamed-then-typed");
  check(typed === "staff_db", `what is typed right after renaming the block lands in «Источник данных» (it reads "${typed}")`);
  check(where !== "BODY" && where !== null, `the focus stays in the field clicked after the rename (on ${where})`);
  check((await id.inputValue()) === "staff_lookup", "the block is renamed");
  const node = await savedLookup(page, me, slug, (n) => n.id === "staff_lookup" && n.config.source === "staff_db");
  check(node.id === "staff_lookup" && node.config.source === "staff_db", `the draft has the renamed block with its data source (${node.id}: ${node.config.source})`);
}

async function addColumnRow(page, me, slug) {
  const columns = panel(page).locator("fieldset[id$='_columns']");
  check((await columns.locator("legend").first().textContent()).includes("Столбцы в переменные"), "the SQL block's «Столбцы в переменные» is found");
  await columns.scrollIntoViewIfNeeded();
  await columns.getByRole("button", { name: /Добавить/ }).click();
  const key = columns.locator("input[id$='-key']").first();
  await key.waitFor();
  const keyValue = await key.inputValue();
  const value = columns.locator(".form-additional input:not([id$='-key'])").first();
  const valueText = await value.inputValue();
  const labels = (await columns.locator("label.control-label").allTextContents()).map((text) => text.replace(/\s+/g, " ").trim());
  const errors = (await columns.locator(".error-detail, .has-error .help-block, [id$='__error']").allTextContents()).join(" ").trim();
  await shot(page, "02-column-row-added");
  check(keyValue === "" && valueText === "", `a new row starts empty, not "newKey" -> "New Value" (it reads "${keyValue}" -> "${valueText}")`);
  check(labels.includes("Столбец") && labels.includes("Переменная"), `its fields are labelled «Столбец» and «Переменная» (${labels.join(" | ")})`);
  check(!labels.some((label) => /newKey|New Value/.test(label)), "no label names rjsf's made-up key");
  check(errors === "", `a row just added shows no error before anything is typed (${errors || "none"})`);
  check((await focused(page))?.endsWith("-key"), "the focus is in the new row's «Столбец»");
  await columns.getByRole("button", { name: /Добавить/ }).click();
  check((await columns.locator("input[id$='-key']").count()) === 1, "«+ Добавить» with an empty row there adds no second one");
  await key.fill("ФИО");
  await key.press("Tab");
  await page.keyboard.type("employee_name");
  await page.keyboard.press("Tab");
  const node = await savedLookup(page, me, slug, (n) => Object.keys(n.config.columns ?? {}).length > 0);
  check(JSON.stringify(node.config.columns) === JSON.stringify({ ФИО: "employee_name" }), `the row typed is what the draft keeps (${JSON.stringify(node.config.columns)})`);
  // An empty row is kept in the form while another field is edited: it is not in the config, yet not dropped.
  await columns.getByRole("button", { name: /Добавить/ }).click();
  await panel(page).locator("input[id$='_rows_variable']").fill("staff_rows");
  await savedLookup(page, me, slug, (n) => n.config.rows_variable === "staff_rows");
  check((await columns.locator("input[id$='-key']").count()) === 2, "an empty row stays in the form while another field is edited");
  await shot(page, "03-empty-row-kept");
}

/** The problems list of a scenario with two mistyped variables and a goodbye left unconnected, in Russian. */
async function mistypedVariables(page, me) {
  const slug = `typos-${stamp}`;
  await me("POST", "/api/scenarios", { slug, name: `Опечатки ${stamp}`, document: typoScenario(`Опечатки ${stamp}`) });
  try {
    await page.evaluate((s) => (window.location.hash = `/s/${s}`), slug);
    const problems = page.getByTestId("problems");
    await problems.locator('li.problem[data-code="unknown_variable"]').first().waitFor();
    const lines = (await problems.locator("li.problem").allTextContents()).map((text) => text.replace(/\s+/g, " ").trim());
    const codes = await problems.locator("li.problem").evaluateAll((items) => items.map((item) => item.dataset.code));
    await shot(page, "04-mistyped-variables");
    console.log(lines.join("\n"));
    const warnings = codes.filter((code) => code !== "sql_unknown_source");
    check(
      warnings[0] === "unknown_variable" && warnings[1] === "unknown_variable",
      `the two variables nothing sets head the warnings, above the exits that lead nowhere (${codes.join(", ")})`,
    );
    const sql = lines.find((line) => line.includes("«callerid»")) ?? "";
    check(sql.includes("в поле «Запрос»") && sql.includes("Возможно, имелась в виду «caller_id»?"), `the SQL parameter's warning names its field and the name meant: ${sql}`);
    const phrase = lines.find((line) => line.includes("«nmae»")) ?? "";
    check(phrase.includes("Возможно, имелась в виду «name»?"), `the phrase's warning names the variable meant: ${phrase}`);
    const goodbye = lines.find((line) => line.includes("«Прощание»")) ?? "";
    check(goodbye.includes("подключите выход к блоку «Завершить»"), `the goodbye's warning says how to mark the end as meant: ${goodbye}`);
  } finally {
    await me("DELETE", `/api/scenarios/${slug}`).catch(() => undefined);
  }
}

async function main() {
  await emptied(ARTIFACTS);
  const me = await apiSession(BASE, ADMIN_USER, ADMIN_PASSWORD);
  const slug = `form-typing-${stamp}`;
  await me("POST", "/api/scenarios", { slug, name: `Набор в форме ${stamp}`, document: lookupScenario(`Набор в форме ${stamp}`) });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(() => localStorage.setItem("ivrgraph.language", "ru"));
    const { page, pageErrors } = await watchedPage(context);
    await signIn(page, BASE, ADMIN_USER, ADMIN_PASSWORD);
    await renameThenType(page, me, slug);
    await addColumnRow(page, me, slug);
    await mistypedVariables(page, me);
    check(pageErrors.length === 0, `no uncaught errors in the page${pageErrors.length ? `: ${pageErrors.join("\n")}` : ""}`);
  } finally {
    await browser.close();
    await me("DELETE", `/api/scenarios/${slug}`).catch(() => undefined);
  }
}

await main();
