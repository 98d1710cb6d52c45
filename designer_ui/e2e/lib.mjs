// What the designer's end-to-end scripts share: the server under test and its admin from the environment, checks
// and screenshots, an API session from Node, Chromium, signing in through the page, a page that keeps its errors,
// a canvas come to rest, and a free port. Each script still runs on its own (`node e2e/<script>.mjs`, as
// scripts/ui-e2e.sh runs them); those called from designer.e2e.mjs are handed its `check` and `shot`, so that their
// screenshots land in its folder.
import { mkdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));

/** The virtualenv's Python: the test suite's fake Asterisk (place_call.py) and its database set-up run in it. */
export const PYTHON = process.env.IVRGRAPH_PYTHON ?? resolve(here, "../../.venv/bin/python");

/**
 * The server under test and an admin of it, from the environment (scripts/ui-e2e.sh sets them). Without the
 * admin's password there is nothing to run: says what to set and exits 2.
 */
export function serverFromEnv() {
  const base = (process.env.IVRGRAPH_URL ?? "http://127.0.0.1:8000").replace(/\/$/, "");
  const adminUser = process.env.IVRGRAPH_E2E_USER ?? process.env.IVRGRAPH_ADMIN_USER ?? "admin";
  const adminPassword = process.env.IVRGRAPH_E2E_PASSWORD ?? process.env.IVRGRAPH_ADMIN_PASSWORD;
  if (!adminPassword) {
    console.error("set IVRGRAPH_E2E_USER / IVRGRAPH_E2E_PASSWORD (or IVRGRAPH_ADMIN_*) to an admin of the server under test");
    process.exit(2);
  }
  return { base, adminUser, adminPassword };
}

/** Throws, failing the run, unless `condition` holds; says each check that passed. */
export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  console.log(`ok - ${message}`);
}

/** test-artifacts/<name>/ at the repository root: where a script's screenshots and downloads go. */
export const artifactsFolder = (name) => resolve(here, "../../test-artifacts", name);

/** `folder` made anew, empty: what is in it after a run is what that run saw. */
export async function emptied(folder) {
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  return folder;
}

/** `shot(page, name)`: the page as `<name>.png` in `folder` (`fullPage`: all of it, not only the window). */
export function screenshots(folder, { fullPage = false } = {}) {
  return async (page, name) => {
    const path = resolve(folder, `${name}.png`);
    await page.screenshot({ path, fullPage });
    console.log(`screenshot ${path}`);
  };
}

/**
 * A signed-in API session from Node (cookie + CSRF token), for the set-up a test is not about:
 * `await me(method, path, body)` answers the JSON, null for a 204, and throws on any other failure.
 */
export async function apiSession(base, username, password) {
  const login = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (!login.ok) throw new Error(`login as ${username} at ${base} failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const { csrf_token: csrf } = await login.json();
  return async (method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { "Content-Type": "application/json", Cookie: cookie, "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  };
}

/** Debian's Chromium (CHROMIUM_PATH: another), headless, driven by playwright-core: no browser download. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/**
 * A new page of `context` whose uncaught errors and refusals by the Content-Security-Policy are kept in `pageErrors`
 * (another page's list, to keep them all in one), waiting up to 15 s for what it is asked.
 */
export async function watchedPage(context, pageErrors = []) {
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(error.stack ?? error.message));
  // The server's Content-Security-Policy (api/security_headers.py) refusing something the designer needs is an
  // error of the page too, though the browser only says it on the console.
  page.on("console", (message) => {
    if (message.type() === "error" && message.text().includes("Content Security Policy")) pageErrors.push(message.text());
  });
  page.setDefaultTimeout(15000);
  return { page, pageErrors };
}

/** Fill in the sign-in form on the page and send it, as a person does; what it answers is the caller's to see. */
export async function submitSignIn(page, username, password) {
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await page.click("button[type=submit]");
}

/**
 * Open the designer at `base` and sign in. Resolves once signed in: the current user is in the page (attached, not
 * necessarily in sight: on a narrow screen it is inside the Account menu).
 */
export async function signIn(page, base, username, password) {
  await page.goto(`${base}/`);
  await submitSignIn(page, username, password);
  await page.getByTestId("current-user").waitFor({ state: "attached" });
}

/** Resolves once the canvas has stopped moving (a fit or a pan animates): its transform still for `frames` frames. */
export async function viewportSettled(page, frames = 15) {
  await page.evaluate(
    (needed) =>
      new Promise((done) => {
        const viewport = document.querySelector(".react-flow__viewport");
        let last = viewport.style.transform;
        let still = 0;
        const poll = () => {
          const now = viewport.style.transform;
          still = now === last ? still + 1 : 0;
          last = now;
          if (still >= needed) done();
          else requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
      }),
    frames,
  );
}

/** The texts of a table row's cells, white space folded. */
export async function cellTexts(row) {
  return (await row.locator("th, td").allTextContents()).map((text) => text.replace(/\s+/g, " ").trim());
}

/**
 * A port in 20000-29999 nothing listens on now (below the ephemeral range, as the Python tests pick theirs); in
 * 10000-19999 when this run goes beside pytest (IVRGRAPH_TEST_PORTS=beside-pytest, scripts/test.sh), whose workers
 * draw from 20000 up (tests/conftest.py free_port).
 */
export async function freePort() {
  const first = process.env.IVRGRAPH_TEST_PORTS === "beside-pytest" ? 10000 : 20000;
  for (;;) {
    const port = first + Math.floor(Math.random() * 10000);
    const free = await new Promise((done) => {
      const probe = createServer().once("error", () => done(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => done(true)));
    });
    if (free) return port;
  }
}
