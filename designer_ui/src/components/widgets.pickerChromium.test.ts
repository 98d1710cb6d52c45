// Finding (an accessibility review, keyboard and screen reader, en/es/ru in Chromium): Insert variable's helpers,
// listed as "signature — description", stretched the picker to 1184 px in a 339 px block panel, which then scrolled
// sideways and cut off the form's fields; and the picker inserted on every change, so ArrowDown on it inserted the
// first variable at once (again at each press) and the helpers could not be reached from the keyboard. Here the real
// form of a Say Phrase block, built as the designer is (vite, React) with the designer's stylesheet, is drawn in
// Chromium in a panel as narrow as the review's.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_TEST_TIMEOUT, harnessScript, loadHarness } from "./chromiumHarness";

const here = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));
const STYLES = fileURLToPath(new URL("../styles.css", import.meta.url));

/** Say Phrase's form in a 339 px side panel, inside the block panel as BlockPanel draws it; `window.mount(language)` draws it afresh in that language. */
const HARNESS = `
import { createElement as h, useState } from "react";
import { createRoot } from "react-dom/client";
import { I18nProvider } from ${here("../i18n.tsx")};
import catalog from ${here("../lib/fixtures/catalog.json")};
import { BlockConfigForm } from ${here("./BlockPanel.tsx")};

const spec = catalog.find((b) => b.type === "say_phrase");
const formContext = { variables: ["balance", "caller_id"], nodes: [], scenarios: [], audio: [], dataSources: [], language: "en" };
function Form() {
  const [config, setConfig] = useState({ text: "Hola " });
  return h(BlockConfigForm, { nodeId: "n1", spec, config, formContext, readOnly: false, onChange: setConfig });
}
let root = null;
window.mount = (language) => {
  localStorage.setItem("ivrgraph.language", language);
  root?.unmount();
  document.body.innerHTML = "";
  const panel = document.createElement("aside");
  panel.className = "side-panel";
  panel.style.width = "339px";
  panel.innerHTML = '<div class="panel-body"><fieldset class="block-panel" data-testid="block-panel"><div class="config-form"></div></fieldset></div>';
  document.body.append(panel);
  root = createRoot(panel.querySelector(".config-form"));
  root.render(h(I18nProvider, null, h(Form)));
};
`;

/** The analyst types at the end of the phrase, then tabs to the picker, as from the keyboard. */
async function toPickerFromText(page: Page) {
  const field = page.locator("[data-testid=block-panel] textarea").first();
  await field.focus();
  await field.press("End");
  await page.locator("select.variable-picker").focus();
}

const text = (page: Page) => page.locator("[data-testid=block-panel] textarea").first().inputValue();

describe.skipIf(!existsSync(CHROMIUM))("Insert variable in a narrow block panel, from the keyboard", { timeout: CHROMIUM_TEST_TIMEOUT }, () => {
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  async function mount(language: string) {
    await page.evaluate((l) => (window as unknown as { mount(language: string): void }).mount(l), language);
    await page.locator("select.variable-picker").waitFor({ timeout: 20_000 }).catch(() => {
      throw new Error(`the form was not drawn: ${pageErrors.join("; ") || "no error in the page"}`);
    });
  }

  beforeAll(async () => {
    const script = await harnessScript("variable-picker-harness", HARNESS);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await loadHarness(page, script, STYLES);
    await page.waitForFunction(() => "mount" in window);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it.each(["en", "es", "ru"])("never widens the panel (%s): the picker and the form's fields fit in it", async (language) => {
    await mount(language);
    const fit = await page.evaluate(() => {
      const body = document.querySelector<HTMLElement>(".panel-body")!;
      const box = body.getBoundingClientRect();
      const picker = document.querySelector("select.variable-picker")!.getBoundingClientRect();
      const fields = [...body.querySelectorAll("input, textarea, select, button")].map((e) => e.getBoundingClientRect().right);
      const over = [...body.querySelectorAll("*")].filter((e) => e.getBoundingClientRect().right > box.right).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().width)}`);
      return { scrolls: body.scrollWidth > body.clientWidth, pickerRight: picker.right, right: box.right, widest: Math.max(...fields), over };
    });
    expect(fit.over).toEqual([]);
    expect(fit.scrolls).toBe(false);
    expect(fit.pickerRight).toBeLessThanOrEqual(fit.right);
    expect(fit.widest).toBeLessThanOrEqual(fit.right);
  });

  it("inserts nothing while the analyst moves through the choices, and inserts the chosen one on Enter", async () => {
    await mount("en");
    const picker = page.locator("select.variable-picker");
    await toPickerFromText(page);
    for (let i = 0; i < 3; i += 1) await picker.press("ArrowDown"); // balance, caller_id, number(...)
    expect(await text(page)).toBe("Hola ");
    expect(await picker.inputValue()).toBe("helper:number");
    // The chosen helper is described beside the picker, and read with it.
    const hint = await page.evaluate(() => {
      const select = document.querySelector("select.variable-picker")!;
      const ids = (select.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
      return ids.map((id) => document.getElementById(id)?.textContent ?? "").join(" ");
    });
    expect(hint).toContain("A number in words");
    await picker.press("Enter");
    await page.waitForFunction(() => document.querySelector<HTMLTextAreaElement>("[data-testid=block-panel] textarea")?.value.includes("number("));
    expect(await text(page)).toBe("Hola {{ number(value, language) }}");
  });

  it("inserts a variable chosen with the arrows when Insert is pressed, and only then", async () => {
    await mount("en");
    const picker = page.locator("select.variable-picker");
    await toPickerFromText(page);
    await picker.press("ArrowDown");
    await picker.press("ArrowDown");
    expect(await text(page)).toBe("Hola ");
    await page.getByRole("button", { name: "Insert", exact: true }).click();
    await page.waitForFunction(() => document.querySelector<HTMLTextAreaElement>("[data-testid=block-panel] textarea")?.value.includes("caller_id"));
    expect(await text(page)).toBe("Hola {{ caller_id }}");
    expect(await picker.inputValue()).toBe(""); // ready for the next
  });
});
