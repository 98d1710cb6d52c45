import { describe, expect, it } from "vitest";
import catalogJson from "./fixtures/catalog.json";
import cases from "./fixtures/exit-cases.json";
import { catalogFrom, type BlockSpec } from "./catalog";
import { exitsFor, jsonEqual } from "./exits";

const catalog = catalogFrom(catalogJson as unknown as BlockSpec[]);
const spec = (type: string) => catalog.get(type)!;

describe("exitsFor", () => {
  it.each(cases)("matches the Python interpreter for $type $config", ({ type, config, exits }) => {
    expect(exitsFor(spec(type), config).map((e) => e.name)).toEqual([...exits, "error"]);
  });

  it("adds and removes IVR key handles as options change", () => {
    const ivr = spec("ivr");
    const before = exitsFor(ivr, { options: [{ key: "1" }, { key: "2" }] }).map((e) => e.name);
    const after = exitsFor(ivr, { options: [{ key: "2" }, { key: "9" }] }).map((e) => e.name);
    expect(before).toEqual(["1", "2", "max_tries", "error"]);
    expect(after).toEqual(["2", "9", "max_tries", "error"]);
  });

  it("compares a missing field as its schema default", () => {
    // ivr.mode defaults to "menu", so key exits apply without the field.
    expect(exitsFor(spec("ivr"), { options: [{ key: "5" }] })[0]).toEqual({ name: "5", label: "5" });
    expect(exitsFor(spec("ivr"), { mode: "capture" }).map((e) => e.name)).toContain("next");
  });

  it("uses rule labels, and label_from when a rule names one", () => {
    const custom: BlockSpec = {
      ...spec("switch"),
      exit_rules: [{ each: "cases", name_from: "exit", label_from: "title" }, { name: "default", label: "Otherwise" }],
    };
    expect(exitsFor(custom, { cases: [{ exit: "a", title: "Gold" }] })).toEqual([
      { name: "a", label: "a: Gold" },
      { name: "default", label: "Otherwise" },
      { name: "error", label: "error" },
    ]);
  });

  it("labels a key handle with the key's meaning when it has one", () => {
    expect(exitsFor(spec("ivr"), { options: [{ key: "1", label: "Ventas" }, { key: "2", label: " " }] }).slice(0, 2)).toEqual([
      { name: "1", label: "1: Ventas" },
      { name: "2", label: "2" },
    ]);
  });

  it("ignores malformed list items instead of failing", () => {
    expect(exitsFor(spec("ivr"), { options: [null, 3, "x", { label: "no key" }, { key: 7 }] }).map((e) => e.name)).toEqual([
      "7",
      "max_tries",
      "error",
    ]);
    expect(exitsFor(spec("ivr"), { options: "oops" }).map((e) => e.name)).toEqual(["max_tries", "error"]);
  });
});

describe("jsonEqual", () => {
  it("is deep and order-insensitive for objects only", () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: undefined }, {})).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
  });
});
