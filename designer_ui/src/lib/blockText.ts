/**
 * Spanish and Russian names for the built-in blocks' categories and exits. The catalog comes from the server in
 * English, with each block's texts in the designer's languages (its `translations`, pluginText.ts): a block's
 * title is read there, a built-in's as a plugin's, and anything it does not give keeps the server's text. How the
 * designer names one block in words (a call's story, a test's path, a publish's refusal) is `blockName`.
 */
import type { BlockSpec, Catalog } from "./catalog";
import type { ExitInfo } from "./exits";
import type { Language } from "./i18n";
import { pluginText } from "./pluginText";

type Table = Record<string, string>;

/**
 * The built-in blocks' titles as the catalog gives them (blocks/builtin/*.py `translations`), kept for where no
 * catalog entry is at hand (not loaded yet, a server from before they were there) and to tell a built-in type
 * from a plugin's. tests/blocks/test_builtin_translations.py keeps the two the same.
 */
const TITLES: Record<Exclude<Language, "en">, Table> = {
  es: {
    start: "Inicio",
    message: "Mensaje",
    say_phrase: "Decir frase",
    ivr: "Menú IVR",
    sql: "Consulta SQL",
    transfer: "Transferir",
    callback: "Programar devolución",
    schedule: "Horario",
    condition: "Condición",
    switch: "Según valor",
    set_variable: "Asignar variable",
    goto: "Ir a",
    goto_scenario: "Ir a escenario",
    hangup: "Colgar",
  },
  ru: {
    start: "Начало",
    message: "Сообщение",
    say_phrase: "Произнести фразу",
    ivr: "Голосовое меню",
    sql: "SQL-запрос",
    transfer: "Перевод",
    callback: "Обратный звонок",
    schedule: "Расписание",
    condition: "Условие",
    switch: "Выбор по значению",
    set_variable: "Задать переменную",
    goto: "Перейти к блоку",
    goto_scenario: "Перейти в сценарий",
    hangup: "Завершить",
  },
};

const CATEGORIES: Record<Exclude<Language, "en">, Table> = {
  es: { Connect: "Conectar", Data: "Datos", Flow: "Flujo", Input: "Entrada", Prompts: "Mensajes" },
  ru: { Connect: "Соединение", Data: "Данные", Flow: "Логика", Input: "Ввод", Prompts: "Сообщения" },
};

const EXITS: Record<Exclude<Language, "en">, Table> = {
  es: {
    next: "Siguiente",
    error: "Error",
    answered: "Contestada",
    busy: "Ocupado",
    no_answer: "Sin respuesta",
    failed: "Fallida",
    found: "Encontrado",
    not_found: "No encontrado",
    scheduled: "Programada",
    rejected: "Rechazada",
    true: "Sí",
    false: "No",
    open: "Abierto",
    closed: "Cerrado",
    default: "Otro",
    max_tries: "Demasiados intentos",
    no_input: "Nada pulsado",
    invalid: "Teclas incorrectas",
  },
  ru: {
    next: "Далее",
    error: "Ошибка",
    answered: "Ответил",
    busy: "Занято",
    no_answer: "Нет ответа",
    failed: "Сбой",
    found: "Найдено",
    not_found: "Не найдено",
    scheduled: "Запланирован",
    rejected: "Отклонён",
    true: "Да",
    false: "Нет",
    open: "Открыто",
    closed: "Закрыто",
    default: "Иначе",
    max_tries: "Попытки исчерпаны",
    no_input: "Ничего не нажато",
    invalid: "Неверные клавиши",
  },
};

/**
 * More words each built-in block is found by in the palette's search, in every language at once (an analyst types
 * the words they know, whatever the interface's language): other designers' names for it (Twilio Studio's Gather
 * Input, Split Based On, Connect Call To...), and what an analyst calls what it does, in English, Spanish and
 * Russian. A plugin's block is found by its own title and description.
 */
const KEYWORDS: Record<string, readonly string[]> = {
  start: ["trigger", "entry", "begin", "disparador", "entrada", "comienzo", "вход", "триггер", "старт"],
  message: [
    "say/play", "say play", "say", "play", "prompt", "audio", "announcement", "greeting",
    "reproducir", "decir", "locución", "locucion", "anuncio", "saludo",
    "проиграть", "воспроизвести", "сказать", "приветствие", "объявление", "аудио",
  ],
  say_phrase: [
    "say/play", "say play", "say", "play", "speak", "tts", "text to speech", "announce",
    "reproducir", "decir", "hablar", "locutar", "síntesis de voz", "sintesis de voz",
    "проиграть", "сказать", "произнести", "озвучить", "синтез речи",
  ],
  ivr: [
    "gather", "gather input", "digits", "dtmf", "keypad", "keys", "press", "input", "capture", "pin",
    "dígitos", "digitos", "teclas", "tonos", "pulsar", "marcación", "entrada",
    "цифры", "клавиши", "тональный", "донабор", "нажатие", "ввод",
  ],
  // Studio's HTTP lookup becomes an SQL block on the CRM's database (docs/from-studio.md): its words find it too.
  sql: [
    "database", "db", "lookup", "select", "crm", "make http request", "http request", "http", "api", "url", "webhook",
    "base de datos", "buscar", "база данных", "бд", "поиск",
  ],
  transfer: [
    "connect", "connect call to", "dial", "agent", "operator", "queue", "enqueue", "forward", "bridge",
    "conectar", "marcar", "agente", "operador", "cola", "desviar",
    "соединить", "набрать", "оператор", "агент", "очередь", "переадресация",
  ],
  callback: ["call back", "outbound", "rellamada", "devolver la llamada", "saliente", "перезвонить", "исходящий"],
  schedule: [
    "hours", "business hours", "office hours", "time of day", "holiday",
    "horas", "festivo", "hora del día", "часы работы", "график", "праздник", "время",
  ],
  condition: ["split", "split based on", "if", "branch", "compare", "dividir", "si", "rama", "bifurcar", "если", "ветвление", "разделить", "сравнить"],
  switch: ["split", "split based on", "case", "route", "dividir", "caso", "según", "ветвление", "разделить", "случай", "маршрут"],
  set_variable: ["variable", "set", "set variables", "assign", "asignar", "establecer", "переменная", "задать", "присвоить"],
  goto: ["jump", "loop", "back", "saltar", "volver", "bucle", "перейти", "вернуться", "назад", "цикл"],
  goto_scenario: ["subflow", "run subflow", "another flow", "subflujo", "otro escenario", "подсценарий", "другой сценарий"],
  hangup: ["end call", "end", "finish", "bye", "terminar", "fin", "завершить", "положить трубку", "конец"],
};

/** The palette's further search words for a built-in block type (`KEYWORDS`); none for any other. */
export function blockKeywords(type: string): readonly string[] {
  return KEYWORDS[type] ?? [];
}

/**
 * What an analyst searches the palette for when they want a block the product does not build in (an HTTP request,
 * a webhook, a voicemail): a plugin adds such blocks (docs/blocks.md), and a search finding nothing says so.
 */
const PLUGIN_WORDS: readonly string[] = [
  "http", "webhook", "voicemail", "api", "rest", "url", "sms", "email", "e-mail", "fax", "function",
  "buzón de voz", "buzon de voz", "correo de voz", "correo",
  "вебхук", "голосовая почта", "голосовой ящик", "почта", "смс",
];

/** Whether a palette search finding nothing was for a kind of block that comes from a plugin. */
export function wantsPluginBlock(query: string): boolean {
  const words = query.trim().toLowerCase();
  return words !== "" && PLUGIN_WORDS.some((word) => words.includes(word));
}

/** A block type's title in `language` where only its English title is at hand (no catalog entry): see `specTitle`. */
export function blockTitle(language: Language, type: string, serverTitle: string): string {
  return language === "en" ? serverTitle : (TITLES[language][type] ?? serverTitle);
}

/**
 * A block type's title in `language`, from its catalog entry: the words its block gives for the language
 * (`translations`, a built-in's as a plugin's), else for a built-in the designer's copy of them (a catalog without
 * them), else the server's English title; the type itself for a type the catalog does not have (not loaded yet, or
 * uninstalled).
 */
export function specTitle(language: Language, type: string, spec: BlockSpec | undefined): string {
  const builtin = language === "en" ? undefined : TITLES[language][type];
  return pluginText(spec, language, "title") ?? builtin ?? spec?.title ?? type;
}

/** A block as `blockName` names it: its id, the label the analyst gave it (if any) and its type (when known). */
export interface NamedBlock {
  id: string;
  label?: string | null;
  type?: string | null;
}

/**
 * How the designer names a block in words: its label; with none, its type's title in the interface language where
 * its id is the one the designer gives a type's first block (`start`: the unlabelled Start of a scenario made
 * before new ones were labelled, or through the API), else the title and the id, «Голосовое меню (ivr_2)». Never a
 * bare English id among the analyst's words; the id alone only for a step whose type is not known.
 */
export function blockName(language: Language, catalog: Catalog, block: NamedBlock): string {
  if (block.label) return block.label;
  if (!block.type) return block.id;
  const title = specTitle(language, block.type, catalog.get(block.type));
  return block.id === block.type ? title : `${title} (${block.id})`;
}

/** A canvas block as `canvasBlockNames` reads it. */
export interface CanvasBlock {
  id: string;
  data: { blockType: string; label?: string };
}

/** Every block of a canvas by id, named as `blockName` names it. */
export function canvasBlockNames(language: Language, catalog: Catalog, blocks: readonly CanvasBlock[]): Map<string, string> {
  return new Map(blocks.map((b) => [b.id, blockName(language, catalog, { id: b.id, label: b.data.label, type: b.data.blockType })]));
}

export function categoryName(language: Language, category: string): string {
  return language === "en" ? category : (CATEGORIES[language][category] ?? category);
}

/** The exit names with one meaning on every block (graph_engine/block.py RESERVED_EXITS), a plugin's included. */
const SHARED_EXITS: ReadonlySet<string> = new Set(["next", "timeout", "invalid", "error", "hangup"]);
const SHARED_WORDS: Record<Exclude<Language, "en">, Table> = {
  es: { timeout: "Tiempo agotado", hangup: "Colgó" },
  ru: { timeout: "Время истекло", hangup: "Положил трубку" },
};

/**
 * An exit's label: IVR keys and switch cases are the analyst's own names and stay as they are; the fixed exits
 * of built-in blocks are translated. A plugin's exit (`spec`: its catalog entry) is labelled in the words its plugin
 * gives for the language (`exits.<name>`), else, for a name every block shares (`error`, `timeout`...), in the
 * built-ins' words, so its `error` reads «Ошибка» beside theirs; else as the server labels it.
 */
export function exitLabel(language: Language, type: string, exit: string, serverLabel: string, spec?: BlockSpec): string {
  const builtin = language !== "en" && type in TITLES[language];
  if (!builtin) {
    const own = pluginText(spec, language, `exits.${exit}`);
    if (own !== undefined) return own;
    if (language === "en" || !SHARED_EXITS.has(exit)) return serverLabel;
    return SHARED_WORDS[language][exit] ?? EXITS[language][exit] ?? serverLabel;
  }
  // Labels of list-made exits start with the analyst's own name ("2: Soporte"): never translated.
  if (exit !== "error" && exit !== "next" && (serverLabel === exit || serverLabel.startsWith(`${exit}: `))) return serverLabel;
  return EXITS[language][exit] ?? serverLabel;
}

/**
 * The exit a step took when the caller hung up mid-block: not a handle of the block but a reserved name, said in
 * words in every language (the raw "hangup" read as if the block had hung up). The Hang Up block's own end takes
 * the same name, though there the scenario ended the call, not the caller (graph_engine/story.py tells them apart
 * by the block's type too).
 */
const HUNG_UP: Record<Language, string> = { en: "caller hung up", es: "quien llama colgó", ru: "абонент положил трубку" };
const CALL_ENDED: Record<Language, string> = { en: "call ended", es: "finalizó la llamada", ru: "звонок завершён" };

/**
 * The exit of a jump, `goto` (graph_engine/validation.py GOTO_EXIT): a Go To's and a Go To Scenario's only exit, no
 * handle on the canvas, so nothing to label it. Said in words (review: "→ goto" in every language), the line under
 * a Go To Scenario's step naming the scenario it continued in.
 */
const JUMPED: Record<Language, { goto: string; goto_scenario: string }> = {
  en: { goto: "jumped to its block", goto_scenario: "continued in another scenario" },
  es: { goto: "saltó a su bloque", goto_scenario: "continuó en otro escenario" },
  ru: { goto: "переход к блоку", goto_scenario: "продолжение в другом сценарии" },
};
const GOTO_EXIT = "goto";

/**
 * The exit a call's step took, as the canvas labels it (`Открыто`, `1: Продажи`, `Попытки исчерпаны`), not its
 * code: `exits` are the block's exits as the catalog names them for its config. With none (the catalog not
 * loaded yet), a built-in block's exit is taken for one of its fixed exits. `endedByScenario`: the call's outcome
 * says the scenario hung up (`hung_up`), never the caller, so a `hangup` exit of any block was the scenario's.
 */
export function stepExitLabel(
  language: Language,
  type: string,
  exit: string,
  exits: readonly ExitInfo[],
  spec?: BlockSpec,
  endedByScenario = false,
): string {
  const own = exits.find((e) => e.name === exit);
  if (!own && exit === "hangup") return (type === "hangup" || endedByScenario ? CALL_ENDED : HUNG_UP)[language];
  if (!own && exit === GOTO_EXIT && (type === "goto" || type === "goto_scenario")) return JUMPED[language][type];
  if (!own && exits.length === 0 && language !== "en" && type in TITLES[language]) return EXITS[language][exit] ?? exit;
  return exitLabel(language, type, exit, own?.label ?? exit, spec);
}
