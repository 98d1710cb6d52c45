/**
 * Spanish and Russian titles for the built-in blocks' form fields. The schemas come from the server in English;
 * the form is drawn from a copy whose `title`s are translated (keyed by the English title), so a plugin's own
 * fields simply stay as the plugin wrote them.
 */
import type { JsonSchemaObject } from "./catalog";
import type { Language, Translate } from "./i18n";

const ES: Record<string, string> = {
  "Accept * in the input": "Aceptar * en la entrada",
  "After (min)": "Tras (min)",
  "Allowed hours": "Horas permitidas",
  "Answer the call": "Contestar la llamada",
  Assignments: "Asignaciones",
  Audio: "Audio",
  "Block to go to": "Bloque al que ir",
  "Caller ID shown": "Número mostrado",
  Cases: "Casos",
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
  Audio: "Запись",
  "Block to go to": "Блок для перехода",
  "Caller ID shown": "Показываемый номер",
  Cases: "Варианты",
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

/**
 * The label of row `n` (from 1) of a list field: "Key 1", "Key 2" (rjsf's own is the list's title and a dash,
 * "Keys-1"). Named after the rows' own schema title, else the built-in list's row name, else the list's title.
 */
export function itemTitle(list: JsonSchemaObject, n: number, language: Language, t: Translate): string {
  const own = list.items?.title;
  const item = own ? localTitle(own, language) : list.title ? (ITEM_OF[list.title]?.[language] ?? localTitle(list.title, language)) : "";
  return item ? t("form.item", { item, n }) : String(n);
}

/** A copy of the schema with its titles in the interface language; English returns the schema itself. */
export function localizeSchema(schema: JsonSchemaObject, language: Language): JsonSchemaObject {
  if (language === "en") return schema;
  const table = TABLES[language];
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = key === "title" && typeof child === "string" ? (table[child] ?? child) : walk(child);
    }
    return out;
  };
  return walk(schema) as JsonSchemaObject;
}
