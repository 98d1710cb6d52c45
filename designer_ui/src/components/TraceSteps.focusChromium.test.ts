// QA review of the call traces (keyboard, Chromium): Enter on a step link in the Calls panel's story centred and
// selected the block, but switched the side panel to Block, which hid the story with the link in it: the focus
// fell to <body>. Here the story sits in a side panel shown as EditorPage shows the Calls tab (hidden, and the
// panel's content not drawn, while another tab is open), with the editor's store behind it.
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
import { CallStory } from ${here("./CallStory.tsx")};

const scenario = {
  format: "ivrgraph.scenario/1",
  name: "Debt reminder",
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
    { id: "debt", type: "say_phrase", label: "Debt", position: { x: 300, y: 0 }, config: { text: "You owe." } },
  ],
  edges: [{ id: "start:next", source: "start", exit: "next", target: "debt" }],
};
const steps = [
  { node: "start", type: "start", label: "Start", exit: "next" },
  { node: "debt", type: "say_phrase", label: "Debt", exit: "hangup", prompts: [{ text: "You owe." }] },
];

function SidePanel() {
  const panel = useEditor((s) => s.panel);
  return h("div", { id: "calls-panel", hidden: panel !== "calls" }, panel === "calls" && h(CallStory, { steps }));
}

window.editor = () => {
  const { panel, focus, nodes } = useEditor.getState();
  return { panel, focused: focus?.nodeId ?? null, selected: nodes.filter((n) => n.selected).map((n) => n.id) };
};
window.mount = () => {
  useEditor.getState().load("debt-reminder", scenario, 1);
  useEditor.getState().setPanel("calls");
  createRoot(document.body.appendChild(document.createElement("div"))).render(h(I18nProvider, null, h(SidePanel)));
};
`;

describe.skipIf(!existsSync(CHROMIUM))("a step link in the Calls panel's story, from the keyboard, in Chromium", { timeout: CHROMIUM_TEST_TIMEOUT }, () => {
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ browser, page } = await openHarness("trace-steps-focus-harness", HARNESS, pageErrors));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it("selects and centres the block, and keeps the Calls panel open with the focus on the link", async () => {
    await page.evaluate(() => (window as unknown as { mount(): void }).mount());
    const link = page.locator('[data-testid=call-story] li[data-node="debt"] button');
    await link.waitFor({ timeout: 20_000 }).catch(() => {
      throw new Error(`nothing was drawn: ${pageErrors.join("; ") || "no error in the page"}`);
    });
    await link.focus();
    await page.keyboard.press("Enter");
    const editor = () => page.evaluate(() => (window as unknown as { editor(): unknown }).editor());
    // The block is selected, and the canvas told to centre it (the store's focus request).
    await expect.poll(editor).toEqual({ panel: "calls", focused: "debt", selected: ["debt"] });
    expect(await page.evaluate(() => document.activeElement?.closest("li")?.getAttribute("data-node"))).toBe("debt");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Debt");
    expect(pageErrors).toEqual([]);
  });
});
