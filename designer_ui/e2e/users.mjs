// The Users page, as an admin looks after the people who use the designer: only an admin is offered it; they add
// a viewer with a generated temporary password (by keyboard), meet the API's refusals at the fields they are about
// (an admin without personal data, a name taken) with nothing typed lost, see the viewer in the table, make them an
// editor, revoke the API token they made, deactivate them after a confirmation, and the viewer can no longer sign
// in. Called from designer.e2e.mjs with its helpers.
import { cellTexts, signIn, submitSignIn, watchedPage } from "./lib.mjs";

const focusedName = (page) => page.evaluate(() => document.activeElement?.getAttribute("name") ?? document.activeElement?.textContent ?? null);

export async function manageUsers(browser, { admin, apiSession, check, shot, base, stamp, publisherPage }) {
  const adminName = `users-admin-${stamp}`;
  const adminPassword = `users-admin-${stamp}-secret`;
  const viewer = `viewer-u-${stamp}`;
  // An admin of its own, so that the run's admin keeps its sessions and the "you" mark is this one's.
  await admin("POST", "/api/users", { username: adminName, password: adminPassword, role: "admin" });
  const nav = (page) => page.locator("header nav");
  check((await nav(publisherPage).getByRole("link", { name: "Users", exact: true }).count()) === 0, "a publisher is not offered the Users page");

  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: "en-US" });
  const { page, pageErrors } = await watchedPage(context);
  try {
    await signIn(page, base, adminName, adminPassword);
    const link = nav(page).getByRole("link", { name: "Users", exact: true });
    check((await link.getAttribute("href")) === "#/users", "an admin is offered Users in the top bar, beside Reports");
    await link.click();
    const view = page.getByTestId("users");
    const table = view.getByTestId("user-table");
    await table.locator(`tr[data-user="${adminName}"]`).waitFor();
    check((await table.locator(`tr[data-user="${adminName}"]`).getByTestId("you").count()) === 1, "the signed-in admin's row is marked “you”");

    // -- a new user, by keyboard: the dialog takes the focus, Escape gives it back -----------------------------
    const add = view.getByRole("button", { name: "Add a user", exact: true });
    await add.focus();
    await page.keyboard.press("Enter");
    const dialog = page.locator("dialog.modal");
    const form = dialog.getByTestId("new-user-form");
    await form.waitFor();
    check((await focusedName(page)) === "username", "the new user dialog opens with the focus on the user name");
    await page.keyboard.press("Escape");
    await form.waitFor({ state: "detached" });
    check((await add.evaluate((button) => document.activeElement === button)) === true, "Escape closes it and gives the focus back to Add a user");

    await page.keyboard.press("Enter");
    await form.waitFor();
    await page.keyboard.type(viewer);
    await page.keyboard.press("Tab"); // the password
    await page.keyboard.press("Tab"); // Generate
    check((await focusedName(page)) === "generate-password", "Tab goes from the name to the password, then to Generate");
    await page.keyboard.press("Enter");
    const passwordField = form.locator("input[name=user-password]");
    const password = await passwordField.inputValue();
    check(
      /^[A-HJ-NP-Za-km-z2-9]{16}$/.test(password) && (await passwordField.getAttribute("type")) === "text",
      "Generate makes a 16-character random password, shown to be passed on",
    );
    check((await form.locator("select[name=user-role]").inputValue()) === "viewer", "a new user is a viewer unless chosen otherwise");
    const box = form.locator("input[name=sees-personal-data]");
    check(!(await box.isChecked()), "a new viewer does not read personal data unless ticked (the API's default)");

    // An admin without personal data: the API's 422 names $.sees_personal_data, shown at the box.
    await form.locator("select[name=user-role]").selectOption("admin");
    check(await box.isChecked(), "made an admin, the user reads personal data, as the API gives it");
    await box.uncheck();
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/api/users")),
      form.getByRole("button", { name: "Add user", exact: true }).click(),
    ]);
    const boxProblem = form.getByTestId("user-problem-seesPersonalData");
    await boxProblem.waitFor();
    check(refused.status() === 422, `an admin without personal data is refused (${refused.status()})`);
    check(
      (await boxProblem.textContent()) === "An administrator always reads personal data: to take it away, give a lower role." &&
        (await box.getAttribute("aria-invalid")) === "true" &&
        (await box.evaluate((element) => document.activeElement === element)),
      "the refusal's code is said in the page's words at the box, which is invalid and has the focus",
    );
    check(
      (await form.locator("input[name=username]").inputValue()) === viewer && (await passwordField.inputValue()) === password,
      "nothing typed is lost on a refusal",
    );
    await shot(page, "17a-user-refused-personal-data");
    await form.locator("select[name=user-role]").selectOption("viewer");
    check((await boxProblem.count()) === 0, "choosing another role takes the refusal away");
    const [made] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/api/users")),
      form.getByRole("button", { name: "Add user", exact: true }).click(),
    ]);
    const created = dialog.getByTestId("user-created");
    await created.waitFor();
    check(made.status() === 201, "the viewer is created");
    check((await created.getByTestId("password-value").inputValue()) === password, "the temporary password is shown once, to pass on");
    check((await focusedName(page)) === "Done", "the focus is on Done");
    await shot(page, "17b-user-created");
    await page.keyboard.press("Enter");
    await created.waitFor({ state: "detached" });

    const row = table.locator(`tr[data-user="${viewer}"]`);
    await row.waitFor();
    const cells = await cellTexts(row);
    check(cells.slice(0, 4).join(" | ") === `${viewer} | viewer | active | no`, `the viewer is in the table (${cells.join(" | ")})`);
    await shot(page, "17-users");

    // The viewer signs in with the password passed on, and makes an API token for a CRM.
    const asViewer = await apiSession(viewer, password);
    const token = await asViewer("POST", "/api/tokens", { name: "crm" });
    const withToken = () => fetch(`${base}/api/auth/me`, { headers: { Authorization: `Bearer ${token.token}` } });
    check((await withToken()).status === 200, "the viewer signs in with the temporary password, and their token works");

    // -- a name taken: the API's 409 at the name ------------------------------------------------------------
    await add.click();
    await form.waitFor();
    await form.locator("input[name=username]").fill(viewer);
    await form.getByRole("button", { name: "Generate", exact: true }).click();
    await form.getByRole("button", { name: "Add user", exact: true }).click();
    const nameProblem = form.getByTestId("user-problem-username");
    await nameProblem.waitFor();
    check(
      (await nameProblem.textContent()) === `There is a user named ${viewer} already: choose another name.` &&
        (await form.locator("input[name=username]").getAttribute("aria-invalid")) === "true",
      "a name taken is said at the name, which is invalid",
    );
    await dialog.getByRole("button", { name: "Cancel", exact: true }).click();
    await form.waitFor({ state: "detached" });

    // -- the viewer made an editor --------------------------------------------------------------------------
    await row.getByRole("button", { name: `Edit ${viewer}`, exact: true }).click();
    const edit = dialog.getByTestId("edit-user-form");
    await edit.waitFor();
    await edit.locator("select[name=user-role]").selectOption("editor");
    await edit.getByRole("button", { name: "Save changes", exact: true }).click();
    await dialog.getByTestId("user-saved").waitFor();
    check((await row.locator("td[data-column=role]").getAttribute("data-role")) === "editor", "the table shows the new role");
    const stored = (await admin("GET", "/api/users")).find((u) => u.username === viewer);
    check(stored.role === "editor" && stored.active && !stored.sees_personal_data, "the server has them as an editor, still without personal data");
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await edit.waitFor({ state: "detached" });

    // -- their token revoked after a confirmation -------------------------------------------------------------
    await row.getByRole("button", { name: `API tokens of ${viewer}`, exact: true }).click();
    const tokenRow = dialog.locator("[data-testid=token-table] tbody tr");
    await tokenRow.waitFor();
    check((await cellTexts(tokenRow))[0] === "crm", "the admin sees the token the user made");
    await tokenRow.getByRole("button", { name: "Revoke token crm", exact: true }).click();
    const revoking = dialog.getByTestId("revoke-confirmation");
    await revoking.waitFor();
    check((await focusedName(page)) === "Keep it", "the confirmation has the focus on keeping the token");
    await revoking.getByRole("button", { name: "Revoke it", exact: true }).click();
    await dialog.getByTestId("user-tokens-none").waitFor();
    check((await withToken()).status === 401, "the revoked token is refused");
    await dialog.getByRole("button", { name: "Close", exact: true }).click();

    // -- deactivated after a confirmation: they cannot sign in ----------------------------------------------------
    await row.getByRole("button", { name: `Edit ${viewer}`, exact: true }).click();
    await dialog.getByRole("button", { name: "Deactivate…", exact: true }).click();
    const confirmation = dialog.getByTestId("activity-confirmation");
    await confirmation.waitFor();
    check((await focusedName(page)) === "Keep as it is", "the deactivation asks first, the focus on keeping the user as they are");
    await shot(page, "17c-user-deactivate-confirmation");
    await confirmation.getByRole("button", { name: "Deactivate", exact: true }).click();
    await dialog.getByText(`${viewer} is deactivated`).waitFor();
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await row.locator('td[data-column=active][data-active="false"]').waitFor();
    check((await cellTexts(row))[2] === "deactivated", "the table shows the user deactivated");
    await shot(page, "17d-user-deactivated");
    let ended = null;
    try {
      await asViewer("GET", "/api/auth/me");
    } catch (error) {
      ended = String(error.message);
    }
    check(ended !== null && ended.includes(": 401"), "the viewer's session ended with the deactivation");

    const other = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: "en-US" });
    try {
      const login = await other.newPage();
      await login.goto(`${base}/`);
      await submitSignIn(login, viewer, password);
      await login.getByRole("alert").filter({ hasText: "Wrong user name or password." }).waitFor();
      check((await login.getByTestId("current-user").count()) === 0, "the deactivated viewer cannot sign in");
    } finally {
      await other.close();
    }

    // -- in Spanish ---------------------------------------------------------------------------------------------
    await page.locator("header .language-picker select").selectOption("es");
    await view.getByRole("heading", { name: "Usuarios" }).waitFor();
    check((await cellTexts(row)).slice(1, 3).join(" | ") === "editor | desactivado", "in Spanish, the table reads editor | desactivado");
    await shot(page, "17e-users-spanish");
    await page.locator("header .language-picker select").selectOption("en");

    // -- the admin lowers their own role (another admin is left): asked first, then the page is no longer theirs ---
    await table.locator(`tr[data-user="${adminName}"]`).getByRole("button", { name: `Edit ${adminName}`, exact: true }).click();
    await edit.waitFor();
    await edit.locator("select[name=user-role]").selectOption("publisher");
    check(await edit.locator("input[name=sees-personal-data]").isChecked(), "a lowered admin keeps personal data unless unticked");
    await edit.getByRole("button", { name: "Save changes", exact: true }).click();
    const lowering = dialog.getByTestId("demotion-confirmation");
    await lowering.waitFor();
    check((await focusedName(page)) === "Keep as it is", "lowering your own role asks first, the focus on keeping it");
    await lowering.getByRole("button", { name: "Lower my role", exact: true }).click();
    await view.getByTestId("users-problem").filter({ hasText: "Only an administrator manages users." }).waitFor();
    check(
      (await nav(page).getByRole("link", { name: "Users", exact: true }).count()) === 0 &&
        (await page.getByTestId("current-user").textContent()).endsWith("publisher"),
      "once lowered, the page and its link are gone, and the top bar says the new role",
    );
    check(pageErrors.length === 0, `no uncaught errors in the Users page${pageErrors.length ? `: ${pageErrors.join("; ")}` : ""}`);
  } catch (error) {
    await shot(page, "99-failure-users").catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}
