import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SCENARIO_FIELD_HELP } from "../lib/descriptions";
import { decodeEntities, renderInLanguage, renderToHtml } from "./renderForTest";
import { changedResult, focusAfterDeleting, ResultRow } from "./ScenarioPanel";

// Review (a Spanish analyst): the example's results have descriptions ("Pulsó 1 y confirmó la fecha") that the
// results editor never showed, so nobody could read or edit them but in the JSON.
const noop = () => undefined;
const row = (result: { code: string; label: string; description?: string }) => ({
  number: 1,
  result,
  onCode: noop,
  onLabel: noop,
  onDescription: noop,
  onDelete: noop,
});

const textarea = (html: string) => /<label>([^<]*)<textarea([^>]*)>([^<]*)<\/textarea>/s.exec(html);

describe("a declared result's description", () => {
  it("is shown in a text area of its own, labelled, under the label", () => {
    const html = renderToHtml(ResultRow, row({ code: "will_pay", label: "Pagará", description: "Pulsó 1 y confirmó la fecha" }));
    const [, label, attributes, text] = textarea(html)!;
    expect(label!.trim()).toBe("Description");
    expect(attributes).toContain('name="result-description"');
    expect(attributes).toContain('maxLength="500"');
    expect(text).toBe("Pulsó 1 y confirmó la fecha");
    expect(html.indexOf('name="result-label"')).toBeLessThan(html.indexOf('name="result-description"'));
    expect(textarea(renderToHtml(ResultRow, row({ code: "x", label: "X" })))![3]).toBe("");
  });

  it("takes its help from the scenario format, and is named in Spanish and Russian", () => {
    const schema = JSON.parse(readFileSync(new URL("../../../schemas/scenario.schema.json", import.meta.url), "utf8"));
    expect(SCENARIO_FIELD_HELP.resultDescription).toBe(schema.$defs.result.properties.description.description);
    const es = renderInLanguage("es", ResultRow, row({ code: "x", label: "X" }));
    expect(textarea(es)![1]!.trim()).toBe("Descripción");
    expect(decodeEntities(/name="result-description"[^>]*title="([^"]*)"/.exec(es)?.[1] ?? "")).toMatch(/^Notas sobre el resultado/);
    expect(textarea(renderInLanguage("ru", ResultRow, row({ code: "x", label: "X" })))![1]!.trim()).toBe("Описание");
  });

  it("is changed keeping the rest, and emptied leaves no description behind", () => {
    const results = [{ code: "will_pay", label: "Pagará", description: "Pulsó 1" }];
    expect(changedResult(results, 0, { description: "Pulsó 1 y confirmó" })).toEqual([{ code: "will_pay", label: "Pagará", description: "Pulsó 1 y confirmó" }]);
    expect(changedResult(results, 0, { description: "" })).toEqual([{ code: "will_pay", label: "Pagará" }]);
  });
});

describe("where the focus goes after a result is deleted", () => {
  it("to the next result's code, else the one before, else the add button", () => {
    expect(focusAfterDeleting(0, 2)).toBe(0); // three results, the first deleted: the former second is now first
    expect(focusAfterDeleting(1, 2)).toBe(1);
    expect(focusAfterDeleting(2, 2)).toBe(1); // the last deleted: the one before it
    expect(focusAfterDeleting(0, 0)).toBe("add"); // none left
  });
});
