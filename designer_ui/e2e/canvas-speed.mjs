// How fast the canvas answers on a big scenario, measured in the page (no driver round trip counted but the
// drag's and Fit view's own): opening until drawn, a 20-step drag of a block (its time, and its longest frame
// while the block follows the mouse), selecting a block until its form shows, a rename until the block shows
// it, Fit view until every block is in sight.
//
// Used by designer.e2e.mjs; also runs alone against a running `ivrgraph serve`, to compare builds:
//
//   IVRGRAPH_URL=http://127.0.0.1:8000[,http://127.0.0.1:8001] IVRGRAPH_E2E_USER=admin IVRGRAPH_E2E_PASSWORD=... \
//     SPEED_RUNS=3 node e2e/canvas-speed.mjs [blocks ...]   # default 321 821: each run's figures, and the medians
import { ivrTreeScenario } from "./ivr-tree-scenario.mjs";
import { apiSession, launchChromium, signIn, viewportSettled } from "./lib.mjs";

const DRAG_STEPS = 20;

/** Resolves after the page has drawn a frame (two animation frames: the next one starts after a paint). */
const painted = (page) => page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));

/** Open a scenario by its hash route; ms until its Start block and a connection are drawn, and the view set. */
export async function timeOpen(page, slug) {
  return page.evaluate(async (s) => {
    const t0 = performance.now();
    window.location.hash = `/s/${s}`;
    await new Promise((done) => {
      const poll = () => {
        const start = document.querySelector('.react-flow__node[data-id="n0"]');
        const shown = start && getComputedStyle(start).visibility === "visible";
        const drawn = [...document.querySelectorAll(".react-flow__node")].every((el) => getComputedStyle(el).visibility === "visible");
        const moved = document.querySelector(".react-flow__viewport")?.style.transform.includes("scale");
        if (shown && drawn && moved && document.querySelector(".react-flow__edge")) done();
        else requestAnimationFrame(poll);
      };
      poll();
    });
    return performance.now() - t0;
  }, slug);
}

/** Resolves once the canvas stopped moving (the opening view animates): its transform still for 10 frames. */
const settled = (page) => viewportSettled(page, 10);

/**
 * Drag block `id` by its title 200 px right and 120 px down in 20 mouse moves. The time from the press to the drop
 * drawn; and the frames while the block follows the mouse, their mean and the longest (from the second move to the
 * last: the press selects the block, which opens its form, a cost of selecting, timed apart).
 */
async function timeDrag(page, id) {
  const head = page.locator(`.react-flow__node[data-id="${id}"] .block-head`);
  const box = await head.boundingBox();
  const before = await page.locator(`.react-flow__node[data-id="${id}"]`).getAttribute("style");
  const x = box.x + 20;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  const t0 = Date.now();
  await page.mouse.down();
  await page.mouse.move(x + 10, y + 6);
  await painted(page);
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (now) => {
      if (!window.__frames) return;
      window.__frames.push(now - last);
      last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  for (let i = 2; i <= DRAG_STEPS; i += 1) await page.mouse.move(x + (200 * i) / DRAG_STEPS, y + (120 * i) / DRAG_STEPS);
  await painted(page);
  const frames = await page.evaluate(() => {
    const frames = window.__frames;
    window.__frames = null;
    return frames;
  });
  await page.mouse.up();
  await painted(page);
  const ms = Date.now() - t0;
  const after = await page.locator(`.react-flow__node[data-id="${id}"]`).getAttribute("style");
  if (after === before) throw new Error(`dragging ${id} did not move it`);
  return { ms, longestFrameMs: Math.max(...frames), meanFrameMs: frames.reduce((sum, f) => sum + f, 0) / frames.length };
}

/** Click block `id` (as a mouse does: down, up, click); ms until the Block panel shows it. */
export async function timeSelect(page, id) {
  return page.evaluate(async (id) => {
    const target = document.querySelector(`.react-flow__node[data-id="${id}"] .block-head`);
    const t0 = performance.now();
    const box = target.getBoundingClientRect();
    const init = { bubbles: true, view: window, clientX: box.x + 5, clientY: box.y + 5 };
    target.dispatchEvent(new MouseEvent("mousedown", init));
    target.dispatchEvent(new MouseEvent("mouseup", init));
    target.dispatchEvent(new MouseEvent("click", init));
    await new Promise((done) => {
      const poll = () =>
        document.querySelector(`[data-testid=block-panel] input[name=node-id][value="${id}"]`) ? done() : requestAnimationFrame(poll);
      poll();
    });
    return performance.now() - t0;
  }, id);
}

/** Type a new label into the selected block's form (one input event); ms until block `id` shows it. */
async function timeRename(page, id, label) {
  return page.evaluate(
    async ({ id, label }) => {
      const input = document.querySelector("[data-testid=block-panel] input[name=label]");
      const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
      const t0 = performance.now();
      setValue.call(input, label);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await new Promise((done) => {
        const poll = () =>
          document.querySelector(`.react-flow__node[data-id="${id}"] .block-title`)?.textContent === label ? done() : requestAnimationFrame(poll);
        poll();
      });
      return performance.now() - t0;
    },
    { id, label },
  );
}

/** Fit view: ms until the canvas stops moving, its zoom, and whether every block is then within the pane. */
async function timeFitView(page, count) {
  const t0 = Date.now();
  await page.getByRole("button", { name: "Fit view", exact: true }).click();
  await settled(page);
  const ms = Date.now() - t0;
  const { zoom, allIn, drawn } = await page.evaluate(() => {
    const viewport = document.querySelector(".react-flow__viewport");
    const pane = document.querySelector("[data-testid=canvas]").getBoundingClientRect();
    const nodes = [...document.querySelectorAll(".react-flow__node")];
    const allIn = nodes.every((el) => {
      const b = el.getBoundingClientRect();
      return b.left >= pane.left - 1 && b.right <= pane.right + 1 && b.top >= pane.top - 1 && b.bottom <= pane.bottom + 1;
    });
    return { zoom: Number(/scale\(([\d.e-]+)\)/.exec(viewport.style.transform)?.[1]), allIn, drawn: nodes.length };
  });
  return { ms, zoom, everyBlockInSight: allIn && drawn === count };
}

/**
 * Every figure for a scenario of `count` blocks created by `me` (an API session) as `slug`, on a signed-in page
 * showing any designer route. Leaves the page on that scenario.
 */
export async function canvasSpeed(page, me, slug, count) {
  await me("POST", "/api/scenarios", { slug, name: `IVR tree ${count}`, document: ivrTreeScenario(count) });
  const openMs = await timeOpen(page, slug);
  await settled(page);
  const drag = await timeDrag(page, "n1");
  const selectMs = await timeSelect(page, "n2");
  const renameMs = await timeRename(page, "n2", "Renamed");
  const fit = await timeFitView(page, count);
  return {
    openMs,
    dragMs: drag.ms,
    meanFrameMs: drag.meanFrameMs,
    longestFrameMs: drag.longestFrameMs,
    selectMs,
    renameMs,
    fitMs: fit.ms,
    fitZoom: fit.zoom,
    everyBlockInSight: fit.everyBlockInSight,
  };
}

/** One line of figures, as the e2e run and this script print them. */
export function speedLine(count, f) {
  return (
    `${count} blocks: open ${f.openMs.toFixed(0)} ms, ${DRAG_STEPS}-step drag ${f.dragMs} ms ` +
    `(frames ${f.meanFrameMs.toFixed(0)} ms on average, longest ${f.longestFrameMs.toFixed(0)} ms), ` +
    `select ${f.selectMs.toFixed(0)} ms, rename ${f.renameMs.toFixed(0)} ms, Fit view ${f.fitMs} ms at zoom ${f.fitZoom.toFixed(3)}` +
    ` (${f.everyBlockInSight ? "every block in sight" : "NOT every block in sight"})`
  );
}

/** Figures of one run on a fresh page signed in at `base`. */
async function oneRun(browser, base, me, user, password, slug, count) {
  // A fresh context each run: nothing cached by the page from the run before.
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: "en-US" });
  try {
    const page = await context.newPage();
    await signIn(page, base, user, password);
    return await canvasSpeed(page, me, slug, count);
  } finally {
    await context.close();
    await me("DELETE", `/api/scenarios/${slug}`).catch(() => undefined);
  }
}

/**
 * IVRGRAPH_URL may name several servers (comma-separated; the same admin on each): the runs take turns between
 * them, so two builds compared on a busy machine are slowed alike.
 */
async function main() {
  const bases = (process.env.IVRGRAPH_URL ?? "http://127.0.0.1:8000").split(",").map((b) => b.trim().replace(/\/$/, ""));
  const user = process.env.IVRGRAPH_E2E_USER ?? "admin";
  const password = process.env.IVRGRAPH_E2E_PASSWORD;
  const args = process.argv.slice(2).map(Number);
  const counts = args.length ? args : [321, 821];
  const runs = Number(process.env.SPEED_RUNS ?? 3);
  const sessions = await Promise.all(bases.map((base) => apiSession(base, user, password)));
  const browser = await launchChromium();
  try {
    const stamp = Date.now().toString(36);
    for (const count of counts) {
      const figures = bases.map(() => []);
      for (let run = 0; run < runs; run += 1) {
        for (const [i, base] of bases.entries()) {
          const found = await oneRun(browser, base, sessions[i], user, password, `speed-${stamp}-${count}-${run}`, count);
          console.log(`${base} run ${run + 1}: ${speedLine(count, found)}`);
          figures[i].push(found);
        }
      }
      for (const [i, base] of bases.entries()) {
        const median = (key) => figures[i].map((r) => r[key]).sort((a, b) => a - b)[Math.floor(runs / 2)];
        const keys = ["openMs", "dragMs", "meanFrameMs", "longestFrameMs", "selectMs", "renameMs", "fitMs", "fitZoom"];
        const all = figures[i].every((r) => r.everyBlockInSight);
        console.log(`${base} median of ${runs}: ${speedLine(count, { ...Object.fromEntries(keys.map((k) => [k, median(k)])), everyBlockInSight: all })}`);
      }
    }
  } finally {
    await browser.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(error.stack ?? error);
    process.exit(1);
  });
}
