import { describe, expect, it, vi } from "vitest";
import { beforeSignOut } from "../lib/beforeSignOut";
import { isChunkLoadError, reloadForNewVersion, watchForNewVersion } from "../lib/newVersion";
import { ChunkErrorBoundary, NewVersionNotice } from "./NewVersionNotice";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";

// What Chromium rejects the import of a chunk the server no longer has with (the ops review's tab).
const chromium = () => new TypeError("Failed to fetch dynamically imported module: http://127.0.0.1:8000/assets/CallsPage-CbWJpB54.js");

describe("a chunk that would not load", () => {
  it("is told apart from other errors by what each browser says", () => {
    expect(isChunkLoadError(chromium())).toBe(true);
    expect(isChunkLoadError(new TypeError("error loading dynamically imported module: http://x/assets/a-12345678.js"))).toBe(true);
    expect(isChunkLoadError(new TypeError("Importing a module script failed."))).toBe(true);
    expect(isChunkLoadError(new Error("Unable to preload CSS for /assets/EditorPage-D1gzBqGv.css"))).toBe(true);
    expect(isChunkLoadError(new TypeError("Cannot read properties of undefined (reading 'nodes')"))).toBe(false);
    expect(isChunkLoadError("Failed to fetch dynamically imported module")).toBe(false);
    expect(isChunkLoadError(null)).toBe(false);
  });

  it("is known by vite's preloadError event whatever its wording, and the import still fails", () => {
    const target = new EventTarget();
    const stop = watchForNewVersion(target);
    const odd = new Error("the network said no");
    expect(isChunkLoadError(odd)).toBe(false);
    const event = Object.assign(new Event("vite:preloadError", { cancelable: true }), { payload: odd });
    target.dispatchEvent(event);
    expect(isChunkLoadError(odd)).toBe(true);
    expect(event.defaultPrevented).toBe(false); // prevented, the import would resolve to nothing
    stop();
    const later = new Error("another");
    target.dispatchEvent(Object.assign(new Event("vite:preloadError"), { payload: later }));
    expect(isChunkLoadError(later)).toBe(false);
  });
});

describe("ChunkErrorBoundary", () => {
  const failedWith = (error: unknown, resetKey = "/calls") => {
    const boundary = new ChunkErrorBoundary({ resetKey, children: "the page" });
    boundary.state = ChunkErrorBoundary.getDerivedStateFromError(error);
    return boundary;
  };

  it("shows the page while nothing failed", () => {
    expect(new ChunkErrorBoundary({ resetKey: "/", children: "the page" }).render()).toBe("the page");
  });

  it("shows the notice with a Reload button in place of a page whose chunk is gone, not a blank app", () => {
    const html = renderToHtml(() => failedWith(chromium()).render(), {});
    expect(html).toContain('role="alert"');
    expect(html).toContain("A new version of ivrgraph is available — reload the page to go on.");
    expect(buttonTexts(html)).toEqual(["Reload"]);
  });

  it("says so in every language of the designer", () => {
    const es = renderInLanguage("es", () => failedWith(chromium()).render(), {});
    expect(es).toContain("Hay una versión nueva de ivrgraph");
    expect(buttonTexts(es)).toEqual(["Recargar"]);
    const ru = renderInLanguage("ru", () => failedWith(chromium()).render(), {});
    expect(ru).toContain("Доступна новая версия ivrgraph");
    expect(buttonTexts(ru)).toEqual(["Перезагрузить"]);
  });

  it("throws any other error on, as before", () => {
    const fault = new TypeError("Cannot read properties of undefined (reading 'nodes')");
    expect(() => failedWith(fault).render()).toThrow(fault);
  });

  it("tries again on another page (one whose code loaded opens as usual), not on the same one", () => {
    const boundary = failedWith(chromium(), "/calls");
    const setState = vi.spyOn(boundary, "setState").mockImplementation(() => undefined);
    boundary.componentDidUpdate({ resetKey: "/calls", children: null });
    expect(setState).not.toHaveBeenCalled();
    Object.assign(boundary, { props: { resetKey: "/s/sales", children: "the editor" } });
    boundary.componentDidUpdate({ resetKey: "/calls", children: null });
    expect(setState).toHaveBeenCalledWith({ failed: false, error: null });
  });
});

describe("NewVersionNotice", () => {
  it("says it saves while the reload waits for the edits", () => {
    const html = renderToHtml(NewVersionNotice, { busy: true, onReload: () => undefined });
    expect(buttonTexts(html)).toEqual(["Saving, then reloading…"]);
    expect(html).toContain('aria-busy="true"');
  });
});

describe("reloadForNewVersion", () => {
  it("reloads only once the edits not saved yet have reached the server", async () => {
    const order: string[] = [];
    const stop = beforeSignOut(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      order.push("saved");
    });
    try {
      await reloadForNewVersion(() => order.push("reloaded"));
    } finally {
      stop();
    }
    expect(order).toEqual(["saved", "reloaded"]);
  });

  it("reloads after a short while when the server does not answer (the stash keeps the edits)", async () => {
    const stop = beforeSignOut(() => new Promise(() => undefined));
    const reload = vi.fn();
    try {
      const started = Date.now();
      await reloadForNewVersion(reload, 50);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      stop();
    }
    expect(reload).toHaveBeenCalledOnce();
  });
});
