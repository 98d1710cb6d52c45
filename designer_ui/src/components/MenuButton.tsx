/**
 * A menu button (the WAI-ARIA "menu button" pattern): a button with aria-haspopup="menu" / aria-expanded that
 * opens a small role="menu" of role="menuitem" buttons under it.
 *
 * Keyboard: Enter, Space or ArrowDown on the button open the menu on its first item, ArrowUp on its last; in the
 * menu ArrowDown/ArrowUp move (wrapping), Home/End go to the ends, a letter goes to the next item starting with
 * it, Enter/Space choose, Escape closes. Tab closes it and moves on as usual. Choosing an item or Escape puts the
 * focus back on the button, so a dialog the item opens returns there too; a click outside closes it.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";

/** A menu item's height in pixels, about (styles.css `.menu button`): to decide whether the menu fits below. */
const ITEM_HEIGHT = 30;

export interface MenuItem {
  /** Stable key, also the item's data-action (for tests and styling). */
  id: string;
  label: string;
  onSelect(): void;
  danger?: boolean;
  /** A line above it, setting it apart (e.g. Delete). */
  separated?: boolean;
}

/**
 * Where the focus goes for a key pressed in a menu of `count` items with `current` focused: the index, or null
 * when the key does not move it (`current` -1: none focused yet). Arrows wrap round, as in the WAI-ARIA menu pattern.
 */
export function menuFocusIndex(key: string, current: number, count: number): number | null {
  if (count === 0) return null;
  switch (key) {
    case "ArrowDown":
      return (current + 1) % count;
    case "ArrowUp":
      return current < 0 ? count - 1 : (current - 1 + count) % count;
    case "Home":
    case "PageUp":
      return 0;
    case "End":
    case "PageDown":
      return count - 1;
    default:
      return null;
  }
}

/** Type-ahead: the next item after `current` (wrapping) whose label starts with the character typed, or null. */
export function menuTypeAheadIndex(char: string, current: number, labels: readonly string[]): number | null {
  const wanted = char.toLocaleLowerCase();
  if (wanted.length !== 1 || wanted.trim() === "") return null;
  for (let step = 1; step <= labels.length; step++) {
    const index = (current + step) % labels.length;
    if (labels[index]!.trim().toLocaleLowerCase().startsWith(wanted)) return index;
  }
  return null;
}

export function MenuButton(props: {
  /** The button's accessible name (it shows `children`, e.g. an icon, and says this). */
  label: string;
  items: readonly MenuItem[];
  children: ReactNode;
  className?: string;
  /** Render open (the markup tests use it: they have no browser to click in). */
  defaultOpen?: boolean;
}) {
  const { items } = props;
  const [open, setOpen] = useState(props.defaultOpen ?? false);
  // The item to focus once the menu is drawn: the first, the last, or none (still on the button).
  const [focusOnOpen, setFocusOnOpen] = useState<"first" | "last" | null>(null);
  const [upward, setUpward] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const buttonId = useId();
  const menuId = useId();

  const itemElements = () => [...(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];

  function openMenu(focus: "first" | "last") {
    // Upwards when there is no room below for it (the last rows of a long page) and more room above.
    const rect = button.current?.getBoundingClientRect();
    if (rect) {
      const below = window.innerHeight - rect.bottom;
      setUpward(below < items.length * ITEM_HEIGHT + 16 && rect.top > below);
    }
    setFocusOnOpen(focus);
    setOpen(true);
  }

  function close(returnFocus: boolean) {
    setOpen(false);
    setFocusOnOpen(null);
    if (returnFocus) button.current?.focus();
  }

  // Once drawn: focus the item asked for.
  useLayoutEffect(() => {
    if (!open || !menu.current) return;
    if (focusOnOpen) {
      const elements = itemElements();
      elements[focusOnOpen === "first" ? 0 : elements.length - 1]?.focus();
    }
  }, [open, focusOnOpen]);

  // A press anywhere outside closes it; the focus goes where that press puts it (back to the button when the
  // focus was in the menu and the press was on nothing focusable).
  useEffect(() => {
    if (!open) return;
    function onPointerDown(event: PointerEvent) {
      if (wrapper.current?.contains(event.target as Node)) return;
      const focusWasInMenu = menu.current?.contains(document.activeElement) ?? false;
      close(focusWasInMenu);
    }
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, [open]);

  function onButtonKeyDown(event: KeyboardEvent<HTMLButtonElement>) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      openMenu(event.key === "ArrowDown" ? "first" : "last");
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close(true);
    }
  }

  function onMenuKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const elements = itemElements();
    const current = elements.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // not also the dialog or page under it
      close(true);
      return;
    }
    if (event.key === "Tab") {
      close(false);
      return;
    }
    const next =
      menuFocusIndex(event.key, current, elements.length) ??
      (event.ctrlKey || event.altKey || event.metaKey ? null : menuTypeAheadIndex(event.key, current, items.map((i) => i.label)));
    if (next !== null) {
      event.preventDefault();
      elements[next]?.focus();
    }
  }

  return (
    <div
      ref={wrapper}
      className={`menu-button${props.className ? ` ${props.className}` : ""}`}
      onBlur={(event) => {
        // Focus moved out of the button and its menu (Tab, a click elsewhere): closed.
        if (open && !wrapper.current?.contains(event.relatedTarget as Node | null) && event.relatedTarget) close(false);
      }}
    >
      <button
        ref={button}
        id={buttonId}
        type="button"
        className="menu-toggle"
        aria-label={props.label}
        title={props.label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => {
          if (open) close(true);
          else openMenu("first");
        }}
        onKeyDown={onButtonKeyDown}
      >
        {props.children}
      </button>
      {open && (
        <div
          ref={menu}
          id={menuId}
          role="menu"
          aria-labelledby={buttonId}
          className={upward ? "menu up" : "menu"}
          onKeyDown={onMenuKeyDown}
        >
          {items.map((item, index) => [
            item.separated && index > 0 && <div key={`${item.id}-separator`} role="separator" />,
            <button
              key={item.id}
              type="button"
              role="menuitem"
              tabIndex={-1}
              data-action={item.id}
              className={item.danger ? "danger" : undefined}
              onClick={() => {
                close(true);
                item.onSelect();
              }}
            >
              {item.label}
            </button>,
          ])}
        </div>
      )}
    </div>
  );
}
