import { describe, expect, it } from "vitest";
import type { Role } from "../api/types";
import { EditorToolsView } from "./EditorTools";
import { buttonTexts, renderInLanguage, renderToHtml } from "./renderForTest";

const noop = () => undefined;
const props = (role: Role, versionShown = false) => ({
  role,
  versionShown,
  canUndo: true,
  canRedo: false,
  onUndo: noop,
  onRedo: noop,
  onLayout: noop,
  onFit: noop,
  onDelete: noop,
  onTestCall: noop,
  onPublish: noop,
});
const toolbar = (role: Role) => buttonTexts(renderToHtml(EditorToolsView, props(role)));

describe("the editor toolbar", () => {
  it("offers a viewer (read-only) only what a viewer may do: fit the view and run a test call", () => {
    expect(toolbar("viewer")).toEqual(["Fit view", "Test call"]);
  });

  it("offers an editor the editing tools, but not Publish", () => {
    expect(toolbar("editor")).toEqual(["Undo", "Redo", "Auto layout", "Fit view", "Delete", "Test call"]);
  });

  it("offers a publisher and an admin Publish as well", () => {
    for (const role of ["publisher", "admin"] as const) {
      expect(toolbar(role)).toEqual(["Undo", "Redo", "Auto layout", "Fit view", "Delete", "Test call", "Publish"]);
    }
  });
});

describe("the editor toolbar over a published version shown read-only (a call's path on the version it ran)", () => {
  /** Each button's text, and whether it is disabled and why. */
  const buttons = (html: string) =>
    [...html.matchAll(/<button([^>]*)>(.*?)<\/button>/g)].map(([, attributes, text]) => ({
      text,
      disabled: / disabled=""/.test(attributes!),
      title: / title="([^"]*)"/.exec(attributes!)?.[1] ?? "",
    }));

  it("disables what would change the flow, saying it is read-only and to go back to the draft", () => {
    const shown = buttons(renderToHtml(EditorToolsView, props("editor", true)));
    const hint = "A published version is shown, read-only: go back to the draft to edit.";
    for (const name of ["Undo", "Redo", "Auto layout", "Delete"]) {
      expect(shown.find((b) => b.text === name)).toEqual({ text: name, disabled: true, title: hint });
    }
    expect(shown.filter((b) => !b.disabled).map((b) => b.text)).toEqual(["Fit view", "Test call"]);
  });

  it("says why in each language", () => {
    const ru = buttons(renderInLanguage("ru", EditorToolsView, props("editor", true)));
    expect(ru.find((b) => b.text === "Удалить")?.title).toContain("вернитесь к черновику");
    const es = buttons(renderInLanguage("es", EditorToolsView, props("editor", true)));
    expect(es.find((b) => b.disabled)?.title).toContain("vuelva al borrador");
  });

  it("leaves the draft's tools enabled when no version is shown", () => {
    const draft = buttons(renderToHtml(EditorToolsView, props("editor")));
    expect(draft.filter((b) => b.disabled).map((b) => b.text)).toEqual(["Redo"]);
  });
});
