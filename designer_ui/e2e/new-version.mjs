// An upgrade under an open tab, in real Chromium against a real `ivrgraph serve` (ops review). The tab signs in and
// edits a scenario on one release; the server's designer is then replaced by another release, whose chunks all
// have other names, as `vite build` gives them after any change. Before, asking for the call register's chunk by
// its old name got index.html, the import failed and the whole app went blank. Now: that chunk is a 404, the page
// says a new version is available, the top bar stays, the editor (its code loaded) still opens, and Reload loads
// the new release with the edit made just before kept on the server. index.html is asked anew on each open
// (`Cache-Control: no-cache`) and the chunks are kept for good (`immutable`).
//
//   node e2e/new-version.mjs          (after `make ui-build`: starts a server of its own on a copy of dist/)
//   IVRGRAPH_URL=http://127.0.0.1:8000 IVRGRAPH_E2E_SERVED_DIST=/the/folder/it/serves IVRGRAPH_E2E_USER=admin \
//     IVRGRAPH_E2E_PASSWORD=... node e2e/new-version.mjs   (scripts/ui-e2e.sh: that folder is replaced meanwhile,
//                                                            and put back after)
//
// Its own server listens on a free port with a throw-away SQLite file, and is stopped after (IVRGRAPH_E2E_DIST: a
// built designer other than dist/ to copy). Screenshots go to test-artifacts/new-version/ at the repository root.
// Exit code 0 only when every check passed.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { cp, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { apiSession, artifactsFolder, check, emptied, freePort, launchChromium, screenshots, submitSignIn } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const ARTIFACTS = artifactsFolder("new-version");
const shot = screenshots(ARTIFACTS);
const DIST = resolve(process.env.IVRGRAPH_E2E_DIST ?? resolve(here, "../dist"));
const IVRGRAPH = process.env.IVRGRAPH_BIN ?? resolve(here, "../../.venv/bin/ivrgraph");
const SERVED = process.env.IVRGRAPH_URL?.replace(/\/$/, "");
const SERVED_DIST = process.env.IVRGRAPH_E2E_SERVED_DIST;
const ADMIN = SERVED ? (process.env.IVRGRAPH_E2E_USER ?? "admin") : "upgrade-admin";
const PASSWORD = SERVED ? process.env.IVRGRAPH_E2E_PASSWORD : `upgrade-${Date.now().toString(36)}-secret`;
const SLUG = `upgrade-${Date.now().toString(36)}`;

if (SERVED && !(SERVED_DIST && PASSWORD)) {
  console.error("with IVRGRAPH_URL, set IVRGRAPH_E2E_SERVED_DIST (the designer folder that server serves, which the test replaces) and IVRGRAPH_E2E_USER / IVRGRAPH_E2E_PASSWORD");
  process.exit(2);
}
// vite's `[name]-[hash].[ext]`: the hash 8 characters of base64url (api/designer_files.py).
const HASHED = /^(.+)-([A-Za-z0-9_-]{8})(\..+)$/;

/** `ivrgraph serve` on `dist`; resolves once /healthz answers, with a function that stops it. */
async function startServer(work, dist) {
  const [port, agiPort] = [await freePort(), await freePort()];
  const log = createWriteStream(join(work, "server.log"));
  const server = spawn(IVRGRAPH, ["serve", "--host", "127.0.0.1", "--port", String(port), "--agi-port", String(agiPort)], {
    env: {
      ...process.env,
      IVRGRAPH_DATABASE_URL: `sqlite:///${join(work, "upgrade.sqlite3")}`,
      IVRGRAPH_ADMIN_USER: ADMIN,
      IVRGRAPH_ADMIN_PASSWORD: PASSWORD,
      IVRGRAPH_MEDIA_ROOT: join(work, "media"),
      IVRGRAPH_DESIGNER_DIST: dist,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  const exited = new Promise((done) => server.once("exit", done));
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGTERM");
    await exited;
  };
  const base = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries += 1) {
    if (server.exitCode !== null) throw new Error(`the server stopped: ${await readFile(join(work, "server.log"), "utf8")}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { base, stop };
    } catch {
      // not listening yet
    }
    if (tries > 150) {
      await stop();
      throw new Error("the server did not answer /healthz in 30 s");
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}

/**
 * The next release, as `vite build` would write it after a change: every chunk under another name (its hash), each
 * file that names one naming the new one. Written beside `dist`, then put in its place at once.
 */
async function upgrade(dist) {
  await rm(`${dist}-next`, { recursive: true, force: true });
  await rm(`${dist}-before`, { recursive: true, force: true });
  const next = `${dist}-next`;
  await cp(dist, next, { recursive: true });
  const renamed = new Map();
  for (const name of await readdir(join(next, "assets"))) {
    const match = HASHED.exec(name);
    if (!match || match[3].endsWith(".map")) continue;
    const stem = `${match[1]}-${match[2]}`;
    if (!renamed.has(stem)) renamed.set(stem, `${match[1]}-${match[2].slice(0, 4)}N3w${match[2].slice(7)}`);
  }
  const files = ["index.html", ...(await readdir(join(next, "assets"))).map((name) => join("assets", name))];
  for (const file of files) {
    const match = HASHED.exec(file.replace(/^assets\//, ""));
    const stem = match && `${match[1]}-${match[2]}`;
    const target = stem && renamed.has(stem) ? join("assets", `${renamed.get(stem)}${match[3]}`) : file;
    if (/\.(html|js|css|map|json|svg)$/.test(file)) {
      let text = await readFile(join(next, file), "utf8");
      for (const [before, after] of renamed) text = text.replaceAll(before, after);
      await rm(join(next, file));
      await writeFile(join(next, target), text);
    } else if (target !== file) {
      await rename(join(next, file), join(next, target)); // an image or a font: named anew, its bytes as they are
    }
  }
  await rename(dist, `${dist}-before`);
  await rename(next, dist);
  return renamed;
}

/** The release that was served, back in its place (a server that other tests use). */
async function putBack(dist) {
  await rm(`${dist}-next`, { recursive: true, force: true });
  if (!existsSync(`${dist}-before`)) return; // never upgraded
  await rm(dist, { recursive: true, force: true });
  await rename(`${dist}-before`, dist);
}

/** The server under test: the one at IVRGRAPH_URL, or one of the test's own on a copy of the built designer. */
async function serverUnderTest() {
  if (SERVED) return { base: SERVED, dist: resolve(SERVED_DIST), stop: () => putBack(resolve(SERVED_DIST)) };
  const work = await mkdtemp(join(tmpdir(), "ivrgraph-upgrade-"));
  const dist = join(work, "dist");
  await cp(DIST, dist, { recursive: true });
  try {
    const { base, stop } = await startServer(work, dist);
    return { base, dist, stop: async () => {
      await stop();
      await rm(work, { recursive: true, force: true });
    } };
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}

async function main() {
  await emptied(ARTIFACTS);
  // Chromium starts while the server does: most of a run of its own is waiting for the two.
  const launching = launchChromium();
  const starting = serverUnderTest();
  const [launched, started] = await Promise.allSettled([launching, starting]);
  if (launched.status === "rejected" || started.status === "rejected") {
    if (launched.status === "fulfilled") await launched.value.close();
    if (started.status === "fulfilled") await started.value.stop();
    throw launched.status === "rejected" ? launched.reason : started.reason;
  }
  const browser = launched.value;
  const { base, dist, stop } = started.value;
  try {
    const admin = await apiSession(base, ADMIN, PASSWORD); // for the set-up, and what the server kept
    await admin("POST", "/api/scenarios", { slug: SLUG, name: "Upgrade draft" });

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    const answers = [];
    page.on("response", (r) => answers.push({ path: new URL(r.url()).pathname, status: r.status(), cache: r.headers()["cache-control"] ?? "" }));
    await page.goto(`${base}/`);
    const index = answers.find((a) => a.path === "/");
    check(index?.cache === "no-cache", `index.html is asked anew on each open (Cache-Control: ${index?.cache})`);
    const entry = answers.find((a) => /^\/assets\/index-.+\.js$/.test(a.path));
    check(entry?.cache === "public, max-age=31536000, immutable", `a chunk named after its contents is kept for good (${entry?.path}: ${entry?.cache})`);
    await submitSignIn(page, ADMIN, PASSWORD);
    await page.getByTestId("current-user").waitFor({ state: "attached" });

    // -- the editor opened on the release before, an edit made a moment before the upgrade -------------------
    await page.goto(`${base}/#/s/${SLUG}`);
    await page.getByTestId("editor").waitFor();
    await page.locator('[data-testid=save-state][data-state="saved"]').waitFor();
    await page.locator('.palette-item[data-block-type="hangup"]').click();
    check((await page.getByTestId("save-state").getAttribute("data-state")) === "dirty", "a block just added is not saved yet");

    const renamed = await upgrade(dist);
    check([...renamed.keys()].some((stem) => stem.startsWith("CallsPage-")), `the new release names its chunks anew (${renamed.size} of them)`);

    // -- the call register, whose chunk the release before named: a 404, and the notice, not a blank page ------
    answers.length = 0;
    await page.getByRole("link", { name: "Call records" }).click();
    const notice = page.getByTestId("new-version-notice");
    await notice.waitFor();
    await shot(page, "01-new-version-notice");
    const chunk = answers.find((a) => a.path.startsWith("/assets/CallsPage-"));
    check(chunk?.status === 404, `the chunk of the release before is a 404, not index.html (${chunk?.path}: ${chunk?.status})`);
    check(
      (await notice.textContent()).includes("A new version of ivrgraph is available") &&
        (await notice.getByRole("button", { name: "Reload" }).isVisible()),
      "the page says a new version is available, with a Reload button",
    );
    check(await page.getByRole("link", { name: "Scenarios" }).isVisible(), "the top bar stays: the app did not go blank");

    // -- the editor's code is loaded: it still opens on the release before ----------------------------------
    await page.goBack();
    await page.getByTestId("editor").waitFor();
    check((await notice.count()) === 0, "back in the editor, it opens as before (its code had loaded)");
    await page.goForward();
    await notice.waitFor();

    // -- Reload: the edit kept, the new release loaded, the call register opens ---------------------------------
    answers.length = 0;
    await Promise.all([page.waitForEvent("load"), notice.getByRole("button", { name: "Reload" }).click()]);
    await page.getByTestId("current-user").waitFor({ state: "attached" });
    await page.getByTestId("calls-page").waitFor();
    check((await notice.count()) === 0, "after the reload the call register opens, without the notice");
    const loaded = answers.filter((a) => a.path.startsWith("/assets/"));
    check(
      loaded.length > 0 && loaded.every((a) => a.status === 200 && [...renamed.values()].some((stem) => a.path.includes(stem))),
      `the reload loads the new release's chunks only (${loaded.map((a) => `${a.path} ${a.status}`).join(", ")})`,
    );
    const nodes = (await admin("GET", `/api/scenarios/${SLUG}`)).draft.document.nodes;
    check(nodes.length === 2 && nodes.some((n) => n.type === "hangup"), "the block added just before the upgrade is on the server");
    await shot(page, "02-after-reload");
    await context.close();
  } finally {
    await browser.close();
    await stop();
  }
}

main().then(
  () => console.log("new-version e2e: all checks passed"),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
