import { describe, expect, it } from "vitest";
import catalogJson from "./fixtures/catalog.json";
import { blockAriaLabels, blockFullName, canvasAriaLabels, edgeAriaLabels, focusAfterDelete } from "./canvasLabels";
import { catalogFrom, type BlockSpec } from "./catalog";
import { translator, type Language } from "./i18n";
import type { Problem } from "./problems";

const catalog = catalogFrom(catalogJson as unknown as BlockSpec[]);
const wording = (language: Language) => ({ language, t: translator(language), catalog });

// A small menu: Start -> Say Phrase -> IVR, key 1 to a labelled Transfer, key 2 and its Busy to two Hang Ups.
const blocks = [
  { id: "start", data: { blockType: "start", config: {} } },
  { id: "say_phrase", data: { blockType: "say_phrase", config: { text: "Hola" } } },
  { id: "ivr", data: { blockType: "ivr", config: { options: [{ key: "1", label: "Ventas" }, { key: "2" }] } } },
  { id: "transfer", data: { blockType: "transfer", label: "Ventas", config: {} } },
  { id: "hangup", data: { blockType: "hangup", config: {} } },
  { id: "hangup_2", data: { blockType: "hangup", config: {} } },
];
const edges = [
  { id: "start:next", source: "start", sourceHandle: "next", target: "say_phrase" },
  { id: "say_phrase:next", source: "say_phrase", sourceHandle: "next", target: "ivr" },
  { id: "ivr:1", source: "ivr", sourceHandle: "1", target: "transfer" },
  { id: "ivr:2", source: "ivr", sourceHandle: "2", target: "hangup" },
  { id: "transfer:busy", source: "transfer", sourceHandle: "busy", target: "hangup_2" },
];
const problems: Problem[] = [
  { severity: "error", code: "schema", message: "Text to say is required", node: "say_phrase" },
  { severity: "warning", code: "unreachable", message: "never reached", node: "hangup" },
  { severity: "warning", code: "no_fallback", message: "no fallback", node: null },
];

describe("what a screen reader says for a block", () => {
  it("names its type and name, where each exit leads, and its problems", () => {
    const labels = blockAriaLabels(wording("en"), blocks, edges, problems);
    expect(labels.get("say_phrase")).toBe("Say Phrase “say_phrase”: Next → IVR Menu; error: not connected; 1 error");
    expect(labels.get("start")).toBe("Start “start”: Next → Say Phrase; error: not connected");
    // The label, not the id, when the analyst gave one; a key named by the analyst stays as written.
    expect(labels.get("transfer")).toBe(
      "Transfer “Ventas”: Answered: not connected; Busy → Hang Up “hangup_2”; No answer: not connected; Failed: not connected; error: not connected",
    );
    expect(labels.get("hangup")).toBe("Hang Up “hangup”: error: not connected; 1 warning");
  });

  it("names a block an exit leads to in full when its title is not unique on the canvas", () => {
    const labels = blockAriaLabels(wording("en"), blocks, edges, []);
    // Two Hang Ups without a label: "Hang Up" alone would not say which.
    expect(labels.get("ivr")).toBe("IVR Menu “ivr”: 1: Ventas → Ventas; 2 → Hang Up “hangup”; Too many tries: not connected; error: not connected");
  });

  it("says a lit block's step on a test call's path", () => {
    const labels = blockAriaLabels(wording("en"), blocks, edges, [], new Map([["ivr", [3]]]));
    expect(labels.get("ivr")).toMatch(/; Step 3 of the call$/);
    expect(labels.get("say_phrase")).not.toMatch(/Step/);
  });

  it("says every step of a block the call passed more than once, and where the caller hung up", () => {
    const steps = new Map([["ivr", [2, 9, 14, 20, 31]], ["say_phrase", [3, 5]]]);
    const labels = blockAriaLabels(wording("en"), blocks, edges, [], steps, undefined, "say_phrase");
    expect(labels.get("ivr")).toMatch(/; Steps 2, 9, 14, 20 and 31 of the call$/);
    expect(labels.get("say_phrase")).toMatch(/; Steps 3 and 5 of the call; the caller hung up here$/);
    const es = blockAriaLabels(wording("es"), blocks, edges, [], steps, undefined, "say_phrase");
    expect(es.get("say_phrase")).toMatch(/; Pasos 3 y 5 de la llamada; quien llama colgó aquí$/);
    const ru = blockAriaLabels(wording("ru"), blocks, edges, [], steps, undefined, "say_phrase");
    expect(ru.get("ivr")).toMatch(/; Шаги 2, 9, 14, 20 и 31 звонка$/);
  });

  it("speaks Spanish and Russian, exits, counts and quotes included", () => {
    const es = blockAriaLabels(wording("es"), blocks, edges, problems);
    expect(es.get("say_phrase")).toBe("Decir frase «say_phrase»: Siguiente → Menú IVR; Error: sin conectar; 1 error");
    expect(es.get("transfer")).toContain("Ocupado → Colgar «hangup_2»");
    const ru = blockAriaLabels(wording("ru"), blocks, edges, [...problems, { ...problems[0]! }, { ...problems[0]! }]);
    expect(ru.get("say_phrase")).toBe("Произнести фразу «say_phrase»: Далее → Голосовое меню; Ошибка: не подключён; 3 ошибки");
    expect(ru.get("hangup")).toBe("Завершить «hangup»: Ошибка: не подключён; 1 предупреждение");
  });

  it("names a block of a type not installed by its type and its wired exits", () => {
    const plugin = [...blocks, { id: "sms", data: { blockType: "send_sms", config: {} } }];
    const wired = [...edges, { id: "sms:sent", source: "sms", sourceHandle: "sent", target: "hangup" }];
    expect(blockAriaLabels(wording("en"), plugin, wired, []).get("sms")).toBe("send_sms “sms”: sent → Hang Up “hangup”; error: not connected");
  });

  it("gives the full name a new block is announced with", () => {
    const added = { id: "hangup_3", data: { blockType: "hangup", config: {} } };
    expect(translator("en")("editor.blockAdded", { block: blockFullName(wording("en"), added) })).toBe("Hang Up “hangup_3” added");
    expect(translator("es")("editor.blockAdded", { block: blockFullName(wording("es"), added) })).toBe("Bloque añadido: Colgar «hangup_3»");
    expect(translator("ru")("editor.blockAdded", { block: blockFullName(wording("ru"), added) })).toBe("Добавлен блок Завершить «hangup_3»");
  });
});

describe("what a screen reader says for a connection", () => {
  it("names the block it leaves, the exit as the block labels it, and where it leads", () => {
    const en = edgeAriaLabels(wording("en"), blocks, edges);
    expect(en.get("start:next")).toBe("Start, Next → Say Phrase");
    expect(en.get("ivr:1")).toBe("IVR Menu, 1: Ventas → Ventas");
    expect(en.get("transfer:busy")).toBe("Ventas, Busy → Hang Up “hangup_2”");
    expect(edgeAriaLabels(wording("es"), blocks, edges).get("start:next")).toBe("Inicio, Siguiente → Decir frase");
    expect(edgeAriaLabels(wording("ru"), blocks, edges).get("transfer:busy")).toBe("Ventas, Занято → Завершить «hangup_2»");
    for (const label of en.values()) expect(label).not.toMatch(/^Edge from/);
  });
});

describe("React Flow's own words", () => {
  it("are in the interface language, instructions, zoom buttons, minimap and the moves announced", () => {
    const en = canvasAriaLabels(translator("en"), false);
    expect(en["controls.zoomIn.ariaLabel"]).toBe("Zoom in");
    expect(en["controls.fitView.ariaLabel"]).toBe("Show all blocks");
    expect(en["node.a11yDescription.keyboardDisabled"]).toMatch(/^Press Enter or Space to select the block.*arrow keys move it/);
    const es = canvasAriaLabels(translator("es"), false);
    expect(es["controls.zoomIn.ariaLabel"]).toBe("Acercar");
    expect(es["controls.zoomOut.ariaLabel"]).toBe("Alejar");
    expect(es["minimap.ariaLabel"]).toBe("Vista general de todo el escenario");
    expect(es["node.a11yDescription.ariaLiveMessage"]({ direction: "right", x: 305.4, y: 40 })).toBe(
      "Bloque seleccionado movido a la derecha. Nueva posición: x 305, y 40.",
    );
    const ru = canvasAriaLabels(translator("ru"), false);
    expect(ru["controls.zoomOut.ariaLabel"]).toBe("Уменьшить");
    expect(ru["node.a11yDescription.ariaLiveMessage"]({ direction: "up", x: 0, y: -15 })).toBe("Выбранный блок сдвинут вверх. Новая позиция: x 0, y -15.");
    expect(ru["edge.a11yDescription.default"]).toMatch(/^Нажмите Enter или пробел/);
    for (const language of ["es", "ru"] as Language[]) {
      const words = canvasAriaLabels(translator(language), false);
      for (const [key, value] of Object.entries(words)) {
        if (typeof value === "string") expect(value, `${language} ${key}`).not.toMatch(/Zoom In|Fit View|Mini Map|Control Panel|Handle|Press enter/);
      }
    }
  });

  it("say nothing of moving or deleting on a read-only canvas", () => {
    const words = canvasAriaLabels(translator("en"), true);
    expect(words["node.a11yDescription.keyboardDisabled"]).not.toMatch(/arrow|Delete/);
    expect(words["edge.a11yDescription.default"]).not.toMatch(/Delete/);
  });
});

describe("the focus after a delete", () => {
  const order = ["start", "say_phrase", "ivr", "transfer"];
  it("goes to the block after the deleted one, else the one before, else to the canvas", () => {
    expect(focusAfterDelete(order, new Set(["start", "ivr", "transfer"]), "say_phrase")).toBe("ivr");
    expect(focusAfterDelete(order, new Set(["start", "transfer"]), "say_phrase")).toBe("transfer");
    expect(focusAfterDelete(order, new Set(["start", "say_phrase"]), "transfer")).toBe("say_phrase");
    expect(focusAfterDelete(order, new Set(), "ivr")).toBeNull();
    expect(focusAfterDelete(order, new Set(["ivr"]), null)).toBe("ivr");
  });
});
