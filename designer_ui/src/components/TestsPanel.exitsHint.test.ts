import { describe, expect, it } from "vitest";
import { renderInLanguage } from "./renderForTest";
import { TestJsonForm } from "./TestsPanel";

/** The visible text of some markup. */
const told = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/\s+/g, " ");

const hint = (language: "en" | "es" | "ru") =>
  told(renderInLanguage(language, TestJsonForm, { text: "{}", problems: [], isNew: true, onChange: () => undefined, onApply: () => undefined, onCancel: () => undefined }));

describe("the JSON form's hint (QA review: a forced exit left the variables it guarantees unset, tests named blocks by label)", () => {
  it("says blocks are named by id, and how a forced exit sets the variables its exit guarantees, in every language", () => {
    const example = '{"ticket": {"exit": "duplicate", "set": {"ticket_id": "T-9"}}}';
    expect(hint("en")).toContain("Blocks are named by id, not label.");
    for (const language of ["en", "es", "ru"] as const) {
      expect(hint(language)).toContain('{"sms": "failed"}');
      expect(hint(language)).toContain(example);
    }
  });
});
