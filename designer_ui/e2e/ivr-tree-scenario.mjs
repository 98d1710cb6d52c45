// A large call flow shaped as analysts draw them, for the canvas's speed check: Start, then layers of blocks cycling
// IVR, SQL, Condition, Say Phrase, Transfer, Callback and Set Variable, every exit of a layer but `error` wired
// to a block of the next layer (about two connections into each), the last layer's exits left open. 821 blocks
// make 1,774 connections: the size of the scenario the canvas was first found slow on (821 and 1,757).
const CYCLE = ["ivr", "sql", "condition", "say_phrase", "transfer", "callback", "set_variable"];
const EXITS = {
  start: ["next"],
  ivr: ["1", "2", "3", "max_tries"],
  sql: ["found", "not_found"],
  condition: ["true", "false"],
  say_phrase: ["next"],
  transfer: ["answered", "busy", "no_answer", "failed"],
  callback: ["scheduled", "rejected"],
  set_variable: ["next"],
};
const ROW = 190; // the tallest block (five exits) and the layout's gap between two blocks of a column
const COLUMN = 320;

function configFor(type, i) {
  switch (type) {
    case "ivr":
      return { prompt: { text: `Menu ${i}: press 1, 2 or 3` }, options: [{ key: "1" }, { key: "2" }, { key: "3" }] };
    case "sql":
      return { source: "crm", query: `SELECT name FROM clients WHERE phone = :caller_id AND region = ${i}` };
    case "condition":
      return { expression: `caller_id != "${i}"` };
    case "say_phrase":
      return { text: `Phrase ${i} for {{ caller_id }}` };
    case "transfer":
      return { target: `${100 + i}` };
    case "callback":
      return { scenario: "missed-call" };
    case "set_variable":
      return { assignments: [{ variable: `v${i}`, value: `${i}` }] };
    default:
      return {};
  }
}

/** A scenario of `count` blocks in layers, placed as drawn (it opens with no layout). */
export function ivrTreeScenario(count) {
  const nodes = [{ id: "n0", type: "start", version: 1, label: "Start", config: {}, position: { x: 0, y: 0 } }];
  const edges = [];
  let layer = [nodes[0]];
  for (let depth = 1; nodes.length < count; depth += 1) {
    const exits = layer.flatMap((n) => EXITS[n.type].map((exit) => [n.id, exit]));
    const size = Math.min(count - nodes.length, Math.max(1, Math.ceil(exits.length / 2)));
    const next = [];
    for (let row = 0; row < size; row += 1) {
      const i = nodes.length;
      const type = CYCLE[(i - 1) % CYCLE.length];
      const node = { id: `n${i}`, type, version: 1, label: `${type} ${i}`, config: configFor(type, i) };
      node.position = { x: depth * COLUMN, y: row * ROW };
      nodes.push(node);
      next.push(node);
    }
    exits.forEach(([source, exit], k) => edges.push({ id: `${source}:${exit}`, source, exit, target: next[k % size].id }));
    layer = next;
  }
  return { format: "ivrgraph.scenario/1", name: `IVR tree ${count}`, language: "en", variables: [], nodes, edges };
}
