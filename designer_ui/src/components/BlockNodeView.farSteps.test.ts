// Accessibility review of a call's path on the canvas: a call opens with every block in sight, often zoomed out below
// FAR_ZOOM, where a block was drawn without its step badge: the path was unlabelled rings. Far away a block on the path
// now shows its step numbers (and the caller-hung-up mark), kept as large on screen as the badge near. And the badge's
// white text on the path's green was 3.51:1 at 11px: its green is darker, the ring's kept (3:1 is enough there).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FarStepBadge } from "./BlockNodeView";
import { renderInLanguage, renderToHtml, visibleText } from "./renderForTest";

describe("a block on a call's path, seen from far away", () => {
  const badge = (props: { steps: number[]; hungUp: boolean; zoom: number }) => renderToHtml(FarStepBadge, props);

  it("shows its steps as the badge near does, a few of them", () => {
    expect(visibleText(badge({ steps: [3], hungUp: false, zoom: 0.2 }))).toBe("3");
    expect(visibleText(badge({ steps: [2, 9, 14, 20], hungUp: false, zoom: 0.2 }))).toBe("2, 9 +2");
  });

  it("marks where the caller hung up", () => {
    expect(visibleText(badge({ steps: [4], hungUp: true, zoom: 0.2 }))).toBe("4 ✆");
  });

  it("is scaled against the zoom, to be read at the size of the badge near however far the canvas is zoomed out", () => {
    expect(badge({ steps: [3], hungUp: false, zoom: 0.1 })).toMatch(/style="[^"]*transform:translate\(-50%, -50%\) scale\(10\)/);
    expect(badge({ steps: [3], hungUp: false, zoom: 0.02 })).toMatch(/scale\(50\)/);
  });

  it("is hidden from a screen reader (the block's name on its node says its steps), its words in its tooltip", () => {
    const html = badge({ steps: [2, 5], hungUp: true, zoom: 0.2 });
    expect(html).toMatch(/^<span class="far-step-badge" aria-hidden="true" title="Steps 2 and 5 of the call; the caller hung up here"/);
    expect(renderInLanguage("ru", FarStepBadge, { steps: [3], hungUp: false, zoom: 0.2 })).toContain('title="Шаг 3 звонка"');
  });
});

/** WCAG's contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high! + 0.05) / (low! + 0.05);
}

describe("the step badges' colours (styles.css)", () => {
  const css = readFileSync(new URL("../styles.css", import.meta.url), "utf8");
  const variable = (name: string) => new RegExp(`${name}:\\s*(#[0-9a-f]{6})`, "i").exec(css)![1]!;

  it("give the badges' white text at least 4.5:1 on their green, near and far", () => {
    expect(css).toMatch(/\.step-badge \{ background: var\(--path-badge\); color: white;/);
    expect(css).toMatch(/\.far-step-badge \{[^}]*background: var\(--path-badge\); color: white;/);
    expect(contrast(variable("--path-badge"), "#ffffff")).toBeGreaterThanOrEqual(4.5);
  });

  it("keep the path's rings at least 3:1 on the white canvas", () => {
    expect(contrast(variable("--path"), "#ffffff")).toBeGreaterThanOrEqual(3);
  });
});
