import { describe, expect, it } from "vitest";
import { codeSpans, withoutBackticks } from "./inlineCode";

const code = (text: string) => ({ text, code: true });
const plain = (text: string) => ({ text, code: false });

describe("Markdown code spans in text", () => {
  it("splits text at its code spans", () => {
    expect(codeSpans("the answer is stored in `result`.")).toEqual([plain("the answer is stored in "), code("result"), plain(".")]);
    expect(codeSpans("`a` and `b`")).toEqual([code("a"), plain(" and "), code("b")]);
    expect(codeSpans("no code here")).toEqual([plain("no code here")]);
    expect(codeSpans("")).toEqual([]);
  });

  it("leaves a lone backtick as it is, and reads double backticks around one", () => {
    expect(codeSpans("it's `unclosed")).toEqual([plain("it's `unclosed")]);
    expect(codeSpans("``a ` b`` then")).toEqual([code("a ` b"), plain(" then")]);
    expect(codeSpans("`` `x` ``")).toEqual([code("`x`")]);
  });

  it("takes the backticks off for a tooltip", () => {
    expect(withoutBackticks("Stored in the call's `result` variable")).toBe("Stored in the call's result variable");
  });
});
