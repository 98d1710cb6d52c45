// A large, valid-looking scenario for the performance check: Start, then a tree of menus, phrases, variable
// settings and transfers, every exit of a block leading to the next blocks in breadth-first order.
const EXITS = { start: ["next"], ivr: ["1", "2", "3"], say_phrase: ["next"], set_variable: ["next"], transfer: [] };
const CYCLE = ["ivr", "say_phrase", "set_variable", "say_phrase", "transfer"];

function configFor(type, i) {
  switch (type) {
    case "ivr":
      return { prompt: { text: `Menú ${i}: pulse 1, 2 o 3` }, options: [{ key: "1" }, { key: "2" }, { key: "3" }] };
    case "say_phrase":
      return { text: `Frase ${i} para {{ caller_id }}` };
    case "set_variable":
      return { assignments: [{ variable: `v${i}`, value: `${i}` }] };
    case "transfer":
      return { target: `${100 + i}` };
    default:
      return {};
  }
}

export function bigScenario(count) {
  const nodes = [];
  const edges = [];
  const depth = new Map();
  const free = []; // [source id, exit] waiting for a target, breadth first
  for (let i = 0; i < count; i += 1) {
    const id = `n${i}`;
    const type = i === 0 ? "start" : CYCLE[i % CYCLE.length];
    if (i > 0) {
      const [source, exit] = free.shift() ?? [`n${i - 1}`, "error"];
      edges.push({ id: `${source}:${exit}`, source, exit, target: id });
      depth.set(id, (depth.get(source) ?? 0) + 1);
    } else depth.set(id, 0);
    for (const exit of EXITS[type]) free.push([id, exit]);
    nodes.push({ id, type, version: 1, label: `${type} ${i}`, config: configFor(type, i) });
  }
  // Layered positions so the document opens as drawn (no layout on open).
  const rows = new Map();
  for (const n of nodes) {
    const d = depth.get(n.id);
    const row = rows.get(d) ?? 0;
    rows.set(d, row + 1);
    n.position = { x: d * 300, y: row * 150 };
  }
  return { format: "ivrgraph.scenario/1", name: `Big ${count}`, language: "es", variables: [], nodes, edges };
}
