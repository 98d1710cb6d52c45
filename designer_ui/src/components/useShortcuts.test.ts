import { describe, expect, it } from "vitest";
import { shortcutFor, type KeyPlace, type KeyPress } from "./useShortcuts";

const press = (key: string, mods: Partial<Omit<KeyPress, "key">> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...mods,
});
const canvas: KeyPlace = { typing: false, inCanvas: true, dialogOpen: false };
const paletteButton: KeyPlace = { typing: false, inCanvas: false, dialogOpen: false };
const field: KeyPlace = { typing: true, inCanvas: false, dialogOpen: false };

describe("the editor's shortcuts", () => {
  it("delete, copy, paste, lay out, fit and unselect on the canvas", () => {
    expect(shortcutFor(press("Delete"), canvas)).toBe("delete");
    expect(shortcutFor(press("Backspace"), canvas)).toBe("delete");
    expect(shortcutFor(press("c", { ctrlKey: true }), canvas)).toBe("copy");
    expect(shortcutFor(press("v", { metaKey: true }), canvas)).toBe("paste");
    expect(shortcutFor(press("l"), canvas)).toBe("layout");
    expect(shortcutFor(press("F", { shiftKey: true }), canvas)).toBe("fit");
    expect(shortcutFor(press("Escape"), canvas)).toBe("unselect");
  });

  it("leave single keys and copy/paste alone off the canvas: Backspace on a palette button deletes nothing", () => {
    for (const key of ["Delete", "Backspace", "l", "L", "f", "F", "Escape"]) {
      expect(shortcutFor(press(key), paletteButton), key).toBeNull();
    }
    expect(shortcutFor(press("c", { ctrlKey: true }), paletteButton)).toBeNull(); // the page's text is copied
    expect(shortcutFor(press("v", { ctrlKey: true }), paletteButton)).toBeNull();
  });

  it("undo, redo and save from anywhere but a text field, and save even there", () => {
    expect(shortcutFor(press("z", { ctrlKey: true }), paletteButton)).toBe("undo");
    expect(shortcutFor(press("Z", { ctrlKey: true, shiftKey: true }), paletteButton)).toBe("redo");
    expect(shortcutFor(press("y", { metaKey: true }), canvas)).toBe("redo");
    expect(shortcutFor(press("z", { ctrlKey: true }), field)).toBeNull();
    expect(shortcutFor(press("Backspace"), field)).toBeNull();
    expect(shortcutFor(press("s", { ctrlKey: true }), field)).toBe("save");
    expect(shortcutFor(press("s", { metaKey: true }), paletteButton)).toBe("save");
  });

  it("do nothing under an open dialog, even with the canvas behind it focused", () => {
    const dialog = { ...canvas, dialogOpen: true };
    expect(shortcutFor(press("Delete"), dialog)).toBeNull();
    expect(shortcutFor(press("z", { ctrlKey: true }), dialog)).toBeNull();
  });

  it("leave other keys to the focused control", () => {
    expect(shortcutFor(press("Enter"), canvas)).toBeNull();
    expect(shortcutFor(press("ArrowRight"), canvas)).toBeNull();
    expect(shortcutFor(press("l", { ctrlKey: true }), canvas)).toBeNull();
  });
});
