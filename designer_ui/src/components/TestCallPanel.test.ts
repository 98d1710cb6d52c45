import { describe, expect, it } from "vitest";
import { emptyScenario } from "../lib/convert";
import { testCallDocument } from "./TestCallPanel";

describe("the scenario a test call sends", () => {
  const canvas = emptyScenario("Line");

  it("is an editor's canvas as it stands, saved or not", () => {
    expect(testCallDocument({ readOnly: false, document: () => canvas })).toBe(canvas);
  });

  it("is nothing for a viewer: the server tests the stored draft, and refuses a viewer's own document", () => {
    expect(testCallDocument({ readOnly: true, document: () => canvas })).toBeUndefined();
  });
});
