import { describe, expect, it } from "vitest";
import type { Role } from "../api/types";
import { EditorTools } from "./EditorTools";
import { buttonTexts, renderToHtml } from "./renderForTest";

const noop = () => undefined;
const toolbar = (role: Role) =>
  buttonTexts(
    renderToHtml(EditorTools, {
      role,
      canUndo: true,
      canRedo: false,
      onUndo: noop,
      onRedo: noop,
      onLayout: noop,
      onFit: noop,
      onDelete: noop,
      onTestCall: noop,
      onPublish: noop,
    }),
  );

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
