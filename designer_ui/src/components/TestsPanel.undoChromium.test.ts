// Review: after a scenario test was deleted and its Undo pressed, the test came back but "Test … deleted." stayed on
// screen. The line now stands only while the list is as the delete left it: undone by its Undo or by the editor's
// (Ctrl+Z, the toolbar), it goes and the status says the test was restored; after another edit it goes too, its Undo
// no longer the deletion's. The real TestsPanel, built as the designer is, on the editor's store, in Chromium.
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
import { useEditor } from ${here("../store/editor.ts")};
import { TestsPanel } from ${here("./TestsPanel.tsx")};

const document = {
  format: "ivrgraph.scenario/1",
  name: "Tests",
  nodes: [{ id: "start", type: "start", position: { x: 0, y: 0 }, config: {} }],
  edges: [],
  meta: {
    tests: [
      { name: "busy support says busy", keys: ["2"], expect: { outcome: "hung_up" } },
      { name: "3 wrong keys go to operator", keys: ["9", "9", "9"], expect: { outcome: "hung_up" } },
    ],
  },
};
window.editor = useEditor;
let root = null;
window.mount = () => {
  localStorage.setItem("ivrgraph.language", "en");
  root?.unmount();
  useEditor.getState().load("tests", structuredClone(document), 1);
  window.document.body.replaceChildren();
  root = createRoot(window.document.body.appendChild(window.document.createElement("div")));
  root.render(h(I18nProvider, null, h(TestsPanel, { slug: "tests" })));
};
`;

type Store = { getState(): { undo(): void; updateHead(patch: object, coalesce?: boolean): void } };

describe.skipIf(!existsSync(CHROMIUM))("a deleted test's line and its Undo, in Chromium", { timeout: CHROMIUM_TEST_TIMEOUT }, () => {
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ browser, page } = await openHarness("tests-undo-harness", HARNESS, pageErrors));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    await page.evaluate(() => (window as unknown as { mount(): void }).mount());
    await page.getByText("busy support says busy").click();
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await expect.poll(() => page.getByTestId("tests-deleted").textContent()).toContain("Test “busy support says busy” deleted.");
  });

  const status = () => page.getByTestId("tests-status").textContent();
  const lineShown = () => page.getByTestId("tests-deleted").count();
  const names = () => page.locator("[id^=test-pick-]").allTextContents();

  it("goes when its Undo brings the test back, the status saying it was restored", async () => {
    await page.getByTestId("tests-deleted").getByRole("button", { name: "Undo" }).click();
    await expect.poll(lineShown).toBe(0);
    expect((await names()).join(" | ")).toContain("busy support says busy");
    expect(await status()).toBe("Test “busy support says busy” restored.");
    expect(pageErrors).toEqual([]);
  });

  it("goes when the editor's undo (Ctrl+Z, the toolbar) brings it back", async () => {
    await page.evaluate(() => (window as unknown as { editor: Store }).editor.getState().undo());
    await expect.poll(lineShown).toBe(0);
    expect(await status()).toBe("Test “busy support says busy” restored.");
  });

  it("goes after another edit, whose undo its Undo would be", async () => {
    await page.evaluate(() => (window as unknown as { editor: Store }).editor.getState().updateHead({ meta: { tests: [] } }, false));
    await expect.poll(lineShown).toBe(0);
    expect(await status()).toBe("Test “busy support says busy” deleted.");
  });
});
