/**
 * Why a block failed during a call, in the interface language. The engine names the failures an analyst is
 * expected to meet (graph_engine/errors.py): the step's trace holds a `failure` event with a stable `code` and the
 * params of the English `error` (`{kind: "failure", code: "unknown_timezone", timezone: "Europe/Moskow"}`), which
 * this module words in Spanish and Russian. English, a code without words here (a plugin's), or params short of
 * what the words need: the server's English text, whole, as before.
 *
 * Params come from the call (a caller's entry, a data source's message): returned as plain text for React to
 * escape. A `detail` is the engine's own reason (a filter's, a data source's) and stays in English, unless the
 * engine also names it with a `reason` worded here (a template's: `money(None, ...)` is not_a_number with `value`
 * "None"; graph_engine/templates.py).
 */
import type { TraceStep } from "../api/types";
import { blockName } from "./blockText";
import type { Catalog } from "./catalog";
import type { Language } from "./i18n";
import { MissingParam, ParamWords, wordedOr, type Translated } from "./paramWords";

/** The kind of the trace event naming a step's failure. */
export const FAILURE_EVENT = "failure";

type Words = (w: ParamWords) => string;

/** A template's or an expression's words: the engine's `part` param. */
function inExpression(w: ParamWords): boolean {
  return w.has("part") && w.text("part") === "expression";
}

/** A template value as the engine's `value` param gives it (Python's repr): text in «», anything else as it is. */
function shownValue(w: ParamWords): string {
  const value = w.text("value");
  const text = /^'(.*)'$/s.exec(value) ?? /^"(.*)"$/s.exec(value);
  return text ? `«${text[1]}»` : value;
}

/** `empty` when the value was none (a NULL column, a variable set to none), else `said` of the value shown. */
function valueWords(w: ParamWords, empty: string, said: (value: string) => string): string {
  return w.text("value") === "None" ? empty : said(shownValue(w));
}

/** A data source's timeout (`seconds`: 2.5) as the language writes a number: "2,5". */
function seconds(w: ParamWords): string {
  return w.value("seconds").toLocaleString(w.language);
}

/** Whether a syntax failure is an expression's: a problem's `kind` param, or a call's failure's `part`. */
function isExpression(w: ParamWords): boolean {
  return inExpression(w) || (w.has("kind") && w.text("kind") === "expression");
}

/**
 * The common syntax mistakes graph_engine/templates.py names (_syntax_reason) instead of Jinja's token words
 * ("unexpected 'end of print statement'"), said after "the expression has an error:", in the Problems panel and in a call's failure alike.
 */
const SYNTAX_REASONS: Record<Translated, Record<string, Words>> = {
  es: {
    empty: (w) => (isExpression(w) ? "está vacía" : "hay un «{{ }}» sin nada dentro"),
    incomplete: (w) => `termina después de ${w.quoted("after")}: falta algo detrás`,
    unclosed: (w) => `se abre ${w.quoted("opened")} y no se cierra: añada ${w.quoted("closer")}`,
    unexpected: (w) => `${w.quoted("found")} no puede ir ahí`,
  },
  ru: {
    empty: (w) => (isExpression(w) ? "выражение пустое" : "внутри «{{ }}» ничего не написано"),
    incomplete: (w) => `обрывается после ${w.quoted("after")}: дальше чего-то не хватает`,
    unclosed: (w) => `открывается ${w.quoted("opened")}, но не закрывается: добавьте ${w.quoted("closer")}`,
    unexpected: (w) => `${w.quoted("found")} не может здесь стоять`,
  },
};

/** What went wrong in a template, by the engine's `reason` param: what the English `detail` says, worded. */
export const TEMPLATE_REASONS: Record<Translated, Record<string, Words>> = {
  es: {
    ...SYNTAX_REASONS.es,
    not_a_number: (w) => valueWords(w, "el valor está vacío (None) y se necesita un número", (v) => `${v} no es un número`),
    ambiguous_number: (w) =>
      `número ambiguo ${shownValue(w)}: son miles en unos países y decimales en otros (escríbalo sin el separador, o con más o menos decimales)`,
    not_a_date: (w) =>
      valueWords(w, "el valor está vacío (None) y se necesita una fecha", (v) => `${v} no es una fecha (use una fecha o un texto ISO como 2026-03-05)`),
    not_a_time: (w) =>
      valueWords(w, "el valor está vacío (None) y se necesita una hora", (v) => `${v} no es una hora del día (use una hora o un texto como 14:30)`),
    unknown_function: (w) => `no hay ninguna función llamada ${w.quoted("variable")}`,
    no_field: (w) => `el valor no tiene el campo ${w.quoted("field")}`,
    unknown_filter: (w) => `no hay ningún filtro llamado ${w.quoted("name")}`,
    unknown_test: (w) => `no hay ninguna prueba llamada ${w.quoted("name")}`,
    // Twilio Studio's templates: `written` as Liquid writes it, `suggestion` the same in Jinja (graph_engine/liquid_hints.py).
    liquid_form: (w) => `${w.quoted("written")} está escrito como en Liquid; aquí se escribe ${w.quoted("suggestion")}`,
  },
  ru: {
    ...SYNTAX_REASONS.ru,
    not_a_number: (w) => valueWords(w, "значение пустое (None), а нужно число", (v) => `${v} — не число`),
    ambiguous_number: (w) =>
      `неоднозначное число ${shownValue(w)}: в одних странах это тысячи, в других — дробная часть (запишите его без разделителя или с другим числом знаков после него)`,
    not_a_date: (w) =>
      valueWords(w, "значение пустое (None), а нужна дата", (v) => `${v} — не дата (нужна дата или текст ISO, например 2026-03-05)`),
    not_a_time: (w) =>
      valueWords(w, "значение пустое (None), а нужно время", (v) => `${v} — не время суток (нужно время или текст вроде 14:30)`),
    unknown_function: (w) => `нет функции ${w.quoted("variable")}`,
    no_field: (w) => `у значения нет поля ${w.quoted("field")}`,
    unknown_filter: (w) => `нет фильтра ${w.quoted("name")}`,
    unknown_test: (w) => `нет проверки ${w.quoted("name")}`,
    liquid_form: (w) => `${w.quoted("written")} записано как в Liquid; здесь пишется ${w.quoted("suggestion")}`,
  },
};

/** The failure's `reason` worded when this module knows it and has its params, else `otherwise()` (the English). */
function reasonOr(w: ParamWords, otherwise: () => string): string {
  const reason = w.has("reason") ? w.text("reason") : "";
  const words = Object.hasOwn(TEMPLATE_REASONS[w.language], reason) ? TEMPLATE_REASONS[w.language][reason] : undefined;
  if (!words) return otherwise();
  try {
    return words(w);
  } catch (error) {
    if (error instanceof MissingParam) return otherwise();
    throw error;
  }
}

/** Each named failure's reason, said after "Error:" or "Error in block «X»:". */
export const FAILURE_WORDS: Record<Translated, Record<string, Words>> = {
  es: {
    unknown_timezone: (w) => `zona horaria desconocida ${w.quoted("timezone")}`,
    unknown_variable: (w) =>
      reasonOr(w, () =>
        w.has("variable") ? `la variable ${w.quoted("variable")} no tiene valor` : `falta un valor (${w.text("detail")})`,
      ),
    template_failed: (w) =>
      `${inExpression(w) ? "la expresión no se pudo evaluar" : "la plantilla no se pudo completar"}: ${reasonOr(w, () => w.text("detail"))}`,
    template_syntax: (w) =>
      `${inExpression(w) ? "la expresión" : "la plantilla"} tiene un error: ${reasonOr(w, () => w.text("detail"))}`,
    template_refused: (w) => `algo no permitido en una plantilla: ${w.text("detail")}`,
    not_dialable: (w) => `${w.quoted("target")} no es un destino al que se pueda llamar`,
    channel_from_variable: (w) =>
      `${w.quoted("target")}: un destino tomado de variables puede ser un número o queue:NOMBRE; un canal necesita su tecnología escrita en el bloque (PJSIP/{{ extension }}) y en la variable solo la extensión`,
    bad_caller_id: (w) => `el número mostrado ${w.quoted("caller_id")} no es un número de teléfono`,
    scenario_not_published: (w) => `el escenario ${w.quoted("scenario")} no está publicado`,
    sql_variables_not_set: (w) => `la consulta necesita variables que no tienen valor: ${w.text("variables")}`,
    sql_no_column: (w) =>
      w.has("columns")
        ? `el resultado no tiene la columna ${w.quoted("column")} (columnas: ${w.text("columns")})`
        : `el resultado no tiene la columna ${w.quoted("column")}: la sentencia no devolvió filas`,
    data_source_failed: (w) => `falló el origen de datos ${w.quoted("source")}: ${w.text("detail")}`,
    sql_query_failed: (w) => `la consulta al origen de datos ${w.quoted("source")} falló: ${w.text("detail")}`,
    data_source_timeout: (w) => `el origen de datos ${w.quoted("source")} no respondió en ${seconds(w)} s`,
    // A data source's own failures (persistence/datasources.py), each named, so no English is left in them.
    data_source_busy: (w) =>
      `el origen de datos ${w.quoted("source")} está ocupado: aún hay ${w.text("running")} consultas en curso (su servidor puede ir lento o no responder)`,
    data_source_not_configured: (w) =>
      `el origen de datos ${w.quoted("source")} no existe: un administrador debe crearlo en la página Orígenes de datos`,
    data_source_settings_unreadable: (w) => `no se pueden leer ahora los ajustes del origen de datos ${w.quoted("source")}`,
    data_source_read_only: (w) =>
      `el origen de datos ${w.quoted("source")} es de solo lectura: solo admite una sentencia SELECT`,
    data_source_login_refused: (w) =>
      `el origen de datos ${w.quoted("source")} rechazó el inicio de sesión: un administrador debe revisar su usuario y contraseña`,
    data_source_no_database: (w) => `la base de datos del origen de datos ${w.quoted("source")} no existe en su servidor`,
    data_source_unreachable: (w) => `no se puede conectar ahora con el origen de datos ${w.quoted("source")}`,
    sql_query_refused: (w) => `la consulta al origen de datos ${w.quoted("source")} no se ejecutó: ${w.text("detail")}`,
    no_test_rows: (w) => `la llamada de prueba no tiene filas para el origen de datos ${w.quoted("source")}: escríbalas en el panel Llamada de prueba`,
    callback_not_scheduled: (w) =>
      `no se pudo programar la devolución de llamada al escenario ${w.quoted("scenario")}: ${w.text("detail")}`,
    media_not_played: (w) => `Asterisk no pudo reproducir ${w.quoted("media")}: falta el archivo de sonido`,
  },
  ru: {
    unknown_timezone: (w) => `неизвестный часовой пояс ${w.quoted("timezone")}`,
    unknown_variable: (w) =>
      reasonOr(w, () => (w.has("variable") ? `у переменной ${w.quoted("variable")} нет значения` : `нет значения (${w.text("detail")})`)),
    template_failed: (w) =>
      `${inExpression(w) ? "выражение не вычислилось" : "шаблон не удалось заполнить"}: ${reasonOr(w, () => w.text("detail"))}`,
    template_syntax: (w) => `ошибка в ${inExpression(w) ? "выражении" : "шаблоне"}: ${reasonOr(w, () => w.text("detail"))}`,
    template_refused: (w) => `в шаблоне то, что не разрешено: ${w.text("detail")}`,
    not_dialable: (w) => `${w.quoted("target")} — не адрес, по которому можно позвонить`,
    channel_from_variable: (w) =>
      `${w.quoted("target")}: адрес из переменных может быть номером или queue:ИМЯ; для канала технология пишется в самом блоке (PJSIP/{{ extension }}), а в переменной только внутренний номер`,
    bad_caller_id: (w) => `показываемый номер ${w.quoted("caller_id")} — не телефонный номер`,
    scenario_not_published: (w) => `сценарий ${w.quoted("scenario")} не опубликован`,
    sql_variables_not_set: (w) => `запросу нужны переменные без значения: ${w.text("variables")}`,
    sql_no_column: (w) =>
      w.has("columns")
        ? `в результате нет столбца ${w.quoted("column")} (столбцы: ${w.text("columns")})`
        : `в результате нет столбца ${w.quoted("column")}: запрос не вернул строк`,
    data_source_failed: (w) => `сбой источника данных ${w.quoted("source")}: ${w.text("detail")}`,
    sql_query_failed: (w) => `запрос к источнику данных ${w.quoted("source")} не выполнен: ${w.text("detail")}`,
    data_source_timeout: (w) => `источник данных ${w.quoted("source")} не ответил за ${seconds(w)} с`,
    data_source_busy: (w) =>
      `источник данных ${w.quoted("source")} занят: все его места для запросов (${w.text("running")}) заняты; его сервер может быть медленным или не отвечать`,
    data_source_not_configured: (w) =>
      `источника данных ${w.quoted("source")} нет: администратор должен создать его на странице «Источники данных»`,
    data_source_settings_unreadable: (w) => `настройки источника данных ${w.quoted("source")} сейчас не удаётся прочитать`,
    data_source_read_only: (w) =>
      `источник данных ${w.quoted("source")} только для чтения: разрешена одна инструкция SELECT`,
    data_source_login_refused: (w) =>
      `источник данных ${w.quoted("source")} отклонил вход: администратор должен проверить имя пользователя и пароль`,
    data_source_no_database: (w) => `базы данных источника ${w.quoted("source")} нет на его сервере`,
    data_source_unreachable: (w) => `к источнику данных ${w.quoted("source")} сейчас не удаётся подключиться`,
    sql_query_refused: (w) => `запрос к источнику данных ${w.quoted("source")} не выполнен: ${w.text("detail")}`,
    no_test_rows: (w) => `у тестового звонка нет строк для источника данных ${w.quoted("source")}: задайте их в панели «Тестовый звонок»`,
    callback_not_scheduled: (w) => `обратный звонок в сценарий ${w.quoted("scenario")} не запланирован: ${w.text("detail")}`,
    media_not_played: (w) => `Asterisk не смог воспроизвести ${w.quoted("media")}: нет звукового файла`,
  },
};

/** The call's error line naming the block that failed: "Ошибка в блоке «Часы работы»: …". */
const IN_BLOCK: Record<Translated, string> = {
  es: "Error en el bloque «{block}»: {reason}",
  ru: "Ошибка в блоке «{block}»: {reason}",
};

/** The step's named failure (its last `failure` event), if the engine named it. */
export function failureOf(step: Pick<TraceStep, "events">): Record<string, unknown> | undefined {
  return (step.events ?? []).findLast((event) => event.kind === FAILURE_EVENT);
}

/** Why `step` failed, in `language`: its failure worded when the code is known, else its English `error`. */
export function stepFailureText(step: Pick<TraceStep, "events" | "error">, language: Language): string {
  const error = step.error ?? "";
  const event = failureOf(step);
  if (language === "en" || !event) return error;
  const code = String(event.code);
  const words = Object.hasOwn(FAILURE_WORDS[language], code) ? FAILURE_WORDS[language][code] : undefined;
  return wordedOr(new ParamWords(language, event), words, error);
}

/**
 * The step whose failure ended the call: the last step with a named failure, when the call's error is that
 * step's (the interpreter's `block 'x' failed: <the step's error>`). Undefined when the call ended otherwise (a
 * failure its error exit handled, then a step limit).
 */
export function failingStep(error: string, steps: readonly TraceStep[]): TraceStep | undefined {
  const failed = steps.findLast((step) => step.error && failureOf(step));
  if (!failed?.error) return undefined;
  return error === failed.error || error.endsWith(` failed: ${failed.error}`) ? failed : undefined;
}

/**
 * The call's error line in `language`, naming the block that failed ("Ошибка в блоке «Часы работы»: неизвестный
 * часовой пояс «Europe/Moskow»"), as `blockName` names it by `catalog`; null when it is to be said as the server's
 * English text.
 */
export function callFailureText(error: string, steps: readonly TraceStep[], language: Language, catalog: Catalog = new Map()): string | null {
  if (language === "en") return null;
  const step = failingStep(error, steps);
  if (!step) return null;
  const reason = stepFailureText(step, language);
  if (reason === step.error) return null; // not worded: the call's own English line says more (the block)
  const block = blockName(language, catalog, { id: step.node, label: step.label, type: step.type });
  // A function, not a string: a `$&` in a caller's entry is text, not a replacement pattern.
  return IN_BLOCK[language].replace(/\{(block|reason)\}/g, (_, name: string) => (name === "block" ? block : reason));
}
