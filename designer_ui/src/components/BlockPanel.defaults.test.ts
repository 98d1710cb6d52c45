/**
 * Looking at a block is no edit: the config form fills in the schema's defaults when it opens (an IVR saved
 * without `mode` shows "menu"), and rjsf reports that as a change. Stored, it saved a new draft revision, left an
 * undo step, and gave anyone else with the scenario open a stale revision.
 */
import { readdirSync, readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import catalogJson from "../lib/fixtures/catalog.json";
import { defaultConfig, type BlockSpec, type Config } from "../lib/catalog";
import type { ScenarioDocument } from "../lib/convert";
import { useEditor } from "../store/editor";
import { BlockConfigForm, formEdit, formFilled } from "./BlockPanel";
import { renderToHtml } from "./renderForTest";

const specs = catalogJson as unknown as BlockSpec[];
const spec = (type: string) => specs.find((b) => b.type === type)!;
const formContext = { variables: [], nodes: [], scenarios: [], audio: [], dataSources: [], language: "en" };
const editor = () => useEditor.getState();

/** What the form reports while it is drawn for `config` (rjsf reports its filling in as it is constructed). */
function changesOnOpening(type: string, config: Config): Config[] {
  const reported: Config[] = [];
  renderToHtml(BlockConfigForm, { nodeId: "n", spec: spec(type), config, formContext, readOnly: false, onChange: (c) => reported.push(c) });
  return reported;
}

const examplesDir = new URL("../../../examples/", import.meta.url);
const examples = readdirSync(examplesDir)
  .filter((name) => name.endsWith(".json") && !name.endsWith(".tests.json"))
  .map((name) => JSON.parse(readFileSync(new URL(name, examplesDir), "utf8")) as ScenarioDocument);

describe("opening a block's form", () => {
  it("reports no change for a block saved without its defaulted fields (the IVR of the review)", () => {
    expect(changesOnOpening("ivr", { prompt: { text: "Pulse 1" }, options: [{ key: "1" }] })).toEqual([]);
    expect(changesOnOpening("ivr", {})).toEqual([]);
  });

  it.each(specs.map((s) => s.type))("reports no change for a %s block, bare or as dropped from the palette", (type) => {
    expect(changesOnOpening(type, {})).toEqual([]);
    expect(changesOnOpening(type, defaultConfig(spec(type)))).toEqual([]);
  });

  it("reports no change for any block of the seeded examples", () => {
    const changed = examples.flatMap((doc) =>
      doc.nodes.filter((n) => specs.some((s) => s.type === n.type) && changesOnOpening(n.type, n.config as Config).length > 0).map((n) => `${doc.name}/${n.id}`),
    );
    expect(changed).toEqual([]);
  });
});

describe("the store, with the form of a selected block open", () => {
  beforeEach(() => {
    editor().setCatalog(specs);
    editor().load("menu", {
      format: "ivrgraph.scenario/1",
      name: "Menu",
      nodes: [
        { id: "start", type: "start", position: { x: 0, y: 0 }, config: {} },
        { id: "menu", type: "ivr", label: "Меню", position: { x: 300, y: 0 }, config: { prompt: { text: "Pulse 1" }, options: [{ key: "1" }] } },
      ],
      edges: [{ id: "start:next", source: "start", exit: "next", target: "menu" }],
    }, 11);
  });

  it("has nothing to save nor undo after the IVR's form was opened", () => {
    const before = editor().document();
    const menu = editor().nodes.find((n) => n.id === "menu")!;
    renderToHtml(BlockConfigForm, {
      nodeId: "menu",
      spec: spec("ivr"),
      config: menu.data.config,
      formContext,
      readOnly: false,
      onChange: (config) => editor().updateNode("menu", { config }),
    });
    expect(editor().saveState).toBe("saved");
    expect(editor().history.past).toHaveLength(0);
    expect(editor().document()).toEqual(before);
  });

  it("gives a block added from the palette every schema default, so its document says what it does", () => {
    const id = editor().addBlock("ivr", { x: 900, y: 0 })!;
    const config = editor().nodes.find((n) => n.id === id)!.data.config;
    expect(config).toMatchObject({ mode: "menu", options: [], timeout: 5, max_tries: 3, split_failures: false, terminator: "#", allow_star: false });
    expect(changesOnOpening("ivr", config)).toEqual([]);
  });
});

describe("an edit in the form", () => {
  const schema = spec("ivr").config_schema;
  const saved: Config = { prompt: { text: "Pulse 1" }, options: [{ key: "1" }] };
  const filled = formFilled(schema, saved);

  it("is told from what the form shows of the document with the schema's defaults filled in", () => {
    expect(filled).toEqual({ ...saved, mode: "menu", timeout: 5, max_tries: 3, split_failures: false, min_length: 1, max_length: 10, terminator: "#", allow_star: false });
  });

  it("is none when the form only filled in, or reports the document as it is", () => {
    expect(formEdit(filled, saved, filled)).toBeNull();
    expect(formEdit({ ...filled, variable: undefined }, saved, filled)).toBeNull(); // rjsf's spelling of an empty field
    expect(formEdit(saved, saved, filled)).toBeNull();
  });

  it("is stored as the form reported it once the analyst changed something", () => {
    expect(formEdit({ ...filled, split_failures: true }, saved, filled)).toEqual({ ...filled, split_failures: true });
    const { timeout: _emptied, ...withoutTimeout } = filled;
    expect(formEdit(withoutTimeout, saved, filled)).toEqual(withoutTimeout);
  });
});
