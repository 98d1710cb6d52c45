import { describe, expect, it } from "vitest";
import { ApiError } from "../api/http";
import type { TestOutcome } from "../api/types";
import { translator } from "../lib/i18n";
import type { Problem } from "../lib/problems";
import { PublishBlocked, SemanticDiff, nothingToPublish, publishFailureText, publishRefusal } from "./PublishDialog";
import { renderInLanguage, renderToHtml } from "./renderForTest";

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
    expect(listItems(html, "blocking-problems")).toEqual(["A transfer needs a destination.", "✘ key 1 reaches sales: ended at hangup"]);
  });

  it("lists the warnings apart, saying they do not block", () => {
    const html = renderToHtml(PublishBlocked, { problems, failedTests: [] });
    expect(headingOf(html, "warnings")).toBe("These warnings do not block publishing:");
    expect(listItems(html, "warnings")).toEqual(["The prompt is long.", "Nothing is said before the menu."]);
    expect(listItems(html, "blocking-problems")).toEqual(["A transfer needs a destination."]);
  });

  // Review, 2026-12 (Russian analyst): «transfer: Перевод «Продажи»: …» led each line with the block's internal id.
  it("does not lead a problem with the block's internal id: its sentence names the block; the id stays on the line", () => {
    const html = renderToHtml(PublishBlocked, { problems: [problems[1]!], failedTests: [] });
    expect(html).not.toContain("support:");
    expect(html).toContain('data-node="support"');
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


describe("a publish another publish overtook", () => {
  const t = translator("en");
  const meanwhile = {
    type: "https://ivrgraph.dev/problems/published-meanwhile",
    status: 409,
    detail: "another publish of 'hotline' landed first as version 4; reload the scenario and publish again",
    version: 4,
  };

  it("is told apart from a publish that would change nothing", () => {
    expect(publishRefusal(meanwhile)).toEqual({ kind: "published-meanwhile", version: 4 });
    expect(nothingToPublish(meanwhile)).toBeNull();
    expect(publishRefusal({ ...meanwhile, type: "https://ivrgraph.dev/problems/nothing-to-publish" })).toEqual({ kind: "nothing-to-publish", version: 4 });
  });

  it("says this one was not published and which version landed, not 'Something went wrong'", () => {
    const text = publishFailureText(t, new ApiError(409, meanwhile, meanwhile.detail));
    expect(text).toContain("Not published");
    expect(text).toContain("version 4");
    expect(text).not.toContain("Something went wrong");
    expect(text).not.toContain("{version}");
  });

  it("is said in every interface language with its version", () => {
    for (const language of ["es", "ru"] as const) {
      const text = publishFailureText(translator(language), new ApiError(409, meanwhile, meanwhile.detail));
      expect(text).toContain("4");
      expect(text).not.toContain("{version}");
      expect(text).not.toBe(publishFailureText(t, new ApiError(409, meanwhile, meanwhile.detail)));
    }
  });

  it("leaves a publish that would change nothing, and other failures, as they were said", () => {
    const nothing = { ...meanwhile, type: "https://ivrgraph.dev/problems/nothing-to-publish", version: 3 };
    expect(publishFailureText(t, new ApiError(409, nothing, "x"))).toBe(t("publish.nothingToPublish", { version: 3 }));
    const conflict = { ...meanwhile, type: "https://ivrgraph.dev/problems/conflict" };
    expect(publishFailureText(t, new ApiError(409, conflict, "it clashed"))).toBe("Something went wrong: it clashed");
    // A 409 body read from another status is not taken for a refusal.
    expect(publishFailureText(t, new ApiError(500, meanwhile, "boom"))).toBe("Something went wrong: boom");
  });
});

describe("the changes of a version, in the publish dialog", () => {
  it("are worded in the interface language, not as the server's English summary", () => {
    const diff = {
      empty: false,
      changes: [{ kind: "keys_added", node: "ivr", label: "Главное меню", type: "ivr", keys: ["0"] }],
      summary: ['"ivr" now offers key(s) 0'],
    };
    const html = renderInLanguage("ru", SemanticDiff, { diff });
    expect(html).toContain("<li>в блоке «Главное меню» добавлена клавиша 0</li>");
    expect(html).not.toContain("now offers");
  });

  // Review, 2026-12: «Подробности» printed the server's JSON keys in English (Blocks Changed, Keys Changed, hours).
  it("show no raw detail of the server's diff: each change is a line in the interface language", () => {
    const diff = {
      empty: false,
      changes: [{ kind: "keys_added", node: "ivr", label: "Главное меню", type: "ivr", keys: ["9"] }],
      keys_changed: [{ node: "ivr", added: ["9"], removed: [] }],
      blocks_changed: [{ id: "ivr", type: "ivr", label: "Главное меню", fields: ["options"], values: [] }],
      summary: ['"ivr" now offers key(s) 9'],
    };
    const html = renderInLanguage("ru", SemanticDiff, { diff });
    expect(html).toContain("<li>в блоке «Главное меню» добавлена клавиша 9</li>");
    expect(html).not.toMatch(/Keys Changed|Blocks Changed|Подробности|options/);
  });
});
