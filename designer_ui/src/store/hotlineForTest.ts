/**
 * For the editor's placement tests (palette adds, growth, paste): the QA review's hotline as saved, close together,
 * and how to tell which blocks overlap. A scenario opened with its positions: no layout has placed anything.
 */
import type { BlockNode, ScenarioDocument } from "../lib/convert";
import { nodeExits } from "../lib/graph";
import { layoutSize } from "../lib/layout";
import { useEditor } from "./editor";

export const editor = () => useEditor.getState();
export const menu = (...keys: string[]) => ({ prompt: { text: "Main menu" }, options: keys.map((key) => ({ key })) });
/** As the stylesheet draws a block: a head and summary, then a 20 px row per exit. */
export const drawn = (node: BlockNode) => 50 + 20 * nodeExits(node, editor().catalog, editor().edges).length;
export const at = (id: string) => editor().nodes.find((n) => n.id === id)!.position;
const boxOf = (node: BlockNode) => ({ ...node.position, ...layoutSize(node, (n) => nodeExits(n, editor().catalog, editor().edges).length) });

/** The pairs of blocks that overlap, at their measured sizes or, for one not drawn yet, the layout's guess. */
export function overlapping(): string[] {
  const nodes = editor().nodes;
  return nodes.flatMap((a, i) =>
    nodes.slice(i + 1).flatMap((b) => {
      const [p, q] = [boxOf(a), boxOf(b)];
      const apart = p.x + p.width <= q.x || q.x + q.width <= p.x || p.y + p.height <= q.y || q.y + q.height <= p.y;
      return apart ? [] : [`${a.id}/${b.id}`];
    }),
  );
}

/**
 * Start, the "Main menu" (keys 1 and 2: 5 exits with max_tries and error, drawn 150 px tall) with "Closed" 20 px
 * under it, and Sales and Support in the next column, right of the menu: as the QA scenario had them, so close
 * that 40 px down and right of any of them is over one of them.
 */
export const hotline: ScenarioDocument = {
  format: "ivrgraph.scenario/1",
  name: "Hotline",
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
    { id: "main_menu", type: "ivr", label: "Main menu", position: { x: 300, y: 0 }, config: menu("1", "2") },
    { id: "closed", type: "hangup", label: "Closed", position: { x: 300, y: 170 }, config: {} },
    { id: "sales", type: "transfer", label: "Sales", position: { x: 610, y: 0 }, config: { target: "101" } },
    { id: "support", type: "transfer", label: "Support", position: { x: 610, y: 160 }, config: { target: "102" } },
  ],
  edges: [
    { id: "start:next", source: "start", exit: "next", target: "main_menu" },
    { id: "main_menu:1", source: "main_menu", exit: "1", target: "sales" },
    { id: "main_menu:2", source: "main_menu", exit: "2", target: "support" },
  ],
};
