import { describe, expect, it } from "vitest";
import { renderInLanguage } from "./renderForTest";
import { ShippedFailing } from "./VersionsPanel";

// QA review: a version published despite failing tests records each test's first 3 failures, and showed them as if
// they were all. It records how many there were in all (`failure_count`): the rest are counted, in every language.
const dialed = {
  code: "dialed_mismatch",
  params: { dialed: ["queue:ventas"], expected: ["queue:sales"] },
  text: "dialed ['queue:ventas'], expected ['queue:sales']",
};

const summary = (failureCount?: number) => ({
  despite_failing_tests: [
    {
      scenario: "inbound-hotline",
      test: "anonymous caller cannot be called back",
      failures: [dialed.text, dialed.text, dialed.text],
      failure_details: [dialed, dialed, dialed],
      ...(failureCount === undefined ? {} : { failure_count: failureCount }),
    },
  ],
});

describe("a test a version was published despite, with more failures than it records", () => {
  it("says how many more, in every language", () => {
    expect(renderInLanguage("en", ShippedFailing, { summary: summary(5) })).toContain("and 2 more");
    expect(renderInLanguage("es", ShippedFailing, { summary: summary(5) })).toContain("y 2 más");
    expect(renderInLanguage("ru", ShippedFailing, { summary: summary(5) })).toContain("и ещё 2");
  });

  it("says nothing more when it records them all, or was recorded before the count was", () => {
    for (const html of [renderInLanguage("en", ShippedFailing, { summary: summary(3) }), renderInLanguage("en", ShippedFailing, { summary: summary() })]) {
      expect(html).not.toContain("more");
    }
  });
});
