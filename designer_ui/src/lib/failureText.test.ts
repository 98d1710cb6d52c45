import { describe, expect, it } from "vitest";
import type { TraceStep } from "../api/types";
import { callFailureText, FAILURE_WORDS, failingStep, stepFailureText, TEMPLATE_REASONS } from "./failureText";
import type { Translated } from "./paramWords";

/** A step that failed as the engine notes it: its English error and the failure event naming it. */
function failed(error: string, failure: Record<string, unknown>, extra: Partial<TraceStep> = {}): TraceStep {
  return { node: "schedule", label: "Часы работы", exit: "error", error, events: [{ kind: "failure", ...failure }], ...extra };
}

/** Each code the engine names (tests/graph_engine/test_failure_codes.py), with params and the words expected. */
const CASES: { failure: Record<string, unknown>; es: string; ru: string }[] = [
  {
    failure: { code: "unknown_timezone", timezone: "Europe/Moskow" },
    es: "zona horaria desconocida «Europe/Moskow»",
    ru: "неизвестный часовой пояс «Europe/Moskow»",
  },
  {
    failure: { code: "unknown_variable", variable: "client_name" },
    es: "la variable «client_name» no tiene valor",
    ru: "у переменной «client_name» нет значения",
  },
  {
    failure: { code: "unknown_variable", detail: "'dict object' has no attribute 'name'" },
    es: "falta un valor ('dict object' has no attribute 'name')",
    ru: "нет значения ('dict object' has no attribute 'name')",
  },
  {
    failure: { code: "template_failed", part: "template", detail: "not a time of day: Undefined" },
    es: "la plantilla no se pudo completar: not a time of day: Undefined",
    ru: "шаблон не удалось заполнить: not a time of day: Undefined",
  },
  {
    failure: { code: "template_failed", part: "expression", detail: "division by zero" },
    es: "la expresión no se pudo evaluar: division by zero",
    ru: "выражение не вычислилось: division by zero",
  },
  {
    failure: { code: "template_syntax", part: "expression", detail: "unexpected end" },
    es: "la expresión tiene un error: unexpected end",
    ru: "ошибка в выражении: unexpected end",
  },
  {
    failure: { code: "template_refused", detail: "access to attribute" },
    es: "algo no permitido en una plantilla: access to attribute",
    ru: "в шаблоне то, что не разрешено: access to attribute",
  },
  {
    failure: { code: "not_dialable", target: "отдел продаж" },
    es: "«отдел продаж» no es un destino al que se pueda llamar",
    ru: "«отдел продаж» — не адрес, по которому можно позвонить",
  },
  {
    failure: { code: "channel_from_variable", target: "PJSIP/100" },
    es: "«PJSIP/100»: un destino tomado de variables puede ser un número o queue:NOMBRE; un canal necesita su tecnología escrita en el bloque (PJSIP/{{ extension }}) y en la variable solo la extensión",
    ru: "«PJSIP/100»: адрес из переменных может быть номером или queue:ИМЯ; для канала технология пишется в самом блоке (PJSIP/{{ extension }}), а в переменной только внутренний номер",
  },
  {
    failure: { code: "bad_caller_id", caller_id: "abc" },
    es: "el número mostrado «abc» no es un número de teléfono",
    ru: "показываемый номер «abc» — не телефонный номер",
  },
  {
    failure: { code: "scenario_not_published", scenario: "billing" },
    es: "el escenario «billing» no está publicado",
    ru: "сценарий «billing» не опубликован",
  },
  {
    failure: { code: "sql_variables_not_set", variables: "who, when" },
    es: "la consulta necesita variables que no tienen valor: who, when",
    ru: "запросу нужны переменные без значения: who, when",
  },
  {
    failure: { code: "sql_no_column", column: "name", columns: "id, phone" },
    es: "el resultado no tiene la columna «name» (columnas: id, phone)",
    ru: "в результате нет столбца «name» (столбцы: id, phone)",
  },
  {
    failure: { code: "sql_no_column", column: "name" },
    es: "el resultado no tiene la columna «name»: la sentencia no devolvió filas",
    ru: "в результате нет столбца «name»: запрос не вернул строк",
  },
  {
    failure: { code: "data_source_failed", source: "crm", detail: "data source 'crm' did not answer within 3 s" },
    es: "falló el origen de datos «crm»: data source 'crm' did not answer within 3 s",
    ru: "сбой источника данных «crm»: data source 'crm' did not answer within 3 s",
  },
  {
    // Review of an Oktell administrator: «сбой источника данных «staff_db»: query on data source 'staff_db' failed: ...».
    failure: { code: "sql_query_failed", source: "staff_db", detail: "(1146, \"Table 'crm.staff' doesn't exist\")" },
    es: "la consulta al origen de datos «staff_db» falló: (1146, \"Table 'crm.staff' doesn't exist\")",
    ru: "запрос к источнику данных «staff_db» не выполнен: (1146, \"Table 'crm.staff' doesn't exist\")",
  },
  {
    failure: { code: "data_source_timeout", source: "crm", seconds: 2.5 },
    es: "el origen de datos «crm» no respondió en 2,5 s",
    ru: "источник данных «crm» не ответил за 2,5 с",
  },
  {
    // Review of an Oktell administrator: a refused login reached the Russian call log in English.
    failure: { code: "data_source_login_refused", source: "crm" },
    es: "el origen de datos «crm» rechazó el inicio de sesión: un administrador debe revisar su usuario y contraseña",
    ru: "источник данных «crm» отклонил вход: администратор должен проверить имя пользователя и пароль",
  },
  {
    failure: { code: "data_source_unreachable", source: "crm" },
    es: "no se puede conectar ahora con el origen de datos «crm»",
    ru: "к источнику данных «crm» сейчас не удаётся подключиться",
  },
  {
    failure: { code: "data_source_no_database", source: "crm" },
    es: "la base de datos del origen de datos «crm» no existe en su servidor",
    ru: "базы данных источника «crm» нет на его сервере",
  },
  {
    failure: { code: "data_source_busy", source: "crm", running: 4 },
    es: "el origen de datos «crm» está ocupado: aún hay 4 consultas en curso (su servidor puede ir lento o no responder)",
    ru: "источник данных «crm» занят: все его места для запросов (4) заняты; его сервер может быть медленным или не отвечать",
  },
  {
    failure: { code: "data_source_not_configured", source: "crm" },
    es: "el origen de datos «crm» no existe: un administrador debe crearlo en la página Orígenes de datos",
    ru: "источника данных «crm» нет: администратор должен создать его на странице «Источники данных»",
  },
  {
    failure: { code: "data_source_settings_unreadable", source: "crm" },
    es: "no se pueden leer ahora los ajustes del origen de datos «crm»",
    ru: "настройки источника данных «crm» сейчас не удаётся прочитать",
  },
  {
    failure: { code: "data_source_read_only", source: "crm" },
    es: "el origen de datos «crm» es de solo lectura: solo admite una sentencia SELECT",
    ru: "источник данных «crm» только для чтения: разрешена одна инструкция SELECT",
  },
  {
    failure: { code: "sql_query_refused", source: "crm", detail: "a quoted string is not closed" },
    es: "la consulta al origen de datos «crm» no se ejecutó: a quoted string is not closed",
    ru: "запрос к источнику данных «crm» не выполнен: a quoted string is not closed",
  },
  {
    failure: { code: "no_test_rows", source: "crm" },
    es: "la llamada de prueba no tiene filas para el origen de datos «crm»: escríbalas en el panel Llamada de prueba",
    ru: "у тестового звонка нет строк для источника данных «crm»: задайте их в панели «Тестовый звонок»",
  },
  {
    failure: { code: "callback_not_scheduled", scenario: "callback-connect", detail: "the callback scheduler is unavailable" },
    es: "no se pudo programar la devolución de llamada al escenario «callback-connect»: the callback scheduler is unavailable",
    ru: "обратный звонок в сценарий «callback-connect» не запланирован: the callback scheduler is unavailable",
  },
  {
    failure: { code: "media_not_played", media: "ivrgraph/welcome" },
    es: "Asterisk no pudo reproducir «ivrgraph/welcome»: falta el archivo de sonido",
    ru: "Asterisk не смог воспроизвести «ivrgraph/welcome»: нет звукового файла",
  },
];

/** A template failure the engine names by `reason` beside its English `detail` (graph_engine/templates.py). */
const REASONS: { failure: Record<string, unknown>; es: string; ru: string }[] = [
  {
    // Review of a Russian contact centre: «шаблон не удалось заполнить: not a number: None».
    failure: { code: "template_failed", part: "template", detail: "not a number: None", reason: "not_a_number", value: "None" },
    es: "la plantilla no se pudo completar: el valor está vacío (None) y se necesita un número",
    ru: "шаблон не удалось заполнить: значение пустое (None), а нужно число",
  },
  {
    failure: { code: "template_failed", part: "expression", detail: "not a number: 'abc'", reason: "not_a_number", value: "'abc'" },
    es: "la expresión no se pudo evaluar: «abc» no es un número",
    ru: "выражение не вычислилось: «abc» — не число",
  },
  {
    failure: { code: "template_failed", part: "template", detail: "ambiguous number '12.000': …", reason: "ambiguous_number", value: "'12.000'" },
    es: "la plantilla no se pudo completar: número ambiguo «12.000»: son miles en unos países y decimales en otros (escríbalo sin el separador, o con más o menos decimales)",
    ru: "шаблон не удалось заполнить: неоднозначное число «12.000»: в одних странах это тысячи, в других — дробная часть (запишите его без разделителя или с другим числом знаков после него)",
  },
  {
    failure: { code: "template_failed", part: "template", detail: "not a date: 'завтра' (…)", reason: "not_a_date", value: "'завтра'" },
    es: "la plantilla no se pudo completar: «завтра» no es una fecha (use una fecha o un texto ISO como 2026-03-05)",
    ru: "шаблон не удалось заполнить: «завтра» — не дата (нужна дата или текст ISO, например 2026-03-05)",
  },
  {
    failure: { code: "template_failed", part: "template", detail: "not a time of day: None (…)", reason: "not_a_time", value: "None" },
    es: "la plantilla no se pudo completar: el valor está vacío (None) y se necesita una hora",
    ru: "шаблон не удалось заполнить: значение пустое (None), а нужно время",
  },
  {
    failure: { code: "unknown_variable", variable: "mony", reason: "unknown_function" },
    es: "no hay ninguna función llamada «mony»",
    ru: "нет функции «mony»",
  },
  {
    failure: { code: "unknown_variable", detail: "'dict object' has no attribute 'name'", reason: "no_field", field: "name" },
    es: "el valor no tiene el campo «name»",
    ru: "у значения нет поля «name»",
  },
  {
    failure: { code: "template_syntax", part: "template", line: 1, detail: "No filter named 'moneyy'.", reason: "unknown_filter", name: "moneyy" },
    es: "la plantilla tiene un error: no hay ningún filtro llamado «moneyy»",
    ru: "ошибка в шаблоне: нет фильтра «moneyy»",
  },
  {
    failure: { code: "template_syntax", part: "expression", detail: "No test named 'evenly'.", reason: "unknown_test", name: "evenly" },
    es: "la expresión tiene un error: no hay ninguna prueba llamada «evenly»",
    ru: "ошибка в выражении: нет проверки «evenly»",
  },
  {
    // A migration from Twilio Studio: Jinja's "expected token 'end of print statement', got ':'" said nothing useful.
    failure: {
      code: "template_syntax",
      part: "template",
      line: 1,
      detail: "expected token 'end of print statement', got ':'",
      reason: "liquid_form",
      written: "{{ caller_name | default: 'friend' | upcase }}",
      suggestion: "{{ caller_name | default('friend') | upper }}",
    },
    es: "la plantilla tiene un error: «{{ caller_name | default: 'friend' | upcase }}» está escrito como en Liquid; aquí se escribe «{{ caller_name | default('friend') | upper }}»",
    ru: "ошибка в шаблоне: «{{ caller_name | default: 'friend' | upcase }}» записано как в Liquid; здесь пишется «{{ caller_name | default('friend') | upper }}»",
  },
  // The common syntax mistakes (graph_engine/templates.py _syntax_reason), in a call as in the Problems panel: an
  // Oktell user's review read Jinja's "unexpected 'end of print statement'" in a Spanish trace.
  {
    failure: { code: "template_syntax", part: "expression", detail: "Expected an expression, got 'end of print statement'", reason: "incomplete", after: "and" },
    es: "la expresión tiene un error: termina después de «and»: falta algo detrás",
    ru: "ошибка в выражении: обрывается после «and»: дальше чего-то не хватает",
  },
  {
    failure: { code: "template_syntax", part: "template", detail: "unexpected '}', expected ')'", reason: "unclosed", opened: "(", closer: ")" },
    es: "la plantilla tiene un error: se abre «(» y no se cierra: añada «)»",
    ru: "ошибка в шаблоне: открывается «(», но не закрывается: добавьте «)»",
  },
  {
    failure: { code: "template_syntax", part: "expression", detail: "unexpected char '$' at 5", reason: "unexpected", found: "$" },
    es: "la expresión tiene un error: «$» no puede ir ahí",
    ru: "ошибка в выражении: «$» не может здесь стоять",
  },
  {
    failure: { code: "template_syntax", part: "expression", detail: "Expected an expression, got 'end of print statement'", reason: "empty" },
    es: "la expresión tiene un error: está vacía",
    ru: "ошибка в выражении: выражение пустое",
  },
];

describe("a template's failure, worded by its reason rather than quoted in English", () => {
  it.each(REASONS)("words $failure.reason in Spanish and Russian", ({ failure, es, ru }) => {
    const step = failed("the English error", failure);
    expect(stepFailureText(step, "es")).toBe(es);
    expect(stepFailureText(step, "ru")).toBe(ru);
    expect(stepFailureText(step, "en")).toBe("the English error");
  });

  it("has words for every reason in both languages", () => {
    const reasons = new Set(REASONS.map((c) => String(c.failure.reason)));
    for (const language of ["es", "ru"] as Translated[]) expect(new Set(Object.keys(TEMPLATE_REASONS[language]))).toEqual(reasons);
  });

  it("says the English detail for a reason it has no words for, or without the params they need", () => {
    const newer = { code: "template_failed", part: "template", detail: "not a colour: 'x'", reason: "not_a_colour" };
    expect(stepFailureText(failed("e", newer), "ru")).toBe("шаблон не удалось заполнить: not a colour: 'x'");
    const bare = { code: "template_failed", part: "template", detail: "not a number: None", reason: "not_a_number" };
    expect(stepFailureText(failed("e", bare), "es")).toBe("la plantilla no se pudo completar: not a number: None");
  });
});

describe("a block's failure in the analyst's language", () => {
  it.each(CASES)("words $failure.code in Spanish and Russian", ({ failure, es, ru }) => {
    const step = failed("the English error", failure);
    expect(stepFailureText(step, "es")).toBe(es);
    expect(stepFailureText(step, "ru")).toBe(ru);
    expect(stepFailureText(step, "en")).toBe("the English error");
  });

  it("has words for every code in both languages", () => {
    const codes = new Set(CASES.map((c) => String(c.failure.code)));
    for (const language of ["es", "ru"] as Translated[]) expect(new Set(Object.keys(FAILURE_WORDS[language]))).toEqual(codes);
  });

  it("says the English text for an unknown code, missing params, or no failure event", () => {
    expect(stepFailureText(failed("plugin broke", { code: "crm_down" }), "ru")).toBe("plugin broke");
    expect(stepFailureText(failed("unknown time zone 'X'", { code: "unknown_timezone" }), "ru")).toBe("unknown time zone 'X'");
    expect(stepFailureText({ error: "RuntimeError: kaboom", events: [] }, "es")).toBe("RuntimeError: kaboom");
  });

  it("names the failing block on the call's error line", () => {
    const steps = [
      { node: "start", exit: "next" },
      failed("unknown time zone 'Europe/Moskow'", { code: "unknown_timezone", timezone: "Europe/Moskow" }),
    ];
    const error = "block 'schedule' failed: unknown time zone 'Europe/Moskow'";
    expect(callFailureText(error, steps, "ru")).toBe("Ошибка в блоке «Часы работы»: неизвестный часовой пояс «Europe/Moskow»");
    expect(callFailureText(error, steps, "es")).toBe("Error en el bloque «Часы работы»: zona horaria desconocida «Europe/Moskow»");
    expect(callFailureText(error, steps, "en")).toBeNull();
  });

  it("leaves the call's line to the server when the failure is not what ended the call, or has no words", () => {
    const handled = failed("unknown time zone 'X'", { code: "unknown_timezone", timezone: "X" });
    expect(failingStep("step limit of 200 reached at node 'menu'", [handled])).toBeUndefined();
    expect(callFailureText("step limit of 200 reached at node 'menu'", [handled], "ru")).toBeNull();
    const plugin = failed("crm down", { code: "crm_down" });
    expect(callFailureText("block 'schedule' failed: crm down", [plugin], "ru")).toBeNull();
  });

  it("keeps a `$&` in a caller's entry as text", () => {
    const step = failed("not a destination that can be dialed: '$&'", { code: "not_dialable", target: "$&" }, { label: "$'" });
    expect(callFailureText("block 'schedule' failed: not a destination that can be dialed: '$&'", [step], "ru")).toBe(
      "Ошибка в блоке «$'»: «$&» — не адрес, по которому можно позвонить",
    );
  });
});
