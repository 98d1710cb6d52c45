import { describe, expect, it } from "vitest";
import { ApiError } from "../api/http";
import { distinctName, importFailureOf, jsonErrorLine, nameRoot, readScenarioFile } from "./importFile";

const exported = { format: "ivrgraph.scenario/1", name: "QA Menu", nodes: [], edges: [] };

describe("what an imported file holds", () => {
  it("an export from before exports named their slug: a copy's slug is made from its name", () => {
    expect(readScenarioFile(JSON.stringify(exported, null, 2), "qa.json")).toEqual({ ok: true, document: exported, slugBase: "qa-menu", fileSlug: null });
  });

  it("an export names the slug it was exported under, which the import keeps", () => {
    const named = { ...exported, meta: { tests: [], exported_from: { slug: "billing", name: "Billing" } } };
    expect(readScenarioFile(JSON.stringify(named), "x.json")).toEqual({ ok: true, document: named, slugBase: "billing", fileSlug: "billing" });
    const odd = { ...exported, meta: { exported_from: { slug: "Not A Slug" } } };
    expect(readScenarioFile(JSON.stringify(odd), "x.json")).toMatchObject({ slugBase: "qa-menu", fileSlug: null });
  });

  it("a file wrapping the document keeps the slug it names", () => {
    const read = readScenarioFile(JSON.stringify({ slug: "qa-menu-old", document: exported }), "x.json");
    expect(read).toEqual({ ok: true, document: exported, slugBase: "qa-menu-old", fileSlug: "qa-menu-old" });
  });

  it("a byte-order mark before the JSON (Windows editors) is no error", () => {
    expect(readScenarioFile(`\uFEFF${JSON.stringify(exported)}`, "qa.json").ok).toBe(true);
  });

  it("a file that is not JSON says so, not in the parser's words (QA)", () => {
    for (const text of ['{\n  "name": "QA Menu",\n  "nodes": [,]\n}\n', "%PDF-1.7\n%âãÏÓ\n", ""]) {
      const read = readScenarioFile(text, "x.json");
      expect(read.ok).toBe(false);
      expect(!read.ok && read.failure.kind).toBe("notJson");
    }
    // Cut short: every engine says the input ended, so the line is the file's last.
    expect(readScenarioFile('{\n  "name": "QA Menu",\n  "nodes": [\n\n', "x.json")).toEqual({
      ok: false,
      failure: { kind: "notJson", line: 3 },
    });
  });

  it("JSON that is no document (a list, a number, null) is not a scenario", () => {
    for (const text of ["[1, 2]", "42", "null", '"menu"', '{"document": 5}']) {
      expect(readScenarioFile(text, "x.json")).toEqual({ ok: false, failure: { kind: "notScenario" } });
    }
  });
});

describe("the line a file stops being JSON on", () => {
  const lineOf = (text: string) => {
    try {
      JSON.parse(text);
    } catch (error) {
      return jsonErrorLine(text, error);
    }
    return "parsed";
  };

  it("a file cut short is wrong on its last line, not on the empty one after it", () => {
    expect(lineOf('{\n  "name": "QA Menu",\n  "nodes": [\n\n')).toBe(3);
  });

  it("reads Firefox's and V8's wordings, and gives no line when the engine names no place", () => {
    const text = '{\n  "a": 1,\n  "b": [,]\n}';
    expect(jsonErrorLine(text, new SyntaxError("JSON.parse: unexpected character at line 3 column 9 of the JSON data"))).toBe(3);
    expect(jsonErrorLine(text, new SyntaxError("Unexpected token ',', ... is not valid JSON at position 21"))).toBe(3);
    expect(jsonErrorLine(text, new SyntaxError("JSON Parse error: Unexpected comma"))).toBeNull();
  });
});

describe("the name of an imported copy", () => {
  it("keeps the name when no scenario has it", () => {
    expect(distinctName("QA Menu", ["Other", "QA Menu old"])).toBe("QA Menu");
  });

  it("numbers it with the next free number when one has it (QA: two rows read \"QA Menu\")", () => {
    expect(distinctName("QA Menu", ["QA Menu"])).toBe("QA Menu (2)");
    expect(distinctName("QA Menu", ["QA Menu", "QA Menu (2)", "QA Menu (3)", "QA Menu (5)"])).toBe("QA Menu (4)");
  });

  it("numbers a numbered copy from its root, not \"QA Menu (2) (2)\"", () => {
    expect(distinctName("QA Menu (2)", ["QA Menu", "QA Menu (2)"])).toBe("QA Menu (3)");
    expect(nameRoot("QA Menu (12)")).toBe("QA Menu");
    expect(nameRoot("(2)")).toBe("(2)");
  });

  it("compares names as the list reads them: case and outer spaces aside", () => {
    expect(distinctName("qa menu ", ["QA Menu"])).toBe("qa menu (2)");
  });

  it("stays within the API's 200 characters", () => {
    const long = "M".repeat(200);
    const copy = distinctName(long, [long]);
    expect(copy).toHaveLength(200);
    expect(copy.endsWith(" (2)")).toBe(true);
  });
});

describe("a refused import", () => {
  it("lists every problem of the server's 422, not only the first (QA)", () => {
    const body = {
      detail: "the document breaks the scenario format: $.nodes[0].id: 'a b' does not match",
      problems: [
        { path: "$.nodes[0].id", message: "'a b' does not match '^[A-Za-z_][A-Za-z0-9_-]*$'" },
        { path: "$.nodes[1]", message: "'type' is a required property" },
        { path: "$.edges[0].exit", message: "42 is not of type 'string'" },
      ],
    };
    expect(importFailureOf(new ApiError(422, body, body.detail))).toEqual({ kind: "problems", problems: body.problems });
  });

  it("any other failure is its message", () => {
    expect(importFailureOf(new ApiError(0, null, "the server did not answer"))).toEqual({ kind: "message", message: "the server did not answer" });
    expect(importFailureOf(new ApiError(409, { detail: "scenario exists", problems: [] }, "scenario exists"))).toEqual({
      kind: "message",
      message: "scenario exists",
    });
  });
});
