// A scenario with no positions, so the designer lays it out on open: a 12-key IVR menu, a block of a plugin that
// is not installed (its exits are the ones wired) and two phrases share a column; every key and exit leads on.
const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "*", "#"];
const MEANINGS = ["ventas", "soporte técnico y reclamaciones de facturación", "facturación", "altas", "bajas", "portabilidad",
  "averías", "pedidos", "repetir", "operador", "menú anterior", "salir"];
const PLUGIN_EXITS = ["sent", "queued", "rejected", "busy", "no_answer", "failed"];

export function unplacedScenario() {
  const nodes = [
    { id: "start", type: "start", config: {} },
    {
      id: "route",
      type: "switch",
      config: { value: "line", cases: ["menu", "hours", "fax", "info"].map((exit) => ({ exit, equals: exit })) },
    },
    {
      id: "menu",
      type: "ivr",
      label: "Menú principal",
      config: { prompt: { text: "Para ventas pulse 1, para soporte pulse 2..." }, options: KEYS.map((key, i) => ({ key, label: MEANINGS[i] })) },
    },
    { id: "fax", type: "fax_gateway", config: { number: "{{ caller_id }}" } },
    { id: "hours", type: "say_phrase", config: { text: "Nuestro horario es de 9 a 18." } },
    { id: "info", type: "say_phrase", config: { text: "Información general." } },
    { id: "bye", type: "say_phrase", config: { text: "Adiós" } },
  ];
  const edges = [
    { source: "start", exit: "next", target: "route" },
    { source: "route", exit: "menu", target: "menu" },
    { source: "route", exit: "hours", target: "hours" },
    { source: "route", exit: "fax", target: "fax" },
    { source: "route", exit: "info", target: "info" },
    { source: "route", exit: "default", target: "bye" },
  ];
  KEYS.forEach((key, i) => {
    nodes.push({ id: `queue_${i}`, type: "transfer", label: `Cola ${MEANINGS[i]}`, config: { target: `${200 + i}` } });
    edges.push({ source: "menu", exit: key, target: `queue_${i}` });
  });
  nodes.push({ id: "fax_done", type: "hangup", config: {} });
  for (const exit of PLUGIN_EXITS) edges.push({ source: "fax", exit, target: "fax_done" });
  return { format: "ivrgraph.scenario/1", name: "Unplaced menu", language: "es", variables: [], nodes, edges };
}
