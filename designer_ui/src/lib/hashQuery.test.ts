import { describe, expect, it } from "vitest";
import { readHashQuery, withQuery, writeHashQuery } from "./hashQuery";

describe("a page's address query", () => {
  it("reads a plus as a plus: a number in a shared link is the number, not a space and digits", () => {
    expect(readHashQuery("caller=+34600111222&from=2026-12-07T15:30").get("caller")).toBe("+34600111222");
    expect(readHashQuery("?caller=%2B34600111222").get("caller")).toBe("+34600111222");
  });

  it("writes times and numbers readably, and escapes what would break the query", () => {
    const query = writeHashQuery([["caller", "+34 600 111 222"], ["from", "2026-12-07T15:30"], ["result", "a&b=c"]]);
    expect(query).toBe("caller=+34%20600%20111%20222&from=2026-12-07T15:30&result=a%26b%3Dc");
    expect(Object.fromEntries(readHashQuery(query))).toEqual({ caller: "+34 600 111 222", from: "2026-12-07T15:30", result: "a&b=c" });
  });

  it("leaves out what is unset, and a path has no ? without a query", () => {
    expect(writeHashQuery([["a", ""], ["b", "1"]])).toBe("b=1");
    expect(withQuery("/calls", [["a", ""]])).toBe("/calls");
    expect(withQuery("/calls", [["call", "c-1"]])).toBe("/calls?call=c-1");
  });

  it("skips a part it cannot decode and keeps the rest; the first of a name given twice wins", () => {
    const params = readHashQuery("caller=%E0%A4%A&status=failed&status=missed&=x&flag");
    expect(params.has("caller")).toBe(false);
    expect(params.get("status")).toBe("failed");
    expect(params.get("flag")).toBe("");
  });
});
