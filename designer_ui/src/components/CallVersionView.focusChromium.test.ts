// Accessibility review of the version view (keyboard, Chromium): "Back to the draft", in the banner over a version shown
// or in the call's own note, took itself away with the version and the focus fell to <body>. It now goes to the call's
// "Show its path on version N" button that comes back in its place, else (the Calls tab closed) to the canvas.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, CHROMIUM_TEST_TIMEOUT, openHarness } from "./chromiumHarness";

const here = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));

const HARNESS = `
import { createElement as h } from "react";
import { createRoot } from "react-dom/client";
import { I18nProvider } from ${here("../i18n.tsx")};
import { useEditor } from ${here("../store/editor.ts")};
import { CallVersionNote, VersionViewBanner, showCallPath } from ${here("./CallVersionView.tsx")};

const v1 = {
  format: "ivrgraph.scenario/1",
  name: "Debt reminder",
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
    { id: "thanks", type: "say_phrase", label: "Thanks", position: { x: 300, y: 0 }, config: { text: "Thanks." } },
  ],
  edges: [{ id: "start:next", source: "start", exit: "next", target: "thanks" }],
};
const draft = { ...v1, nodes: [v1.nodes[0]], edges: [] };
const call = { id: "c1", version: 1, published: v1, steps: [{ node: "start", exit: "next" }, { node: "thanks", exit: "hangup" }] };

/** The page as EditorPage lays it out: the banner over the canvas, the call's note in the Calls tab (when it is open). */
function Page({ callsTab }) {
  return h("div", null,
    h(VersionViewBanner),
    h("div", { className: "canvas", "data-testid": "canvas", role: "region", "aria-label": "Canvas", tabIndex: -1 }, "canvas"),
    h("div", { hidden: !callsTab }, callsTab && h(CallVersionNote, { call, draftMatches: false })),
  );
}

let root = null;
window.mount = (callsTab) => {
  root?.unmount();
  document.body.replaceChildren();
  useEditor.getState().load("debt-reminder", draft, 3);
  showCallPath(call);
  root = createRoot(document.body.appendChild(document.createElement("div")));
  root.render(h(I18nProvider, null, h(Page, { callsTab })));
};
window.versionShown = () => useEditor.getState().versionView !== null;
`;

describe.skipIf(!existsSync(CHROMIUM))("the focus after Back to the draft, in Chromium", { timeout: CHROMIUM_TEST_TIMEOUT }, () => {
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ browser, page } = await openHarness("version-view-focus-harness", HARNESS, pageErrors));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  const focused = () =>
    page.evaluate(() => {
      const element = document.activeElement;
      return element === document.body ? "<body>" : (element?.getAttribute("data-testid") ?? element?.tagName ?? null);
    });
  const versionShown = () => page.evaluate(() => (window as unknown as { versionShown(): boolean }).versionShown());

  async function back(from: string, callsTab: boolean): Promise<void> {
    await page.evaluate((open) => (window as unknown as { mount(callsTab: boolean): void }).mount(open), callsTab);
    const button = page.getByTestId(from);
    await button.waitFor({ timeout: 20_000 }).catch(() => {
      throw new Error(`nothing was drawn: ${pageErrors.join("; ") || "no error in the page"}`);
    });
    await button.focus();
    await page.keyboard.press("Enter");
    await expect.poll(versionShown).toBe(false);
  }

  it("from the banner, goes to the call's Show on version button", async () => {
    await back("back-to-draft", true);
    await expect.poll(focused).toBe("show-on-version");
    expect(pageErrors).toEqual([]);
  });

  it("from the call's own note, goes to the Show on version button in its place", async () => {
    await back("call-back-to-draft", true);
    await expect.poll(focused).toBe("show-on-version");
    expect(pageErrors).toEqual([]);
  });

  it("from the banner with the Calls tab closed, goes to the canvas", async () => {
    await back("back-to-draft", false);
    await expect.poll(focused).toBe("canvas");
    expect(pageErrors).toEqual([]);
  });
});
