import { describe, expect, it } from "vitest";
import { focusBack, type Focusable } from "./focusBack";

/** An element as focusBack sees it: in the page or not, and whether it was given the focus. */
function element(inPage: boolean) {
  const got = { focused: false };
  const focusable: Focusable & typeof got = Object.assign(got, { isConnected: inPage, focus: () => (got.focused = true) });
  return focusable;
}

describe("the focus given back when a panel closes", () => {
  it("goes back to the control the panel was opened from while it is in the page", () => {
    const opener = element(true);
    const search = element(true);
    expect(focusBack(opener, search)).toBe(opener);
    expect(opener.focused).toBe(true);
    expect(search.focused).toBe(false);
  });

  it("goes to the fallback when that control is gone (its row left the page) or was never known", () => {
    const gone = element(false);
    const search = element(true);
    expect(focusBack(gone, search)).toBe(search);
    expect(gone.focused).toBe(false);
    expect(search.focused).toBe(true);
    const again = element(true);
    expect(focusBack(null, again)).toBe(again);
  });

  it("focuses nothing when none is in the page", () => {
    expect(focusBack(element(false), undefined, null)).toBeNull();
  });
});
