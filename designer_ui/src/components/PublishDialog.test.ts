import { describe, expect, it } from "vitest";
import type { TestOutcome } from "../api/types";
import type { Problem } from "../lib/problems";
import { PublishBlocked, nothingToPublish } from "./PublishDialog";
import { renderToHtml } from "./renderForTest";

const problem = (severity: Problem["severity"], node: string, message: string): Problem => ({ severity, code: "x", message, node, path: "$" });
const failedTest: TestOutcome = { name: "key 1 reaches sales", passed: false, failures: ["ended at hangup"], story: [] };

/** The items of the list with this test id, as their text. */
function listItems(html: string, testId: string): string[] {
  const list = new RegExp(`<ul data-testid="${testId}">(.*?)</ul>`, "s").exec(html)?.[1] ?? "";
  return [...list.matchAll(/<li[^>]*>(.*?)<\/li>/gs)].map((m) => m[1]!.replace(/<[^>]+>/g, ""));
}

/** The text of the paragraph just before the list with this test id: its heading. */
function headingOf(html: string, testId: string): string | undefined {
  return new RegExp(`<p>([^<]*)</p><ul data-testid="${testId}">`).exec(html)?.[1];
}

describe("a publish refused by the server", () => {
  const problems = [
    problem("warning", "menu", "The prompt is long."),
    problem("error", "support", "A transfer needs a destination."),
    problem("warning", "start", "Nothing is said before the menu."),
  ];

  it("lists only the errors and the failed tests as what blocks it", () => {
    const html = renderToHtml(PublishBlocked, { problems, failedTests: [failedTest] });
    expect(headingOf(html, "blocking-problems")).toBe("Publishing is blocked by these problems:");
    expect(listItems(html, "blocking-problems")).toEqual(["support: A transfer needs a destination.", "✘ key 1 reaches sales: ended at hangup"]);
  });

  it("lists the warnings apart, saying they do not block", () => {
    const html = renderToHtml(PublishBlocked, { problems, failedTests: [] });
    expect(headingOf(html, "warnings")).toBe("These warnings do not block publishing:");
    expect(listItems(html, "warnings")).toEqual(["menu: The prompt is long.", "start: Nothing is said before the menu."]);
    expect(listItems(html, "blocking-problems")).toEqual(["support: A transfer needs a destination."]);
  });

  it("says nothing of warnings when there are none", () => {
    const html = renderToHtml(PublishBlocked, { problems: [problems[1]!], failedTests: [] });
    expect(html).not.toContain("do not block");
    expect(html).not.toContain('data-testid="warnings"');
  });
});

describe("a publish that would change nothing", () => {
  it("is told apart from other refusals by the problem's type, with the version calls run", () => {
    const body = { type: "https://ivrgraph.dev/problems/nothing-to-publish", status: 409, detail: "x", version: 3 };
    expect(nothingToPublish(body)).toBe(3);
    expect(nothingToPublish({ ...body, type: "https://ivrgraph.dev/problems/conflict" })).toBeNull();
    expect(nothingToPublish({ ...body, version: "3" })).toBeNull();
    expect(nothingToPublish(null)).toBeNull();
  });
});
