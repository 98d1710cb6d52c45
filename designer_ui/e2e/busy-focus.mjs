// A button pressed with the keyboard while the request it makes is held back: whether the focus stayed on it while
// it was busy and once it was answered. A button disabled while busy sends the focus to <body>, inside a modal too
// (an accessibility review, WCAG 2.4.3 / 2.4.7); the designer's busy buttons (src/components/BusyButton.tsx) say
// they are busy with aria-disabled and keep it. Used by the e2e scripts that drive those screens.

/**
 * Press `button` (a locator) with Enter while the request whose URL `matches` is held; `settled(page)`, if given,
 * waits for what the answer brings before the focus is read again (a result shown). Returns `kept` (focused and
 * not disabled while busy, focused after), what was seen, and the answer.
 */
export async function pressHeld(page, button, matches, settled) {
  let release = () => undefined;
  const held = new Promise((resolve) => (release = resolve));
  const wanted = (url) => matches(url instanceof URL ? url : new URL(url));
  await page.route(wanted, async (route) => {
    await held;
    await route.continue();
  });
  try {
    const element = await button.elementHandle();
    const answered = page.waitForResponse((response) => wanted(response.url()));
    await element.focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction((el) => el.getAttribute("aria-disabled") === "true", element);
    const busy = await element.evaluate((el) => ({
      focused: el === document.activeElement,
      disabled: el.disabled,
      body: document.activeElement === document.body,
      busy: el.getAttribute("aria-busy"),
    }));
    release();
    const response = await answered;
    // Done: the button says so, or is gone with what the answer replaced (a dialog's form, by its result).
    await page.waitForFunction((el) => !el.isConnected || !el.hasAttribute("aria-disabled"), element);
    if (settled) await settled(page);
    const after = await element.evaluate((el) => el === document.activeElement);
    const seen = `while busy ${JSON.stringify(busy)}, after: ${after ? "on it" : await page.evaluate(() => document.activeElement?.tagName)}`;
    return { kept: busy.focused && !busy.disabled && !busy.body && after, seen, response };
  } finally {
    release();
    await page.unroute(wanted);
  }
}
