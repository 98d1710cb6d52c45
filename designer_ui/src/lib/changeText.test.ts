import { describe, expect, it } from "vitest";
import type { BlockSpec, Catalog } from "./catalog";
import { changeText, diffLines, type Change } from "./changeText";
import { translator, type Language } from "./i18n";

const EXITS: Record<string, { name: string; label: string }[]> = { schedule: [{ name: "open", label: "Open" }, { name: "closed", label: "Closed" }] };
const spec = (type: string, title: string, properties: Record<string, { title: string }> = {}) =>
  ({ type, title, config_schema: { type: "object", properties }, exit_rules: EXITS[type] ?? [] }) as unknown as BlockSpec;
const catalog: Catalog = new Map([
  ["schedule", spec("schedule", "Schedule", { hours: { title: "Opening hours" } })],
  ["ivr", spec("ivr", "IVR Menu", { prompt: { title: "Menu prompt" } })],
  ["transfer", spec("transfer", "Transfer", { target: { title: "Destination" }, timeout: { title: "Seconds to wait" } })],
]);
const draft: Record<string, string> = { ivr: "ivr", transfer_3: "transfer", hours: "schedule" };
const wording = (language: Language) => ({ t: translator(language), language, catalog, typeOf: (id: string) => draft[id] });

/** What graph_engine.diff sent for the review's version 2 (Russian analyst, 2026-12). */
const changes: Change[] = [
  { kind: "block_added", node: "hours", label: "Часы работы", type: "schedule" },
  { kind: "exit_changed", node: "ivr", label: "Главное меню", type: "ivr", exit: "0", before: null, after: "transfer_3", before_label: null, after_label: "Оператор" },
  { kind: "prompt_changed", node: "ivr", label: "Главное меню", type: "ivr", field: "prompt", before: "Нажмите 1", after: "Нажмите 1 или 0" },
  { kind: "block_changed", node: "hours", label: "Часы работы", type: "schedule", fields: ["hours"] },
  { kind: "exit_changed", node: "hours", label: "Часы работы", type: "schedule", exit: "closed", before: "ivr", after: null, before_label: "", after_label: null },
];

describe("a published version's changes in words", () => {
  it("are said in Russian with the names the canvas shows", () => {
    expect(changes.map((c) => changeText(c, wording("ru")))).toEqual([
      "добавлен блок «Часы работы» (Расписание)",
      "клавиша 0 блока «Главное меню» теперь ведёт в «Оператор» (раньше никуда)",
      "изменено поле «Сообщение меню» блока «Главное меню»: «Нажмите 1» → «Нажмите 1 или 0»",
      "в блоке «Часы работы» (Расписание) изменено поле «Часы работы»",
      "выход «Закрыто» блока «Часы работы» теперь ведёт в никуда (раньше «Голосовое меню»)",
    ]);
  });

  it("are said in Spanish and English without a missing parameter", () => {
    for (const language of ["es", "en"] as const) {
      for (const change of changes) expect(changeText(change, wording(language))).not.toMatch(/\{|undefined/);
    }
    expect(changeText(changes[1]!, wording("en"))).toBe("key 0 of block “Главное меню” now leads to “Оператор” (was nowhere)");
    expect(changeText(changes[0]!, wording("es"))).toBe("bloque «Часы работы» añadido (Horario)");
  });

  // Supervisor review: a key removed was told twice, "в блоке «Pay menu» удалена клавиша 9" and "клавиша 9 блока
  // «Pay menu» теперь ведёт в никуда (раньше «Debt»)".
  it("tell a menu key removed once, not again as its connection gone", () => {
    const diff = {
      changes: [
        { kind: "keys_removed", node: "pay", label: "Pay menu", type: "ivr", keys: ["9"] },
        { kind: "exit_changed", node: "pay", label: "Pay menu", type: "ivr", exit: "9", before: "debt", after: null, before_label: "Debt", after_label: null },
        { kind: "exit_changed", node: "pay", label: "Pay menu", type: "ivr", exit: "1", before: "debt", after: null, before_label: "Debt", after_label: null },
        { kind: "exit_changed", node: "hours", label: "Часы работы", type: "schedule", exit: "9", before: "debt", after: null, before_label: "Debt", after_label: null },
      ],
      summary: ["a", "b", "c", "d"],
    };
    expect(diffLines(diff, wording("ru"))).toEqual([
      "в блоке «Pay menu» удалена клавиша 9",
      // A key kept whose connection was taken off: the only line about it.
      "клавиша 1 блока «Pay menu» теперь ведёт в никуда (раньше «Debt»)",
      "выход «9» блока «Часы работы» теперь ведёт в никуда (раньше «Debt»)",
    ]);
  });

  it("keep the server's sentence for a kind this designer does not know, and for a server without changes", () => {
    const diff = { changes: [{ kind: "moon_phase" }], summary: ["the moon changed"] };
    expect(diffLines(diff, wording("ru"))).toEqual(["the moon changed"]);
    expect(diffLines({ summary: ["added block \"x\" (ivr)"] }, wording("ru"))).toEqual(['added block "x" (ivr)']);
  });

  // Review, 2026-12 (Russian analyst): «изменён блок «Оператор» (Перевод): Куда» said which field, not what it is now.
  it("say what a short setting was and what it is now", () => {
    const operator = { kind: "block_changed", node: "transfer_3", label: "Оператор", type: "transfer" };
    const target: Change = { ...operator, fields: ["target"], values: [{ field: "target", before: "100", after: "101" }] };
    expect(changeText(target, wording("ru"))).toBe("в блоке «Оператор» (Перевод) изменено поле «Куда»: «100» → «101»");
    expect(changeText(target, wording("es"))).toBe("en el bloque «Оператор» (Transferir) ha cambiado el campo «Destino»: «100» → «101»");
    const two: Change = {
      ...operator,
      fields: ["label", "target", "timeout"],
      values: [{ field: "label", before: null, after: "Оператор" }, { field: "timeout", before: 20, after: 30 }],
    };
    expect(changeText(two, wording("ru"))).toBe(
      "в блоке «Оператор» (Перевод) изменены поля «Подпись»: не задано → «Оператор»; «Куда»; «Ждать (с)»: «20» → «30»",
    );
  });

  it("say one key added or removed as one key, several as several", () => {
    const menu = { node: "ivr", label: "Главное меню", type: "ivr" };
    const say = (change: Change, language: Language) => changeText(change, wording(language));
    expect(say({ kind: "keys_added", ...menu, keys: ["9"] }, "ru")).toBe("в блоке «Главное меню» добавлена клавиша 9");
    expect(say({ kind: "keys_added", ...menu, keys: ["8", "9"] }, "ru")).toBe("в блоке «Главное меню» добавлены клавиши 8, 9");
    expect(say({ kind: "keys_removed", ...menu, keys: ["0"] }, "ru")).toBe("в блоке «Главное меню» удалена клавиша 0");
    expect(say({ kind: "keys_removed", ...menu, keys: ["0"] }, "es")).toBe("en el bloque «Главное меню» se ha quitado la tecla 0");
    expect(say({ kind: "keys_added", ...menu, keys: ["8", "9"] }, "es")).toBe("en el bloque «Главное меню» se han añadido las teclas 8, 9");
  });

  // Review, 2026-12: key 2's new meaning went untold in the publish that also added a key.
  it("say a kept key's new meaning", () => {
    const relabelled: Change = { kind: "key_changed", node: "ivr", label: "Главное меню", type: "ivr", key: "2", before: "Поддержка", after: "Техподдержка" };
    expect(changeText(relabelled, wording("ru"))).toBe("в блоке «Главное меню» изменено значение клавиши 2: «Поддержка» → «Техподдержка»");
    expect(changeText({ ...relabelled, before: null }, wording("es"))).toBe(
      "en el bloque «Главное меню» ha cambiado el significado de la tecla 2: sin valor → «Техподдержка»",
    );
  });
});
