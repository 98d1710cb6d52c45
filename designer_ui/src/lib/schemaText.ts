/**
 * The built-in blocks' form text in the interface language: field titles and help, the names of a field's
 * choices, and what an exit left unwired does. The catalog comes from the server in English; titles and help
 * (lib/descriptions.ts) are translated on a copy of the schema, keyed by the English text, choices and exit
 * meanings by block type, so a plugin's own text simply stays as the plugin wrote it.
 */
import { WEEKDAYS } from "./callList";
import type { JsonSchemaObject } from "./catalog";
import { localDescription } from "./descriptions";
import { formatDateTime } from "./format";
import { translator, type Language, type Translate } from "./i18n";

const ES: Record<string, string> = {
  "Accept * in the input": "Aceptar * en la entrada",
  "After (min)": "Tras (min)",
  "Allowed hours": "Horas permitidas",
  "Answer the call": "Contestar la llamada",
  Assignments: "Asignaciones",
  Audio: "Audio",
  "Block to go to": "Bloque al que ir",
  "Caller ID shown": "Número mostrado",
  "Caller name shown": "Nombre mostrado",
  Cases: "Casos",
  Column: "Columna",
  "Columns to variables": "Columnas a variables",
  "Data source": "Origen de datos",
  Days: "Días",
  "Defer up to": "Aplazar hasta (h)",
  Destination: "Destino",
  "Exit name": "Nombre de la salida",
  Expression: "Expresión",
  From: "Desde",
  Holidays: "Festivos",
  Key: "Tecla",
  "Key that ends the input": "Tecla que termina la entrada",
  Keys: "Teclas",
  "Keys that interrupt": "Teclas que interrumpen",
  Language: "Idioma",
  "Max digits": "Máx. cifras",
  "Max rows": "Máx. filas",
  Meaning: "Significado",
  "Menu prompt": "Mensaje del menú",
  "When the entry is invalid": "Si la entrada no es válida",
  Prompt: "Mensaje",
  "Min digits": "Mín. cifras",
  Mode: "Modo",
  "Number to call": "Número al que llamar",
  "Opening hours": "Horario de apertura",
  "Outside the hours": "Fuera del horario",
  Query: "Consulta",
  "Recorded audio": "Audio grabado",
  "Result to record": "Resultado a registrar",
  "Ring for (s)": "Sonar durante (s)",
  Scenario: "Escenario",
  "Scenario the callee hears": "Escenario que oye el llamado",
  "Seconds to wait": "Segundos de espera",
  "Spoken text": "Texto hablado",
  "Store all rows in": "Guardar todas las filas en",
  "Store the input in": "Guardar la entrada en",
  "Store the key in": "Guardar la tecla en",
  "Tell silence from wrong keys": "Distinguir el silencio de las teclas incorrectas",
  Text: "Texto",
  "Text to say": "Texto que se dice",
  "Time zone": "Zona horaria",
  "Timeout (s)": "Tiempo límite (s)",
  To: "Hasta",
  Tries: "Intentos",
  Value: "Valor",
  "Value is": "El valor es",
  Variable: "Variable",
  "Variables to carry": "Variables a conservar",
  Voice: "Voz",
  "When nothing is pressed": "Si no se pulsa nada",
  "When the key is wrong": "Si la tecla no es válida",
  "When the value is": "Cuando el valor es",
};

const RU: Record<string, string> = {
  "Accept * in the input": "Принимать * при вводе",
  "After (min)": "Через (мин)",
  "Allowed hours": "Разрешённые часы",
  "Answer the call": "Отвечать на звонок",
  Assignments: "Присваивания",
  Audio: "Файл записи",
  "Block to go to": "Блок для перехода",
  "Caller ID shown": "Показываемый номер",
  "Caller name shown": "Показываемое имя",
  Cases: "Варианты",
  Column: "Столбец",
  "Columns to variables": "Столбцы в переменные",
  "Data source": "Источник данных",
  Days: "Дни",
  "Defer up to": "Отложить до (ч)",
  Destination: "Куда",
  "Exit name": "Имя выхода",
  Expression: "Выражение",
  From: "С",
  Holidays: "Праздники",
  Key: "Клавиша",
  "Key that ends the input": "Клавиша окончания ввода",
  Keys: "Клавиши",
  "Keys that interrupt": "Клавиши прерывания",
  Language: "Язык",
  "Max digits": "Макс. цифр",
  "Max rows": "Макс. строк",
  Meaning: "Значение",
  "Menu prompt": "Сообщение меню",
  "When the entry is invalid": "Если ввод неверен",
  Prompt: "Сообщение",
  "Min digits": "Мин. цифр",
  Mode: "Режим",
  "Number to call": "Номер для звонка",
  "Opening hours": "Часы работы",
  "Outside the hours": "Вне рабочих часов",
  Query: "Запрос",
  "Recorded audio": "Запись",
  "Result to record": "Записать результат",
  "Ring for (s)": "Звонить (с)",
  Scenario: "Сценарий",
  "Scenario the callee hears": "Сценарий для вызываемого",
  "Seconds to wait": "Ждать (с)",
  "Spoken text": "Синтез речи",
  "Store all rows in": "Все строки в",
  "Store the input in": "Сохранить ввод в",
  "Store the key in": "Сохранить клавишу в",
  "Tell silence from wrong keys": "Отличать молчание от неверных клавиш",
  Text: "Текст",
  "Text to say": "Текст для озвучивания",
  "Time zone": "Часовой пояс",
  "Timeout (s)": "Тайм-аут (с)",
  To: "По",
  Tries: "Попыток",
  Value: "Значение",
  "Value is": "Значение — это",
  Variable: "Переменная",
  "Variables to carry": "Передать переменные",
  Voice: "Голос",
  "When nothing is pressed": "Если ничего не нажато",
  "When the key is wrong": "Если клавиша неверна",
  "When the value is": "Когда значение равно",
};

const TABLES: Record<Exclude<Language, "en">, Record<string, string>> = { es: ES, ru: RU };

/** A built-in field's title (English, as the server sends it) in the interface language. */
export function localTitle(title: string, language: Language): string {
  return language === "en" ? title : (TABLES[language][title] ?? title);
}

/** What one row of a built-in list is called, by the list's English title: the IVR's "Keys" are rows of a "Key". */
const ITEM_OF: Record<string, Record<Language, string>> = {
  Keys: { en: "Key", es: "Tecla", ru: "Клавиша" },
  Cases: { en: "Case", es: "Caso", ru: "Вариант" },
  Assignments: { en: "Assignment", es: "Asignación", ru: "Присваивание" },
  "Opening hours": { en: "Period", es: "Franja", ru: "Интервал" },
  "Allowed hours": { en: "Period", es: "Franja", ru: "Интервал" },
  Holidays: { en: "Holiday", es: "Festivo", ru: "Праздник" },
  "Variables to carry": { en: "Variable", es: "Variable", ru: "Переменная" },
};

/** What one row of a built-in list is called (`Интервал` for the "Opening hours"), by the list's English title; null for another list. */
export function rowName(listTitle: string, language: Language): string | null {
  return Object.hasOwn(ITEM_OF, listTitle) ? ITEM_OF[listTitle]![language] : null;
}

/**
 * The label of row `n` (from 1) of a list field: "Key 1", "Key 2" (rjsf's own is the list's title and a dash,
 * "Keys-1"). Named after the rows' own schema title, else the built-in list's row name, else the list's title.
 */
export function itemTitle(list: JsonSchemaObject, n: number, language: Language, t: Translate): string {
  const own = list.items?.title;
  const item = own ? localTitle(own, language) : list.title ? (ITEM_OF[list.title]?.[language] ?? localTitle(list.title, language)) : "";
  return item ? t("form.item", { item, n }) : String(n);
}

/**
 * A copy of the schema with its titles and descriptions (a field's help) in the interface language; English
 * returns the schema itself.
 */
export function localizeSchema(schema: JsonSchemaObject, language: Language): JsonSchemaObject {
  if (language === "en") return schema;
  const table = TABLES[language];
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === "title" && typeof child === "string") out[key] = table[child] ?? child;
      else if (key === "description" && typeof child === "string") out[key] = localDescription(child, language);
      else out[key] = walk(child);
    }
    return out;
  };
  return walk(schema) as JsonSchemaObject;
}

/** Short weekday names by code ("mon": "Mon", "lun", "пн"), as the call-list dialog's day chips show them. */
export function weekdayNames(language: Language): Record<string, string> {
  // 2024-01-01 was a Monday.
  return Object.fromEntries(WEEKDAYS.map((day, i) => [day, formatDateTime(Date.UTC(2024, 0, 1 + i), language, "weekday", "UTC")]));
}

type Words = Partial<Record<Language, string>>;

/**
 * Names of the built-in fields' choices, by block type and field, then value. English keeps the values where
 * the field's description names them ("menu: one exit per key"); lib/descriptions.ts words the others' alike.
 */
const CHOICES: Record<string, Record<string, Words>> = {
  "ivr.mode": { menu: { es: "Menú", ru: "Меню" }, capture: { es: "Captura de número", ru: "Ввод номера" } },
  "ivr.terminator": { "": { en: "None", es: "Ninguna", ru: "Нет" } },
  "callback.outside_window": { defer: { es: "Aplazar", ru: "Отложить" }, reject: { es: "Rechazar", ru: "Отклонить" } },
  "set_variable.mode": { text: { es: "Texto", ru: "Текст" }, expression: { es: "Expresión", ru: "Выражение" } },
};

/**
 * The names of an enum field's choices, by value, for those that have one (the others show their value).
 * Weekday codes ("mon".."sun", the shared hours schema) are named as days, whichever block's field they are.
 */
export function enumLabels(language: Language, blockType: string, field: string, values: readonly unknown[]): Record<string, string> {
  const keys = values.map(String);
  if (keys.length && keys.every((key) => (WEEKDAYS as readonly string[]).includes(key))) {
    const days = weekdayNames(language);
    return Object.fromEntries(keys.map((key) => [key, days[key]!]));
  }
  const table = CHOICES[`${blockType}.${field}`] ?? {};
  const labels: Record<string, string> = {};
  for (const key of keys) {
    const label = table[key]?.[language];
    if (label) labels[key] = label;
  }
  return labels;
}

type Meaning = Record<Exclude<Language, "en">, string>;

const CALL_ENDS: Meaning = { es: "la llamada termina (se cuelga)", ru: "звонок завершается (отбой)" };

/**
 * What an unwired exit of a built-in block does, by block type, then the catalog's `unwired_meaning` key (an
 * exit name, or "*" for the others). The English is the server's.
 */
const UNWIRED: Record<string, Record<string, Meaning>> = {
  start: { "*": { es: "se contesta la llamada y se cuelga enseguida", ru: "на звонок отвечают и сразу кладут трубку" } },
  message: { "*": { es: "el llamante oye el mensaje y la llamada termina", ru: "звонящий слышит сообщение, и звонок завершается" } },
  say_phrase: { "*": { es: "el llamante oye la frase y la llamada termina", ru: "звонящий слышит фразу, и звонок завершается" } },
  ivr: {
    max_tries: { es: "tras el último intento fallido la llamada termina", ru: "после последней неудачной попытки звонок завершается" },
    no_input: {
      es: "si no se pulsó ninguna tecla en ningún intento, la llamada termina",
      ru: "если ни в одной попытке не нажали ни одной клавиши, звонок завершается",
    },
    invalid: {
      es: "si se pulsó una tecla incorrecta y se agotaron los intentos, la llamada termina",
      ru: "если нажали неверную клавишу и попытки исчерпаны, звонок завершается",
    },
    next: { es: "cuando el llamante lo ha marcado, la llamada termina", ru: "когда звонящий его набрал, звонок завершается" },
    "*": { es: "pulsar esta tecla termina la llamada", ru: "нажатие этой клавиши завершает звонок" },
  },
  sql: { "*": { es: "la llamada termina tras la consulta", ru: "звонок завершается после запроса" } },
  transfer: {
    answered: { es: "la llamada termina cuando acaba la conversación", ru: "звонок завершается, когда закончится разговор" },
    "*": { es: "se cuelga al llamante", ru: "звонящему просто кладут трубку" },
  },
  callback: { "*": { es: "la llamada termina sin avisar al llamante", ru: "звонок завершается, звонящему ничего не сообщают" } },
  schedule: { "*": { es: "en este horario la llamada termina sin decir nada", ru: "в это время звонок завершается без единого слова" } },
  condition: { "*": CALL_ENDS },
  switch: { "*": CALL_ENDS },
  set_variable: { "*": CALL_ENDS },
  goto: { "*": CALL_ENDS },
  goto_scenario: { "*": CALL_ENDS },
  hangup: { "*": CALL_ENDS },
};

/**
 * What an unwired exit of a built-in block does, in Spanish or Russian, by the same keys as the server's
 * `unwired_meaning` (the exit, else "*"); null for a block the designer has no words for (a plugin's).
 */
export function unwiredMeaning(language: Exclude<Language, "en">, blockType: string, exit: string): string | null {
  const meanings = Object.hasOwn(UNWIRED, blockType) ? UNWIRED[blockType] : undefined;
  return (meanings?.[exit] ?? meanings?.["*"])?.[language] ?? null;
}

/** When the catalog says nothing for an exit: what the server's validation then says, "the call ends". */
const NO_MEANING: Record<Language, string> = { en: "the call ends", es: "la llamada termina", ru: "звонок завершается" };

/**
 * "Not connected: …" under an unwired exit, whole in one language: the interface's when the designer has the
 * words for this block's exit, else the server's English meaning with the English prefix (a plugin's, or a
 * built-in exit the designer does not know yet), never a translated prefix glued onto English.
 */
export function unwiredHint(language: Language, blockType: string, exit: string, meanings: Record<string, string> | undefined): string {
  const t = translator(language);
  if (exit === "error") return t("editor.unwired", { meaning: t("editor.unwiredError") });
  const key = meanings && Object.hasOwn(meanings, exit) ? exit : meanings && Object.hasOwn(meanings, "*") ? "*" : null;
  if (key === null) return t("editor.unwired", { meaning: NO_MEANING[language] });
  const english = meanings![key]!;
  if (language === "en") return t("editor.unwired", { meaning: english });
  const translated = UNWIRED[blockType]?.[key]?.[language];
  return translated ? t("editor.unwired", { meaning: translated }) : translator("en")("editor.unwired", { meaning: english });
}
