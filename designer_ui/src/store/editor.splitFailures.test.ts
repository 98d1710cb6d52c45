/**
 * The IVR's "Tell silence from wrong keys" (`split_failures`): turned on, its Too many tries handle becomes two,
 * Nothing pressed and Wrong keys, drawn from the catalog's exit rules with no code of the designer's own; turned
 * off again, the old connection comes back.
 */
import { beforeEach, describe, expect, it } from "vitest";
import catalogJson from "../lib/fixtures/catalog.json";
import { exitLabel } from "../lib/blockText";
import type { BlockSpec } from "../lib/catalog";
import type { ScenarioDocument } from "../lib/convert";
import { exitsFor } from "../lib/exits";
import { nodeExits } from "../lib/graph";
import { localizeSchema, unwiredHint } from "../lib/schemaText";
import { useEditor } from "./editor";

const specs = catalogJson as unknown as BlockSpec[];
const ivr = specs.find((spec) => spec.type === "ivr")!;
const menuConfig = { prompt: { text: "Pulse 1 para confirmar" }, options: [{ key: "1" }], max_tries: 2 };

const reminder: ScenarioDocument = {
  format: "ivrgraph.scenario/1",
  name: "Reminder",
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
    { id: "menu", type: "ivr", position: { x: 300, y: 0 }, config: menuConfig },
    { id: "confirmed", type: "hangup", position: { x: 600, y: 0 }, config: { result: "confirmed" } },
    { id: "silent", type: "hangup", position: { x: 600, y: 150 }, config: {} },
    { id: "wrong", type: "hangup", position: { x: 600, y: 300 }, config: { result: "invalid_key" } },
  ],
  edges: [
    { id: "start:next", source: "start", exit: "next", target: "menu" },
    { id: "menu:1", source: "menu", exit: "1", target: "confirmed" },
    { id: "menu:max_tries", source: "menu", exit: "max_tries", target: "silent" },
  ],
};

const editor = () => useEditor.getState();
const wiring = () => editor().edges.map((e) => `${e.source}:${e.sourceHandle}->${e.target}`);
const menuHandles = () => nodeExits(editor().nodes.find((n) => n.id === "menu")!, editor().catalog, editor().edges).map((e) => e.name);
const setSplit = (on: boolean) => editor().updateNode("menu", { config: { ...menuConfig, split_failures: on } });

beforeEach(() => {
  editor().setCatalog(specs);
  editor().load("reminder", structuredClone(reminder), 1);
});

describe("the IVR's split of its last failed try", () => {
  it("is off by default: one Too many tries exit, as before", () => {
    expect(exitsFor(ivr, menuConfig)).toEqual([
      { name: "1", label: "1" },
      { name: "max_tries", label: "Too many tries" },
      { name: "error", label: "error" },
    ]);
    expect(ivr.default_exits).toEqual(["max_tries"]);
  });

  it("gives Nothing pressed and Wrong keys in place of Too many tries, in menu and capture mode", () => {
    expect(exitsFor(ivr, { ...menuConfig, split_failures: true })).toEqual([
      { name: "1", label: "1" },
      { name: "no_input", label: "Nothing pressed" },
      { name: "invalid", label: "Wrong keys" },
      { name: "error", label: "error" },
    ]);
    expect(exitsFor(ivr, { mode: "capture", split_failures: true }).map((e) => e.name)).toEqual(["next", "no_input", "invalid", "error"]);
  });

  it("redraws the node's handles as the option is toggled, and keeps the Too many tries connection for its return", () => {
    setSplit(true);
    expect(menuHandles()).toEqual(["1", "no_input", "invalid", "error"]);
    expect(wiring()).toEqual(["start:next->menu", "menu:1->confirmed"]);
    editor().setExitTarget("menu", "no_input", "silent");
    editor().setExitTarget("menu", "invalid", "wrong");
    expect(editor().document().edges.map((e) => e.exit)).toEqual(["next", "1", "no_input", "invalid"]);

    setSplit(false);
    expect(menuHandles()).toEqual(["1", "max_tries", "error"]);
    expect(wiring()).toContain("menu:max_tries->silent");
    expect(wiring()).not.toContain("menu:no_input->silent");
  });

  it("says the option, its exits and what they do unwired in Spanish and Russian", () => {
    expect(localizeSchema(ivr.config_schema, "es").properties!.split_failures!.title).toBe("Distinguir el silencio de las teclas incorrectas");
    expect(localizeSchema(ivr.config_schema, "ru").properties!.split_failures!.description).toMatch(/^Выключено: после последней/);
    expect(exitLabel("es", "ivr", "no_input", "Nothing pressed")).toBe("Nada pulsado");
    expect(exitLabel("ru", "ivr", "invalid", "Wrong keys")).toBe("Неверные клавиши");
    expect(unwiredHint("es", "ivr", "invalid", ivr.unwired_meaning)).toBe(
      "Sin conectar: si se pulsó una tecla incorrecta y se agotaron los intentos, la llamada termina",
    );
  });
});
