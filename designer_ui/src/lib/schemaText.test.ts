import { describe, expect, it } from "vitest";
import catalogJson from "./fixtures/catalog.json";
import type { BlockSpec } from "./catalog";
import { enumLabels, unwiredHint, weekdayNames } from "./schemaText";

const specs = catalogJson as unknown as BlockSpec[];
const spec = (type: string) => specs.find((b) => b.type === type)!;
const hint = (language: "en" | "es" | "ru", type: string, exit: string, meanings = spec(type).unwired_meaning) =>
  unwiredHint(language, type, exit, meanings);

describe("what an unwired exit does, said in one language", () => {
  it("translates the built-in blocks' meanings whole, not a translated prefix glued to English", () => {
    expect(hint("en", "transfer", "busy")).toBe("Not connected: the caller is hung up on");
    expect(hint("es", "transfer", "busy")).toBe("Sin conectar: se cuelga al llamante");
    expect(hint("ru", "transfer", "answered")).toBe("Не подключён: звонок завершается, когда закончится разговор");
    expect(hint("es", "ivr", "max_tries")).toBe("Sin conectar: tras el último intento fallido la llamada termina");
    expect(hint("ru", "ivr", "3")).toBe("Не подключён: нажатие этой клавиши завершает звонок");
  });

  it("has every built-in meaning the catalog gives in Spanish and Russian", () => {
    for (const block of specs) {
      for (const exit of Object.keys(block.unwired_meaning)) {
        const english = block.unwired_meaning[exit]!;
        const es = hint("es", block.type, exit);
        expect(es.startsWith("Sin conectar: "), `${block.type}.${exit}: ${es}`).toBe(true);
        expect(es, `${block.type}.${exit}`).not.toContain(english);
        // Russian text has no Latin letters: any would be English left over.
        expect(hint("ru", block.type, exit), `${block.type}.${exit}`).not.toMatch(/[A-Za-z]/);
      }
    }
  });

  it("says the error exit's fallback in the interface language", () => {
    expect(hint("ru", "transfer", "error")).toBe("Не подключён: при сбое звонок идёт в резервный блок сценария или вежливо завершается");
    expect(hint("es", "send_sms", "error", { "*": "the SMS is not sent" })).toMatch(/^Sin conectar: un fallo va al bloque de respaldo/);
  });

  it("keeps a plugin's meaning, or one the designer has no words for, whole in English", () => {
    expect(hint("es", "send_sms", "sent", { "*": "the SMS is not sent" })).toBe("Not connected: the SMS is not sent");
    expect(hint("ru", "send_sms", "sent", { "*": "the SMS is not sent" })).toBe("Not connected: the SMS is not sent");
    // A built-in block whose server now names an exit of its own: the generic translation would be wrong.
    const newer = { ...spec("transfer").unwired_meaning, congested: "the caller hears the congestion tone" };
    expect(hint("es", "transfer", "congested", newer)).toBe("Not connected: the caller hears the congestion tone");
    // No meaning at all: what the server's validation then says, in the interface language.
    expect(unwiredHint("es", "send_sms", "sent", undefined)).toBe("Sin conectar: la llamada termina");
  });
});

describe("names of choices", () => {
  it("names the weekdays as the call-list dialog's day chips do", () => {
    expect(Object.values(weekdayNames("en"))).toEqual(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]);
    expect(weekdayNames("ru").sat).toBe("сб");
    expect(weekdayNames("es").wed).toBe("mié");
  });

  it("labels a built-in field's choices by block, field and value; anything else keeps its value", () => {
    expect(enumLabels("es", "ivr", "mode", ["menu", "capture"])).toEqual({ menu: "Menú", capture: "Captura de número" });
    expect(enumLabels("ru", "callback", "outside_window", ["defer", "reject"])).toEqual({ defer: "Отложить", reject: "Отклонить" });
    expect(enumLabels("en", "ivr", "mode", ["menu", "capture"])).toEqual({});
    expect(enumLabels("es", "ivr", "terminator", ["#", "*", ""])).toEqual({ "": "Ninguna" });
    // Same field name in a plugin: its own values, not the IVR's.
    expect(enumLabels("es", "my_plugin", "mode", ["menu", "fast"])).toEqual({});
    // A list of weekday codes is named by the days, whoever's field it is.
    expect(enumLabels("ru", "my_plugin", "open_days", ["mon", "sun"])).toEqual({ mon: "пн", sun: "вс" });
  });
});
