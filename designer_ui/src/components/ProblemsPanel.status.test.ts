import { describe, expect, it } from "vitest";
import { problemsStatus } from "../lib/problems";
import { ProblemsStatusNote } from "./ProblemsPanel";
import { renderInLanguage, renderToHtml } from "./renderForTest";

const text = (html: string) => html.replace(/<[^>]+>/g, "");

describe("whether the problems shown are of the canvas as it is", () => {
  it("are current once found for its latest change, checking while a check is to come, stale when it failed", () => {
    expect(problemsStatus(4, 4, false)).toBe("current");
    expect(problemsStatus(4, 4, true)).toBe("current"); // a save's answer of this very canvas
    expect(problemsStatus(5, 4, false)).toBe("checking");
    expect(problemsStatus(0, null, false)).toBe("checking"); // just opened: nothing known yet
    expect(problemsStatus(5, 4, true)).toBe("stale");
  });

  it("says nothing when current, that it is checking, or that the problems shown may be out of date", () => {
    expect(renderToHtml(ProblemsStatusNote, { status: "current" })).toBe("");
    expect(text(renderToHtml(ProblemsStatusNote, { status: "checking" }))).toBe("Checking…");
    expect(text(renderToHtml(ProblemsStatusNote, { status: "stale" }))).toBe(
      "The server did not answer: these problems may be out of date. Trying again…",
    );
    expect(text(renderInLanguage("es", ProblemsStatusNote, { status: "stale" }))).toContain("pueden estar desactualizados");
    expect(text(renderInLanguage("ru", ProblemsStatusNote, { status: "stale" }))).toContain("может быть устаревшим");
    expect(renderToHtml(ProblemsStatusNote, { status: "stale" })).toContain('role="status"');
  });
});
