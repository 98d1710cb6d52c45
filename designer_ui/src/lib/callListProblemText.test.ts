import { describe, expect, it } from "vitest";
import { ApiError } from "../api/http";
import { CALL_LIST_TEMPLATES, callListFailureIn, callListProblemText, type CallListProblem } from "./callListProblemText";

const dateProblem: CallListProblem = {
  path: "$.rows[0].due_date",
  code: "not_a_date",
  params: { row: 2, column: "due_date", value: "30.02.2026", type: "date" },
  message: "row 2, due_date: '30.02.2026' is not a date written 2026-12-30 or 30.12.2026 (year-month-day or day.month.year)",
};

// Every code persistence/call_lists.py, persistence/call_list_values.py, api/call_list_files.py and the /lists and
// /batch handlers give a problem.
const SERVER_CODES = [
  "no_number", "not_a_phone_number", "emergency_number", "duplicate_number", "not_a_number", "not_a_whole_number", "not_yes_or_no",
  "not_a_date", "ambiguous_date", "more_problems", "campaign_over", "campaign_ends_first", "hours_never_open",
  "unknown_timezone", "not_published", "empty_file", "other_spreadsheet", "not_a_list_file", "not_utf8",
  "csv_unreadable", "xlsx_damaged", "xlsx_too_big", "xlsx_unreadable", "no_rows", "no_clients", "too_many_rows",
  "too_many_columns", "column_name_too_long", "column_twice", "cell_without_column", "cell_too_long", "file_too_big",
  "list_too_large", "columns_missing", "columns_defaulted", "already_waiting", "impossible_number", "read_as_windows_1251",
  "read_as_windows_1252", "slash_dates_read", "formula_cell", "formula_value_read", "ambiguous_number", "thousands_read",
  "duplicate_skipped", "more_duplicates_skipped", "unknown_variable", "unknown_column", "cell_required",
];

describe("a call list's problem in the analyst's language", () => {
  it("names the row of their sheet, the column and the cell as they typed it", () => {
    expect(callListProblemText({ ...dateProblem, params: { ...dateProblem.params, value: "30.12.26" } }, "ru")).toBe(
      "Строка 2, due_date: «30.12.26» — не дата: пишите 2026-12-30 или 30.12.2026 (год-месяц-день или день.месяц.год)",
    );
    expect(callListProblemText(dateProblem, "es")).toBe(
      "Fila 2, due_date: «30.02.2026» no es una fecha: escríbala 2026-12-30 o 30.12.2026 (año-mes-día o día.mes.año)",
    );
  });

  it("says why a date with slashes is refused", () => {
    const slashes = { ...dateProblem, code: "ambiguous_date", params: { ...dateProblem.params, value: "12/30/2026" } };
    expect(callListProblemText(slashes, "ru")).toBe(
      "Строка 2, due_date: «12/30/2026» — неоднозначная дата: с косой чертой в одних странах первым пишут месяц, " +
        "в других день; пишите 2026-12-30 или 30.12.2026 (год-месяц-день или день.месяц.год)",
    );
  });

  it("says what would say which number of a date with slashes is the day, and why nothing did (review of 2026-12-19)", () => {
    const slashes = { ...dateProblem, code: "ambiguous_date", params: { ...dateProblem.params, value: "03/04/2026" } };
    const noCountry = { ...slashes, params: { ...slashes.params, reason: "no_country" } };
    expect(callListProblemText(noCountry, "es")).toBe(
      "Fila 2, due_date: «03/04/2026» es una fecha ambigua: con barras, unos países escriben primero el mes y otros el día, " +
        "y ni la lista ni un país configurado en el servidor (IVRGRAPH_DEFAULT_COUNTRY) dicen cuál; " +
        "escríbala 2026-12-30 o 30.12.2026 (año-mes-día o día.mes.año)",
    );
    const canada = { ...slashes, params: { ...slashes.params, reason: "country_either_way", country: "CA" } };
    expect(callListProblemText(canada, "ru")).toContain("в других день, а в стране сервера (CA) пишут по-разному; пишите 2026-12-30");
    const both = { ...slashes, params: { ...slashes.params, reason: "column_has_both", day_first: "15/12/2026", month_first: "12/28/2026" } };
    expect(callListProblemText(both, "es")).toBe(
      "Fila 2, due_date: «03/04/2026» es una fecha ambigua: la columna tiene fechas que solo pueden leerse con el día primero " +
        "(15/12/2026) y otras con el mes primero (12/28/2026); escríbala 2026-12-30 o 30.12.2026 (año-mes-día o día.mes.año)",
    );
    expect(callListProblemText({ ...canada, params: { ...slashes.params, reason: "country_either_way" } }, "es")).toBe(canada.message);
  });

  it("says which way a column's dates with slashes are read, and what says so", () => {
    const read: CallListProblem = {
      path: "$.rows",
      code: "slash_dates_read",
      params: { column: "fecha", value: "03/04/2026", row: 3, read: "2026-04-03", first: "day", by: "column", proof: "15/12/2026", country: "" },
      message: "column 'fecha': dates with slashes are read day first, as '15/12/2026' in the same column can only be: ...",
    };
    expect(callListProblemText(read, "es")).toBe(
      "Columna «fecha»: las fechas con barras se leen con el día primero, como «15/12/2026», que en la misma columna solo " +
        "puede leerse así: «03/04/2026» (fila 3) es el 3 de abril de 2026 donde la columna llena una variable de fecha. " +
        "Compruebe las fechas en la vista previa de la comprobación",
    );
    const us = { ...read, params: { ...read.params, read: "2026-03-04T10:30:00", first: "month", by: "country", proof: "", country: "US" } };
    expect(callListProblemText(us, "ru")).toBe(
      "Столбец «fecha»: в датах с косой чертой первым читается месяц, как пишут даты в US (страна сервера, " +
        "IVRGRAPH_DEFAULT_COUNTRY): «03/04/2026» (строка 3) — это 4 марта 2026 г., если столбец заполняет переменную-дату. " +
        "Проверьте даты в предпросмотре проверки",
    );
    expect(callListProblemText(read, "en")).toBe(read.message);
  });

  it("names the cell of a formula whose value the file does not hold, and the columns read from saved values", () => {
    const formula = { path: "$.file", code: "formula_cell", params: { row: 3, column: "B", formula: '=HYPERLINK("http://x","y")' },
      message: 'row 3, column B holds a formula (=HYPERLINK("http://x","y")) whose value the file does not hold: ...' };
    expect(callListProblemText(formula, "es")).toBe(
      'Fila 3, columna B: la celda tiene una fórmula (=HYPERLINK("http://x","y")) cuyo valor no está guardado en el archivo: ' +
        "ábralo en Excel y guárdelo de nuevo, o pegue la columna como valores",
    );
    expect(callListProblemText(formula, "ru")).toMatch(/^Строка 3, столбец B: в ячейке формула \(=HYPERLINK/);
    const read = { path: "$.file", code: "formula_value_read", params: { column: "C", row: 2, count: 1200 }, message: "column C: ..." };
    expect(callListProblemText(read, "es")).toBe(
      "Columna C: celdas con fórmula: 1200 (la primera en la fila 2); se lee el valor que el archivo guardó para cada una: " +
        "compruébelas en la vista previa",
    );
    expect(callListProblemText(read, "ru")).toMatch(/^Столбец C: ячеек с формулой: 1\u00a0200 \(первая в строке 2\)/);
  });

  it("says a file was read as Windows-1252", () => {
    const windows = { path: "$.file", code: "read_as_windows_1252", params: {}, message: "the file is not UTF-8 and was read as Windows-1252" };
    expect(callListProblemText(windows, "es")).toMatch(/^El archivo no es UTF-8 y se ha leído como Windows-1252 \(Europa occidental\)/);
    expect(callListProblemText(windows, "ru")).toMatch(/^Файл не в UTF-8 и прочитан как Windows-1252/);
  });

  it("names a client by place when the rows came without the file's row numbers", () => {
    const twice = { path: "$.rows[1].phone", code: "duplicate_number", message: "client 2: 600111213 is already client 1",
      params: { client: 2, column: "phone", number: "600111213", first: 1 } };
    expect(callListProblemText(twice, "ru")).toBe("Клиент 2: номер 600111213 уже есть в списке (клиент 1)");
    expect(callListProblemText(twice, "es")).toBe("Cliente 2: el número 600111213 ya está en la lista (cliente 1)");
  });

  it("says an emergency number is never called, quoting the cell as typed", () => {
    const emergency = { path: "$.rows[3].phone", code: "emergency_number", params: { row: 5, column: "phone", value: "112" },
      message: "row 5: 112 is an emergency number and is never dialled" };
    expect(callListProblemText(emergency, "ru")).toBe("Строка 5: «112» — номер экстренной службы, по нему никогда не звонят");
    expect(callListProblemText(emergency, "es")).toBe("Fila 5: «112» es un número de emergencias y nunca se llama");
    expect(callListProblemText(emergency, "en")).toBe(emergency.message);
  });

  it("says a file's fault with its numbers in the language's own form", () => {
    const many = { path: "$.file", code: "too_many_rows", params: { limit: 20000 },
      message: "the list has more than 20,000 rows: split it into several lists" };
    expect(callListProblemText(many, "ru")).toBe("В списке больше 20\u00a0000 строк: разделите его на несколько списков");
    expect(callListProblemText(many, "es")).toBe("La lista tiene más de 20.000 filas: divídala en varias listas");
  });

  it("says why a number is no phone, and that a file was read as Windows-1251", () => {
    const impossible = { path: "$.rows[0].phone", code: "impossible_number", message: "row 2: '+7-912-345-67-8' is no phone number: too few digits for a number of its country",
      params: { row: 2, column: "phone", value: "+7-912-345-67-8", reason: "too_short" } };
    expect(callListProblemText(impossible, "ru")).toBe("Строка 2: «+7-912-345-67-8» — не номер телефона: в нём меньше цифр, чем в номере его страны");
    expect(callListProblemText(impossible, "es")).toBe("Fila 2: «+7-912-345-67-8» no es un número de teléfono: tiene menos cifras que un número de su país");
    const windows = { path: "$.file", code: "read_as_windows_1251", params: {}, message: "the file is not UTF-8 and was read as Windows-1251" };
    expect(callListProblemText(windows, "ru")).toMatch(/^Файл не в UTF-8 и прочитан как Windows-1251/);
    expect(callListProblemText(windows, "en")).toBe(windows.message);
  });

  it("names the row that leaves empty what the scenario reads without a default, by the column chosen for it", () => {
    const empty = { path: "$.rows[1].ФИО", code: "cell_required", params: { row: 3, column: "ФИО", reads: "contact.name" },
      message: "row 3, ФИО: empty, and the scenario reads contact.name and gives it no default: this client's call would fail there" };
    expect(callListProblemText(empty, "ru")).toBe(
      "Строка 3, ФИО: пусто, а сценарий читает contact.name и значения по умолчанию не задаёт: звонок этому клиенту сорвётся на этом месте",
    );
    expect(callListProblemText(empty, "es")).toBe(
      "Fila 3, ФИО: vacía, y el escenario lee contact.name sin valor por defecto: la llamada a este cliente fallaría ahí",
    );
    const byPlace = { ...empty, params: { client: 2, column: "name", reads: "contact.name" } };
    expect(callListProblemText(byPlace, "es")).toMatch(/^Cliente 2, name: vacía/);
    expect(callListProblemText(empty, "en")).toBe(empty.message);
  });

  it("has words in both languages for every code the server gives", () => {
    for (const language of ["es", "ru"] as const) {
      expect(Object.keys(CALL_LIST_TEMPLATES[language]).sort()).toEqual([...SERVER_CODES].sort());
    }
  });

  it("shows the server's English in English, for a code it has no words for, or when a param is missing", () => {
    expect(callListProblemText(dateProblem, "en")).toBe(dateProblem.message);
    expect(callListProblemText({ ...dateProblem, code: "from_the_future" }, "ru")).toBe(dateProblem.message);
    expect(callListProblemText({ ...dateProblem, code: undefined }, "ru")).toBe(dateProblem.message);
    expect(callListProblemText({ ...dateProblem, params: { row: 2 } }, "ru")).toBe(dateProblem.message);
  });
});

describe("a refused list's lines", () => {
  const refused = (problems: CallListProblem[]) =>
    new ApiError(422, { type: "https://ivrgraph.dev/problems/request-refused", detail: "the call list cannot be called", problems }, "x");

  it("are worded, and the server's count of the rest still counts them", () => {
    const more = { path: "$.rows", code: "more_problems", params: { count: 7 }, message: "and 7 more problems like these" };
    expect(callListFailureIn(refused([dateProblem, more]), "ru", 10)).toEqual({
      kind: "problems",
      lines: ["Строка 2, due_date: «30.02.2026» — не дата: пишите 2026-12-30 или 30.12.2026 (год-месяц-день или день.месяц.год)"],
      hidden: 7,
    });
    expect(callListFailureIn(refused([dateProblem]), "en")).toEqual({ kind: "problems", lines: [dateProblem.message], hidden: 0 });
  });

  it("keep any other failure as it was said", () => {
    expect(callListFailureIn(new ApiError(0, null, "the server did not answer"), "ru")).toEqual({
      kind: "message",
      message: "the server did not answer",
    });
  });
});

describe("a list whose columns the scenario does not read (review of 2026-12-12)", () => {
  const missing: CallListProblem = {
    path: "$.rows",
    code: "columns_missing",
    params: { missing: "'name', 'debt_amount'", reads: "contact.name, debt_amount", columns: "ФИО, Телефон, Сумма долга, Дата", count: 2 },
    message: "no column for 'name', 'debt_amount', which the scenario reads ...",
  };

  it("names what the scenario reads and the columns the file has", () => {
    expect(callListProblemText(missing, "ru")).toBe(
      "Нет столбца 'name', 'debt_amount', а сценарий это читает (contact.name, debt_amount) и значения по умолчанию не " +
        "задаёт: каждый отвеченный звонок сорвётся на этом месте. Столбцы списка: ФИО, Телефон, Сумма долга, Дата. " +
        "Переименуйте столбец в файле или задайте в сценарии значение по умолчанию",
    );
    expect(callListProblemText(missing, "es")).toContain("Las columnas de la lista son ФИО, Телефон, Сумма долга, Дата");
    expect(callListProblemText(missing, "en")).toBe(missing.message);
  });

  it("says to choose a column, not to rename one, once the analyst chose columns in the dialog", () => {
    const chosen = { ...missing, params: { ...missing.params, missing: "'debt_amount'", reads: "debt_amount", chosen: "contact.name = 'ФИО'" } };
    expect(callListProblemText(chosen, "ru")).toContain("Выберите для этого столбец");
    expect(callListProblemText(chosen, "ru")).not.toContain("Переименуйте");
    expect(callListProblemText(chosen, "es")).toContain("elija una columna para ello");
    const defaulted = { ...chosen, code: "columns_defaulted", params: { ...chosen.params, defaults: 'due_date = ""', chosen: "" } };
    expect(callListProblemText(defaulted, "ru")).toMatch(/; выберите столбец, чтобы заполнить$/);
  });

  it("names the campaign whose clients already wait, or its day when it has no name", () => {
    const waiting: CallListProblem = {
      path: "$.rows",
      code: "already_waiting",
      params: { count: 120, campaign: "Долги ноябрь", campaign_id: "c-1", created_at: "2026-12-01T08:00:00+00:00" },
      message: "120 of these numbers already wait in campaign 'Долги ноябрь' of this scenario: ...",
    };
    expect(callListProblemText(waiting, "ru")).toMatch(/^120 из этих номеров уже ждут звонка в кампании «Долги ноябрь»/);
    expect(callListProblemText({ ...waiting, params: { ...waiting.params, campaign: "" } }, "es")).toMatch(
      /^120 de estos números ya esperan en la campaña del 2026-12-01 /,
    );
  });
});

describe("a Spanish bank's list (review of a debt campaign)", () => {
  const amount: CallListProblem = {
    path: "$.rows[0].deuda",
    code: "ambiguous_number",
    params: { row: 2, column: "deuda", value: "1.000", type: "number", reason: "either_way", as_decimal: "1", as_thousands: "1000", with_decimals: "1.000,00" },
    message: "row 2, deuda: '1.000' is not a number: it could be 1 or 1000 (a dot groups thousands in some countries and is the decimal mark in others): write 1000, or 1.000,00",
  };

  it("says an amount such as 1.000 could be one or a thousand, and how to write it as one", () => {
    expect(callListProblemText(amount, "es")).toBe("Fila 2, deuda: «1.000» es ambiguo (¿1 o 1000?): escriba 1000, o 1.000,00");
    expect(callListProblemText(amount, "ru")).toBe("Строка 2, deuda: «1.000» — неоднозначное число (1 или 1000?): пишите 1000 или 1.000,00");
    expect(callListProblemText(amount, "en")).toBe(amount.message);
    const decimals = { ...amount, params: { ...amount.params, value: "12,345", as_decimal: "12.345", as_thousands: "12345", with_decimals: "12,345.00" } };
    expect(callListProblemText(decimals, "es")).toBe("Fila 2, deuda: «12,345» es ambiguo (¿12,345 o 12345?): escriba 12345, o 12,345.00");
    const both = { ...amount, params: { ...amount.params, reason: "column_has_both", dot_groups: "2.500,50", comma_groups: "12.50" } };
    expect(callListProblemText(both, "es")).toBe(
      "Fila 2, deuda: «1.000» es ambiguo (¿1 o 1000?): la columna tiene números que solo pueden leerse con el punto separando " +
        "los miles (2.500,50) y otros con la coma (12.50); escriba 1000, o 1.000,00",
    );
    expect(callListProblemText(both, "ru")).toContain("(2.500,50), и числа, где только запятой (12.50); пишите 1000 или 1.000,00");
  });

  it("says how a column's numbers such as 1.000 were read, and what says so", () => {
    const read: CallListProblem = {
      path: "$.rows",
      code: "thousands_read",
      params: { column: "deuda", value: "1.000", row: 2, read: "1000", group: ".", by: "country", proof: "", country: "ES" },
      message: "column 'deuda': numbers such as '1.000' are read with a dot grouping thousands, ...",
    };
    expect(callListProblemText(read, "es")).toBe(
      "Columna «deuda»: los números como «1.000» se leen con el punto separando los miles, como se escriben en ES (el país " +
        "del servidor, IVRGRAPH_DEFAULT_COUNTRY): «1.000» (fila 2) es 1000. Compruebe los números en la vista previa de la comprobación",
    );
    const byColumn = { ...read, params: { ...read.params, value: "1.500", read: "1.5", group: ",", by: "column", proof: "12.50" } };
    expect(callListProblemText(byColumn, "ru")).toBe(
      "Столбец «deuda»: в числах вроде «1.500» запятая читается как разделитель тысяч, как в «12.50» из того же столбца, " +
        "которое иначе не прочитать: «1.500» (строка 2) — это 1,5. Проверьте числа в предпросмотре проверки",
    );
  });

  it("names each row skipped as a duplicate and the row called instead, then counts the rest", () => {
    const skipped: CallListProblem = {
      path: "$.rows",
      code: "duplicate_skipped",
      params: { row: 19, column: "teléfono", number: "0034600111222", first: 2 },
      message: "row 19: 0034600111222 is already row 2: skipped, row 2 is called",
    };
    expect(callListProblemText(skipped, "es")).toBe(
      "Fila 19: el número 0034600111222 ya está en la lista (fila 2): se omite, y a ese número se llama una sola vez",
    );
    expect(callListProblemText(skipped, "ru")).toBe(
      "Строка 19: номер 0034600111222 уже есть в списке (строка 2): повтор пропущен, на этот номер позвонят один раз",
    );
    const more = { path: "$.rows", code: "more_duplicates_skipped", params: { count: 1200 }, message: "and 1200 more rows skipped as duplicates" };
    expect(callListProblemText(more, "es")).toBe("…y 1200 filas duplicadas más omitidas");
    expect(callListProblemText(more, "ru")).toBe("…и ещё пропущено повторов: 1\u00a0200");
  });

  it("says a mobile number cut short has too few digits", () => {
    const short = { path: "$.rows[0].teléfono", code: "impossible_number", params: { row: 2, column: "teléfono", value: "600 11", reason: "too_short" },
      message: "row 2: '600 11' is no phone number: too few digits for a number of its country" };
    expect(callListProblemText(short, "es")).toBe("Fila 2: «600 11» no es un número de teléfono: tiene menos cifras que un número de su país");
    expect(callListProblemText(short, "ru")).toBe("Строка 2: «600 11» — не номер телефона: в нём меньше цифр, чем в номере его страны");
  });
});
