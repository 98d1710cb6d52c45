/** Small inline glyphs for the catalog's icon names; unknown names (plugins) get a square. */
// Plain symbols that the common system fonts (DejaVu, Noto) draw, so no icon font has to be shipped.
const GLYPHS: Record<string, string> = {
  play: "▶",
  "volume-2": "♪",
  "message-square": "❝",
  "grid-3x3": "#",
  database: "≡",
  "phone-forwarded": "↪",
  "phone-outgoing": "☏",
  clock: "◷",
  "git-branch": "◇",
  split: "⋔",
  variable: "x",
  "corner-down-right": "↳",
  "external-link": "⇗",
  "phone-off": "■",
};

export function BlockIcon({ name }: { name: string }) {
  return (
    <span className="block-icon" aria-hidden="true">
      {GLYPHS[name] ?? "■"}
    </span>
  );
}
