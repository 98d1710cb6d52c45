// Accessibility review of Save as test (keyboard, Chromium): the form unmounted on Cancel and on Save test and the focus
// fell to <body>, a keyboard user starting again from the top of the page. The focus now goes back to the "Save as
// test" button after Cancel, and to the "Open Tests" link beside the line saying the test was saved after Save test.
// SaveAsTestArea is the part a test call's result and a recorded call's details share.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_TEST_TIMEOUT, openHarness } from "./chromiumHarness";

const here = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));

const HARNESS = `
import { createElement as h } from "react";
import { createRoot } from "react-dom/client";
import { I18nProvider } from ${here("../i18n.tsx")};
import { SaveAsTestArea } from ${here("./SaveAsTest.tsx")};

const offered = [
  { kind: "path", expect: { path: ["start", "menu"] }, shown: "start → menu" },
  { kind: "outcome", expect: { outcome: "completed" }, shown: "completed" },
];
window.saved = [];
let root = null;
window.mount = () => {
  root?.unmount();
  document.body.replaceChildren();
  window.saved = [];
  root = createRoot(document.body.appendChild(document.createElement("div")));
  root.render(
    h(I18nProvider, null,
      h(SaveAsTestArea, {
        testId: "save-as-test",
        tests: [],
        notList: false,
        offered,
        names: new Map(),
        suggested: () => "pressing 1: completed",
        onSave: (name) => window.saved.push(name),
        onOpenTests: () => undefined,
      }),
    ),
  );
};
`;

describe.skipIf(!existsSync(CHROMIUM))("the focus as Save as test's form closes, in Chromium", { timeout: CHROMIUM_TEST_TIMEOUT }, () => {
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ browser, page } = await openHarness("save-as-test-focus-harness", HARNESS, pageErrors));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  const focused = () => page.evaluate(() => (document.activeElement === document.body ? "<body>" : document.activeElement?.textContent ?? null));

  /** The area drawn anew, its "Save as test" button pressed with the keyboard: the form open. */
  beforeEach(async () => {
    await page.evaluate(() => (window as unknown as { mount(): void }).mount());
    const open = page.getByRole("button", { name: "Save as test" });
    await open.waitFor({ timeout: 20_000 }).catch(() => {
      throw new Error(`nothing was drawn: ${pageErrors.join("; ") || "no error in the page"}`);
    });
    await open.focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("save-as-test-form").waitFor();
  });

  it("goes back to the Save as test button after Cancel", async () => {
    await page.getByRole("button", { name: "Cancel" }).focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("save-as-test-form").waitFor({ state: "detached" });
    await expect.poll(focused).toBe("Save as test");
    expect(pageErrors).toEqual([]);
  });

  it("goes to the Open Tests link beside the line saying the test was saved after Save test", async () => {
    await page.getByRole("button", { name: "Save test" }).focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("save-as-test-form").waitFor({ state: "detached" });
    expect(await page.evaluate(() => (window as unknown as { saved: string[] }).saved)).toEqual(["pressing 1: completed"]);
    await expect.poll(focused).toBe("Open Tests");
    expect(pageErrors).toEqual([]);
  });
});
