// Finding (accessibility review, screen reader in Chromium): "Loading the scenarios…" was never spoken (a busy status,
// removed before it stopped being busy); "No block matches…" and "No scenario matches…" were regions put in already
// filled, which a screen reader may not announce; the palette's was said again on every keystroke, and the list's
// read its "Clear the search" button as part of the message. Each area now has one status region, there and empty
// from its first render, whose words are written in after: here the real ScenarioListStatus and PaletteStatus, built
// as the designer is (vite, React), drawn in Chromium, every text each region takes recorded as it changes.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_TEST_TIMEOUT, harnessScript, loadHarness } from "./chromiumHarness";

const here = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));

/**
 * Both statuses in the designer's language provider: `window.list(view, query)` and `window.palette(added, noMatch)`
 * give them new props; `window.firstTexts` is what each region held as it was first put in the page (read before
 * anything else could run), and `window.said` every text each took after, in order.
 */
const HARNESS = `
import { createElement as h, useState } from "react";
import { flushSync } from "react-dom";
import { createRoot } from "react-dom/client";
import { I18nProvider } from ${here("../i18n.tsx")};
import { ScenarioListStatus } from ${here("./ScenarioListStatus.tsx")};
import { PaletteStatus } from ${here("./PaletteStatus.tsx")};

function Demo() {
  const [list, setList] = useState({ view: "loading", query: "" });
  const [palette, setPalette] = useState({ added: "", noMatch: "" });
  window.list = (view, query = "") => setList({ view, query });
  window.palette = (added, noMatch) => setPalette({ added, noMatch });
  return h("div", null,
    h("section", { id: "list" }, h(ScenarioListStatus, { view: list.view, query: list.query, onClear: () => undefined })),
    h("aside", { id: "palette" }, h(PaletteStatus, palette)),
  );
}

const root = document.createElement("div");
document.body.append(root);
const reactRoot = createRoot(root);
flushSync(() => reactRoot.render(h(I18nProvider, null, h(Demo))));
const region = (id) => document.querySelector("#" + id + " [role=status]");
window.firstTexts = { list: region("list")?.textContent ?? null, palette: region("palette")?.textContent ?? null };
window.said = { list: [], palette: [] };
for (const id of ["list", "palette"]) {
  const observed = region(id);
  new MutationObserver(() => window.said[id].push(observed.textContent)).observe(observed, { childList: true, characterData: true, subtree: true });
}
`;

type Said = { list: string[]; palette: string[] };
const said = (page: Page) => page.evaluate(() => (window as unknown as { said: Said }).said);
const listTo = (page: Page, view: string, query = "") =>
  page.evaluate(([v, q]) => (window as unknown as { list(view: string, query: string): void }).list(v!, q!), [view, query]);

describe.skipIf(!existsSync(CHROMIUM))("the status regions of the scenario list and the palette, in Chromium", { timeout: CHROMIUM_TEST_TIMEOUT }, () => {
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const script = await harnessScript("live-regions-harness", HARNESS);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    const context = await browser.newContext();
    await context.addInitScript(() => localStorage.setItem("ivrgraph.language", "en"));
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => message.type() === "error" && pageErrors.push(message.text()));
    await loadHarness(page, script);
    await page.waitForFunction(() => "said" in window, undefined, { timeout: 20_000 }).catch(() => {
      throw new Error(`the harness was not drawn: ${pageErrors.join("; ") || "no error in the page"}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("are in the page, empty, from the first render", async () => {
    expect(await page.evaluate(() => (window as unknown as { firstTexts: unknown }).firstTexts)).toEqual({ list: "", palette: "" });
  });

  it("write “Loading the scenarios…” into the list's region after, never marked busy", async () => {
    await page.waitForFunction(() => document.querySelector("#list [role=status]")?.textContent === "Loading the scenarios…");
    expect(await page.locator("#list [aria-busy]").count()).toBe(0);
    expect((await said(page)).list).toEqual(["Loading the scenarios…"]);
  });

  it("say a search that matches no scenario in that same region, the Clear button outside it", async () => {
    await listTo(page, "table");
    await page.waitForFunction(() => document.querySelector("#list [role=status]")?.textContent === "");
    await listTo(page, "no-match", "debt");
    await page.waitForFunction(() => document.querySelector("#list [role=status]")?.textContent === "No scenario matches “debt”.");
    expect(await page.locator("#list [role=status]").count()).toBe(1);
    expect(await page.locator("#list [role=status] button").count()).toBe(0);
    expect(await page.locator("#list button").textContent()).toBe("Clear the search");
    expect((await said(page)).list).toEqual(["Loading the scenarios…", "", "No scenario matches “debt”."]);
  });

  it("say the palette's no-match once typing pauses, not at every keystroke", async () => {
    // Typed a letter at a time, 100 ms apart (timed in the page, so the test's own round trips do not stretch it):
    // nothing said while typing goes on.
    await page.evaluate(async () => {
      const palette = (window as unknown as { palette(a: string, n: string): void }).palette;
      for (const query of ["x", "xy", "xyz"]) {
        palette("", `No block matches “${query}”.`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    expect((await said(page)).palette).toEqual([]);
    await page.waitForFunction(() => document.querySelector("#palette [role=status]")?.textContent === "No block matches “xyz”.");
    await page.waitForTimeout(700);
    expect((await said(page)).palette).toEqual(["No block matches “xyz”."]);
  });

  it("say a block added by the keyboard in the palette's same region, at once", async () => {
    await page.evaluate(() => (window as unknown as { palette(a: string, n: string): void }).palette("Hang Up “hangup” added", ""));
    // Not held back as a search's words are: there well before a typing pause would be over.
    await page.waitForFunction(() => document.querySelector("#palette [role=status]")?.textContent === "Hang Up “hangup” added", undefined, { timeout: 250 });
    expect(await page.locator("#palette [role=status]").count()).toBe(1);
  });
});
