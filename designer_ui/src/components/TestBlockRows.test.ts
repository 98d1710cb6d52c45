// Finding (a team moving from Twilio Studio): two lookups on one data source (`lookup` reads accounts, `last_pay`
// payments) got the same test rows, so the second failed and no Test call could have the first find a row and the
// second none. The panel now offers rows for each such SQL block, sent as `data_rows["#id"]`.
import { describe, expect, it } from "vitest";
import type { BlockNode } from "../lib/convert";
import { sqlBlocksSharingASource } from "../lib/testBlockRows";
import { sqlSources, testCallValues } from "../lib/testCallInputs";
import { renderInLanguage, renderToHtml, decodeEntities } from "./renderForTest";
import { TestBlockRowsFields } from "./TestBlockRows";
import { testCallRequest } from "./TestCallPanel";

const sql = (id: string, source: string, columns: Record<string, string>, label = ""): BlockNode => ({
  id,
  type: "block",
  position: { x: 0, y: 0 },
  data: { blockType: "sql", label, config: { source, query: "SELECT 1", columns } },
});

const nodes = [
  sql("lookup", "billing", { holder: "holder" }, "Find the account"),
  sql("last_pay", "billing", { amount: "last_amount" }),
  sql("staff", "crm", { name: "name" }),
];

describe("rows for one SQL block", () => {
  it("are offered for each SQL block whose source another SQL block queries too, named #id", () => {
    const blocks = sqlBlocksSharingASource(nodes);
    expect(blocks.map((block) => [block.name, block.label, block.source, block.columns])).toEqual([
      ["#lookup", "Find the account", "billing", ["holder"]],
      ["#last_pay", "last_pay", "billing", ["amount"]],
    ]);
  });

  it("are sent in data_rows beside the source's, and rows that cannot be read are named by the block", () => {
    const sources = [...sqlSources(nodes), ...sqlBlocksSharingASource(nodes)];
    const values = testCallValues([], sources, { variables: {}, rows: { billing: '[{"holder": "Ana"}]', "#last_pay": "[]" } });
    expect(values.dataRows).toEqual({ billing: [{ holder: "Ana" }], "#last_pay": [] });
    expect(values.problems).toEqual({});
    const fields = { keys: "", callerId: "", callerName: "", transfers: "", moment: "2026-03-02T10:00:00+03:00" };
    expect(testCallRequest(undefined, fields, values).data_rows).toEqual({ billing: [{ holder: "Ana" }], "#last_pay": [] });

    const broken = testCallValues([], sources, { variables: {}, rows: { "#last_pay": "[1" } });
    expect(Object.keys(broken.problems)).toEqual(["rows:#last_pay"]);
    expect(broken.dataRows).toEqual({});
  });

  it("have a box each, labelled with the block and its source, in every language", () => {
    const props = { blocks: sqlBlocksSharingASource(nodes), texts: { variables: {}, rows: { "#last_pay": "[]" } }, problems: {}, onChange: () => undefined };
    const html = decodeEntities(renderToHtml(TestBlockRowsFields, props));
    expect(html).toContain('name="rows-#last_pay"');
    expect(html).toContain("Rows block “Find the account” gets (instead of “billing”)");
    expect(html).toMatch(/<textarea name="rows-#last_pay"[^>]*>\[\]<\/textarea>/);
    expect(html).toContain('placeholder="[{"amount":"…"}]"');
    expect(decodeEntities(renderInLanguage("es", TestBlockRowsFields, props))).toContain("Filas que recibe el bloque «last_pay» (en lugar de «billing»)");
    expect(decodeEntities(renderInLanguage("ru", TestBlockRowsFields, props))).toContain("Строки, которые получает блок «last_pay» (вместо «billing»)");
  });

  // Finding (an accessibility review, screen reader): a box that could not be read was not said to be invalid, nor
  // described by what is wrong with it.
  it("are marked invalid and described by what is wrong, said where in the analyst's language", () => {
    const blocks = sqlBlocksSharingASource(nodes);
    const texts = { variables: {}, rows: { "#last_pay": '{"id": 7 "name": "Ana"}' } };
    const { problems } = testCallValues([], blocks, texts);
    const html = decodeEntities(renderInLanguage("ru", TestBlockRowsFields, { blocks, texts, problems, onChange: () => undefined }));
    const box = /<textarea name="rows-#last_pay"[^>]*>/.exec(html)?.[0] ?? "";
    expect(box).toContain('aria-invalid="true"');
    const described = / aria-describedby="([^"]+)"/.exec(box)?.[1];
    expect(described).toBeTruthy();
    expect(html).toContain(`<p id="${described}" class="error-text" role="alert">Не JSON: строка 1, столбец 10</p>`);
    const fine = /<textarea name="rows-#lookup"[^>]*>/.exec(html)?.[0] ?? "";
    expect(fine).not.toContain("aria-invalid");
    expect(fine).not.toContain("aria-describedby");
  });

  it("are not offered when each source has one SQL block", () => {
    const html = renderToHtml(TestBlockRowsFields, { blocks: sqlBlocksSharingASource([nodes[2]!]), texts: { variables: {}, rows: {} }, problems: {}, onChange: () => undefined });
    expect(html).toBe("");
  });
});
