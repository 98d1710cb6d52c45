/**
 * Test rows for one SQL block. A test call's rows are given per data source, every query on it alike; two lookups on
 * one source (`lookup` reads accounts, `last_pay` payments) then got the same rows, so the second failed ("the result
 * has no column 'amount'") and no test call could have the first find a row and the second none (review: only a
 * second data source could test it). Rows sent as `data_rows["#last_pay"]` are that block's own and win over its
 * source's (graph_engine.services.StaticDataSources). The panel offers them for each SQL block whose source another
 * SQL block queries too: a source with one block needs no more than the source's rows.
 */
import type { BlockNode } from "./convert";
import type { TestSource } from "./testCallInputs";

/** How `data_rows` names one SQL block's rows rather than a source's: no source name starts with it. */
export const BLOCK_ROWS_PREFIX = "#";

/** An SQL block a test call may give rows of its own: `name` is its `data_rows` key (`#id`). */
export interface TestSqlBlock extends TestSource {
  id: string;
  label: string;
  source: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

export function sqlBlocksSharingASource(nodes: readonly Pick<BlockNode, "id" | "data">[]): TestSqlBlock[] {
  const blocks: TestSqlBlock[] = [];
  for (const { id, data } of nodes) {
    const source = data.config.source;
    if (data.blockType !== "sql" || typeof source !== "string" || source === "") continue;
    const columns = isRecord(data.config.columns) ? Object.keys(data.config.columns) : [];
    blocks.push({ name: `${BLOCK_ROWS_PREFIX}${id}`, id, label: data.label?.trim() || id, source, columns });
  }
  const perSource = new Map<string, number>();
  for (const block of blocks) perSource.set(block.source, (perSource.get(block.source) ?? 0) + 1);
  return blocks
    .filter((block) => (perSource.get(block.source) ?? 0) > 1)
    .sort((a, b) => a.source.localeCompare(b.source) || a.label.localeCompare(b.label));
}
