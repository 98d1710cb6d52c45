/**
 * A call list's problem (its file, a client's row, the campaign's settings) in the interface language, from its
 * stable `code` and its `params` (the values the server's English message is built from: the file's `row` or the
 * client's place, the `column`, the cell's `value`...). As in problemText.ts, English is the server's own message,
 * and so is a problem whose code has no words here or whose params lack what the words need: a line is always
 * said whole in one language.
 */
import type { components } from "../generated/api";
import { ApiError } from "../api/http";
import { callListFailure, SHOWN_PROBLEMS, type CallListFailure } from "./callList";
import type { Language } from "./i18n";
import { MissingParam, ParamWords, wordedOr, type Translated } from "./paramWords";

export type CallListProblem = components["schemas"]["CallListProblem"];
/** The pieces of a call list's problem, said in one language. */
class Words extends ParamWords {
  /** A number as the language groups its digits (20 000, 20.000). */
  number(name: string): string {
    return this.value(name).toLocaleString(this.language);
  }

  /** How the server named the client: by the row of their sheet, or by their place when no row numbers were sent. */
  private get by(): "row" | "client" {
    return this.params.row !== undefined ? "row" : "client";
  }

  /** Where the client is, starting a line: "Строка 5" (of their sheet), or "Клиент 3" (their place in the list). */
  place(): string {
    const word = PLACE[this.language][this.by];
    return `${word.charAt(0).toUpperCase()}${word.slice(1)} ${this.text(this.by)}`;
  }

  /** Where the client a duplicate repeats is, inside a sentence: "строка 2". */
  firstPlace(): string {
    return `${PLACE[this.language][this.by]} ${this.text("first")}`;
  }

  /** "Строка 5, due_date: «30/12/2026»": the cell a value problem is about. */
  cell(): string {
    return `${this.place()}, ${this.text("column")}: ${this.quoted("value")}`;
  }

  /** A number param as the language writes it, without grouping its thousands ("1000", "1,5"): read unambiguously. */
  plainNumber(name: string): string {
    return this.value(name).toLocaleString(this.language, { useGrouping: false, maximumFractionDigits: 3 });
  }

  /** An ISO date param as the language says it in full ("3 de abril de 2026"): which day a date was read as. */
  longDate(name: string): string {
    const day = new Date(`${this.text(name).slice(0, 10)}T00:00:00Z`);
    if (Number.isNaN(day.getTime())) throw new MissingParam(name);
    return day.toLocaleDateString(this.language, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }
}

const PLACE: Record<Translated, Record<"row" | "client", string>> = {
  es: { row: "fila", client: "cliente" },
  ru: { row: "строка", client: "клиент" },
};

const DATE_FORMS: Record<Translated, string> = {
  es: "escríbala 2026-12-30 o 30.12.2026 (año-mes-día o día.mes.año)",
  ru: "пишите 2026-12-30 или 30.12.2026 (год-месяц-день или день.месяц.год)",
};

type Template = (w: Words) => string;

/**
 * Why a date with slashes that could be either way (3/4/2026) was refused (ambiguous_date's `reason`), ending the
 * line: nothing says which (no country set on the server), the server's country writes both, or the column has
 * dates of both orders. Without a reason (the callbacks API), the general words alone.
 */
function ambiguousDate(w: Words, language: Translated): string {
  const es = language === "es";
  const reason = w.has("reason") ? w.text("reason") : "";
  if (reason === "column_has_both") {
    return es
      ? `${w.cell()} es una fecha ambigua: la columna tiene fechas que solo pueden leerse con el día primero ` +
          `(${w.text("day_first")}) y otras con el mes primero (${w.text("month_first")}); ${DATE_FORMS.es}`
      : `${w.cell()} — неоднозначная дата: в столбце есть даты, где первым может быть только день (${w.text("day_first")}), ` +
          `и даты, где только месяц (${w.text("month_first")}); ${DATE_FORMS.ru}`;
  }
  const why: Record<string, () => string> = es
    ? {
        no_country: () => ", y ni la lista ni un país configurado en el servidor (IVRGRAPH_DEFAULT_COUNTRY) dicen cuál",
        country_either_way: () => `, y el país del servidor (${w.text("country")}) no tiene un solo orden`,
      }
    : {
        no_country: () => ", а ни список, ни страна, заданная на сервере (IVRGRAPH_DEFAULT_COUNTRY), не говорят, как здесь",
        country_either_way: () => `, а в стране сервера (${w.text("country")}) пишут по-разному`,
      };
  const because = Object.hasOwn(why, reason) ? why[reason]!() : "";
  return es
    ? `${w.cell()} es una fecha ambigua: con barras, unos países escriben primero el mes y otros el día${because}; ${DATE_FORMS.es}`
    : `${w.cell()} — неоднозначная дата: с косой чертой в одних странах первым пишут месяц, в других день${because}; ${DATE_FORMS.ru}`;
}

/** How a column's dates with slashes that could be either way will be read, and what says so (slash_dates_read). */
function slashDatesRead(w: Words, language: Translated): string {
  const day = w.text("first") === "day";
  const byColumn = w.text("by") === "column";
  if (language === "es") {
    const why = byColumn
      ? `como ${w.quoted("proof")}, que en la misma columna solo puede leerse así`
      : `como se escriben en ${w.text("country")} (el país del servidor, IVRGRAPH_DEFAULT_COUNTRY)`;
    return (
      `Columna ${w.quoted("column")}: las fechas con barras se leen con el ${day ? "día" : "mes"} primero, ${why}: ` +
      `${w.quoted("value")} (fila ${w.text("row")}) es el ${w.longDate("read")} donde la columna llena una variable de ` +
      "fecha. Compruebe las fechas en la vista previa de la comprobación"
    );
  }
  const why = byColumn
    ? `как в ${w.quoted("proof")} из того же столбца, которую иначе не прочитать`
    : `как пишут даты в ${w.text("country")} (страна сервера, IVRGRAPH_DEFAULT_COUNTRY)`;
  return (
    `Столбец ${w.quoted("column")}: в датах с косой чертой первым читается ${day ? "день" : "месяц"}, ${why}: ` +
    `${w.quoted("value")} (строка ${w.text("row")}) — это ${w.longDate("read")}, если столбец заполняет переменную-дату. ` +
    "Проверьте даты в предпросмотре проверки"
  );
}

/**
 * A number such as 1.000 that could be one or a thousand (ambiguous_number): both readings, why nothing said which
 * when the column has numbers of both conventions, and how to write it as one.
 */
function ambiguousNumber(w: Words, language: Translated): string {
  const es = language === "es";
  const readings = `${w.plainNumber("as_decimal")} ${es ? "o" : "или"} ${w.text("as_thousands")}`;
  const write = es
    ? `escriba ${w.text("as_thousands")}, o ${w.text("with_decimals")}`
    : `пишите ${w.text("as_thousands")} или ${w.text("with_decimals")}`;
  if (w.has("reason") && w.text("reason") === "column_has_both") {
    return es
      ? `${w.cell()} es ambiguo (¿${readings}?): la columna tiene números que solo pueden leerse con el punto separando ` +
          `los miles (${w.text("dot_groups")}) y otros con la coma (${w.text("comma_groups")}); ${write}`
      : `${w.cell()} — неоднозначное число (${readings}?): в столбце есть числа, где тысячи можно отделить только точкой ` +
          `(${w.text("dot_groups")}), и числа, где только запятой (${w.text("comma_groups")}); ${write}`;
  }
  return es ? `${w.cell()} es ambiguo (¿${readings}?): ${write}` : `${w.cell()} — неоднозначное число (${readings}?): ${write}`;
}

/** How a column's numbers such as 1.000 are read, and what says so (thousands_read). */
function thousandsRead(w: Words, language: Translated): string {
  const dot = w.text("group") === ".";
  const byColumn = w.text("by") === "column";
  if (language === "es") {
    const why = byColumn
      ? `como ${w.quoted("proof")}, que en la misma columna solo puede leerse así`
      : `como se escriben en ${w.text("country")} (el país del servidor, IVRGRAPH_DEFAULT_COUNTRY)`;
    return (
      `Columna ${w.quoted("column")}: los números como ${w.quoted("value")} se leen con ${dot ? "el punto" : "la coma"} ` +
      `separando los miles, ${why}: ${w.quoted("value")} (fila ${w.text("row")}) es ${w.plainNumber("read")}. ` +
      "Compruebe los números en la vista previa de la comprobación"
    );
  }
  const why = byColumn
    ? `как в ${w.quoted("proof")} из того же столбца, которое иначе не прочитать`
    : `как пишут числа в ${w.text("country")} (страна сервера, IVRGRAPH_DEFAULT_COUNTRY)`;
  return (
    `Столбец ${w.quoted("column")}: в числах вроде ${w.quoted("value")} ${dot ? "точка" : "запятая"} читается как ` +
    `разделитель тысяч, ${why}: ${w.quoted("value")} (строка ${w.text("row")}) — это ${w.plainNumber("read")}. ` +
    "Проверьте числа в предпросмотре проверки"
  );
}

/** Why a number is no phone (impossible_number's `reason`): libphonenumber's lengths for its country. */
const IMPOSSIBLE: Record<Translated, Record<string, string>> = {
  es: {
    too_short: "tiene menos cifras que un número de su país",
    too_long: "tiene más cifras que un número de su país",
    invalid_length: "ningún número de su país tiene tantas cifras",
    unknown_country_code: "ningún país tiene ese prefijo",
  },
  ru: {
    too_short: "в нём меньше цифр, чем в номере его страны",
    too_long: "в нём больше цифр, чем в номере его страны",
    invalid_length: "номеров такой длины в его стране нет",
    unknown_country_code: "такого кода страны нет",
  },
};

/** The campaign a warning names: its name quoted, or, for one started without a name, the day it was. */
function campaignName(w: Words, language: Translated): string {
  if (w.text("campaign")) return w.quoted("campaign");
  const day = w.text("created_at").slice(0, 10);
  return language === "es" ? `del ${day}` : `от ${day}`;
}

/** Each code's words; every code the server gives a call list's problem has them in both languages (a test checks). */
export const CALL_LIST_TEMPLATES: Record<Translated, Record<string, Template>> = {
  es: {
    no_number: (w) => `${w.place()}: no hay número en la columna ${w.quoted("column")}`,
    not_a_phone_number: (w) => `${w.place()}: ${w.quoted("value")} no es un número de teléfono`,
    impossible_number: (w) => `${w.place()}: ${w.quoted("value")} no es un número de teléfono: ${IMPOSSIBLE.es[w.text("reason")] ?? IMPOSSIBLE.es.invalid_length}`,
    emergency_number: (w) => `${w.place()}: ${w.quoted("value")} es un número de emergencias y nunca se llama`,
    duplicate_number: (w) => `${w.place()}: el número ${w.text("number")} ya está en la lista (${w.firstPlace()})`,
    duplicate_skipped: (w) =>
      `${w.place()}: el número ${w.text("number")} ya está en la lista (${w.firstPlace()}): se omite, y a ese número se llama una sola vez`,
    more_duplicates_skipped: (w) => `…y ${w.number("count")} filas duplicadas más omitidas`,
    cell_required: (w) =>
      `${w.place()}, ${w.text("column")}: vacía, y el escenario lee ${w.text("reads")} sin valor por defecto: la llamada a ` +
      "este cliente fallaría ahí",
    not_a_number: (w) => `${w.cell()} no es un número`,
    not_a_whole_number: (w) => `${w.cell()} no es un número entero`,
    ambiguous_number: (w) => ambiguousNumber(w, "es"),
    thousands_read: (w) => thousandsRead(w, "es"),
    not_yes_or_no: (w) => `${w.cell()} no es sí ni no`,
    not_a_date: (w) => `${w.cell()} no es una fecha: ${DATE_FORMS.es}`,
    ambiguous_date: (w) => ambiguousDate(w, "es"),
    more_problems: (w) => `…y ${w.number("count")} problemas más como estos`,
    campaign_over: () => "El final de la campaña ya ha pasado: no se llamaría a nadie",
    campaign_ends_first: () => "La campaña debe terminar después de su primera llamada",
    hours_never_open: (w) =>
      w.text("end") === "until"
        ? "El horario no abre nunca entre la primera llamada y el final de la campaña"
        : "El horario no abre nunca entre la primera llamada y dos semanas después (la campaña no tiene final)",
    unknown_timezone: (w) => `Zona horaria desconocida ${w.quoted("timezone")}`,
    not_published: (w) => `El escenario ${w.quoted("scenario")} no está publicado`,
    empty_file: () => "El archivo está vacío",
    other_spreadsheet: () => "No es un archivo CSV ni XLSX: guarde la hoja como .xlsx o como «CSV UTF-8»",
    not_a_list_file: () => "No es un archivo CSV ni XLSX",
    not_utf8: (w) => `La línea ${w.text("line")} no es texto UTF-8: guarde la lista como «CSV UTF-8» (o como .xlsx) y súbala de nuevo`,
    read_as_windows_1251: () =>
      "El archivo no es UTF-8 y se ha leído como Windows-1251 (cirílico), como guarda los CSV un Excel ruso: compruebe que los nombres se leen bien en la vista previa",
    read_as_windows_1252: () =>
      "El archivo no es UTF-8 y se ha leído como Windows-1252 (Europa occidental), como guarda «CSV (delimitado por comas)» un Excel " +
      "español, francés o alemán: compruebe que los nombres se leen bien en la vista previa",
    slash_dates_read: (w) => slashDatesRead(w, "es"),
    csv_unreadable: (w) => `No se puede leer el CSV: ${w.text("detail")}`,
    xlsx_damaged: () => "El archivo XLSX está dañado (no es un archivo zip completo)",
    xlsx_too_big: (w) => `El XLSX descomprimido ocupa ${w.number("mib")} MiB, más de ${w.number("limit_mib")} MiB`,
    xlsx_unreadable: (w) => `No se puede leer el archivo XLSX: ${w.text("detail")}`,
    no_rows: () => "La lista no tiene filas",
    no_clients: (w) => `La lista tiene encabezado (fila ${w.text("row")}) pero ningún cliente debajo`,
    too_many_rows: (w) => `La lista tiene más de ${w.number("limit")} filas: divídala en varias listas`,
    too_many_columns: (w) => `La fila ${w.text("row")} tiene ${w.number("count")} columnas, más de ${w.number("limit")}`,
    column_name_too_long: (w) =>
      `Fila ${w.text("row")}, columna ${w.text("column")}: un nombre de columna de más de ${w.number("limit")} caracteres`,
    column_twice: (w) =>
      `Fila ${w.text("row")}: la columna ${w.quoted("column")} aparece dos veces (columnas ${w.text("first")} y ${w.text("second")})`,
    cell_without_column: (w) => `Fila ${w.text("row")}, columna ${w.text("column")}: ${w.quoted("value")} está en una columna sin nombre`,
    cell_too_long: (w) => `Fila ${w.text("row")}, ${w.text("column")}: más de ${w.number("limit")} caracteres`,
    formula_cell: (w) =>
      `Fila ${w.text("row")}, columna ${w.text("column")}: la celda tiene una fórmula (${w.text("formula")}) cuyo valor no ` +
      "está guardado en el archivo: ábralo en Excel y guárdelo de nuevo, o pegue la columna como valores",
    formula_value_read: (w) =>
      `Columna ${w.text("column")}: celdas con fórmula: ${w.number("count")} (la primera en la fila ${w.text("row")}); se lee ` +
      "el valor que el archivo guardó para cada una: compruébelas en la vista previa",
    file_too_big: (w) => `El archivo ocupa más de ${w.number("limit_mib")} MiB`,
    list_too_large: (w) =>
      `La lista es demasiado grande para empezarla de una vez (${w.number("mib")} MiB tal como se envían sus filas, como máximo ` +
      `${w.number("limit_mib")} MiB): divídala en listas más pequeñas o quite las columnas que la llamada no necesita`,
    // With `chosen`, the analyst chose columns in the dialog: they choose one there, rather than rename one in the file.
    columns_missing: (w) =>
      w.has("chosen")
        ? `Ninguna columna elegida llena ${w.text("reads")}, que el escenario lee sin valor por defecto: todas las llamadas ` +
          `contestadas fallarían ahí. Las columnas de la lista son ${w.text("columns")}: elija una columna para ello o dé al ` +
          "escenario un valor por defecto"
        : `Ninguna columna se llama ${w.text("missing")}, y el escenario lo lee (${w.text("reads")}) sin valor por defecto: ` +
          `todas las llamadas contestadas fallarían ahí. Las columnas de la lista son ${w.text("columns")}: cambie el nombre ` +
          "de una columna en el archivo o dé al escenario un valor por defecto",
    columns_defaulted: (w) =>
      `Ninguna columna llena ${w.text("reads")}: todos los clientes oirán el valor por defecto del escenario ` +
      `(${w.text("defaults")}). Las columnas de la lista son ${w.text("columns")}; ` +
      (w.has("chosen") ? "elija una columna para llenarlo" : `llame una columna ${w.text("missing")} para llenarlo`),
    unknown_variable: (w) => `El escenario no lee ${w.quoted("variable")} de una lista: se puede elegir una columna para ${w.text("variables")}`,
    unknown_column: (w) =>
      `${w.text("variable")}: la lista no tiene la columna ${w.quoted("column")} (o está vacía en todas las filas); sus columnas son ${w.text("columns")}`,
    already_waiting: (w) =>
      `${w.number("count")} de estos números ya esperan en la campaña ${campaignName(w, "es")} de este escenario: ` +
      "programar esta lista los llamará otra vez (detenga antes esa campaña o quítelos de la lista)",
  },
  ru: {
    no_number: (w) => `${w.place()}: в столбце ${w.quoted("column")} нет номера`,
    not_a_phone_number: (w) => `${w.place()}: ${w.quoted("value")} — не номер телефона`,
    impossible_number: (w) => `${w.place()}: ${w.quoted("value")} — не номер телефона: ${IMPOSSIBLE.ru[w.text("reason")] ?? IMPOSSIBLE.ru.invalid_length}`,
    emergency_number: (w) => `${w.place()}: ${w.quoted("value")} — номер экстренной службы, по нему никогда не звонят`,
    duplicate_number: (w) => `${w.place()}: номер ${w.text("number")} уже есть в списке (${w.firstPlace()})`,
    duplicate_skipped: (w) =>
      `${w.place()}: номер ${w.text("number")} уже есть в списке (${w.firstPlace()}): повтор пропущен, на этот номер позвонят один раз`,
    more_duplicates_skipped: (w) => `…и ещё пропущено повторов: ${w.number("count")}`,
    cell_required: (w) =>
      `${w.place()}, ${w.text("column")}: пусто, а сценарий читает ${w.text("reads")} и значения по умолчанию не задаёт: ` +
      "звонок этому клиенту сорвётся на этом месте",
    not_a_number: (w) => `${w.cell()} — не число`,
    not_a_whole_number: (w) => `${w.cell()} — не целое число`,
    ambiguous_number: (w) => ambiguousNumber(w, "ru"),
    thousands_read: (w) => thousandsRead(w, "ru"),
    not_yes_or_no: (w) => `${w.cell()} — не «да» и не «нет»`,
    not_a_date: (w) => `${w.cell()} — не дата: ${DATE_FORMS.ru}`,
    ambiguous_date: (w) => ambiguousDate(w, "ru"),
    more_problems: (w) => `…и ещё ${w.number("count")} таких же проблем`,
    campaign_over: () => "Конец кампании уже прошёл: никому не позвонят",
    campaign_ends_first: () => "Кампания должна заканчиваться после первого звонка",
    hours_never_open: (w) =>
      w.text("end") === "until"
        ? "Часы звонков ни разу не наступают между первым звонком и концом кампании"
        : "Часы звонков ни разу не наступают в две недели после первого звонка (у кампании нет конца)",
    unknown_timezone: (w) => `Неизвестный часовой пояс ${w.quoted("timezone")}`,
    not_published: (w) => `Сценарий ${w.quoted("scenario")} не опубликован`,
    empty_file: () => "Файл пустой",
    other_spreadsheet: () => "Это не файл CSV или XLSX: сохраните лист как .xlsx или как «CSV UTF-8»",
    not_a_list_file: () => "Это не файл CSV или XLSX",
    not_utf8: (w) => `Строка ${w.text("line")} — не текст UTF-8: сохраните список как «CSV UTF-8» (или как .xlsx) и загрузите снова`,
    read_as_windows_1251: () =>
      "Файл не в UTF-8 и прочитан как Windows-1251 (кириллица), как сохраняет CSV русский Excel: проверьте, что имена в предпросмотре читаются правильно",
    read_as_windows_1252: () =>
      "Файл не в UTF-8 и прочитан как Windows-1252 (западноевропейская кодировка), как сохраняет CSV испанский, французский " +
      "или немецкий Excel: проверьте, что имена в предпросмотре читаются правильно",
    slash_dates_read: (w) => slashDatesRead(w, "ru"),
    csv_unreadable: (w) => `CSV не читается: ${w.text("detail")}`,
    xlsx_damaged: () => "Файл XLSX повреждён (неполный zip-архив)",
    xlsx_too_big: (w) => `Файл XLSX распаковывается в ${w.number("mib")} МиБ, больше ${w.number("limit_mib")} МиБ`,
    xlsx_unreadable: (w) => `Файл XLSX не читается: ${w.text("detail")}`,
    no_rows: () => "В списке нет строк",
    no_clients: (w) => `В списке есть заголовок (строка ${w.text("row")}), но под ним нет клиентов`,
    too_many_rows: (w) => `В списке больше ${w.number("limit")} строк: разделите его на несколько списков`,
    too_many_columns: (w) => `В строке ${w.text("row")} столбцов ${w.number("count")}, больше ${w.number("limit")}`,
    column_name_too_long: (w) => `Строка ${w.text("row")}, столбец ${w.text("column")}: название столбца длиннее ${w.number("limit")} символов`,
    column_twice: (w) =>
      `Строка ${w.text("row")}: столбец ${w.quoted("column")} встречается дважды (столбцы ${w.text("first")} и ${w.text("second")})`,
    cell_without_column: (w) => `Строка ${w.text("row")}, столбец ${w.text("column")}: ${w.quoted("value")} — в столбце без названия`,
    cell_too_long: (w) => `Строка ${w.text("row")}, ${w.text("column")}: больше ${w.number("limit")} символов`,
    formula_cell: (w) =>
      `Строка ${w.text("row")}, столбец ${w.text("column")}: в ячейке формула (${w.text("formula")}), значение которой ` +
      "в файле не сохранено: откройте файл в Excel и сохраните заново или вставьте столбец как значения",
    formula_value_read: (w) =>
      `Столбец ${w.text("column")}: ячеек с формулой: ${w.number("count")} (первая в строке ${w.text("row")}); читается ` +
      "значение, сохранённое в файле для каждой: проверьте их в предпросмотре",
    file_too_big: (w) => `Файл больше ${w.number("limit_mib")} МиБ`,
    list_too_large: (w) =>
      `Список слишком большой, чтобы запустить его сразу (${w.number("mib")} МиБ в том виде, в каком отправляются строки, ` +
      `не больше ${w.number("limit_mib")} МиБ): разделите его на списки поменьше или уберите столбцы, не нужные звонку`,
    columns_missing: (w) =>
      w.has("chosen")
        ? `Ни один выбранный столбец не заполняет ${w.text("reads")}, а значения по умолчанию сценарий не задаёт: каждый ` +
          `отвеченный звонок сорвётся на этом месте. Столбцы списка: ${w.text("columns")}. Выберите для этого столбец или ` +
          "задайте в сценарии значение по умолчанию"
        : `Нет столбца ${w.text("missing")}, а сценарий это читает (${w.text("reads")}) и значения по умолчанию не задаёт: ` +
          `каждый отвеченный звонок сорвётся на этом месте. Столбцы списка: ${w.text("columns")}. Переименуйте столбец в ` +
          "файле или задайте в сценарии значение по умолчанию",
    columns_defaulted: (w) =>
      `Ни один столбец не заполняет ${w.text("reads")}: все клиенты услышат значение сценария по умолчанию ` +
      `(${w.text("defaults")}). Столбцы списка: ${w.text("columns")}; ` +
      (w.has("chosen") ? "выберите столбец, чтобы заполнить" : `назовите столбец ${w.text("missing")}, чтобы заполнить`),
    unknown_variable: (w) => `Сценарий не берёт ${w.quoted("variable")} из списка: столбец можно выбрать для ${w.text("variables")}`,
    unknown_column: (w) =>
      `${w.text("variable")}: в списке нет столбца ${w.quoted("column")} (или он пуст во всех строках); столбцы списка: ${w.text("columns")}`,
    already_waiting: (w) =>
      `${w.number("count")} из этих номеров уже ждут звонка в кампании ${campaignName(w, "ru")} этого сценария: ` +
      "если запустить этот список, им позвонят ещё раз (сначала остановите ту кампанию или уберите их из списка)",
  },
};

/** `problem` in `language`: the server's message in English, for an unknown code, or when params fall short. */
export function callListProblemText(problem: CallListProblem, language: Language): string {
  if (language === "en" || !problem.code || !problem.params) return problem.message;
  const templates = CALL_LIST_TEMPLATES[language];
  const template = Object.hasOwn(templates, problem.code) ? templates[problem.code] : undefined;
  return wordedOr(new Words(language, problem.params), template, problem.message);
}

/**
 * The lines to show for a failed call to /lists or /batch (as `callListFailure` shows them), each problem in
 * `language`. The server's count of problems past its first 50 stays as it sent it: the count of hidden lines
 * includes it, shown as "…and N more" in the interface language.
 */
export function callListFailureIn(error: unknown, language: Language, shown = SHOWN_PROBLEMS): CallListFailure {
  if (!(error instanceof ApiError)) return callListFailure(error, shown);
  const body = error.body as { problems?: unknown } | null;
  if (!body || !Array.isArray(body.problems)) return callListFailure(error, shown);
  const problems = (body.problems as CallListProblem[]).map((problem) =>
    problem.code === "more_problems" ? problem : { ...problem, message: callListProblemText(problem, language) },
  );
  return callListFailure(new ApiError(error.status, { ...body, problems }, error.message), shown);
}
