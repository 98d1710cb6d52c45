import { describe, expect, it } from "vitest";
import { ApiError } from "../api/http";
import { translator } from "../lib/i18n";
import { rollbackFailureText } from "./VersionsPanel";

const refused = (kind: string, version: number) =>
  new ApiError(409, { type: `https://ivrgraph.dev/problems/${kind}`, status: 409, detail: `the server's words (${kind})`, version }, `the server's words (${kind})`);

describe("a refused rollback", () => {
  const t = translator("en");

  it("says the version is the flow calls already run, not 'Something went wrong'", () => {
    expect(rollbackFailureText(t, refused("nothing-to-publish", 3), 1)).toBe(
      "Nothing to roll back: version 3, which calls already run, is the same flow as version 1.",
    );
  });

  it("says another publish landed first, with its version", () => {
    const text = rollbackFailureText(t, refused("published-meanwhile", 5), 2);
    expect(text).toContain("Not rolled back");
    expect(text).toContain("version 5");
  });

  it("keeps any other failure as the server said it, in every language without a missing parameter", () => {
    expect(rollbackFailureText(t, new ApiError(404, { detail: "no such version" }, "no such version"), 2)).toBe("Something went wrong: no such version");
    for (const language of ["es", "ru"] as const) {
      for (const kind of ["nothing-to-publish", "published-meanwhile"]) {
        expect(rollbackFailureText(translator(language), refused(kind, 4), 2)).not.toMatch(/\{|Something went wrong/);
      }
    }
  });
});
