import { describe, expect, it } from "vitest";
import catalogJson from "./fixtures/catalog.json";
import { blockTitle } from "./blockText";
import { catalogFrom, defaultConfig, paletteGroups, type BlockSpec } from "./catalog";
import { compareDrafts } from "./compare";
import { localDescription } from "./descriptions";
import type { ScenarioDocument } from "./convert";
import { record, redo, startHistory, undo } from "./history";
import { LANGUAGES, codeText, guessLanguage, translator } from "./i18n";
import { autoLayout } from "./layout";
import { blockSummary } from "./summary";
import { highlightPath, invalidKeyTokens, parseKeys, promptText, stepKeys, testCallMoment } from "./trace";
import { formUiSchema } from "./uischema";
import { availableVariables, insertPlaceholder, variablesWritten } from "./variables";

const specs = catalogJson as unknown as BlockSpec[];
const catalog = catalogFrom(specs);
const t = translator("en");

describe("history", () => {
  it("undoes and redoes, and a new edit clears redo", () => {
    let h = startHistory(1);
    h = record(h, 2);
    h = record(h, 3);
    h = undo(h);
    expect(h.present).toBe(2);
    h = redo(h);
    expect(h.present).toBe(3);
    h = undo(undo(h));
    expect(h.present).toBe(1);
    expect(undo(h)).toBe(h);
    h = record(h, 4);
    expect(h.future).toEqual([]);
    expect(redo(h)).toBe(h);
  });
  it("keeps a bounded past", () => {
    let h = startHistory(0);
    for (let i = 1; i <= 10; i += 1) h = record(h, i, 3);
    expect(h.past).toEqual([7, 8, 9]);
  });
});

describe("summaries", () => {
  it("says what a block does in one line", () => {
    expect(blockSummary("say_phrase", { text: "Hola {{ name }}, debe {{ debt_amount }} euros por su factura" }, t)).toBe(
      "Says: Hola {{ name }}, debe {{ debt_amount }} euros p…",
    );
    expect(blockSummary("ivr", { options: [{ key: "1" }, { key: "2" }, { key: "9" }] }, t)).toBe("Keys 1, 2, 9");
    expect(blockSummary("ivr", { mode: "capture", variable: "account" }, t)).toBe("Reads a number into account");
    expect(blockSummary("transfer", { target: "queue:sales" }, t)).toBe("To queue:sales");
    expect(blockSummary("schedule", { hours: [{ days: ["mon", "tue", "wed", "thu", "fri"], from: "09:00", to: "18:00" }] }, t)).toBe(
      "Mon–Fri 09:00–18:00",
    );
    // The canvas names the days in the interface's language, as the Days checkboxes do.
    const weekend = { hours: [{ days: ["sat", "sun", "mon"], from: "10:00", to: "14:00" }] };
    expect(blockSummary("schedule", weekend, translator("es"), "es")).toBe("lun,sáb,dom 10:00–14:00");
    expect(blockSummary("schedule", { hours: [{ days: ["mon", "tue", "wed"], from: "09:00", to: "18:00" }] }, translator("ru"), "ru")).toBe(
      "пн–ср 09:00–18:00",
    );
    const crm = { type: "acme.crm", config_schema: { type: "object", properties: { endpoint: { type: "string" } } } } as unknown as BlockSpec;
    expect(blockSummary("acme.crm", { endpoint: "crm" }, t, "en", crm)).toBe("endpoint: crm"); // a field without a title: its name
    expect(blockSummary("ivr", { options: [{ key: "1" }] }, translator("es"))).toBe("Teclas 1");
  });
});

describe("palette", () => {
  it("groups by category and filters by title, type or description", () => {
    const groups = paletteGroups(specs, "");
    expect(groups.map((g) => g.category)).toEqual(["Connect", "Data", "Flow", "Input", "Prompts"]);
    expect(paletteGroups(specs, "phrase").flatMap((g) => g.blocks.map((b) => b.type))).toEqual(["say_phrase"]);
    expect(paletteGroups(specs, "queue").flatMap((g) => g.blocks.map((b) => b.type))).toEqual(["transfer"]);
    expect(paletteGroups(specs, "zzz")).toEqual([]);
  });
  it("lists the blocks found by their title before those found only in their description", () => {
    const found = (query: string) => paletteGroups(specs, query).flatMap((g) => g.blocks.map((b) => b.type));
    // Go To's description mentions a menu, and its group comes first in the catalog: IVR Menu still leads.
    expect(found("menu")[0]).toBe("ivr");
    expect(found("menu")).toContain("goto");
    // In one group, Go To Scenario (its title) before Go To (its description says scenario).
    expect(found("scenario")).toEqual(["goto_scenario", "goto"]);
    expect(found("variable")[0]).toBe("set_variable");
  });
  it("finds and sorts blocks by the title the palette shows, in the interface language", () => {
    const es = (spec: BlockSpec) => blockTitle("es", spec.type, spec.title);
    const types = (groups: ReturnType<typeof paletteGroups>) => groups.flatMap((g) => g.blocks.map((b) => b.type));
    expect(types(paletteGroups(specs, "menú", es))).toEqual(["ivr"]);
    expect(types(paletteGroups(specs, "colgar", es))).toEqual(["hangup"]);
    // The English title still finds it.
    expect(types(paletteGroups(specs, "hang up", es))).toEqual(["hangup"]);
    // Sorted as shown: "Colgar", "Condición", ... not by the English titles.
    const flow = paletteGroups(specs, "", es).find((g) => g.category === "Flow")!.blocks.map(es);
    expect(flow).toEqual([...flow].sort((a, b) => a.localeCompare(b)));
    expect(types(paletteGroups(specs, "flujo", es, (category) => (category === "Flow" ? "Flujo" : category)))).toContain("goto");
  });
  it("finds a block by its description as the palette shows it, in the interface language", () => {
    const ru = (spec: BlockSpec) => blockTitle("ru", spec.type, spec.title);
    const types = (groups: ReturnType<typeof paletteGroups>) => groups.flatMap((g) => g.blocks.map((b) => b.type));
    const described = (spec: BlockSpec) => localDescription(spec.description, "ru");
    expect(types(paletteGroups(specs, "завершает звонок", ru, undefined, described))).toEqual(["hangup"]);
    // The English description still finds it.
    expect(types(paletteGroups(specs, "ends the call", ru, undefined, described))).toEqual(["hangup"]);
  });
  it("default config has every schema default", () => {
    expect(defaultConfig(catalog.get("transfer")!)).toEqual({ timeout: 30 });
  });
});

describe("form hints", () => {
  it("maps x-ui widgets, through arrays and oneOf branches, and hides the submit button", () => {
    const ivr = formUiSchema(catalog.get("ivr")!.config_schema);
    expect(ivr).toMatchObject({
      prompt: { text: { "ui:widget": "template" }, audio: { "ui:widget": "audio" } },
      variable: { "ui:widget": "variable" },
      "ui:submitButtonOptions": { norender: true },
    });
    const setVar = formUiSchema(catalog.get("set_variable")!.config_schema);
    expect(setVar).toMatchObject({ assignments: { items: { variable: { "ui:widget": "variable" } } } });
  });
});

describe("variables", () => {
  it("lists facts, declared variables and those blocks write", () => {
    const nodes = [
      { id: "q", type: "block" as const, position: { x: 0, y: 0 }, data: { blockType: "sql", config: { columns: { name: "contact_name" }, rows_variable: "rows" } } },
      { id: "s", type: "block" as const, position: { x: 0, y: 0 }, data: { blockType: "set_variable", config: { assignments: [{ variable: "total", value: "1" }] } } },
    ];
    const names = availableVariables({ format: "ivrgraph.scenario/1", name: "x", variables: [{ name: "debt_amount" }] }, nodes);
    expect(names).toEqual(expect.arrayContaining(["caller_id", "debt_amount", "contact_name", "rows", "total"]));
    expect(variablesWritten("ivr", { variable: "bad name" })).toEqual([]);
  });
  it("inserts a placeholder at the caret, replacing a selection", () => {
    expect(insertPlaceholder("Hola , adiós", "name", 5)).toEqual({ text: "Hola {{ name }}, adiós", caret: 15 });
    expect(insertPlaceholder("Hola XX", "name", 5, 7)).toEqual({ text: "Hola {{ name }}", caret: 15 });
  });
});

describe("call path", () => {
  const edges = [
    { id: "start:next", source: "start", sourceHandle: "next", target: "menu" },
    { id: "menu:2", source: "menu", sourceHandle: "2", target: "support" },
    { id: "menu:1", source: "menu", sourceHandle: "1", target: "sales" },
  ];
  it("lights the nodes visited in order and the edges taken", () => {
    const lit = highlightPath(
      [
        { node: "start", exit: "next" },
        { node: "menu", exit: "2", keys: "2" },
        { node: "support", exit: "answered" },
      ],
      edges,
    );
    expect([...lit.nodes]).toEqual([["start", [1]], ["menu", [2]], ["support", [3]]]);
    expect([...lit.edges].sort()).toEqual(["menu:2", "start:next"]);
    expect(lit.last).toBe("support");
  });
  it("skips steps that ran in another scenario", () => {
    const lit = highlightPath([{ node: "start", exit: "next" }, { node: "x", scenario: "other" }], edges);
    expect([...lit.nodes.keys()]).toEqual(["start"]);
  });
  it("parses key tokens and flags the invalid ones", () => {
    expect(parseKeys(" 2  1234#, - !5 hangup ")).toEqual(["2", "1234#", "-", "!5", "hangup"]);
    expect(invalidKeyTokens(["2", "x", "!", "1#"])).toEqual(["x", "!"]);
  });
});

describe("a step's keys and prompts, as the call detail tells them", () => {
  it("tells a menu's failed tries apart from the key that counted, as the server's story does", () => {
    const events = [
      { kind: "attempt", number: 1 },
      { kind: "invalid", attempt: 1, keys: "9" },
      { kind: "attempt", number: 2 },
      { kind: "no_input", attempt: 2 },
      { kind: "attempt", number: 3 },
    ];
    expect(stepKeys({ keys: "92", events })).toEqual({ wrong: ["9", null], pressed: "2" });
  });

  it("takes a capture's terminator off with the try it ended", () => {
    const events = [{ kind: "invalid", keys: "12", terminator: "#" }];
    expect(stepKeys({ keys: "12#123456#", events })).toEqual({ wrong: ["12"], pressed: "123456#" });
    expect(stepKeys({ keys: "#55#", events: [{ kind: "no_input", terminator: "#" }] })).toEqual({ wrong: [null], pressed: "55#" });
  });

  it("a step with no tries noted: every key counted", () => {
    expect(stepKeys({ keys: "1" })).toEqual({ wrong: [], pressed: "1" });
    expect(stepKeys({})).toEqual({ wrong: [], pressed: "" });
  });

  it("a prompt is its text when it has one, else its audio", () => {
    expect(promptText({ audio: "tts-1", text: "Hola", language: "es" })).toEqual({ said: "Hola" });
    expect(promptText({ audio: "welcome" })).toEqual({ played: "welcome" });
    expect(promptText({})).toBeNull();
  });
});

describe("layout", () => {
  it("places a chain left to right without overlap", () => {
    const mk = (id: string) => ({ id, type: "block" as const, position: { x: 0, y: 0 }, data: { blockType: "message", config: {} } });
    const placed = autoLayout(
      [mk("a"), mk("b"), mk("c")],
      [
        { id: "a:next", source: "a", sourceHandle: "next", target: "b" },
        { id: "b:next", source: "b", sourceHandle: "next", target: "c" },
      ],
      () => 2,
    );
    const xs = placed.map((n) => n.position.x);
    expect(xs[0]!).toBeLessThan(xs[1]!);
    expect(xs[1]! - xs[0]!).toBeGreaterThanOrEqual(220);
    expect(xs[1]!).toBeLessThan(xs[2]!);
  });
});

describe("conflict comparison", () => {
  const base: ScenarioDocument = {
    format: "ivrgraph.scenario/1",
    name: "x",
    nodes: [
      { id: "a", type: "message", config: { audio: "hello" }, position: { x: 0, y: 0 } },
      { id: "b", type: "hangup", config: {} },
    ],
    edges: [{ source: "a", exit: "next", target: "b" }],
  };
  it("lists what is only in each and what changed, ignoring moves", () => {
    const mine: ScenarioDocument = {
      ...base,
      nodes: [{ ...base.nodes[0]!, position: { x: 50, y: 0 } }, base.nodes[1]!, { id: "c", type: "hangup", config: {} }],
    };
    const theirs: ScenarioDocument = { ...base, nodes: [{ ...base.nodes[0]!, config: { audio: "bye" } }], edges: [] };
    expect(compareDrafts(mine, theirs)).toEqual({
      onlyMine: ["b", "c"],
      onlyTheirs: [],
      changed: [{ mine: "a", theirs: "a" }],
      edgesDiffer: true,
      headDiffers: false,
    });
  });
});

describe("i18n", () => {
  it("has every English key in Spanish and Russian, and fills parameters", () => {
    for (const language of ["es", "ru"] as const) {
      expect(Object.keys(LANGUAGES[language]).sort()).toEqual(Object.keys(LANGUAGES.en).sort());
    }
    expect(translator("es")("publish.done", { version: 3 })).toBe("Publicada la versión 3.");
    expect(t("publish.done")).toBe("Published version {version}.");
    expect(guessLanguage(["es-ES", "en"])).toBe("es");
    expect(guessLanguage(["de"])).toBe("en");
    expect(codeText(translator("es"), "status", "abandoned_in_menu")).toBe("abandonada antes del final");
    // Call-centre reports count callers who gave up during a transfer apart from those who left the menu.
    expect(codeText(t, "status", "abandoned_waiting")).toBe("abandoned during a transfer");
    expect(codeText(translator("es"), "status", "abandoned_waiting")).toBe("abandonada durante una transferencia");
    expect(codeText(translator("ru"), "status", "abandoned_waiting")).toBe("брошен во время перевода");
    expect(codeText(t, "outcome", "something_new")).toBe("something_new");
  });
});

describe("pruneConfig", () => {
  it("drops optional settings a form left empty, never required ones", async () => {
    const { pruneConfig } = await import("./catalog");
    const schema = catalog.get("ivr")!.config_schema;
    expect(pruneConfig({ prompt: {}, no_input_prompt: {}, variable: "", options: [], timeout: 5 }, schema)).toEqual({
      prompt: {},
      options: [],
      timeout: 5,
    });
  });
});

describe("block text", () => {
  it("translates built-in titles, categories and fixed exits, never the analyst's keys or plugins", async () => {
    const { blockTitle, categoryName, exitLabel } = await import("./blockText");
    expect(blockTitle("es", "transfer", "Transfer")).toBe("Transferir");
    expect(blockTitle("ru", "acme.crm", "CRM lookup")).toBe("CRM lookup");
    expect(blockTitle("en", "transfer", "Transfer")).toBe("Transfer");
    expect(categoryName("es", "Prompts")).toBe("Mensajes");
    expect(exitLabel("es", "transfer", "busy", "Busy")).toBe("Ocupado");
    expect(exitLabel("es", "ivr", "2", "2")).toBe("2");
    expect(exitLabel("es", "switch", "gold", "gold")).toBe("gold");
    expect(exitLabel("ru", "start", "next", "Next")).toBe("Далее");
    expect(exitLabel("es", "ivr", "next", "Captured")).toBe("Siguiente");
  });
});

describe("slugify", () => {
  it("proposes an API-valid slug from any name", async () => {
    const { slugify } = await import("./slug");
    expect(slugify("Menú principal")).toBe("menu-principal");
    expect(slugify("  Año 2026 — Cobros!! ")).toBe("ano-2026-cobros");
    expect(slugify("Меню оплаты")).toBe("menyu-oplaty");
    expect(slugify("!!!")).toBe("");
    expect(slugify("x".repeat(80))).toHaveLength(64);
  });
});

describe("form titles", () => {
  it("translates every built-in field title, deep, without touching anything else", async () => {
    const { localizeSchema } = await import("./schemaText");
    const ivr = catalog.get("ivr")!.config_schema;
    expect(localizeSchema(ivr, "en")).toBe(ivr);
    const es = localizeSchema(ivr, "es");
    const at = (...path: (string | number)[]) =>
      path.reduce<unknown>((value, key) => (value as Record<string | number, unknown> | undefined)?.[key], es);
    expect(at("properties", "options", "title")).toBe("Teclas");
    expect(at("properties", "options", "items", "properties", "label", "title")).toBe("Significado");
    expect(at("properties", "prompt", "oneOf", 1, "title")).toBe("Texto hablado");
    expect(at("properties", "mode", "enum")).toEqual(["menu", "capture"]);
    expect(ivr.properties!.options!.title).toBe("Keys");
    // No built-in title is left untranslated (Russian titles have no Latin letters).
    const titles = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === "object") {
        for (const [key, child] of Object.entries(value)) {
          if (key === "title" && typeof child === "string") titles.add(child);
          else collect(child);
        }
      }
    };
    // As the form draws them (BlockPanel): the titles a block gives itself (the IVR's prompts), then the designer's.
    const { pluginSchema } = await import("./pluginText");
    for (const spec of specs) collect(localizeSchema(pluginSchema(spec.config_schema, spec, "ru"), "ru"));
    expect([...titles].filter((title) => /[A-Za-z]/.test(title) && !["SQL"].includes(title))).toEqual([]);
  });
});

describe("a test call's moment", () => {
  it("is the field's wall time with the browser's offset", () => {
    const iso = testCallMoment("2026-11-23T21:00");
    expect(iso).toMatch(/^2026-11-23T21:00:00[+-]\d{2}:\d{2}$/);
    expect(new Date(iso).getTime()).toBe(new Date(2026, 10, 23, 21, 0).getTime());
  });

  it("is now when the field was cleared or is half typed, rather than failing the call", () => {
    const now = new Date("2026-05-04T10:11:12Z");
    expect(testCallMoment("", now)).toBe(now.toISOString());
    expect(testCallMoment("2026-05-", now)).toBe(now.toISOString());
  });
});
