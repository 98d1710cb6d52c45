import { describe, expect, it } from "vitest";
import { configFieldOf, countProblems, normalizeProblems, severityByNode, sortProblems, type Problem } from "./problems";

const problems: Problem[] = [
  { severity: "warning", code: "unreachable", message: "Never reached", node: "b" },
  { severity: "error", code: "schema", message: "Destination is required", node: "b", path: "$.nodes[1].config.target" },
  { severity: "error", code: "no_start", message: "No Start block" },
  { severity: "warning", code: "dangling_exit", message: "Key 9 goes nowhere", node: "a" },
];

describe("problem display", () => {
  it("counts errors and warnings", () => {
    expect(countProblems(problems)).toEqual({ errors: 2, warnings: 2 });
  });
  it("orders errors first, scenario-wide before nodes, nodes in canvas order", () => {
    expect(sortProblems(problems, ["a", "b"]).map((p) => p.code)).toEqual(["no_start", "schema", "dangling_exit", "unreachable"]);
  });
  it("marks each node with its worst severity", () => {
    expect(Object.fromEntries(severityByNode(problems))).toEqual({ a: "warning", b: "error" });
  });
  it("finds the config field a problem points at", () => {
    expect(configFieldOf("$.nodes[1].config.target")).toBe("target");
    expect(configFieldOf("$.nodes[3].config.options[1].key")).toBe("options");
    expect(configFieldOf("$.edges[0]")).toBeNull();
    expect(configFieldOf(undefined)).toBeNull();
  });
  it("normalizes structure problems (path and message only) into scenario errors", () => {
    expect(normalizeProblems([{ path: "$.nodes[0].id", message: "bad id" }, null, "x"])).toEqual([
      { severity: "error", code: "structure", message: "bad id", node: null, path: "$.nodes[0].id" },
    ]);
    expect(normalizeProblems(undefined)).toEqual([]);
  });
});
