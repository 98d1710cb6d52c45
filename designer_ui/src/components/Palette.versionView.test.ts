// Accessibility review of the version view: over a published version shown read-only (a call's path on the version it
// ran), Enter on a palette block announced "<block> added" and switched the side panel to Block, though nothing was
// added. There the palette's blocks are now disabled, saying why (the store adds none either: editor.versionView.test.ts).
import { describe, expect, it } from "vitest";
import type { BlockSpec } from "../lib/catalog";
import { PaletteButton } from "./Palette";
import { renderInLanguage, renderToHtml } from "./renderForTest";

const hangup = {
  type: "hangup",
  version: 1,
  title: "Hang Up",
  category: "Flow",
  icon: "phone-off",
  description: "Ends the call.",
  config_schema: { type: "object" },
  exit_rules: [],
  default_exits: [],
  unwired_meaning: {},
} as unknown as BlockSpec;

const button = (locked: boolean, language: "en" | "ru" = "en") =>
  /<button[^>]*>/.exec(renderInLanguage(language, PaletteButton, { spec: hangup, locked, onAdd: () => undefined }))![0];

describe("a palette block over a version shown read-only", () => {
  it("is disabled and not draggable, its tooltip saying the view is read-only and to go back to the draft", () => {
    const html = button(true);
    expect(html).toContain(' disabled=""');
    expect(html).toContain(' draggable="false"');
    expect(html).toContain('title="A published version is shown, read-only: go back to the draft to edit."');
    expect(button(true, "ru")).toContain("вернитесь к черновику");
  });

  it("is enabled and draggable on the draft, its tooltip the block's description", () => {
    const html = button(false);
    expect(html).not.toContain("disabled");
    expect(html).toContain(' draggable="true"');
    expect(html).toContain('title="Ends the call."');
    expect(renderToHtml(PaletteButton, { spec: hangup, locked: false, onAdd: () => undefined })).toContain("Hang Up");
  });
});
