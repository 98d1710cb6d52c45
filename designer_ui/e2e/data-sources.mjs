// The Data sources page in real Chromium against a real `ivrgraph serve` and the real MariaDB on 127.0.0.1:3306:
// an admin finds the page in the top bar, adds a source by keyboard, tests a URL with a wrong password (the login
// refused, said in words, the password nowhere on the page), corrects it and sees "Connected: MariaDB ...", saves,
// tests the saved source from its row, points it at a dead port (saved, with the warning), and deletes it after a
// confirmation, the focus back on "Add a data source". A publisher is not offered the page.
//
//   IVRGRAPH_URL=http://127.0.0.1:8000 IVRGRAPH_E2E_USER=admin IVRGRAPH_E2E_PASSWORD=... node e2e/data-sources.mjs
//
// The MariaDB database and account it uses are made for the run (through the test suite's Python and PyMySQL, as
// root without a password, as the Python tests do) and dropped after. No MariaDB answering: says so, and passes.
// Screenshots go to test-artifacts/data-sources/ at the repository root. Exit code 0 only when every check passed.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { pressHeld } from "./busy-focus.mjs";
import {
  PYTHON,
  apiSession,
  artifactsFolder,
  check,
  emptied,
  freePort,
  launchChromium,
  screenshots,
  serverFromEnv,
  signIn,
  watchedPage,
} from "./lib.mjs";

const ARTIFACTS = artifactsFolder("data-sources");
const { base: BASE, adminUser: ADMIN_USER, adminPassword: ADMIN_PASSWORD } = serverFromEnv();
const stamp = Date.now().toString(36);
const shot = screenshots(ARTIFACTS, { fullPage: true });

// A database and an account with a password on the real MariaDB, made and dropped as root (no password there).
const MARIADB = `
import sys, pymysql
action, database, user, password = sys.argv[1:5]
try:
    root = pymysql.connect(host="127.0.0.1", port=3306, user="root", autocommit=True, connect_timeout=3)
except pymysql.Error as error:
    print(f"unavailable: {error}")
    sys.exit(0)
with root.cursor() as cursor:
    if action == "create":
        cursor.execute(f"CREATE DATABASE {database}")
        cursor.execute(f"CREATE USER '{user}'@'%%' IDENTIFIED BY %s", (password,))  # %% : a parameter follows
        cursor.execute(f"GRANT SELECT ON {database}.* TO '{user}'@'%'")
    else:
        cursor.execute(f"DROP USER IF EXISTS '{user}'@'%'")
        cursor.execute(f"DROP DATABASE IF EXISTS {database}")
print("done")
`;

const mariadb = async (action, account) =>
  (await promisify(execFile)(PYTHON, ["-c", MARIADB, action, account.database, account.user, account.password])).stdout.trim();

const focused = (page) =>
  page.evaluate(() => {
    const element = document.activeElement;
    return element?.getAttribute("name") ?? element?.textContent?.trim() ?? null;
  });

/** A page of `context` signed in as `username`, its uncaught errors kept. */
async function signedInPage(context, username, password) {
  const { page, pageErrors } = await watchedPage(context);
  await signIn(page, BASE, username, password);
  return { page, pageErrors };
}

/**
 * With no source configured, the SQL block's data source field points an admin at the page that adds them (the
 * seeded employee call-through's `lookup` block). Skipped, and said, when the server has sources already.
 */
async function sqlBlockPointsAtThePage(page, admin) {
  const scenarios = (await admin("GET", "/api/scenarios?q=employee-callthrough")).items ?? [];
  if ((await admin("GET", "/api/data-sources")).length > 0 || !scenarios.some((s) => s.slug === "employee-callthrough")) {
    console.log("skip - the SQL block's link to Data sources is shown only with no source, on the seeded employee-callthrough");
    return;
  }
  await page.goto(`${BASE}/#/s/employee-callthrough`);
  await page.locator('.react-flow__node[data-id="lookup"]').click();
  const hint = page.getByTestId("block-panel").getByTestId("no-data-sources");
  await hint.waitFor();
  check((await hint.innerText()).includes("No data source is configured yet."), "the SQL block's data source field says there is none yet");
  await shot(page, "00-sql-block-no-sources");
  await hint.getByRole("link", { name: "Add one on the Data sources page", exact: true }).click();
  await page.getByTestId("data-sources").waitFor();
  check(new URL(page.url()).hash === "#/data-sources", "and links to the Data sources page");
}

async function manageDataSources(browser, admin, account) {
  const name = `e2e_crm_${stamp}`;
  const url = `mysql+pymysql://${account.user}:${account.password}@127.0.0.1:3306/${account.database}`;
  const wrong = `mysql+pymysql://${account.user}:not-${account.password}@127.0.0.1:3306/${account.database}`;
  const nav = (page) => page.locator("header nav");

  // A publisher is not offered the page: the API lists sources to an admin only.
  const publisher = `pub-ds-${stamp}`;
  await admin("POST", "/api/users", { username: publisher, password: `${publisher}-secret`, role: "publisher" });
  const asPublisher = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
  try {
    const { page } = await signedInPage(asPublisher, publisher, `${publisher}-secret`);
    check((await nav(page).getByRole("link", { name: "Data sources", exact: true }).count()) === 0, "a publisher is not offered Data sources");
  } finally {
    await asPublisher.close();
  }

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
  const { page, pageErrors } = await signedInPage(context, ADMIN_USER, ADMIN_PASSWORD);
  const pageText = () => page.evaluate(() => document.body.innerText + [...document.querySelectorAll("input")].map((i) => i.value).join(" "));
  try {
    await sqlBlockPointsAtThePage(page, admin);
    const link = nav(page).getByRole("link", { name: "Data sources", exact: true });
    check((await link.getAttribute("href")) === "#/data-sources", "an admin is offered Data sources in the top bar, beside Users");
    await link.click();
    const view = page.getByTestId("data-sources");
    await view.getByRole("heading", { name: "Data sources", level: 1 }).waitFor();
    check((await link.getAttribute("aria-current")) === "page", "the top bar marks the page as the current one");

    // -- a new source, by keyboard ------------------------------------------------------------------------------
    const add = view.getByRole("button", { name: "Add a data source", exact: true });
    await add.focus();
    await page.keyboard.press("Enter");
    const dialog = page.locator("dialog.modal");
    const form = dialog.getByTestId("new-source-form");
    await form.waitFor();
    check((await focused(page)) === "source-name", "the dialog opens with the focus on the name");
    check((await form.locator("code", { hasText: "mysql+pymysql://" }).count()) === 1, "the form shows what a MariaDB URL looks like");
    await page.keyboard.type(name);
    await page.keyboard.press("Tab");
    check((await focused(page)) === "source-url", "Tab goes from the name to the URL");
    await page.keyboard.type(wrong);

    // A wrong password: the login refused, in words, the password nowhere on the page but in the field.
    const result = form.getByTestId("source-form-check");
    // Pressed with the keyboard, the button keeps the focus in the dialog while it tests, and after.
    const testTyped = await pressHeld(page, form.getByRole("button", { name: "Test connection", exact: true }), (u) => u.pathname.endsWith("/api/data-sources/check"));
    const asked = testTyped.response;
    check(testTyped.kept, `Test connection keeps the focus in the dialog while it tests and after, not <body> (${testTyped.seen})`);
    await page.waitForFunction(() => document.querySelector('[data-testid="source-form-check"]')?.dataset.state === "done");
    check(asked.status() === 200 && !(await asked.text()).includes(account.password), "the check answers, without the password");
    check((await result.getAttribute("data-code")) === "auth_failed", "a wrong password is auth_failed");
    const refusal = await result.innerText();
    check(
      refusal.includes("The database server refused the login: check the user name and the password.") && refusal.includes("Access denied for user"),
      `the refusal is said in words, with what MariaDB said (${refusal.replace(/\s+/g, " ")})`,
    );
    check((await result.getAttribute("role")) === "status", "the outcome is in a live region, read out as it comes");
    await shot(page, "01-wrong-password");

    // Corrected: MariaDB answers.
    await form.locator("input[name=source-url]").fill(url);
    check((await result.getAttribute("data-state")) === "idle", "editing the URL clears the outcome of the URL before");
    await form.getByRole("button", { name: "Test connection", exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="source-form-check"]')?.dataset.state === "done");
    const connected = await result.innerText();
    check(/^Connected: MariaDB \d+\.\d+\.\d+ answered\.$/.test(connected.trim()), `the right URL connects: "${connected.trim()}"`);
    await shot(page, "02-connected");

    const [made] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/api/data-sources")),
      form.getByRole("button", { name: "Add data source", exact: true }).click(),
    ]);
    const created = dialog.getByTestId("source-created");
    await created.waitFor();
    check(made.status() === 201 && !(await made.text()).includes(account.password), "the source is saved, and its password does not come back");
    check((await created.innerText()).includes(`Data source ${name} added.`), "the dialog says it was added");
    check(/Connected: MariaDB/.test(await created.innerText()), "and that saving tested it: connected");
    check((await focused(page)) === "Done", "the focus is on Done");
    await page.keyboard.press("Enter");
    await created.waitFor({ state: "detached" });

    // -- in the table: where it points, never the URL; tested from its row -----------------------------------------
    const row = view.locator(`tr[data-source="${name}"]`);
    await row.waitFor();
    check(
      (await row.locator("td[data-column=target]").innerText()).trim() === `mysql://127.0.0.1:3306/${account.database}`,
      "the row shows the backend, host and database only",
    );
    check(!(await pageText()).includes(account.password), "the password is nowhere on the page");
    const testRow = await pressHeld(page, row.getByRole("button", { name: `Test the connection of ${name}`, exact: true }), (u) => /\/api\/data-sources\/\d+\/check$/.test(u.pathname));
    check(testRow.kept, `the row's Test connection keeps the focus while it tests and after (${testRow.seen})`);
    const rowCheck = row.getByTestId("source-check");
    await page.waitForFunction((source) => document.querySelector(`tr[data-source="${source}"] [data-testid="source-check"]`)?.dataset.state === "done", name);
    check(/^Connected: MariaDB \d+/.test((await rowCheck.innerText()).trim()), "Test connection on the saved source: connected");
    const refreshed = await pressHeld(page, view.getByRole("button", { name: "Refresh", exact: true }), (u) => u.pathname.endsWith("/api/data-sources"));
    check(refreshed.kept && refreshed.response.request().method() === "GET", `Refresh keeps the focus while the list loads and after (${refreshed.seen})`);
    await shot(page, "03-saved-and-tested");

    // -- pointed at a dead port: saved all the same, with the warning -----------------------------------------------
    const port = await freePort(); // nothing listens there
    await row.getByRole("button", { name: `Edit ${name}`, exact: true }).click();
    const edit = dialog.getByTestId("edit-source-form");
    await edit.waitFor();
    check((await focused(page)) === "source-url", "the edit dialog opens on the new URL (a name cannot change)");
    check((await edit.locator("input[name=source-url]").inputValue()) === "", "the saved URL is not shown, not even to an admin");
    await edit.locator("input[name=source-url]").fill(`mysql+pymysql://${account.user}:${account.password}@127.0.0.1:${port}/${account.database}`);
    await edit.getByRole("button", { name: "Save changes", exact: true }).click();
    const saved = dialog.getByTestId("source-saved");
    await saved.waitFor();
    const warning = await saved.innerText();
    check(
      (await saved.getAttribute("data-connected")) === "false" && warning.includes("saved, but the connection test failed") && warning.includes("No database server answers at this address"),
      "a URL to a dead port is saved, with the warning in words",
    );
    await shot(page, "04-dead-port-warning");
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await edit.waitFor({ state: "detached" });
    check((await rowCheck.getAttribute("data-code")) === "unreachable", "the row says what saving found: unreachable");

    // -- deleted after a confirmation, the focus back on Add -----------------------------------------------------
    await row.getByRole("button", { name: `Delete ${name}`, exact: true }).click();
    const confirm = page.getByTestId("confirm-dialog");
    await confirm.waitFor();
    check((await focused(page)) === "Cancel", "the confirmation starts on Cancel");
    await confirm.getByRole("button", { name: `Delete ${name}`, exact: true }).click();
    await row.waitFor({ state: "detached" });
    await view.getByTestId("sources-notice").waitFor();
    check((await view.getByTestId("sources-notice").innerText()).includes(`Data source ${name} deleted.`), "the page says it was deleted");
    check((await add.evaluate((button) => document.activeElement === button)) === true, "the focus is back on Add a data source");
    check((await admin("GET", "/api/data-sources")).every((source) => source.name !== name), "the server has it no more");
    check(pageErrors.length === 0, `no page errors (${pageErrors.join(" | ")})`);
  } catch (error) {
    await shot(page, "failed").catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}

async function main() {
  await emptied(ARTIFACTS);
  const account = { database: `e2e_ds_${stamp}`, user: `e2e_ds_${stamp}`, password: `Ds-${stamp}-s3cret` };
  try {
    const made = await mariadb("create", account);
    if (made !== "done") {
      console.log(`skip - the Data sources page needs MariaDB on 127.0.0.1:3306 (${made})`);
      return;
    }
    const admin = await apiSession(BASE, ADMIN_USER, ADMIN_PASSWORD);
    const browser = await launchChromium();
    try {
      await manageDataSources(browser, admin, account);
    } finally {
      await browser.close();
    }
  } finally {
    await mariadb("drop", account); // whatever was made of it, even when making the rest failed
  }
  console.log("data sources e2e: all checks passed");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
