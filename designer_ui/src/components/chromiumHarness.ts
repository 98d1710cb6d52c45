/**
 * For component tests in real Chromium: a page's script built from a harness's source text, as the designer is
 * built (vite with React's plugin, from the designer's root), and where Chromium is. Test support only: nothing the
 * designer itself imports.
 */
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { build, type Rolldown } from "vite";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Each test's time in Chromium. vitest runs a file per core, so on CI's two cores two Chromiums share them with the
 * other files' workers; a keyboard press and the rendering update it waits for have taken over vitest's 5 s default
 * there (BusyButton, CI of 915dbc9). A test that never gets what it waits for still fails, at this time.
 */
export const CHROMIUM_TEST_TIMEOUT = 30_000;
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The script of a harness `source` (a module importing the designer's files by absolute path), named `name`. */
export async function harnessScript(name: string, source: string): Promise<string> {
  const id = `virtual:${name}`;
  const resolved = `\0${name}.js`;
  const built = (await build({
    configFile: false,
    root: ROOT,
    logLevel: "silent",
    plugins: [
      react(),
      {
        name,
        resolveId: (wanted) => (wanted === id ? resolved : null),
        load: (wanted) => (wanted === resolved ? source : null),
      },
    ],
    build: { write: false, minify: false, rollupOptions: { input: id } },
  })) as Rolldown.RolldownOutput | Rolldown.RolldownOutput[];
  const outputs = Array.isArray(built) ? built : [built];
  const chunk = outputs.flatMap((output) => output.output).find((file) => file.type === "chunk");
  if (!chunk || chunk.type !== "chunk") throw new Error("the harness was not built");
  return chunk.code;
}

/**
 * Load a harness's `script` into `page`, on an origin of its own (localStorage works there; about:blank has none),
 * with the stylesheet `styles` (a file) first when given.
 */
export async function loadHarness(page: Page, script: string, styles?: string): Promise<void> {
  await page.route("http://harness.test/", (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html><html><body></body></html>" }));
  await page.goto("http://harness.test/");
  if (styles) await page.addStyleTag({ path: styles });
  await page.addScriptTag({ content: script, type: "module" });
}

/**
 * Chromium with one page in which the harness `source` is loaded and has set `window.mount`, its uncaught errors
 * kept in `pageErrors`: what a component's focus test starts from.
 */
export async function openHarness(name: string, source: string, pageErrors: string[]): Promise<{ browser: Browser; page: Page }> {
  const script = await harnessScript(name, source);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  const page = await browser.newPage();
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await loadHarness(page, script);
  await page.waitForFunction(() => "mount" in window);
  return { browser, page };
}
