// Accessibility review (keyboard + screen reader, en/es/ru in Chromium): the "draft differs from live" sentence in
// the editor's toolbar wrapped into an 8-line column in Russian at 1280 px, squeezing the scenario's name to 0 px
// (the toolbar 125 px tall), and in Spanish at 1024 px pushed Publish out of view. Here the toolbar's parts, built
// as the designer is (vite, React) with the designer's stylesheet, are drawn in Chromium at the review's widths.
// And the publish preview's "Show all N changes", pressed from the keyboard, keeps the focus.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_TEST_TIMEOUT, harnessScript, loadHarness } from "./chromiumHarness";

const here = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));
const STYLES = fileURLToPath(new URL("../styles.css", import.meta.url));

/** The editor's toolbar as Editor draws it (an admin's: every button), the draft differing from live version 3. */
const HARNESS = `
import { createElement as h } from "react";
import { createRoot } from "react-dom/client";
import { I18nProvider, useI18n } from ${here("../i18n.tsx")};
import { DraftDiffersNote } from ${here("./EditorPage.tsx")};
import { EditorTools } from ${here("./EditorTools.tsx")};
import { FlowStatsToggle } from ${here("./FlowStatsBar.tsx")};
import { DiffList } from ${here("./SemanticDiff.tsx")};

const live = {
  format: "ivrgraph.scenario/1",
  name: "Recordatorio de deuda",
  nodes: [{ id: "start", type: "start", position: { x: 0, y: 0 }, config: {} }, { id: "sales", type: "transfer", position: { x: 300, y: 0 }, config: { target: "101" } }],
  edges: [{ id: "start:next", source: "start", exit: "next", target: "sales" }],
};
const draft = { ...live, nodes: live.nodes.map((n) => (n.id === "sales" ? { ...n, label: "Ventas" } : n)) };
const name = "Recordatorio de deuda (febrero)";
const noop = () => undefined;

function Toolbar() {
  const { t } = useI18n();
  return h("div", { className: "editor-toolbar row", role: "toolbar", "aria-label": name },
    h("a", { href: "#/", className: "back" }, "← " + t("editor.back")),
    h("h1", { className: "scenario-name", title: name }, name),
    h("span", { className: "save-state save-saved", role: "status" }, t("save.saved")),
    h(DraftDiffersNote, { live: { version: 3, document: live }, draft }),
    h("span", { className: "spacer" }),
    h(FlowStatsToggle),
    h(EditorTools, { role: "admin", canUndo: true, canRedo: true, onUndo: noop, onRedo: noop, onLayout: noop, onFit: noop, onDelete: noop, onTestCall: noop, onPublish: noop }),
  );
}

const items = Array.from({ length: 12 }, (_, i) => ({ text: "change " + i, node: null }));
function Preview() {
  return h(DiffList, { diff: { empty: false, changes: [] }, items, limit: 5 });
}

let root = null;
window.mount = (language, what) => {
  localStorage.setItem("ivrgraph.language", language);
  root?.unmount();
  document.body.innerHTML = '<div class="editor"></div>';
  let host = document.body.firstChild;
  if (what === "preview") {
    const dialog = document.createElement("dialog");
    document.body.append(dialog);
    dialog.showModal();
    host = dialog;
  }
  root = createRoot(host);
  root.render(h(I18nProvider, null, h(what === "preview" ? Preview : Toolbar)));
};
`;

describe.skipIf(!existsSync(CHROMIUM))("the editor's toolbar with the draft differing from live, in Chromium", { timeout: CHROMIUM_TEST_TIMEOUT }, () => {
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  async function mount(language: string, what: "toolbar" | "preview", width = 1280) {
    await page.setViewportSize({ width, height: 800 });
    await page.evaluate(([l, w]) => (window as unknown as { mount(language: string, what: string): void }).mount(l!, w!), [language, what]);
    const ready = what === "toolbar" ? "[data-testid=draft-differs]" : "[data-testid=diff] button";
    await page.locator(ready).waitFor({ timeout: 20_000 }).catch(() => {
      throw new Error(`nothing was drawn: ${pageErrors.join("; ") || "no error in the page"}`);
    });
  }

  beforeAll(async () => {
    const script = await harnessScript("editor-toolbar-harness", HARNESS);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await loadHarness(page, script, STYLES);
    await page.waitForFunction(() => "mount" in window);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it.each([
    ["ru", 1280],
    ["es", 1280],
    ["en", 1280],
    ["ru", 1024],
    ["es", 1024],
  ])("keeps the scenario's name readable and Publish in view (%s, %i px)", async (language, width) => {
    await mount(language as string, "toolbar", width as number);
    const layout = await page.evaluate(() => {
      const toolbar = document.querySelector<HTMLElement>(".editor-toolbar")!.getBoundingClientRect();
      const name = document.querySelector<HTMLElement>(".scenario-name")!;
      const publish = [...document.querySelectorAll<HTMLElement>("button.primary")].at(-1)!.getBoundingClientRect();
      const em = parseFloat(getComputedStyle(name).fontSize);
      const note = document.querySelector<HTMLElement>("[data-testid=draft-differs]")!.getBoundingClientRect();
      return { nameEms: name.getBoundingClientRect().width / em, height: toolbar.height, publishRight: publish.right, publishBottom: publish.bottom, width: innerWidth, noteHeight: note.height, toolbarBottom: toolbar.bottom };
    });
    expect(layout.nameEms).toBeGreaterThanOrEqual(8);
    expect(layout.publishRight).toBeLessThanOrEqual(layout.width);
    expect(layout.publishBottom).toBeLessThanOrEqual(layout.toolbarBottom);
    expect(layout.noteHeight).toBeLessThan(30); // one line, not a column
    expect(layout.height).toBeLessThan(100); // two rows at most
  });

  it("describes the badge with the whole sentence", async () => {
    await mount("es", "toolbar");
    const badge = page.getByText("Sin publicar", { exact: true });
    const described = await badge.evaluate((e) => document.getElementById(e.getAttribute("aria-describedby")!)?.textContent);
    expect(described).toContain("versión activa 3");
  });

  it("shows all changes and fewer again from one button that keeps the focus", async () => {
    await mount("en", "preview");
    const toggle = page.locator("[data-testid=diff] button");
    await toggle.focus();
    await page.keyboard.press("Enter");
    await page.locator('[data-testid=diff] button[aria-expanded="true"]').waitFor();
    const state = () =>
      page.evaluate(() => ({ focused: document.activeElement?.textContent, items: document.querySelectorAll(".diff-summary li").length }));
    expect(await state()).toEqual({ focused: "Show fewer", items: 12 });
    await page.keyboard.press("Enter");
    await page.locator('[data-testid=diff] button[aria-expanded="false"]').waitFor();
    expect(await state()).toEqual({ focused: "Show all 12 changes", items: 5 });
  });
});
