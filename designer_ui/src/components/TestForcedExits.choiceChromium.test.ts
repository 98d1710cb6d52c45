// Finding: no test call could take a plugin CRM lookup's `found` branch. In real Chromium, as an analyst does it:
// the lookup's exit is chosen in the Test call panel's fields, the variables box shows, and what the call would send
// (`exits`, `set`) follows what is chosen and typed; back to "as its test call does", nothing is forced.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_TEST_TIMEOUT, harnessScript, loadHarness } from "./chromiumHarness";

const here = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));

/** The fields for a CRM lookup plugin block and a built-in, as the panel draws them; `window.sent()` what a call sends. */
const HARNESS = `
import { createElement as h, useState } from "react";
import { createRoot } from "react-dom/client";
import { I18nProvider } from ${here("../i18n.tsx")};
import { catalogFrom } from ${here("../lib/catalog.ts")};
import { forcedExitValues, pluginBlocksInTestCall } from ${here("../lib/testForcedExits.ts")};
import { TestForcedExitsFields } from ${here("./TestForcedExits.tsx")};

const spec = (type, title, exits, safe) => ({ type, version: 1, title, category: "Data", icon: "", description: "",
  config_schema: { type: "object", properties: {} }, exit_rules: exits.map((name) => ({ name, label: name })),
  default_exits: exits, unwired_meaning: {}, safe_in_test_call: safe });
const catalog = catalogFrom([spec("crm_lookup", "CRM Lookup", ["found", "not_found"], false), spec("say_phrase", "Say Phrase", ["next"], true)]);
const nodes = [
  { id: "crm", data: { blockType: "crm_lookup", label: "Find the customer", config: {} } },
  { id: "hello", data: { blockType: "say_phrase", label: "", config: {} } },
];
const blocks = pluginBlocksInTestCall(nodes, catalog, "en");
let values = forcedExitValues(blocks, {});
function Fields() {
  const [texts, setTexts] = useState({});
  values = forcedExitValues(blocks, texts);
  return h(TestForcedExitsFields, { blocks, texts, problems: values.problems,
    onChange: (id, text) => setTexts((now) => ({ ...now, [id]: text })) });
}
window.sent = () => ({ exits: values.exits, set: values.set, problems: Object.keys(values.problems) });
localStorage.setItem("ivrgraph.language", "en");
const root = document.createElement("div");
document.body.append(root);
createRoot(root).render(h(I18nProvider, null, h(Fields)));
`;

describe.skipIf(!existsSync(CHROMIUM))("forcing a plugin block's exit in a test call", { timeout: CHROMIUM_TEST_TIMEOUT }, () => {
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const script = await harnessScript("test-forced-exits", HARNESS);
    browser = await chromium.launch({ executablePath: CHROMIUM });
    page = await browser.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await loadHarness(page, script);
  });

  afterAll(async () => {
    await browser?.close();
  });

  const sent = () => page.evaluate(() => (window as unknown as { sent(): unknown }).sent());

  it("offers the lookup's exits, and the variables box once one is chosen", async () => {
    const choice = page.getByLabel("Exit “Find the customer” (CRM Lookup) takes");
    await expect.poll(() => choice.inputValue()).toBe("");
    expect(await page.locator("select").count()).toBe(1);
    expect(await page.locator("textarea").count()).toBe(0);
    expect(await sent()).toEqual({ exits: {}, set: {}, problems: [] });

    await choice.selectOption("found");
    const box = page.getByLabel("Variables “Find the customer” sets on that exit (JSON)");
    await box.fill('{"customer_name": "Ana"}');
    expect(await sent()).toEqual({ exits: { crm: "found" }, set: { crm: { customer_name: "Ana" } }, problems: [] });

    await box.fill('{"customer_name": ');
    await expect.poll(() => box.getAttribute("aria-invalid")).toBe("true");
    expect((await sent()) as { problems: string[] }).toMatchObject({ problems: ["set:crm"] });

    await choice.selectOption("");
    expect(await page.locator("textarea").count()).toBe(0);
    expect(await sent()).toEqual({ exits: {}, set: {}, problems: [] });
    expect(pageErrors).toEqual([]);
  });
});
