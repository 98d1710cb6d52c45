// Finding (an Oktell administrator's review): the test call's date and time, left as "now", was off by the office's
// UTC offset while the flow was being built. The panel is drawn when the scenario opens, before a Schedule block
// exists, so "now" was written out in the browser's zone; once a Schedule block gave the office's zone, that same
// text was read in it, hours away from now. Here the real TestCallPanel, built as the designer is (vite, React) and
// drawn in Chromium on a fixed clock, gets a Schedule block added to the canvas and then another zone chosen.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_TEST_TIMEOUT, harnessScript, loadHarness } from "./chromiumHarness";

const here = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));

/** The panel in the designer's language provider, on a canvas with a Start block; `window.schedule(zone)` puts a
 * Schedule block of that zone on the canvas (or changes its zone), as the analyst does in its form. */
const HARNESS = `
import { createElement as h } from "react";
import { createRoot } from "react-dom/client";
import { I18nProvider } from ${here("../i18n.tsx")};
import { useEditor } from ${here("../store/editor.ts")};
import { TestCallPanel } from ${here("./TestCallPanel.tsx")};

const block = (id, blockType, config) => ({ id, type: "block", position: { x: 0, y: 0 }, data: { blockType, label: "", config } });
useEditor.setState({ nodes: [block("start", "start", {})] });
window.schedule = (zone) =>
  useEditor.setState((s) => ({ nodes: [...s.nodes.filter((n) => n.id !== "office"), block("office", "schedule", { timezone: zone, hours: [] })] }));
const root = document.createElement("div");
document.body.append(root);
createRoot(root).render(h(I18nProvider, null, h(TestCallPanel, { slug: "zone-test" })));
`;

const shown = (page: Page) => page.locator("input[name=at]").inputValue();
const zoneSaid = async (page: Page) => (await page.getByTestId("test-zone").textContent()) ?? "";
const schedule = (page: Page, zone: string) => page.evaluate((z) => (window as unknown as { schedule(zone: string): void }).schedule(z), zone);

describe.skipIf(!existsSync(CHROMIUM))("the test call's date and time, left as now, while the flow is built", { timeout: CHROMIUM_TEST_TIMEOUT }, () => {
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  // 08:00 UTC on a November morning: 08:00 in London, 11:00 in Moscow, 13:00 in Almaty.
  const now = new Date("2026-11-20T08:00:00Z");

  beforeAll(async () => {
    const script = await harnessScript("test-call-zone-harness", HARNESS);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    const context = await browser.newContext({ timezoneId: "Europe/London", locale: "en-GB" });
    await context.addInitScript(() => localStorage.setItem("ivrgraph.language", "en"));
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.clock.setFixedTime(now);
    await loadHarness(page, script);
    await page.locator("input[name=at]").waitFor({ timeout: 20_000 }).catch(() => {
      throw new Error(`the panel was not drawn: ${pageErrors.join("; ") || "no error in the page"}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("stays now when a Schedule block gives the office's zone, and when another zone is chosen", async () => {
    expect(await shown(page)).toBe("2026-11-20T08:00"); // the browser's zone: no Schedule block yet
    await schedule(page, "Europe/Moscow");
    await page.waitForFunction(() => document.querySelector("[data-testid=test-zone]")?.textContent?.includes("Europe/Moscow"));
    expect(await shown(page)).toBe("2026-11-20T11:00");
    expect(await zoneSaid(page)).toContain("UTC+03:00");
    await page.locator("select[name=zone]").selectOption("Asia/Almaty");
    expect(await shown(page)).toBe("2026-11-20T13:00");
  });

  it("keeps a date and time the analyst typed as typed, read in the zone shown", async () => {
    await page.locator("input[name=at]").fill("2026-11-23T09:30");
    await schedule(page, "Europe/Madrid");
    await page.locator("select[name=zone]").selectOption("Europe/Madrid");
    expect(await shown(page)).toBe("2026-11-23T09:30");
    expect(await zoneSaid(page)).toContain("Europe/Madrid");
  });
});
