/** Small inline glyphs for the catalog's icon names; unknown names (plugins) get a square. */
const GLYPHS: Record<string, string> = {
  play: "▶",
  "volume-2": "🔊",
  "message-square": "💬",
  "grid-3x3": "⌗",
  database: "🗄",
  "phone-forwarded": "↪",
  "phone-outgoing": "☎",
  clock: "🕘",
  "git-branch": "⑂",
  split: "⑃",
  variable: "𝑥",
  "corner-down-right": "↳",
  "external-link": "⇗",
  "phone-off": "⏹",
};

export function BlockIcon({ name }: { name: string }) {
  return (
    <span className="block-icon" aria-hidden="true">
      {GLYPHS[name] ?? "■"}
    </span>
  );
}
