import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Dialog, openModal, type Focusable, type ModalElement } from "./Dialog";

// No browser here: the Dialog's effect is caught as it is declared, to be run and cleaned up as React would when
// the dialog opens and closes, and its ref holds a <dialog> stand-in.
const hooks = vi.hoisted(() => ({ effects: [] as (() => void | (() => void))[], element: null as unknown }));
vi.mock("react", async (importOriginal) => {
  const react = await importOriginal<typeof import("react")>();
  return {
    ...react,
    useEffect: (effect: () => void | (() => void)) => void hooks.effects.push(effect),
    useRef: () => ({ current: hooks.element }),
  };
});

/** A <dialog> that keeps track of being shown and closed. */
function fakeDialog(): ModalElement & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    open: false,
    showModal() {
      this.open = true;
      log.push("showModal");
    },
    close() {
      this.open = false;
      log.push("close");
    },
  };
}

/** The button that opened the dialog, on the page or gone. */
function opener(isConnected = true): Focusable & { focused: number } {
  return {
    isConnected,
    focused: 0,
    focus() {
      this.focused += 1;
    },
  };
}

afterEach(() => {
  hooks.effects = [];
  hooks.element = null;
  vi.unstubAllGlobals();
});

describe("a modal dialog", () => {
  it("gives the focus back to what opened it once closed, and is closed, not only removed", () => {
    const dialog = fakeDialog();
    const button = opener();
    const close = openModal(dialog, button);
    expect(dialog.log).toEqual(["showModal"]);
    expect(button.focused).toBe(0);
    close();
    expect(dialog.log).toEqual(["showModal", "close"]);
    expect(button.focused).toBe(1);
  });

  it("leaves the focus alone when what opened it is no longer on the page", () => {
    const button = opener(false);
    openModal(fakeDialog(), button)();
    expect(button.focused).toBe(0);
  });

  it("does so when React draws it and takes it away (Escape, Close): the opener is focused again", () => {
    class FakeElement {}
    const button = Object.assign(new FakeElement(), opener());
    const dialog = fakeDialog();
    hooks.element = dialog;
    vi.stubGlobal("HTMLElement", FakeElement);
    vi.stubGlobal("document", { activeElement: button });
    const html = renderToStaticMarkup(createElement(Dialog, { title: "Publish", onClose: () => undefined, children: "body" }));
    expect(html).toContain('aria-label="Publish"');
    expect(hooks.effects).toHaveLength(1);
    const cleanup = hooks.effects[0]!();
    expect(dialog.log).toEqual(["showModal"]);
    expect(typeof cleanup).toBe("function");
    (cleanup as () => void)();
    expect(dialog.log).toEqual(["showModal", "close"]);
    expect(button.focused).toBe(1);
  });
});
