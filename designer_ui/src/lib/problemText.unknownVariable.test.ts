/**
 * An Oktell administrator's review: a mistyped variable (`:callerid` in an SQL query, `{{ nmae }}` in a phrase) was the
 * generic "may not be set yet" among many "leads nowhere" warnings, and a deliberate goodbye read as a fault. The
 * server now names a variable nothing sets (`unknown_variable`, tests/graph_engine/test_validation_unknown_variable.py)
 * and says how to mark an end as meant (tests/graph_engine/test_validation_goodbye.py); here, the designer's words for
 * both, the list's order, and how the call register says a call that ended at an unconnected exit.
 */
import { describe, expect, it } from "vitest";
import { codeText, translator } from "./i18n";
import { sortProblems, type Problem } from "./problems";
import { problemText } from "./problemText";

const lookup = { block_type: "sql", block_title: "SQL Query", label: "Find employee" };

// As the server sends it (graph_engine/validation.py `_flag_unknown_variable`).
const mistypedParameter: Problem = {
  severity: "warning",
  code: "unknown_variable",
  message:
    'SQL Query "Find employee": Query uses "callerid", which no block sets and the scenario does not declare, so the block fails on every call unless the dialplan passes it. Did you mean "caller_id"?',
  node: "lookup",
  path: "$.nodes[1].config.query",
  params: { ...lookup, variable: "callerid", field: "Query", suggestion: "caller_id" },
};

const mistypedName: Problem = {
  severity: "warning",
  code: "unknown_variable",
  message:
    'Say Phrase "Greeting": Text to say uses "zzz", which no block sets and the scenario does not declare, so the block fails on every call unless the dialplan passes it',
  node: "hello",
  path: "$.nodes[2].config.text",
  params: { block_type: "say_phrase", block_title: "Say Phrase", label: "Greeting", variable: "zzz", field: "Text to say" },
};

const goodbye: Problem = {
  severity: "warning",
  code: "unwired_exit",
  message:
    'Message "Goodbye": Next leads nowhere: the caller hears the message and the call ends; to end the call here on purpose, connect it to a Hang Up block',
  node: "bye",
  params: { block_type: "message", block_title: "Message", label: "Goodbye", exit: "next", exit_label: "Next", meaning: "the caller hears the message and the call ends" },
};

describe("a variable nothing sets", () => {
  it("is said with its field, that no block sets it, and the name meant, in each language", () => {
    expect(problemText(mistypedParameter, "en")).toBe(mistypedParameter.message);
    expect(problemText(mistypedParameter, "ru")).toBe(
      "SQL-запрос «Find employee»: в поле «Запрос» используется переменная «callerid», которую не задаёт ни один блок и которой нет среди переменных сценария, поэтому блок будет давать сбой на каждом звонке, если её не передаёт диалплан. Возможно, имелась в виду «caller_id»?",
    );
    expect(problemText(mistypedParameter, "es")).toBe(
      "Consulta SQL «Find employee»: en «Consulta» se usa la variable «callerid», que ningún bloque asigna y el escenario no declara, así que el bloque fallará en cada llamada salvo que el plan de marcación la pase. ¿Quiso decir «caller_id»?",
    );
  });

  it("without a close name, says no name", () => {
    expect(problemText(mistypedName, "ru")).toBe(
      "Блок «Greeting» («Произнести фразу»): в поле «Текст для озвучивания» используется переменная «zzz», которую не задаёт ни один блок и которой нет среди переменных сценария, поэтому блок будет давать сбой на каждом звонке, если её не передаёт диалплан",
    );
    expect(problemText(mistypedName, "es")).not.toContain("Quiso decir");
  });

  it("comes first among the warnings, above the exits that lead nowhere, whatever the blocks' order", () => {
    const unwired: Problem = { ...goodbye, node: "start" };
    const error: Problem = { severity: "error", code: "config", message: "x", node: "hello" };
    expect(sortProblems([unwired, mistypedName, error, mistypedParameter], ["start", "lookup", "hello"]).map((p) => `${p.code}@${p.node}`)).toEqual([
      "config@hello",
      "unknown_variable@lookup",
      "unknown_variable@hello",
      "unwired_exit@start",
    ]);
  });
});

describe("an exit left unconnected at the end of the flow", () => {
  it("is said with how to mark the end as meant: a Hang Up block", () => {
    expect(problemText(goodbye, "ru")).toBe(
      "Сообщение «Goodbye»: выход «Далее» никуда не ведёт — звонящий слышит сообщение, и звонок завершается; чтобы завершить звонок здесь намеренно, подключите выход к блоку «Завершить»",
    );
    expect(problemText(goodbye, "es")).toBe(
      "Mensaje «Goodbye»: la salida «Siguiente» no lleva a ninguna parte — el llamante oye el mensaje y la llamada termina; para terminar la llamada aquí a propósito, conecte la salida a un bloque «Colgar»",
    );
  });

  it("is said in the call register as a call that ended, not as a fault", () => {
    const said = (language: "en" | "es" | "ru") => codeText(translator(language), "outcome", "ended");
    expect([said("en"), said("es"), said("ru")]).toEqual(["ended after its last block", "terminada tras su último bloque", "завершён после последнего блока"]);
  });
});
