/** What differs between two versions of a draft, block by block: what the conflict view lists. */
import type { ScenarioDocument } from "./convert";
import { jsonEqual } from "./exits";

export interface DraftComparison {
  onlyMine: string[];
  onlyTheirs: string[];
  /** Blocks in both whose settings differ, titled as each side names them. */
  changed: { mine: string; theirs: string }[];
  edgesDiffer: boolean;
  headDiffers: boolean;
}

function nodeTitle(node: { id: string; label?: string }): string {
  return node.label ? `${node.label} (${node.id})` : node.id;
}

export function compareDrafts(mine: ScenarioDocument, theirs: ScenarioDocument): DraftComparison {
  const theirNodes = new Map(theirs.nodes.map((n) => [n.id, n]));
  const myIds = new Set(mine.nodes.map((n) => n.id));
  const stripPosition = ({ position: _p, ...rest }: (typeof mine.nodes)[number]) => rest;
  const edgeKey = (e: { source: string; exit: string; target: string }) => `${e.source}|${e.exit}|${e.target}`;
  const { nodes: _mn, edges: myEdges, viewport: _mv, ...myHead } = mine;
  const { nodes: _tn, edges: theirEdges, viewport: _tv, ...theirHead } = theirs;
  return {
    onlyMine: mine.nodes.filter((n) => !theirNodes.has(n.id)).map(nodeTitle),
    onlyTheirs: theirs.nodes.filter((n) => !myIds.has(n.id)).map(nodeTitle),
    changed: mine.nodes
      .filter((n) => {
        const other = theirNodes.get(n.id);
        return other !== undefined && !jsonEqual(stripPosition(n), stripPosition(other));
      })
      .map((n) => ({ mine: nodeTitle(n), theirs: nodeTitle(theirNodes.get(n.id)!) })),
    edgesDiffer: !jsonEqual(myEdges.map(edgeKey).sort(), theirEdges.map(edgeKey).sort()),
    headDiffers: !jsonEqual(myHead, theirHead),
  };
}

/** As JSON has it: a key set to undefined is no key. */
const plain = (document: ScenarioDocument): ScenarioDocument => JSON.parse(JSON.stringify(document)) as ScenarioDocument;

/**
 * Whether two documents are the same call flow: the same blocks with the same settings, the same connections,
 * the same scenario settings. Where the blocks sit on the canvas, their order and the saved view do not count.
 */
export function sameFlow(a: ScenarioDocument, b: ScenarioDocument): boolean {
  const diff = compareDrafts(plain(a), plain(b));
  return !diff.onlyMine.length && !diff.onlyTheirs.length && !diff.changed.length && !diff.edgesDiffer && !diff.headDiffers;
}
