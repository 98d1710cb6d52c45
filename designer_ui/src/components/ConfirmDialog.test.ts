import { createElement, isValidElement, type ReactElement, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { translator, type Language } from "../lib/i18n";
import { ConfirmDialog, useConfirm, type ConfirmRequest } from "./ConfirmDialog";
import type { Focusable, ModalElement } from "./Dialog";

// No browser here (as in Dialog.test.ts): the dialog's effect is caught as declared, to be run and cleaned up as
// React would when it opens and closes; its ref holds a <dialog> stand-in; the hook's one state is a plain cell,
// so a test renders again by calling it again, and clicks by calling the handlers of what it returned.
const hooks = vi.hoisted(() => ({
  effects: [] as (() => void | (() => void))[],
  element: null as unknown,
  state: { set: false, value: undefined as unknown },
  language: "en" as Language,
}));
vi.mock("react", async (importOriginal) => {
  const react = await importOriginal<typeof import("react")>();
  return {
    ...react,
    useEffect: (effect: () => void | (() => void)) => void hooks.effects.push(effect),
    useRef: () => ({ current: hooks.element }),
    useId: () => "q1",
    useCallback: <T>(callback: T) => callback,
    useState: <T>(initial: T) => {
      if (!hooks.state.set) Object.assign(hooks.state, { set: true, value: initial });
      const set = (next: T | ((current: T) => T)) => {
        hooks.state.value = typeof next === "function" ? (next as (current: T) => T)(hooks.state.value as T) : next;
      };
      return [hooks.state.value, set];
    },
  };
});
vi.mock("../i18n", () => ({ useI18n: () => ({ language: hooks.language, t: translator(hooks.language) }) }));

afterEach(() => {
  hooks.effects = [];
  hooks.element = null;
  hooks.state = { set: false, value: undefined };
  hooks.language = "en";
  vi.unstubAllGlobals();
});

const deleting: ConfirmRequest = {
  title: "Delete scenario support?",
  body: "This cannot be undone.",
  confirmLabel: "Delete “support”",
  destructive: true,
};
const publishing: ConfirmRequest = {
  title: "Publish despite failing tests?",
  body: "These tests fail with this draft:",
  items: ["✘ sales", "✘ night: closed message"],
  note: "The audit log will record it.",
  confirmLabel: "Publish anyway",
  destructive: true,
};
const rollingBack: ConfirmRequest = { title: "Roll back to version 3?", body: "Version 3 goes live again.", confirmLabel: "Roll back to v3" };

const render = (request: ConfirmRequest, onAnswer: (yes: boolean) => void = () => undefined) =>
  renderToStaticMarkup(createElement(ConfirmDialog, { request, onAnswer }));

/** The buttons' opening tags and texts, in order. */
const buttons = (html: string) => [...html.matchAll(/(<button[^>]*>)(.*?)<\/button>/gs)].map((m) => ({ tag: m[1]!, text: m[2]! }));

/** Every element in what a component returned, depth first. */
function elements(node: ReactNode): ReactElement<Record<string, unknown>>[] {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (!isValidElement<Record<string, unknown>>(node)) return [];
  return [node, ...elements(node.props.children as ReactNode)];
}

/** The element of `type` whose text is `text` (a button by its words). */
function find(tree: ReactNode, type: string, text?: string): ReactElement<Record<string, unknown>> {
  const found = elements(tree).find((e) => e.type === type && (text === undefined || e.props.children === text));
  if (!found) throw new Error(`no <${type}> ${text ?? ""}`);
  return found;
}

describe("a confirmation dialog", () => {
  it("is an alertdialog named by its title and described by its body, the tests listed one an item", () => {
    const html = render(publishing);
    const dialog = /<dialog[^>]*>/.exec(html)![0];
    expect(dialog).toContain('role="alertdialog"');
    const labelledBy = /aria-labelledby="([^"]+)"/.exec(dialog)![1];
    const describedBy = /aria-describedby="([^"]+)"/.exec(dialog)![1];
    expect(html).toContain(`<h2 id="${labelledBy}">Publish despite failing tests?</h2>`);
    const description = new RegExp(`<div id="${describedBy}"[^>]*>(.*?)</div>`, "s").exec(html)![1];
    expect(description).toBe(
      "<p>These tests fail with this draft:</p>" +
        '<ul class="confirm-items"><li>✘ sales</li><li>✘ night: closed message</li></ul>' +
        "<p>The audit log will record it.</p>",
    );
  });

  it("names the action on its confirm button, styled as dangerous when destructive, the focus starting on Cancel", () => {
    const [cancel, confirm] = buttons(render(deleting));
    expect([cancel!.text, confirm!.text]).toEqual(["Cancel", "Delete “support”"]);
    expect(confirm!.tag).toContain('class="danger confirm"');
    expect(cancel!.tag).toContain("data-initial-focus");
    expect(confirm!.tag).not.toContain("data-initial-focus");
  });

  it("starts on the action when it is not destructive", () => {
    const [cancel, confirm] = buttons(render(rollingBack));
    expect(confirm).toMatchObject({ text: "Roll back to v3" });
    expect(confirm!.tag).toContain('class="primary confirm"');
    expect(confirm!.tag).toContain("data-initial-focus");
    expect(cancel!.tag).not.toContain("data-initial-focus");
    expect(render(rollingBack)).not.toContain("<ul");
  });

  it.each<[Language, string]>([
    ["es", "Cancelar"],
    ["ru", "Отмена"],
  ])("says Cancel in the interface language (%s), not the browser's", (language, cancel) => {
    hooks.language = language;
    expect(buttons(render(deleting))[0]!.text).toBe(cancel);
  });

  it("opens as a modal with the focus on its first choice, and gives the focus back to its opener once answered", () => {
    class FakeElement {}
    const focused: string[] = [];
    const focusable = (name: string, isConnected = true) =>
      Object.assign(new FakeElement(), { isConnected, focus: () => void focused.push(name) });
    const opener = focusable("Delete menu item's button");
    const log: string[] = [];
    const initial: string[] = [];
    const dialog: ModalElement & { querySelector(selector: string): Focusable } = {
      open: false,
      showModal() {
        this.open = true;
        log.push("showModal");
      },
      close() {
        this.open = false;
        log.push("close");
      },
      querySelector(selector: string) {
        initial.push(selector);
        return focusable("Cancel");
      },
    };
    hooks.element = dialog;
    vi.stubGlobal("HTMLElement", FakeElement);
    vi.stubGlobal("document", { activeElement: opener });
    render(deleting);
    expect(hooks.effects).toHaveLength(1);

    const close = hooks.effects[0]!() as () => void;
    expect(log).toEqual(["showModal"]);
    expect(initial).toEqual(["[data-initial-focus]"]);
    expect(focused).toEqual(["Cancel"]);

    close();
    expect(log).toEqual(["showModal", "close"]);
    expect(focused).toEqual(["Cancel", "Delete menu item's button"]);
  });

  it("answers no on Escape, without closing the dialog it was opened over; yes on its action; no on Cancel", () => {
    const answers: boolean[] = [];
    const tree = ConfirmDialog({ request: deleting, onAnswer: (yes) => answers.push(yes) });
    const escape = { preventDefault: vi.fn(), stopPropagation: vi.fn() };
    (find(tree, "dialog").props.onCancel as (e: typeof escape) => void)(escape);
    expect(answers).toEqual([false]);
    expect(escape.preventDefault).toHaveBeenCalledOnce(); // the dialog goes when its question does, not before
    expect(escape.stopPropagation).toHaveBeenCalledOnce();

    (find(tree, "button", "Delete “support”").props.onClick as () => void)();
    (find(tree, "button", "Cancel").props.onClick as () => void)();
    expect(answers).toEqual([false, true, false]);
  });
});

describe("asking with useConfirm", () => {
  /** The dialog the hook renders now, as its props. */
  const useShownDialog = () => {
    const [, dialog] = useConfirm();
    return isValidElement<{ request: ConfirmRequest; onAnswer(yes: boolean): void }>(dialog) ? dialog.props : null;
  };

  it("shows nothing until asked, then the question, and resolves to the answer once it is given", async () => {
    const [confirm] = useConfirm();
    expect(useShownDialog()).toBeNull();

    const answer = confirm(deleting);
    expect(useShownDialog()?.request).toBe(deleting);
    useShownDialog()!.onAnswer(true);
    await expect(answer).resolves.toBe(true);
    expect(useShownDialog()).toBeNull();

    const again = confirm(rollingBack);
    useShownDialog()!.onAnswer(false);
    await expect(again).resolves.toBe(false);
  });

  it("answers no to a question still open when another is asked, and an old dialog's answer leaves the new one open", async () => {
    const [confirm] = useConfirm();
    const first = confirm(rollingBack);
    const firstDialog = useShownDialog()!;
    const second = confirm(publishing);
    await expect(first).resolves.toBe(false);
    expect(useShownDialog()?.request).toBe(publishing);

    firstDialog.onAnswer(true); // late, from the dialog already replaced
    expect(useShownDialog()?.request).toBe(publishing);
    useShownDialog()!.onAnswer(true);
    await expect(second).resolves.toBe(true);
  });
});
