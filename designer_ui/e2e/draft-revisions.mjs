// Looking saves nothing; leaving at once loses nothing. As a Russian analyst found it: clicking an IVR menu ("Меню")
// saved by the API without its defaulted settings, and touching nothing, saved a new draft revision (the form's
// filling in of `mode: "menu"`, `split_failures: false`... taken for an edit), so anyone else with the scenario
// open got a stale revision. And an edit made a moment before the tab went (another address, the tab closed)
// waited for the autosave, which never came. Called from designer.e2e.mjs with its helpers.
import { signIn, watchedPage } from "./lib.mjs";

/** Start -> "Меню" (keys 1, 2 -> Продажи, Поддержка): written as a script would, without the schema's defaults. */
function menu(name) {
  return {
    format: "ivrgraph.scenario/1",
    name,
    language: "ru",
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 80 }, config: {} },
      {
        id: "menu",
        type: "ivr",
        label: "Меню",
        position: { x: 300, y: 60 },
        config: { prompt: { text: "Нажмите 1 для продаж или 2 для поддержки." }, options: [{ key: "1" }, { key: "2" }] },
      },
      { id: "sales", type: "transfer", label: "Продажи", position: { x: 620, y: 0 }, config: { target: "101" } },
      { id: "support", type: "transfer", label: "Поддержка", position: { x: 620, y: 200 }, config: { target: "102" } },
    ],
    edges: [
      { id: "start:next", source: "start", exit: "next", target: "menu" },
      { id: "menu:1", source: "menu", exit: "1", target: "sales" },
      { id: "menu:2", source: "menu", exit: "2", target: "support" },
    ],
  };
}

/** Longer than the autosave's delay (800 ms) and the live check's: anything the editor would save is sent by then. */
const PAST_THE_AUTOSAVE_MS = 2000;

export async function lookingSavesNothing(browser, { admin, apiSession, check, shot, base, stamp, openDrawn, select }) {
  const username = `looker-${stamp}`;
  const password = `pw-${stamp}-looker`;
  await admin("POST", "/api/users", { username, password, role: "editor" });
  const me = await apiSession(username, password);
  const slug = `looked-at-${stamp}`;
  await me("POST", "/api/scenarios", { slug, name: `Looked at ${stamp}`, document: menu(`Looked at ${stamp}`) });
  const draft = async () => (await me("GET", `/api/scenarios/${slug}`)).draft;
  const menuOf = (document) => document.nodes.find((n) => n.id === "menu");
  /** The stored draft once `saved(draft)` holds, or the last one read after a few seconds. */
  const draftWhen = async (saved) => {
    let stored = await draft();
    for (let attempt = 0; attempt < 25 && !saved(stored); attempt += 1) {
      await new Promise((done) => setTimeout(done, 200));
      stored = await draft();
    }
    return stored;
  };
  const first = await draft();

  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: "en-US" });
  const { page, pageErrors } = await watchedPage(context);
  const saves = [];
  page.on("request", (request) => request.method() === "PUT" && request.url().endsWith(`/api/scenarios/${slug}/draft`) && saves.push(request.url()));
  const asked = [];
  page.on("dialog", (dialog) => {
    asked.push(dialog.type());
    void dialog.accept(); // leave
  });
  const openEditor = async (on) => {
    await on.goto(`${base}/`);
    await on.getByTestId("current-user").waitFor();
    await openDrawn(on, slug, 4);
  };
  try {
    await signIn(page, base, username, password);
    await openDrawn(page, slug, 4);
    for (const tab of ["Scenario", "Tests", "Scenario"]) {
      await page.getByRole("tab", { name: tab, exact: true }).click();
      await page.waitForTimeout(300);
    }
    for (const id of ["menu", "start", "sales", "menu"]) await select(page, id);
    await page.locator("#cfg-menu_mode").waitFor(); // the menu's form is drawn, its Mode shown as "menu"
    await page.waitForTimeout(PAST_THE_AUTOSAVE_MS);
    await shot(page, "16-menu-looked-at");
    const looked = await draft();
    check(
      saves.length === 0 && looked.revision === first.revision && !("mode" in menuOf(looked.document).config),
      `opening a scenario, its Scenario and Tests panels and clicking its blocks (the IVR menu saved without its defaults) saves nothing: draft revision ${first.revision} -> ${looked.revision}, ${saves.length} saves sent`,
    );
    check(
      (await page.getByTestId("save-state").getAttribute("data-state")) === "saved" &&
        (await page.getByRole("button", { name: "Undo", exact: true }).isDisabled()),
      "and leaves nothing unsaved nor an undo step",
    );

    // A real edit is one: "Seconds to wait" (left out of the document, shown as its default 5) emptied stays empty
    // while typed in, rather than filled with 5 again under the cursor, and what is typed is saved.
    const seconds = page.locator("#cfg-menu_timeout");
    await seconds.fill("");
    await page.waitForTimeout(300);
    const emptied = await seconds.inputValue();
    await seconds.pressSequentially("7");
    await page.locator('[data-testid=save-state][data-state="saved"]').waitFor({ timeout: 10000 });
    const typed = await draft();
    check(
      emptied === "" && (await seconds.inputValue()) === "7" && menuOf(typed.document).config.timeout === 7,
      `a defaulted field emptied stays empty as it is typed in, and the edit is saved (shown "${emptied}", then "${await seconds.inputValue()}"; stored ${menuOf(typed.document).config.timeout})`,
    );

    // An edit, then straight to another address: well before the autosave would have sent it.
    await page.fill("[data-testid=block-panel] input[name=label]", "Главное меню");
    await page.goto("about:blank");
    const afterLeaving = await draftWhen((stored) => menuOf(stored.document).label === "Главное меню");
    check(menuOf(afterLeaving.document).label === "Главное меню", "an edit made just before going to another address is saved (pagehide)");
    check(asked.join() === "beforeunload", `leaving with the edit not saved yet asked "leave the page?" first (asked: ${asked.join(", ") || "nothing"})`);

    // An edit, then the tab closed at once.
    const { page: again } = await watchedPage(context, pageErrors);
    await openEditor(again);
    await select(again, "sales");
    await again.fill("[data-testid=block-panel] input[name=label]", "Отдел продаж");
    await again.close();
    const afterClosing = await draftWhen((stored) => stored.document.nodes.find((n) => n.id === "sales").label === "Отдел продаж");
    check(afterClosing.document.nodes.find((n) => n.id === "sales").label === "Отдел продаж", "an edit made just before the tab is closed is saved");
    check(pageErrors.length === 0, `no uncaught errors while looking and leaving${pageErrors.length ? `: ${pageErrors.join("; ")}` : ""}`);
  } catch (error) {
    await shot(page, "99-failure-looking").catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}
