import { describe, expect, it } from "vitest";
import { MenuButton, menuFocusIndex, menuTypeAheadIndex, type MenuItem } from "./MenuButton";
import { renderToHtml } from "./renderForTest";

const noop = () => undefined;
const items: MenuItem[] = [
  { id: "duplicate", label: "Duplicate", onSelect: noop },
  { id: "export", label: "Export", onSelect: noop },
  { id: "delete", label: "Delete", onSelect: noop, danger: true, separated: true },
];

describe("the menu's keyboard", () => {
  it("arrows move between the items, wrapping round at either end", () => {
    expect(menuFocusIndex("ArrowDown", 0, 3)).toBe(1);
    expect(menuFocusIndex("ArrowDown", 2, 3)).toBe(0);
    expect(menuFocusIndex("ArrowUp", 0, 3)).toBe(2);
    expect(menuFocusIndex("ArrowUp", 2, 3)).toBe(1);
  });

  it("nothing focused yet (-1): ArrowDown goes to the first item, ArrowUp to the last", () => {
    expect(menuFocusIndex("ArrowDown", -1, 3)).toBe(0);
    expect(menuFocusIndex("ArrowUp", -1, 3)).toBe(2);
  });

  it("Home and End go to the ends; other keys do not move the focus; an empty menu has nowhere to go", () => {
    expect(menuFocusIndex("Home", 2, 3)).toBe(0);
    expect(menuFocusIndex("End", 0, 3)).toBe(2);
    expect(menuFocusIndex("Enter", 1, 3)).toBeNull();
    expect(menuFocusIndex("ArrowLeft", 1, 3)).toBeNull();
    expect(menuFocusIndex("ArrowDown", 0, 0)).toBeNull();
  });

  it("a letter goes to the next item starting with it, case aside, wrapping round", () => {
    const labels = ["Duplicate", "Export", "Call a list…", "Campaigns", "Delete"];
    expect(menuTypeAheadIndex("e", 0, labels)).toBe(1);
    expect(menuTypeAheadIndex("C", 1, labels)).toBe(2);
    expect(menuTypeAheadIndex("c", 2, labels)).toBe(3);
    expect(menuTypeAheadIndex("d", 0, labels)).toBe(4);
    expect(menuTypeAheadIndex("d", 4, labels)).toBe(0);
    expect(menuTypeAheadIndex("z", 0, labels)).toBeNull();
    expect(menuTypeAheadIndex("Shift", 0, labels)).toBeNull();
    expect(menuTypeAheadIndex(" ", 0, labels)).toBeNull();
  });
});

describe("the menu button's markup", () => {
  it("closed: a button that says it opens a menu, and is collapsed; no menu in the page", () => {
    const html = renderToHtml(MenuButton, { label: "More actions for Menu", items, children: "…" });
    expect(html).toMatch(/<button[^>]*aria-haspopup="menu"/);
    expect(html).toContain('aria-expanded="false"');
    expect(html).toContain('aria-label="More actions for Menu"');
    expect(html).not.toContain('role="menu"');
    expect(html).not.toContain("aria-controls");
  });

  it("open: expanded, controlling a menu labelled by it; items are menuitems out of the tab order", () => {
    const html = renderToHtml(MenuButton, { label: "More actions for Menu", items, children: "…", defaultOpen: true });
    expect(html).toContain('aria-expanded="true"');
    const controls = /aria-controls="([^"]+)"/.exec(html)?.[1];
    const buttonId = /<button[^>]*id="([^"]+)"/.exec(html)?.[1];
    expect(html).toContain(`id="${controls}" role="menu" aria-labelledby="${buttonId}"`);
    const menuItems = [...html.matchAll(/<button([^>]*role="menuitem"[^>]*)>(.*?)<\/button>/g)];
    expect(menuItems.map((m) => m[2])).toEqual(["Duplicate", "Export", "Delete"]);
    expect(menuItems.every((m) => m[1]!.includes('tabindex="-1"') && m[1]!.includes('type="button"'))).toBe(true);
    expect(html.match(/role="separator"/g)).toHaveLength(1);
    expect(html).toContain('data-action="delete" class="danger"');
  });
});
