// Finding: a CRM lookup written as a plugin (Twilio Studio's HTTP widget, replaced) takes `not_found` in every test
// call, since a test call must not reach the CRM, and the Test call panel had nothing to make it take `found`: an
// analyst could never hear "Hello Ana". The panel now offers each such block's exits and the variables it sets, sent
// as `exits` and `set`, and Save as test keeps them as the test's `exits`.
import { describe, expect, it } from "vitest";
import type { BlockNode } from "../lib/convert";
import { catalogFrom, type BlockSpec } from "../lib/catalog";
import { testFromCall } from "../lib/scenarioTests";
import { testCallValues } from "../lib/testCallInputs";
import { forcedExitValues, pluginBlocksInTestCall, testExits } from "../lib/testForcedExits";
import { decodeEntities, renderInLanguage, renderToHtml } from "./renderForTest";
import { testCallRequest } from "./TestCallPanel";
import { TestForcedExitsFields } from "./TestForcedExits";

const spec = (type: string, title: string, exits: string[], safe: boolean, extra: Partial<BlockSpec> = {}): BlockSpec => ({
  type,
  version: 1,
  title,
  category: "Data",
  icon: "",
  description: "",
  config_schema: { type: "object", properties: {} },
  exit_rules: exits.map((name) => ({ name, label: name === "not_found" ? "Not found" : name[0]!.toUpperCase() + name.slice(1) })),
  default_exits: exits,
  unwired_meaning: {},
  safe_in_test_call: safe,
  ...extra,
});

const catalog = catalogFrom([
  spec("crm_lookup", "CRM Lookup", ["found", "not_found"], false, {
    plugin: "ivrgraph-crm",
    translations: { es: { "exits.found": "Encontrado" }, ru: { "exits.found": "Найден" } },
  }),
  spec("send_sms", "Send SMS", ["sent", "failed"], false, { plugin: "ivrgraph-sms" }),
  spec("say_phrase", "Say Phrase", ["next"], true),
]);

const node = (id: string, blockType: string, label = ""): BlockNode => ({
  id,
  type: "block",
  position: { x: 0, y: 0 },
  data: { blockType, label, config: {} },
});

const nodes = [node("hello", "say_phrase"), node("sms", "send_sms"), node("crm", "crm_lookup", "Find the customer"), node("gone", "old_plugin")];

describe("the exits of blocks that do not run in a test call", () => {
  it("are offered for each block the catalog says does not run for real, not a built-in or an uninstalled one", () => {
    const blocks = pluginBlocksInTestCall(nodes, catalog, "en");
    expect(blocks.map((block) => [block.id, block.label, block.title, block.exits.map((exit) => exit.name)])).toEqual([
      ["crm", "Find the customer", "CRM Lookup", ["found", "not_found", "error"]],
      ["sms", "sms", "Send SMS", ["sent", "failed", "error"]],
    ]);
    expect(pluginBlocksInTestCall(nodes, catalog, "es")[0]!.exits[0]!.label).toBe("Encontrado");
  });

  it("are sent as exits and set, the variables read as a JSON object, and only for exits the block has", () => {
    const blocks = pluginBlocksInTestCall(nodes, catalog, "en");
    const values = forcedExitValues(blocks, {
      crm: { exit: "found", set: '{"customer_name": "Ana"}' },
      sms: { exit: "failed", set: "" },
      gone: { exit: "found", set: "" },
    });
    expect(values).toEqual({ exits: { crm: "found", sms: "failed" }, set: { crm: { customer_name: "Ana" } }, problems: {} });
    // "As its test call does" sends nothing for the block, whatever its variables box still holds.
    expect(forcedExitValues(blocks, { crm: { exit: "", set: '{"customer_name": "Ana"}' } })).toEqual({ exits: {}, set: {}, problems: {} });
    expect(forcedExitValues(blocks, { crm: { exit: "moved", set: "" } }).exits).toEqual({});

    const broken = forcedExitValues(blocks, { crm: { exit: "found", set: '{"customer_name" "Ana"}' }, sms: { exit: "failed", set: "[1]" } });
    expect(broken.problems).toEqual({ "set:crm": { message: "test.notJsonAt", params: { line: 1, column: 18 } }, "set:sms": { message: "test.notObject" } });
    expect(broken.set).toEqual({});
  });

  it("travel in the test call's request only when chosen", () => {
    const fields = { keys: "", callerId: "", callerName: "", transfers: "", moment: "2026-03-02T10:00:00+03:00" };
    const values = testCallValues([], [], { variables: {}, rows: {} });
    const plain = testCallRequest(undefined, fields, values);
    expect(plain).not.toHaveProperty("exits");
    expect(plain).not.toHaveProperty("set");
    const forced = testCallRequest(undefined, fields, values, { exits: { crm: "found" }, set: { crm: { customer_name: "Ana" } } });
    expect(forced.exits).toEqual({ crm: "found" });
    expect(forced.set).toEqual({ crm: { customer_name: "Ana" } });
  });

  it("are kept by Save as test as the test's exits, with the variables the block sets", () => {
    expect(testExits({ crm: "found", sms: "failed" }, { crm: { customer_name: "Ana" } })).toEqual({
      crm: { exit: "found", set: { customer_name: "Ana" } },
      sms: "failed",
    });
    const request = { caller_id: "", caller_name: "", exits: { crm: "found", sms: "failed" }, set: { crm: { customer_name: "Ana" } } };
    const test = testFromCall("found", request, [{ kind: "outcome", expect: { outcome: "hung_up" }, shown: "" }]);
    expect(test.exits).toEqual({ crm: { exit: "found", set: { customer_name: "Ana" } }, sms: "failed" });
    expect(testFromCall("plain", { caller_id: "", caller_name: "" }, [])).not.toHaveProperty("exits");
  });

  it("have a choice each, as its test call does by default, and a variables box once an exit is chosen", () => {
    const blocks = pluginBlocksInTestCall(nodes, catalog, "en");
    const props = { blocks, texts: { crm: { exit: "found", set: '{"customer_name": "Ana"}' } }, problems: {}, onChange: () => undefined };
    const html = decodeEntities(renderToHtml(TestForcedExitsFields, props));
    expect(html).toContain("Blocks that do not run in a test call");
    expect(html).toContain("Exit “Find the customer” (CRM Lookup) takes");
    expect(html).toMatch(/<option value="found" selected="">Found<\/option>/);
    expect(html).toMatch(/<select name="exit-sms"[^>]*><option value="" selected="">As its test call does<\/option>/);
    expect(html).toContain('<textarea name="set-crm"');
    expect(html).toContain('{"customer_name": "Ana"}</textarea>');
    expect(html).not.toContain('name="set-sms"');
    const es = decodeEntities(renderInLanguage("es", TestForcedExitsFields, props));
    expect(es).toContain("Bloques que no se ejecutan en una llamada de prueba");
    expect(es).toContain("Como en su llamada de prueba");
    const ru = decodeEntities(renderInLanguage("ru", TestForcedExitsFields, props));
    expect(ru).toContain("Блоки, которые не выполняются в тестовом звонке");
    expect(ru).toContain("Как в его тестовом звонке");
  });

  it("say what is wrong with a variables box, tied to it", () => {
    const blocks = pluginBlocksInTestCall(nodes, catalog, "en");
    const texts = { crm: { exit: "found", set: "[1]" } };
    const { problems } = forcedExitValues(blocks, texts);
    const html = decodeEntities(renderToHtml(TestForcedExitsFields, { blocks, texts, problems, onChange: () => undefined }));
    const box = /<textarea name="set-crm"[^>]*>/.exec(html)?.[0] ?? "";
    expect(box).toContain('aria-invalid="true"');
    const described = / aria-describedby="([^"]+)"/.exec(box)?.[1];
    expect(html).toContain(`<p id="${described}" class="error-text" role="alert">Not an object`);
  });

  it("are not offered when the flow has no such block", () => {
    const html = renderToHtml(TestForcedExitsFields, { blocks: pluginBlocksInTestCall([nodes[0]!], catalog, "en"), texts: {}, problems: {}, onChange: () => undefined });
    expect(html).toBe("");
  });
});
