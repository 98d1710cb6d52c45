// Narrow screens and the keyboard, in real Chromium against a real `ivrgraph serve` (WCAG 2.2 AA: 1.4.10 reflow,
// 2.4.3 focus order, 2.3.3 motion). At 320 px (a phone; 1280 px zoomed to 400%) and 640 px (zoomed to 200%), in
// English and Russian, the scenario list, the editor, Calls, Reports and Data sources never scroll sideways, and
// every control of the top bar is reached by Tab, in sight (the account's buttons through its Account menu, whose
// items are in sight too); the Reports page's controls (its days, with Custom days' two dates, rows, scenario) wrap
// on the screen rather than past its edge, and its table scrolls in a region of its own that Tab reaches, the
// arrows scrolling it sideways, its first column and the filters staying in sight. Then: a Data sources row's
// buttons in sight at 640 px and its Add dialog not scrolling sideways at 320 px; the number-only caller search of
// a user without personal data (its hint a visible description, a letter refused said by a status region already
// there, nothing moving); a delete refused because another scenario needs it takes the focus to the panel that says
// so, and Close gives it back to the row's menu button; with the system's "reduce motion" on, Fit view jumps
// instead of gliding; a call list's calling windows are each a group named by its number, everything in it named
// after it.
//
//   IVRGRAPH_URL=http://127.0.0.1:8000 IVRGRAPH_E2E_USER=admin IVRGRAPH_E2E_PASSWORD=... node e2e/reflow.mjs
//
// Screenshots go to test-artifacts/reflow/ at the repository root. Exit code 0 only when every check passed.
import { apiSession, artifactsFolder, check, emptied, launchChromium, screenshots, serverFromEnv, signIn, watchedPage } from "./lib.mjs";

const ARTIFACTS = artifactsFolder("reflow");
const { base: BASE, adminUser: ADMIN_USER, adminPassword: ADMIN_PASSWORD } = serverFromEnv();
const stamp = Date.now().toString(36);
const shot = screenshots(ARTIFACTS);

/** A page signed in as `username`, at `width` px, in `language`; its uncaught errors collected. */
async function signedInPage(browser, { username, password, width, language = "en", reducedMotion = "no-preference" }) {
  const context = await browser.newContext({ viewport: { width, height: 720 }, locale: "en-US", reducedMotion });
  // The interface language the designer keeps in localStorage, chosen before it loads (i18n.tsx).
  await context.addInitScript((chosen) => localStorage.setItem("ivrgraph.language", chosen), language);
  const { page, pageErrors } = await watchedPage(context);
  await signIn(page, BASE, username, password);
  return { page, context, pageErrors };
}

/** How wide the document is against the window: wider means the page scrolls sideways. */
const documentWidth = (page) => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, window: window.innerWidth }));

/** The element with the focus: what it is, its name as read, and whether it is in sight. */
const focusedControl = (page) =>
  page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const box = element.getBoundingClientRect();
    const label = element.getAttribute("aria-label") ?? element.textContent?.trim() ?? "";
    return {
      tag: element.tagName.toLowerCase(),
      role: element.getAttribute("role"),
      label,
      inHeader: Boolean(element.closest("header.topbar")),
      inSight: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0 && box.right <= window.innerWidth && box.bottom <= window.innerHeight,
    };
  });

/** Tab from the top of the page through the top bar: the controls it stops on, until the focus leaves the bar. */
async function tabThroughTopBar(page) {
  // Tab starts from where the focus last was (the editor puts it on its canvas): from a stand-in at the page's top.
  await page.evaluate(() => {
    const start = document.createElement("button");
    start.id = "reflow-tab-start";
    document.body.prepend(start);
    start.focus();
    window.scrollTo(0, 0);
  });
  const stops = [];
  for (let i = 0; i < 30; i += 1) {
    await page.keyboard.press("Tab");
    const control = await focusedControl(page);
    if (!control?.inHeader) break;
    stops.push(control);
  }
  await page.evaluate(() => document.getElementById("reflow-tab-start")?.remove());
  return stops;
}

const WORDS = {
  en: {
    nav: ["ivrgraph", "Scenarios", "Reports", "Call records", "Callbacks", "Users", "Data sources"],
    language: "Language",
    account: "Account",
    accountItems: ["Change password", "API tokens", "Log out"],
    customDays: "Custom days",
    reportRows: "Rows",
    refresh: "Refresh",
    hourTable: "Calls by hour",
    search: "Search scenarios",
    moreActions: (name) => `More actions for ${name}`,
    callList: "Call a list…",
    addHours: "Add hours",
    window: (n) => `Calling window ${n}`,
    windowFrom: (n) => `Calling window ${n}, from`,
    windowTo: (n) => `Calling window ${n}, to`,
    removeWindow: (n) => `Remove calling window ${n}`,
  },
  ru: {
    nav: ["ivrgraph", "Сценарии", "Отчёты", "Журнал звонков", "Обратные звонки", "Пользователи", "Источники данных"],
    language: "Язык",
    account: "Учётная запись",
    accountItems: ["Сменить пароль", "API-токены", "Выйти"],
    customDays: "Свои даты",
    reportRows: "Строки",
    refresh: "Обновить",
    hourTable: "Звонки по часам",
    search: "Поиск сценариев",
    moreActions: (name) => `Другие действия: ${name}`,
    callList: "Обзвонить список…",
    addHours: "Добавить часы",
    window: (n) => `Интервал ${n}`,
    windowFrom: (n) => `Интервал ${n}, с`,
    windowTo: (n) => `Интервал ${n}, до`,
    removeWindow: (n) => `Убрать интервал ${n}`,
  },
};

/**
 * The top bar by keyboard at this width: every link, the language and the account's actions are Tab stops in
 * sight (narrow: Account, a menu button whose items, opened by keyboard, are in sight); nothing is left past the edge.
 */
async function topBarByKeyboard(page, { width, language, label }) {
  const words = WORDS[language];
  const stops = await tabThroughTopBar(page);
  const names = stops.map((stop) => stop.label);
  const folded = width < 1024;
  const expected = [...words.nav, words.language, ...(folded ? [words.account] : words.accountItems)];
  check(
    JSON.stringify(names) === JSON.stringify(expected),
    `${label}: Tab goes through the top bar's ${expected.length} controls in order (${names.join(" | ")})`,
  );
  const hidden = stops.filter((stop) => !stop.inSight).map((stop) => stop.label);
  check(hidden.length === 0, `${label}: each is in sight when it has the focus${hidden.length ? ` (not: ${hidden.join(", ")})` : ""}`);
  if (!folded) return;
  // The Account menu by keyboard: Enter opens it on its first item, arrows go through them, Escape closes it.
  const toggle = page.locator("header .account-menu .menu-toggle");
  await toggle.focus();
  await page.keyboard.press("Enter");
  const items = page.locator('header .account-menu [role="menuitem"]');
  await items.first().waitFor();
  const seen = [];
  for (let i = 0; i < words.accountItems.length; i += 1) {
    seen.push(await focusedControl(page));
    await page.keyboard.press("ArrowDown");
  }
  check(
    JSON.stringify(seen.map((item) => item?.role === "menuitem" && item.label)) === JSON.stringify(words.accountItems),
    `${label}: the Account menu opens by keyboard on ${words.accountItems.join(", ")}`,
  );
  check(seen.every((item) => item?.inSight), `${label}: its items are in sight`);
  await shot(page, `${label}-account-menu`);
  await page.keyboard.press("Escape");
  await items.first().waitFor({ state: "detached" });
  check(await toggle.evaluate((button) => document.activeElement === button), `${label}: Escape closes it, the focus back on Account`);
}

/** The Reports page's controls that are past the window's edges (or the page scrolled sideways to show them). */
const reportsControlsOffScreen = (page) =>
  page.evaluate(() => {
    const controls = document.querySelector('[data-testid="reports"] .reports-controls');
    const section = controls.closest('[data-testid="reports"]');
    const off = [...controls.querySelectorAll("button, select, input")]
      .filter((element) => {
        const box = element.getBoundingClientRect();
        return box.left < 0 || box.right > window.innerWidth;
      })
      .map((element) => element.getAttribute("aria-label") ?? element.textContent?.trim() ?? element.type);
    return { off, count: controls.querySelectorAll("button, select, input").length, wider: controls.scrollWidth > controls.clientWidth, scrolled: section.scrollLeft };
  });

/**
 * The Reports page's controls at this width: each one on the screen, none past its edge (the page scrolls sideways
 * for its wide table, which would hide them there, not scroll the document), then again with Custom days' dates.
 */
async function reportsControls(page, { language, label }) {
  for (const custom of [false, true]) {
    if (custom) {
      await page.getByRole("button", { name: WORDS[language].customDays, exact: true }).click();
      await page.locator('[data-testid="reports"] .reports-controls input[type="date"]').first().waitFor();
    }
    const { off, count, wider, scrolled } = await reportsControlsOffScreen(page);
    const what = custom ? "with Custom days' dates, its" : "its";
    check(
      off.length === 0 && !wider && scrolled === 0,
      `${label} reports: ${what} ${count} controls wrap on the screen${off.length ? ` (past its edge: ${off.join(", ")})` : ""}${scrolled ? ` (page scrolled ${scrolled} px sideways)` : ""}`,
    );
    await shot(page, `${label}-reports-controls${custom ? "-custom" : ""}`);
  }
}

/** The Reports table's scroll region as it is scrolled: where it is scrolled to, and what is in sight. */
const reportTableState = (page) =>
  page.evaluate(() => {
    const region = document.querySelector('[data-testid="reports"] .report-scroll');
    const section = region.closest('[data-testid="reports"]');
    const box = region.getBoundingClientRect();
    const inSight = (element) => {
      const seen = element.getBoundingClientRect();
      return seen.left >= box.left - 1 && seen.right <= box.right + 1 && seen.top >= 0 && seen.bottom <= window.innerHeight;
    };
    // A cell of the first column: at the region's left edge, and drawn over the cells scrolled under it.
    const atLeft = (cell) => {
      const seen = cell.getBoundingClientRect();
      return Math.abs(seen.left - box.left) <= 1 && cell.contains(document.elementFromPoint(seen.left + 3, seen.top + seen.height / 2));
    };
    const totals = document.querySelector('[data-testid="report-totals"] > th');
    return {
      left: region.scrollLeft,
      maxLeft: region.scrollWidth - region.clientWidth,
      // The first row's period and its header.
      firstColumn: [document.querySelector('[data-testid="report-row"] > th'), document.querySelector('[data-testid="report-table"] thead th')].every(atLeft),
      lastColumn: inSight(document.querySelector('[data-testid="report-table"] thead tr:first-child > th:last-child')),
      totals: inSight(totals) && atLeft(totals),
      section: { left: section.scrollLeft, wider: section.scrollWidth > section.clientWidth },
    };
  });

/** Waits until the Reports table's region stays where it is scrolled to for three frames running. */
const settledScroll = (page) =>
  page.waitForFunction(
    () => {
      const region = document.querySelector('[data-testid="reports"] .report-scroll');
      const seen = (window.__scrollSeen ??= []);
      seen.push(region.scrollLeft);
      const settled = seen.length >= 3 && seen.slice(-3).every((left) => left === region.scrollLeft);
      if (settled) window.__scrollSeen = [];
      return settled;
    },
    undefined,
    { timeout: 10_000 },
  );

/**
 * The Reports table by keyboard at 320 px, a row an hour of the last 7 days (WCAG 2.1.1 keyboard, 1.4.10 reflow): it
 * scrolled inside the whole page, which nothing in it let a keyboard reach, taking the filters and the Period column
 * away sideways with it. Tab goes from Refresh to the table's own scroll region, named after the table; there the
 * arrows scroll the table to its last column, its first column staying at its left over the columns scrolled under
 * it, and the filters where they were; End takes the page down to the totals.
 */
async function reportsTableByKeyboard(browser, { username, password, language }) {
  const words = WORDS[language];
  const label = `320px-${language} reports`;
  const { page, context, pageErrors } = await signedInPage(browser, { username, password, width: 320, language });
  try {
    await page.goto(`${BASE}/#/reports`);
    await page.getByTestId("report-table").waitFor();
    await page.getByRole("combobox", { name: words.reportRows, exact: true }).selectOption("hour");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="report-row"]').length > 24);
    await page.getByRole("button", { name: words.refresh, exact: true }).focus();
    await page.keyboard.press("Tab");
    const region = page.getByRole("region", { name: words.hourTable, exact: true });
    check(
      await region.evaluate((element) => document.activeElement === element && element.contains(document.querySelector('[data-testid="report-table"]'))),
      `${label}: Tab goes from ${words.refresh} to the table's scroll region, “${words.hourTable}”`,
    );
    // Chromium's accessibility snapshot of the page: the region, and what it holds (the lines indented under it).
    const tree = (await page.getByTestId("reports").ariaSnapshot()).split("\n");
    const at = tree.findIndex((line) => line.trim() === `- region "${words.hourTable}":`);
    const inside = [];
    for (const line of at < 0 ? [] : tree.slice(at + 1)) {
      if (line.search(/\S/) <= tree[at].search(/\S/)) break;
      inside.push(line.trim());
    }
    check(
      inside[0] === "- table:" && !inside.some((line) => /^- (button|combobox|textbox|checkbox)\b/.test(line)),
      `${label}: to a screen reader, a region named “${words.hourTable}” holding the table, and no filter`,
    );
    const start = await reportTableState(page);
    check(start.maxLeft > 600 && start.left === 0, `${label}: the table is ${start.maxLeft} px wider than its region`);
    let state = start;
    for (let i = 0; i < 100 && state.left < state.maxLeft; i += 1) {
      await page.keyboard.press("ArrowRight");
      // Chromium scrolls a key press smoothly: read where it stops, not a frame of its way there, so a loaded
      // machine's slow animation is not taken for the table's end (CI once read 905 of 918 px).
      await settledScroll(page);
      state = await reportTableState(page);
    }
    const focus = await page.evaluate(() => document.activeElement?.className || document.activeElement?.tagName);
    check(
      state.left === state.maxLeft && state.lastColumn,
      `${label}: the arrows scroll the table to its last column (${state.left} of ${state.maxLeft} px, the focus on ${focus})`,
    );
    check(state.firstColumn, `${label}: its first column stays at its left, over the columns scrolled under it`);
    check(!state.section.wider && state.section.left === 0, `${label}: the page itself does not scroll sideways`);
    const { off, scrolled } = await reportsControlsOffScreen(page);
    check(off.length === 0 && scrolled === 0, `${label}: the filters stay on the screen${off.length ? ` (past its edge: ${off.join(", ")})` : ""}`);
    await shot(page, `320px-${language}-reports-table-scrolled`);
    check(!state.totals, `${label}: the totals start out of sight, below the fold`);
    await page.keyboard.press("End");
    await page.waitForFunction(() => {
      const totals = document.querySelector('[data-testid="report-totals"]').getBoundingClientRect();
      return totals.bottom <= window.innerHeight && totals.top >= 0;
    });
    state = await reportTableState(page);
    check(state.totals && state.left === state.maxLeft, `${label}: End, in the region, takes the page down to the totals, their label in sight`);
    await shot(page, `320px-${language}-reports-table-totals`);
    check(pageErrors.length === 0, `${label}: no uncaught errors${pageErrors.length ? `: ${pageErrors.join("; ")}` : ""}`);
  } finally {
    await context.close();
  }
}

/**
 * A call list's calling windows at 320 px, as a screen reader has them (a11y review): two windows were two
 * identical sets of weekday boxes, from/to fields and ✕, in list items without names. In Chromium's accessibility
 * snapshot each is a group named by its number, and everything in it is named after it; the "to" field's example is
 * an end of day, not 09:00 again; the dialog does not scroll sideways with them.
 */
async function callingWindowsNamed(browser, { username, password, scenario, language }) {
  const words = WORDS[language];
  const label = `320px-${language} calling windows`;
  const { page, context, pageErrors } = await signedInPage(browser, { username, password, width: 320, language });
  try {
    await page.goto(`${BASE}/#/`);
    await page.getByRole("searchbox", { name: words.search, exact: true }).fill(scenario.slug);
    await page.getByRole("button", { name: words.moreActions(scenario.name), exact: true }).click();
    await page.getByRole("menuitem", { name: words.callList, exact: true }).click();
    const dialog = page.getByTestId("call-list-dialog");
    await dialog.waitFor();
    await dialog.getByRole("button", { name: `+ ${words.addHours}`, exact: true }).click();
    const hours = dialog.locator("ul.hours");
    await hours.getByRole("group", { name: words.window(2), exact: true }).waitFor();
    /** The named controls of an accessibility snapshot, as "role name". */
    const controls = (tree) => [...tree.matchAll(/- (checkbox|textbox|button) "([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`);
    for (const n of [1, 2]) {
      const inside = controls(await hours.getByRole("group", { name: words.window(n), exact: true }).ariaSnapshot());
      const boxes = inside.filter((control) => control.startsWith("checkbox "));
      check(
        boxes.length === 7 &&
          boxes.every((box) => box.endsWith(`, ${words.window(n).toLowerCase()}`)) &&
          JSON.stringify(inside.slice(7)) === JSON.stringify([`textbox ${words.windowFrom(n)}`, `textbox ${words.windowTo(n)}`, `button ${words.removeWindow(n)}`]),
        `${label}: a group “${words.window(n)}”, its weekdays, times and ✕ named after it (${[boxes[0], ...inside.slice(7)].join(" · ")})`,
      );
    }
    const all = controls(await hours.ariaSnapshot());
    check(all.length === 20 && new Set(all).size === all.length, `${label}: no two of the ${all.length} controls of the two windows named alike`);
    const placeholders = await hours.locator("input.clock-time").evaluateAll((inputs) => inputs.map((input) => input.placeholder));
    check(JSON.stringify(placeholders) === JSON.stringify(["09:00", "18:00", "09:00", "18:00"]), `${label}: the times' examples are 09:00 and 18:00`);
    const box = await dialog.evaluate((element) => {
      const modal = element.closest("dialog");
      return { scroll: modal.scrollWidth, client: modal.clientWidth };
    });
    check(box.scroll <= box.client, `${label}: the dialog does not scroll sideways (${box.scroll} in ${box.client} px)`);
    await hours.scrollIntoViewIfNeeded();
    await shot(page, `320px-${language}-calling-windows`);
    check(pageErrors.length === 0, `${label}: no uncaught errors${pageErrors.length ? `: ${pageErrors.join("; ")}` : ""}`);
  } finally {
    await context.close();
  }
}

/** The pages of the designer this checks, each with what shows it is drawn. */
function pages(slug) {
  return [
    { name: "list", hash: "#/", ready: (page) => page.locator("table.scenarios").waitFor() },
    { name: "editor", hash: `#/s/${slug}`, ready: (page) => page.locator(".react-flow__node").first().waitFor() },
    { name: "calls", hash: "#/calls", ready: (page) => page.getByTestId("calls-page").waitFor() },
    { name: "reports", hash: "#/reports", ready: (page) => page.getByTestId("reports").waitFor() },
    { name: "data-sources", hash: "#/data-sources", ready: (page) => page.getByTestId("source-table").waitFor() },
  ];
}

async function pagesReflow(browser, { username, password, slug }) {
  for (const [width, language] of [[320, "en"], [640, "en"], [320, "ru"], [640, "ru"], [1280, "en"]]) {
    const label = `${width}px-${language}`;
    const { page, context, pageErrors } = await signedInPage(browser, { username, password, width, language });
    try {
      for (const shown of pages(slug)) {
        await page.goto(`${BASE}/${shown.hash}`);
        await shown.ready(page);
        await page.waitForTimeout(300); // the canvas's opening fit, fonts
        const { scroll, window } = await documentWidth(page);
        check(scroll <= window, `${label} ${shown.name}: the page is ${scroll} px wide in a ${window} px window, no sideways scrolling`);
        await shot(page, `${label}-${shown.name}`);
        if (shown.name === "list" || (shown.name === "editor" && width === 320)) await topBarByKeyboard(page, { width, language, label: `${label}-${shown.name}` });
        if (shown.name === "reports") await reportsControls(page, { language, label });
      }
      check(pageErrors.length === 0, `${label}: no uncaught errors${pageErrors.length ? `: ${pageErrors.join("; ")}` : ""}`);
    } finally {
      await context.close();
    }
  }
}

/** A Data sources row's buttons in sight at 640 px and 320 px; the Add dialog not scrolling sideways at 320 px. */
async function dataSourcesNarrow(browser, { username, password, source }) {
  for (const width of [640, 320]) {
    const { page, context } = await signedInPage(browser, { username, password, width });
    try {
      await page.goto(`${BASE}/#/data-sources`);
      const row = page.locator(`tr[data-source="${source}"]`);
      await row.waitFor();
      const buttons = row.locator("td.actions button");
      const boxes = await buttons.evaluateAll((elements) =>
        elements.map((element) => {
          const box = element.getBoundingClientRect();
          return { name: element.getAttribute("aria-label"), left: box.left, right: box.right, window: window.innerWidth };
        }),
      );
      check(
        boxes.length === 3 && boxes.every((box) => box.left >= 0 && box.right <= box.window),
        `${width}px: the row's ${boxes.map((box) => box.name).join(", ")} are on the screen, not past its edge`,
      );
      const where = row.locator('td[data-column="target"]');
      // The lines its text takes: one box per line of a text node.
      const lines = await where.evaluate((cell) => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        return new Set([...range.getClientRects()].map((box) => Math.round(box.top))).size;
      });
      check(lines <= 3, `${width}px: its Where is not squeezed into a column a few letters wide (${lines} lines)`);
      // Drawn as cards, still a table to a screen reader: Chromium's own accessibility tree, not the markup.
      const cdp = await context.newCDPSession(page);
      const { nodes } = await cdp.send("Accessibility.getFullAXTree");
      const roles = nodes.map((node) => node.role?.value);
      const count = (role) => roles.filter((each) => each === role).length;
      check(
        count("table") === 1 && count("columnheader") === 6 && count("rowheader") >= 1 && count("cell") === 5 * count("rowheader"),
        `${width}px: the sources are still a table of 6 columns to a screen reader (${count("columnheader")} column headers, ${count("cell")} cells)`,
      );
      await row.scrollIntoViewIfNeeded();
      await shot(page, `${width}px-data-source-row`);
      if (width === 320) {
        await page.getByRole("button", { name: "Add a data source", exact: true }).click();
        const dialog = page.locator("dialog.modal");
        await dialog.getByTestId("new-source-form").waitFor();
        const overflow = await dialog.evaluate((element) => ({ scroll: element.scrollWidth, client: element.clientWidth }));
        check(overflow.scroll <= overflow.client, `320px: the Add dialog does not scroll sideways (${overflow.scroll} in ${overflow.client} px)`);
        const examples = await dialog.locator(".source-examples li").evaluateAll((items) =>
          items.every((item) => item.getBoundingClientRect().right <= item.closest("dialog").getBoundingClientRect().right),
        );
        check(examples, "320px: its example URLs wrap inside it");
        await shot(page, "320px-data-source-add");
      }
    } finally {
      await context.close();
    }
  }
}

/**
 * The caller search of a user who does not read personal data: named "Number" alone, described by a hint in sight,
 * its status region there (empty) before anything is typed; a letter is kept out and said there, and the field
 * stays where it was.
 */
async function numberOnlySearch(browser, { username, password }) {
  const { page, context, pageErrors } = await signedInPage(browser, { username, password, width: 640 });
  try {
    await page.goto(`${BASE}/#/calls`);
    await page.getByTestId("calls-page").waitFor();
    const field = page.getByRole("searchbox", { name: "Number", exact: true });
    await field.waitFor();
    const hintId = await field.getAttribute("aria-describedby");
    const hint = page.locator(`[id="${hintId}"]`);
    check(
      (await hint.isVisible()) && (await hint.textContent()) === "A number (caller or dialled). Searching by the caller's name needs access to personal data",
      "the number-only search is named Number, and says what it takes in a visible hint that describes it",
    );
    check((await field.getAttribute("placeholder")) === null, "the instruction is not a placeholder, cut off and gone once typing");
    const status = page.getByTestId("number-search-status");
    check((await status.count()) === 1 && (await status.textContent()) === "" && (await status.getAttribute("role")) === "status", "its status region is in the page, empty, before anything is typed");
    const before = await field.boundingBox();
    await field.focus();
    await page.keyboard.type("60a");
    await page.waitForFunction(() => document.querySelector('[data-testid="number-search-status"]')?.textContent !== "");
    check((await field.inputValue()) === "60", "the letter is kept out, the digits stay");
    check(
      (await status.textContent()) === "Only numbers: searching by the caller's name needs access to personal data",
      "the status region says why",
    );
    const after = await field.boundingBox();
    check(before.x === after.x && before.y === after.y && before.height === after.height, "the field did not move when it was said");
    const name = await field.evaluate((input) => input.labels?.[0]?.textContent);
    check(name === "Number", "the field's label holds its name alone, not the warning");
    await shot(page, "640px-number-only-search");
    check(pageErrors.length === 0, `no uncaught errors on the Calls page${pageErrors.length ? `: ${pageErrors.join("; ")}` : ""}`);
  } finally {
    await context.close();
  }
}

/** A delete refused because another scenario needs the scenario, by keyboard: the focus to the panel, then back. */
async function refusedDeleteFocus(browser, { username, password, needed }) {
  const { page, context, pageErrors } = await signedInPage(browser, { username, password, width: 1280 });
  try {
    await page.goto(`${BASE}/#/`);
    await page.getByRole("searchbox", { name: "Search scenarios" }).fill(needed.slug);
    const toggle = page.getByRole("button", { name: `More actions for ${needed.name}`, exact: true });
    await toggle.waitFor();
    await toggle.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("menuitem", { name: "Delete", exact: true }).waitFor();
    await page.keyboard.press("End"); // Delete, the last item
    await page.keyboard.press("Enter");
    const confirm = page.getByTestId("confirm-dialog");
    await confirm.waitFor();
    await confirm.locator("button.confirm").focus();
    await page.keyboard.press("Enter");
    const panel = page.getByTestId("delete-refused");
    await panel.waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute("data-testid") === "delete-refused");
    check(true, "the refused delete's panel takes the focus when it appears");
    const heading = await panel.evaluate((element) => document.getElementById(element.getAttribute("aria-labelledby"))?.textContent);
    check(heading === `Scenario “${needed.name}” was not deleted: it is still needed.`, "it is named by its heading, which says what happened");
    await page.keyboard.press("Tab");
    check((await focusedControl(page))?.tag === "a", "Tab goes straight to its first link, not back through the table");
    await shot(page, "1280px-delete-refused");
    await panel.getByRole("button", { name: "Close", exact: true }).focus();
    await page.keyboard.press("Enter");
    await panel.waitFor({ state: "detached" });
    check(await toggle.evaluate((button) => document.activeElement === button), "Close gives the focus back to the row's ⋯ button");
    check(pageErrors.length === 0, `no uncaught errors on the list${pageErrors.length ? `: ${pageErrors.join("; ")}` : ""}`);
  } finally {
    await context.close();
  }
}

/**
 * Fit view after zooming in, its viewport read at each frame: with "reduce motion" on it jumps (one new transform,
 * at once); without, it glides through several, which shows the check would see an animation.
 */
async function fitViewMotion(browser, { username, password, slug }) {
  const transforms = {};
  for (const reducedMotion of ["no-preference", "reduce"]) {
    const { page, context } = await signedInPage(browser, { username, password, width: 1280, reducedMotion });
    try {
      await page.goto(`${BASE}/#/s/${slug}`);
      await page.locator(".react-flow__node").first().waitFor();
      check(
        (await page.evaluate(() => matchMedia("(prefers-reduced-motion: reduce)").matches)) === (reducedMotion === "reduce"),
        `the browser reports reduce motion ${reducedMotion === "reduce" ? "on" : "off"}`,
      );
      await page.waitForTimeout(600); // the opening fit done
      for (let i = 0; i < 3; i += 1) await page.locator(".react-flow__controls-zoomin").click();
      await page.waitForTimeout(600);
      transforms[reducedMotion] = await page.evaluate(async () => {
        const viewport = document.querySelector(".react-flow__viewport");
        document.querySelector(".react-flow__controls-fitview").click();
        const seen = [];
        const until = performance.now() + 600;
        while (performance.now() < until) {
          await new Promise((frame) => requestAnimationFrame(frame));
          seen.push(viewport.style.transform);
        }
        return [...new Set(seen)];
      });
    } finally {
      await context.close();
    }
  }
  check(transforms["no-preference"].length > 2, `without a preference, Fit view glides (${transforms["no-preference"].length} viewports on the way)`);
  check(transforms.reduce.length === 1, `with reduce motion on, Fit view jumps straight to its view (${transforms.reduce.join(" → ")})`);
}

async function main() {
  await emptied(ARTIFACTS);
  const admin = await apiSession(BASE, ADMIN_USER, ADMIN_PASSWORD);
  // An admin of the run's own (the Users and Data sources links are an admin's), and a viewer without personal data.
  const username = `reflow-admin-${stamp}`;
  const password = `reflow-${stamp}-secret`;
  await admin("POST", "/api/users", { username, password, role: "admin" });
  const viewer = `reflow-viewer-${stamp}`;
  await admin("POST", "/api/users", { username: viewer, password, role: "viewer" });
  const me = await apiSession(BASE, username, password);

  // A scenario to open, and one that another scenario's Go To Scenario needs (its delete is refused).
  const slug = `reflow-${stamp}`;
  const at = (x, y) => ({ x, y });
  await me("POST", "/api/scenarios", {
    slug,
    name: `Reflow ${stamp}`,
    document: {
      format: "ivrgraph.scenario/1",
      name: `Reflow ${stamp}`,
      nodes: [
        { id: "start", type: "start", position: at(0, 60), config: {} },
        { id: "hello", type: "say_phrase", position: at(300, 40), config: { text: "Hello" } },
        { id: "bye", type: "hangup", position: at(620, 60), config: {} },
      ],
      edges: [
        { id: "start.next->hello", source: "start", exit: "next", target: "hello" },
        { id: "hello.next->bye", source: "hello", exit: "next", target: "bye" },
      ],
    },
  });
  const needed = { slug: `needed-${stamp}`, name: `Needed ${stamp}` };
  await me("POST", "/api/scenarios", { slug: needed.slug, name: needed.name });
  await me("POST", "/api/scenarios", {
    slug: `jumps-${stamp}`,
    name: `Jumps ${stamp}`,
    document: {
      format: "ivrgraph.scenario/1",
      name: `Jumps ${stamp}`,
      nodes: [
        { id: "start", type: "start", position: at(0, 0), config: {} },
        { id: "jump", type: "goto_scenario", position: at(300, 0), config: { scenario: needed.slug } },
      ],
      edges: [{ id: "start.next->jump", source: "start", exit: "next", target: "jump" }],
    },
  });
  // A data source whose server is not there: saved all the same, with a long Where.
  const source = `reflow_${stamp}`;
  await me("POST", "/api/data-sources", {
    name: source,
    url: `mysql+pymysql://reporting_reader:secret@crm-database.internal.example.com:1/customer_records_${stamp}`,
    description: "The CRM's customers, read only",
  });

  const browser = await launchChromium();
  try {
    await pagesReflow(browser, { username, password, slug });
    for (const language of ["en", "ru"]) await reportsTableByKeyboard(browser, { username, password, language });
    await dataSourcesNarrow(browser, { username, password, source });
    await numberOnlySearch(browser, { username: viewer, password });
    await refusedDeleteFocus(browser, { username, password, needed });
    await fitViewMotion(browser, { username, password, slug });
    // Last, as it publishes the scenario: a list is called with a published one.
    await me("POST", `/api/scenarios/${slug}/publish`, { message: "A list to call" });
    for (const language of ["en", "ru"]) await callingWindowsNamed(browser, { username, password, scenario: { slug, name: `Reflow ${stamp}` }, language });
  } finally {
    await browser.close();
    const sources = await me("GET", "/api/data-sources").catch(() => []);
    for (const item of sources.filter((s) => s.name === source)) await me("DELETE", `/api/data-sources/${item.id}`).catch(() => undefined);
  }
  console.log("reflow e2e: all checks passed");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
