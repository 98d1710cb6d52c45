// Review: the Block panel kept its scroll position when another block was selected, so a block just added opened
// mid-form, its title and required fields out of sight. A block newly selected now starts at the panel's top; an
// edit of the block shown, or a rename of it, leaves the panel where the analyst scrolled it. Drawn in Chromium with
// the designer's stylesheet, the panel as the editor holds it (a .panel-body that scrolls), the store the editor's.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_TEST_TIMEOUT, harnessScript, loadHarness } from "./chromiumHarness";

const here = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));
const STYLES = fileURLToPath(new URL("../styles.css", import.meta.url));

const HARNESS = `
import { createElement as h } from "react";
import { createRoot } from "react-dom/client";
import { I18nProvider } from ${here("../i18n.tsx")};
import catalog from ${here("../lib/fixtures/catalog.json")};
import { useEditor } from ${here("../store/editor.ts")};
import { BlockPanel } from ${here("./BlockPanel.tsx")};

const days = ["mon", "tue", "wed", "thu", "fri"];
const document = {
  format: "ivrgraph.scenario/1",
  name: "Scroll",
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
    { id: "hours", type: "schedule", position: { x: 300, y: 0 }, config: { timezone: "Europe/Madrid", windows: [{ days, from: "09:00", to: "19:00" }] } },
    { id: "menu", type: "ivr", position: { x: 600, y: 0 }, config: { prompt: { text: "Hola" }, options: [{ key: "1" }, { key: "2" }, { key: "3" }] } },
  ],
  edges: [],
};
const suggestions = { scenarios: [], audio: [], dataSources: [] };

function Selected() {
  const node = useEditor((s) => s.nodes.find((n) => n.selected));
  return node ? h(BlockPanel, { node, suggestions }) : h("p", null, "nothing selected");
}

window.editor = useEditor;
window.mount = () => {
  useEditor.getState().setCatalog(catalog);
  useEditor.getState().load("scroll", document, 1);
  useEditor.getState().select("menu");
  window.document.body.innerHTML = '<div class="panel-body" style="height: 240px; display: block"></div>';
  createRoot(window.document.body.firstChild).render(h(I18nProvider, null, h(Selected)));
};
`;

interface Harness {
  editor: { getState(): { nodes: { id: string }[]; select(id: string): void; updateNode(id: string, patch: object): void } };
}

describe.skipIf(!existsSync(CHROMIUM))("the Block panel's scroll as blocks are selected, in Chromium", { timeout: CHROMIUM_TEST_TIMEOUT }, () => {
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const script = await harnessScript("block-panel-scroll-harness", HARNESS);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await loadHarness(page, script, STYLES);
    await page.waitForFunction(() => "mount" in window);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    await page.evaluate(() => (window as unknown as { mount(): void }).mount());
    await page.locator("[data-testid=block-panel] input[name=label]").waitFor();
  });

  const scrolled = () => page.locator(".panel-body").evaluate((body) => body.scrollTop);
  const scrollDown = () => page.locator(".panel-body").evaluate((body) => (body.scrollTop = 200));
  const act = async (what: (editor: Harness["editor"]) => void) => {
    await page.evaluate(`(${what.toString()})(window.editor)`);
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  };

  it("starts another block's panel at its top, the block's title in sight", async () => {
    await scrollDown();
    expect(await scrolled()).toBe(200);
    await act((editor) => editor.getState().select("hours"));
    expect(await scrolled()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it("keeps its place when the block shown is edited, or renamed in its id field", async () => {
    await scrollDown();
    await act((editor) => editor.getState().updateNode("menu", { label: "Main menu" }));
    expect(await scrolled()).toBe(200);
    // Renamed as the analyst does: typed in the id field, which is then left (for a field further down).
    const idField = page.locator("[data-testid=block-panel] input[name=node-id]");
    await idField.fill("main_menu");
    await scrollDown();
    await idField.evaluate((field) => field.blur());
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    expect(await page.evaluate(() => (window as unknown as Harness).editor.getState().nodes.map((n) => n.id))).toContain("main_menu");
    expect(await scrolled()).toBe(200);
    expect(pageErrors).toEqual([]);
  });
});
