import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LANGUAGES } from "./i18n";
import { normalizeProblems, type Problem } from "./problems";
import { HINTS, problemText, TEMPLATES } from "./problemText";

// As the server sends them (tests/graph_engine/test_issue_params.py checks the server's side of these params).
const menu = { block_type: "ivr", block_title: "IVR Menu", label: "Main menu" };

const unwiredKey: Problem = {
  severity: "warning",
  code: "unwired_exit",
  message: 'IVR Menu "Main menu": key 3 (Sales) leads nowhere: pressing this key ends the call',
  node: "menu",
  params: { ...menu, exit: "3", exit_label: "key 3 (Sales)", meaning: "pressing this key ends the call" },
};

const unwiredNotFound: Problem = {
  severity: "warning",
  code: "unwired_exit",
  message: 'SQL Query "Look up": Not found leads nowhere: the call ends after the query',
  params: { block_type: "sql", block_title: "SQL Query", label: "Look up", exit: "not_found", exit_label: "Not found", meaning: "the call ends after the query" },
};

const undefinedVariable: Problem = {
  severity: "warning",
  code: "undefined_variable",
  message: 'Say Phrase "Greeting" uses "client_name", which is not set when SQL Query "Look up" leaves by its "Not found" exit',
  params: {
    block_type: "say_phrase",
    block_title: "Say Phrase",
    label: "Greeting",
    variable: "client_name",
    setter_block_type: "sql",
    setter_block_title: "SQL Query",
    setter_label: "Look up",
    exit: "not_found",
    exit_label: "Not found",
  },
};

const configMinimum: Problem = {
  severity: "error",
  code: "config",
  message: 'IVR Menu "Main menu": Seconds to wait: 0 is below the limit of 1',
  params: { ...menu, field: "Seconds to wait", rule: "minimum", limit: 1, value: 0 },
};

const configRow: Problem = {
  severity: "error",
  code: "config",
  message: "IVR Menu \"Main menu\": Keys > row 2 > Key: 'A' does not match the form this field takes",
  params: { ...menu, field: "Keys > row 2 > Key", rule: "pattern", value: "A" },
};

// tests/plugins/test_broken_plugins.py: a plugin installed but left out as broken (graph_engine.registry skip_broken).
const brokenPlugin: Problem = {
  severity: "error",
  code: "unknown_type",
  message: "Block \"Notify\" is of type \"acme_broken\", whose plugin 'acme_broken = acme_broken:AcmeBlock (from acme-broken)' is installed but broken: cannot be imported: ModuleNotFoundError: No module named 'acme_sdk'",
  params: {
    block_type: "acme_broken",
    label: "Notify",
    plugin: "acme_broken = acme_broken:AcmeBlock (from acme-broken)",
    detail: "cannot be imported: ModuleNotFoundError: No module named 'acme_sdk'",
  },
};

// tests/graph_engine/test_issue_params.py: a holiday written day-first (blocks/timewindows.py holiday_problems).
const holidayNoDate: Problem = {
  severity: "error",
  code: "config",
  message: "Schedule \"Office hours\": Holidays > row 2: '2026-25-12' is not a date: write year-month-day (YYYY-MM-DD), e.g. 2026-12-25",
  params: {
    block_type: "schedule",
    block_title: "Schedule",
    label: "Office hours",
    field: "Holidays > row 2",
    rule: "format",
    format: "date",
    value: "2026-25-12",
    detail: "'2026-25-12' is not a date: write year-month-day (YYYY-MM-DD), e.g. 2026-12-25",
  },
};

describe("a holiday that is no date", () => {
  it("is said in Spanish and Russian, with the form to write it in", () => {
    expect(problemText(holidayNoDate, "es")).toContain("«2026-25-12» no es una fecha: escríbala como año-mes-día (AAAA-MM-DD)");
    expect(problemText(holidayNoDate, "ru")).toContain("«2026-25-12» — не дата: пишите год-месяц-день (ГГГГ-ММ-ДД)");
  });
});

describe("a broken plugin's block", () => {
  it("says the plugin is installed but broken, and why, instead of 'not installed'", () => {
    expect(problemText(brokenPlugin, "es")).toContain("está instalado pero roto: cannot be imported: ModuleNotFoundError");
    expect(problemText(brokenPlugin, "ru")).toContain("установлен, но не работает: cannot be imported: ModuleNotFoundError");
    expect(problemText({ ...brokenPlugin, params: { block_type: "acme_x", label: "Notify" } }, "es")).toContain("que no está instalado");
  });
});

describe("problems in the analyst's language", () => {
  it("says an unwired IVR key in Spanish and Russian, the analyst's own key name kept", () => {
    expect(problemText(unwiredKey, "es")).toBe("Menú IVR «Main menu»: tecla 3 (Sales) no lleva a ninguna parte — pulsar esta tecla termina la llamada");
    expect(problemText(unwiredKey, "ru")).toBe("Голосовое меню «Main menu»: клавиша 3 (Sales) никуда не ведёт — нажатие этой клавиши завершает звонок");
  });

  it("names a built-in exit as the canvas does, as an exit (not a bare capitalised word heading the sentence)", () => {
    expect(problemText(unwiredNotFound, "es")).toBe("Consulta SQL «Look up»: la salida «No encontrado» no lleva a ninguna parte — la llamada termina tras la consulta");
    expect(problemText(unwiredNotFound, "ru")).toBe("SQL-запрос «Look up»: выход «Не найдено» никуда не ведёт — звонок завершается после запроса");
    const busy: Problem = {
      severity: "warning",
      code: "unwired_exit",
      message: 'Transfer "Sales": Busy leads nowhere: the caller is hung up on',
      params: { block_type: "transfer", block_title: "Transfer", label: "Продажи", exit: "busy", exit_label: "Busy" },
    };
    expect(problemText(busy, "ru")).toBe("Перевод «Продажи»: выход «Занято» никуда не ведёт — звонящему просто кладут трубку");
    // "Transferir" is a verb in Spanish: the block is named as a block.
    expect(problemText({ ...busy, params: { ...busy.params, label: "Ventas" } }, "es")).toBe(
      "El bloque «Ventas» (Transferir): la salida «Ocupado» no lleva a ninguna parte — se cuelga al llamante",
    );
  });

  it("says which block and exit leave a variable unset", () => {
    expect(problemText(undefinedVariable, "es")).toBe(
      "El bloque «Greeting» (Decir frase) usa la variable «client_name», que no tiene valor cuando el bloque «Look up» (Consulta SQL) sale por su salida «No encontrado»",
    );
    expect(problemText(undefinedVariable, "ru")).toBe(
      "Блок «Greeting» («Произнести фразу») использует переменную «client_name», которая не задана, когда блок «Look up» («SQL-запрос») уходит через выход «Не найдено»",
    );
    const maybe = { ...undefinedVariable, params: { block_type: "say_phrase", block_title: "Say Phrase", label: "Greeting", variable: "debt" } };
    expect(problemText(maybe, "es")).toBe("El bloque «Greeting» (Decir frase) usa la variable «debt», que puede no tener valor todavía cuando la llamada llega aquí");
    expect(problemText(maybe, "ru")).toBe(
      "Блок «Greeting» («Произнести фразу») использует переменную «debt», которая может быть ещё не задана, когда звонок доходит сюда",
    );
  });

  it("says a config limit with the field's title in the form's language", () => {
    expect(problemText(configMinimum, "es")).toBe("Menú IVR «Main menu»: «Segundos de espera» — como mínimo 1 (ahora: 0)");
    expect(problemText(configMinimum, "ru")).toBe("Голосовое меню «Main menu»: «Ждать (с)» — не меньше 1 (сейчас 0)");
    expect(problemText(configRow, "es")).toBe("Menú IVR «Main menu»: «Teclas», tecla 2, «Tecla» — «A» no tiene la forma que admite este campo");
    expect(problemText(configRow, "ru")).toBe("Голосовое меню «Main menu»: «Клавиши», клавиша 2, «Клавиша» — «A» не подходит по форме для этого поля");
    const tries: Problem = { ...configMinimum, params: { ...menu, label: "Меню", field: "Tries", rule: "maximum", limit: 10, value: 50 } };
    expect(problemText(tries, "ru")).toBe("Голосовое меню «Меню»: «Попыток» — не больше 10 (сейчас 50)");
    expect(problemText(tries, "es")).toBe("Menú IVR «Меню»: «Intentos» — como máximo 10 (ahora: 50)");
  });

  it("names a list's rows as the form titles them, and the days as the form asks for them", () => {
    const hours = { block_type: "schedule", block_title: "Schedule", label: "Часы работы" };
    const noDays: Problem = {
      severity: "error",
      code: "config",
      message: "Schedule \"Часы работы\": Opening hours > row 1 > Days: choose at least one",
      params: { ...hours, field: "Opening hours > row 1 > Days", rule: "minItems", limit: 1 },
    };
    expect(problemText(noDays, "ru")).toBe("Расписание «Часы работы»: «Часы работы», интервал 1, «Дни» — выберите хотя бы один день");
    expect(problemText(noDays, "es")).toBe("Horario «Часы работы»: «Horario de apertura», franja 1, «Días» — elija al menos un día");
    // A plugin's list, which the designer has no row name for: rows are counted.
    const plugin: Problem = { ...noDays, params: { ...hours, field: "Phones > row 3 > Number", rule: "minLength", limit: 1 } };
    expect(problemText(plugin, "ru")).toBe("Расписание «Часы работы»: «Phones», строка 3, «Number» — не может быть пустым");
  });

  it("says how to write a time of day, as the form does", () => {
    const from: Problem = {
      severity: "error",
      code: "config",
      message: "Schedule \"Часы работы\": Opening hours > row 1 > From: '9:00' does not match the form this field takes",
      params: { block_type: "schedule", block_title: "Schedule", label: "Часы работы", field: "Opening hours > row 1 > From", rule: "pattern", value: "9:00" },
    };
    expect(problemText(from, "ru")).toBe("Расписание «Часы работы»: «Часы работы», интервал 1, «С» — «9:00» не подходит по форме. Время в виде ЧЧ:ММ, например 09:30.");
    expect(problemText(from, "es")).toBe(
      "Horario «Часы работы»: «Horario de apertura», franja 1, «Desde» — «9:00» no tiene la forma esperada. Una hora como HH:MM, p. ej. 09:30.",
    );
    const window: Problem = {
      ...from,
      params: { block_type: "callback", block_title: "Schedule Callback", label: "cb", field: "Allowed hours > row 2 > To", rule: "pattern", value: "25:00" },
    };
    expect(problemText(window, "ru")).toMatch(/«Разрешённые часы», интервал 2, «По» — «25:00» не подходит по форме\. Время в виде ЧЧ:ММ, например 09:30\.$/);
  });

  it("in English too: the server's message, its rows named as the form names them, and how to write the time", () => {
    const from: Problem = {
      severity: "error",
      code: "config",
      message: "Schedule \"Office\": Opening hours > row 1 > From: '25:00' does not match the form this field takes",
      params: { block_type: "schedule", block_title: "Schedule", label: "Office", field: "Opening hours > row 1 > From", rule: "pattern", value: "25:00" },
    };
    expect(problemText(from, "en")).toBe(
      "Schedule \"Office\": Opening hours > Period 1 > From: '25:00' does not match the form this field takes. A time as HH:MM, e.g. 09:30.",
    );
    // A hint the server gave is already in its message; a list the designer has no row name for keeps "row".
    const zone: Problem = { ...from, message: "x: Time zone: 'Madrid' does not match the form this field takes: IANA name", params: { ...from.params, field: "Time zone", hint: "IANA name" } };
    expect(problemText(zone, "en")).toBe(zone.message);
    const plugin: Problem = { ...from, message: "P: Phones > row 3 > Number: must not be empty", params: { block_type: "sms", field: "Phones > row 3 > Number", rule: "minLength", limit: 1 } };
    expect(problemText(plugin, "en")).toBe(plugin.message);
    const days: Problem = { ...from, message: "S: Opening hours > row 2 > Days: choose at least one", params: { ...from.params, field: "Opening hours > row 2 > Days", rule: "minItems", limit: 1 } };
    expect(problemText(days, "en")).toBe("S: Opening hours > Period 2 > Days: choose at least one");
  });

  it("says a required setting and a choice without a 'settings:' step, naming the choices", () => {
    const say = { block_type: "say_phrase", block_title: "Say Phrase", label: "say_phrase" };
    const required: Problem = { severity: "error", code: "config", message: "settings: Text to say is required", params: { ...say, field: "settings", rule: "required", missing: "Text to say" } };
    expect(problemText(required, "ru")).toBe("Блок «say_phrase» («Произнести фразу»): нужно заполнить «Текст для озвучивания»");
    expect(problemText(required, "es")).toBe("El bloque «say_phrase» (Decir frase): rellene «Texto que se dice»");
    const choose: Problem = {
      severity: "error",
      code: "config",
      message: "Menu prompt: choose Recorded audio or Spoken text",
      params: { ...menu, label: "ivr", field: "Menu prompt", rule: "choose", choices: "Recorded audio|Spoken text" },
    };
    expect(problemText(choose, "ru")).toBe("Голосовое меню «ivr»: «Сообщение меню» — выберите «Запись» или «Синтез речи»");
    expect(problemText(choose, "es")).toBe("Menú IVR «ivr»: «Mensaje del menú» — elija «Audio grabado» o «Texto hablado»");
  });

  it("names a block whose title is a verb as a block, so no problem reads as an order", () => {
    const jump: Problem = {
      severity: "error",
      code: "goto_missing_target",
      message: 'Go To "Переход" jumps to "nowhere", which does not exist',
      params: { block_type: "goto", block_title: "Go To", label: "Переход", node_id: "nowhere" },
    };
    expect(problemText(jump, "ru")).toBe("Блок «Переход» («Перейти к блоку») ведёт к блоку «nowhere», которого нет");
    expect(problemText(jump, "es")).toBe("El bloque «Переход» (Ir a) salta al bloque «nowhere», que no existe");
    const zone: Problem = {
      severity: "error",
      code: "unknown_timezone",
      message: 'Schedule "Часы": unknown time zone Europe/Moskow',
      params: { block_type: "schedule", block_title: "Schedule", label: "Часы", timezone: "Europe/Moskow" },
    };
    expect(problemText(zone, "ru")).toBe("Расписание «Часы»: неизвестный часовой пояс «Europe/Moskow»");
    const loop: Problem = {
      severity: "error",
      code: "loop_without_input",
      message: "loop",
      params: { count: 2, block_type_1: "set_variable", block_title_1: "Set Variable", label_1: "Цикл 1", block_type_2: "goto", block_title_2: "Go To", label_2: "Цикл 2" },
    };
    expect(problemText(loop, "ru")).toMatch(/без конца: «Цикл 1» \(«Задать переменную»\), «Цикл 2» \(«Перейти к блоку»\)$/);
  });

  it("translates the server's advice on a value's form, and keeps advice it has no words for", () => {
    const badName: Problem = {
      severity: "error",
      code: "invalid_value",
      message: "Variable 1 name: 'имя клиента' does not match the form this field takes: Letters, digits and _ (at most 64), not starting with a digit: customer_name, not customer name.",
      params: {
        where: "variable",
        row: 1,
        field: "name",
        rule: "pattern",
        value: "имя клиента",
        hint: "Letters, digits and _ (at most 64), not starting with a digit: customer_name, not customer name.",
      },
    };
    expect(problemText(badName, "ru")).toBe(
      "Переменная 1 — имя «имя клиента» недопустимо: только латинские буквы, цифры и _, не начиная с цифры, не длиннее 64 символов.",
    );
    expect(problemText(badName, "es")).toBe(
      "Variable 1 — el nombre «имя клиента» no es válido: solo letras, cifras y _, sin empezar por cifra, como máximo 64 caracteres.",
    );
    const plugin: Problem = { ...configRow, params: { ...menu, field: "Key", rule: "pattern", value: "A", hint: "AC and six digits." } };
    expect(problemText(plugin, "ru")).toBe("Голосовое меню «Main menu»: «Клавиша» — «A» не подходит по форме. AC and six digits.");
  });

  it("has words for the hint of every pattern field of the format and the built-in blocks", () => {
    const described = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(walk);
      if (value === null || typeof value !== "object") return;
      const record = value as Record<string, unknown>;
      if (typeof record.pattern === "string" && typeof record.description === "string") described.add(record.description);
      Object.values(record).forEach(walk);
    };
    walk(JSON.parse(readFileSync(new URL("../../../schemas/scenario.schema.json", import.meta.url), "utf8")));
    walk(JSON.parse(readFileSync(new URL("./fixtures/catalog.json", import.meta.url), "utf8")));
    expect(described.size).toBeGreaterThan(5);
    expect([...described].filter((hint) => !Object.hasOwn(HINTS, hint))).toEqual([]);
  });

  it("says a name's length limit in characters, in the form's words too", () => {
    const limits = (language: "es" | "ru") => Object.values(LANGUAGES[language]).filter((text) => /\b(32|64)\b/.test(text));
    expect(limits("ru").length).toBeGreaterThan(4);
    expect(limits("ru").filter((text) => !/не длиннее (32|64) символов/.test(text))).toEqual([]);
    expect(limits("es").filter((text) => !/como máximo (32|64) caracteres/.test(text))).toEqual([]);
  });

  it("says a typed field's rule and the scenario-wide problems", () => {
    const emptyName: Problem = {
      severity: "error",
      code: "invalid_value",
      message: "Scenario name: must not be empty",
      params: { where: "scenario", field: "name", rule: "minLength", limit: 1 },
    };
    expect(problemText(emptyName, "es")).toBe("Escenario, nombre — no puede estar vacío");
    expect(problemText(emptyName, "ru")).toBe("Сценарий, название — не может быть пустым");
    const longName: Problem = { ...emptyName, params: { where: "variable", row: 2, field: "name", rule: "maxLength", limit: 64, length: 70 } };
    expect(problemText(longName, "ru")).toBe("Переменная 2, имя — не больше 64 символов (сейчас 70)");
    const noStart: Problem = { severity: "error", code: "no_start", message: "The scenario has no Start block: calls would have nowhere to go", params: {} };
    expect(problemText(noStart, "ru")).toBe("В сценарии нет блока «Начало»: звонкам некуда идти");
  });

  it("tells a scenario not published yet from one that does not exist", () => {
    const jump = { block_type: "goto_scenario", block_title: "Go To Scenario", label: "Sales", scenario: "sales" };
    const message = 'Go To Scenario "Sales" names the scenario "sales", which is not published yet: calls cannot go there until it is';
    const drafted: Problem = { severity: "error", code: "goto_unknown_scenario", message, params: { ...jump, state: "unpublished" } };
    expect(problemText(drafted, "es")).toContain("«sales», que aún no está publicado");
    expect(problemText(drafted, "ru")).toContain("«sales», который ещё не опубликован");
    const unknown: Problem = { ...drafted, params: { ...jump, state: "unknown" } };
    expect(problemText(unknown, "es")).toMatch(/«sales», que no existe$/);
    expect(problemText(unknown, "ru")).toMatch(/«sales», которого нет$/);
  });

  it("names the error exit as the canvas does", () => {
    const source: Problem = {
      severity: "warning",
      code: "sql_unknown_source",
      message: 'SQL Query "Look up": the data source "crm" is not configured',
      params: { block_type: "sql", block_title: "SQL Query", label: "Look up", source: "crm" },
    };
    expect(problemText(source, "ru")).toBe("SQL-запрос «Look up»: источник данных «crm» не настроен; пока его нет, блок уходит на выход «Ошибка»");
    expect(problemText(source, "es")).toBe(
      "Consulta SQL «Look up»: el origen de datos «crm» no está configurado; hasta que lo esté, el bloque sale por su salida «Error»",
    );
  });

  it("says a Twilio Studio export is one, and the command that converts it", () => {
    const studio: Problem = {
      severity: "error",
      code: "studio_flow",
      message: "this is a Twilio Studio flow export: convert it with `ivrgraph import-studio support.json -o flow.json` (or the designer's Import)",
      params: { file: "support.json" },
    };
    expect(problemText(studio, "es")).toBe(
      "es una exportación de un flujo de Twilio Studio: conviértala con «ivrgraph import-studio support.json -o flow.json» (o con «Importar archivo» en el diseñador)",
    );
    expect(problemText(studio, "ru")).toContain("«ivrgraph import-studio support.json -o flow.json»");
  });

  it("says how many blocks after an unreachable head no call reaches either, in the language's plural", () => {
    const say = { block_type: "say_phrase", block_title: "Say Phrase", label: "Ventas" };
    const head = (count: number, reason = "no_connection"): Problem => ({
      severity: "warning",
      code: "unreachable",
      message: "server words",
      node: "sales",
      params: { ...say, count, reason },
    });
    expect(problemText(head(0), "es")).toBe("El bloque «Ventas» (Decir frase) nunca se alcanza: ninguna conexión lleva a él");
    expect(problemText(head(1), "es")).toBe(
      "El bloque «Ventas» (Decir frase) nunca se alcanza, ni el bloque que le sigue: ninguna conexión lleva a él",
    );
    expect(problemText(head(37), "es")).toBe(
      "El bloque «Ventas» (Decir frase) nunca se alcanza, ni los 37 bloques que le siguen: ninguna conexión lleva a él",
    );
    expect(problemText(head(2, "loop"), "es")).toMatch(/ni los 2 bloques que le siguen: ninguna conexión lleva al bucle del que forma parte$/);
    expect(problemText(head(0), "ru")).toBe("Блок «Ventas» («Произнести фразу») недостижим: к нему не ведёт ни одна связь");
    expect(problemText(head(1), "ru")).toMatch(/недостижим, как и блок после него: к нему не ведёт ни одна связь$/);
    expect(problemText(head(3), "ru")).toMatch(/недостижим, как и 3 блока после него: /);
    expect(problemText(head(21), "ru")).toMatch(/недостижим, как и 21 блок после него: /);
    expect(problemText(head(37, "loop"), "ru")).toMatch(/недостижим, как и 37 блоков после него: ни одна связь не ведёт в цикл, в который он входит$/);
    // A server from before heads were counted sent each block on its own, without `count`: the words it had.
    const alone: Problem = { ...head(0), params: say };
    expect(problemText(alone, "es")).toBe(problemText(head(0), "es"));
    expect(problemText(head(37), "en")).toBe("server words");
  });

  it("keeps English as the server wrote it", () => {
    expect(problemText(unwiredKey, "en")).toBe(unwiredKey.message);
  });

  it("shows the server's message for a plugin's own code, missing params, or a rule it has no words for", () => {
    const plugin: Problem = { severity: "error", code: "crm_bad_token", message: "CRM: the token expired", params: { label: "x" } };
    expect(problemText(plugin, "es")).toBe("CRM: the token expired");
    const old: Problem = { ...unwiredKey, params: undefined };
    expect(problemText(old, "ru")).toBe(unwiredKey.message);
    const partial: Problem = { ...configMinimum, params: { ...menu, rule: "minimum", limit: 1 } };
    expect(problemText(partial, "es")).toBe(configMinimum.message);
    const jsonschemaOwn: Problem = { ...configMinimum, message: "x: 1 is not of type 'string'", params: { ...menu, field: "x", rule: "type", detail: "1 is not of type 'string'" } };
    expect(problemText(jsonschemaOwn, "ru")).toBe(jsonschemaOwn.message);
    const pluginExit: Problem = { ...unwiredKey, params: { ...unwiredKey.params, block_type: "crm_lookup", block_title: "CRM lookup" } };
    expect(problemText(pluginExit, "es")).toBe(unwiredKey.message); // no words for what the plugin's exit does
  });

  it("keeps the params the server sent", () => {
    expect(normalizeProblems([{ ...configMinimum }])[0]!.params).toEqual(configMinimum.params);
    expect(normalizeProblems([{ ...configMinimum, params: { a: [1] } }])[0]!.params).toBeUndefined();
  });

  it("has Spanish and Russian words for every code docs/scenario-format.md lists", () => {
    const doc = readFileSync(new URL("../../../docs/scenario-format.md", import.meta.url), "utf8");
    const section = doc.split("## Validation codes")[1]!.split("\n## ")[0]!;
    const codes = new Set<string>();
    for (const line of section.split("\n").filter((l) => l.startsWith("| "))) {
      const [first = "", , meaning = ""] = line.split("|").slice(1);
      for (const match of (first.trim() === "block codes" ? meaning : first).matchAll(/`([a-z_]+)`/g)) codes.add(match[1]!);
    }
    expect(codes.size).toBeGreaterThan(25);
    for (const language of ["es", "ru"] as const) {
      expect([...codes].filter((code) => !Object.hasOwn(TEMPLATES[language], code)), language).toEqual([]);
    }
  });
});
