import { describe, expect, it } from "vitest";
import type { Problem } from "./problems";
import { problemText } from "./problemText";

// As the server sends them (tests/graph_engine/test_sensitive_validation.py checks the server's side).
const say = { block_type: "say_phrase", block_title: "Say Phrase", label: "Balance" };

const sensitiveInPrompt: Problem = {
  severity: "warning",
  code: "sensitive_in_prompt",
  message:
    'Say Phrase "Balance": the phrase says "pin", a sensitive variable, and the voice engine "gtts" is an online service: the text, with the value in it, is sent to it',
  params: { ...say, variable: "pin", engine: "gtts" },
};

const personalData: Problem = {
  severity: "warning",
  code: "personal_data_to_online_tts",
  message:
    'Say Phrase "Balance": the phrase reads the call\'s data (balance, client_name), and the voice engine "gtts" is an online service: the text, with those values in it, is sent to it',
  params: { ...say, variables: "balance, client_name", engine: "gtts" },
};

const toCallback: Problem = {
  severity: "warning",
  code: "sensitive_to_callback",
  message:
    'Schedule Callback "Call back": the callback carries "pin", a sensitive variable: the callback job keeps its value in the database until it is dialled, and the call it makes starts with it',
  params: { block_type: "callback", block_title: "Schedule Callback", label: "Call back", variable: "pin" },
};

describe("the warnings about personal data, in the analyst's language", () => {
  it("keeps the server's English", () => {
    for (const problem of [sensitiveInPrompt, personalData, toCallback]) expect(problemText(problem, "en")).toBe(problem.message);
  });

  it("says in Spanish which variable goes to the online voice or the callback", () => {
    expect(problemText(sensitiveInPrompt, "es")).toBe(
      "El bloque «Balance» (Decir frase): la frase dice «pin», una variable sensible, y el motor de voz «gtts» es un servicio en línea: el texto, con ese valor, se le envía",
    );
    expect(problemText(personalData, "es")).toContain("la frase lee datos de la llamada (balance, client_name)");
    expect(problemText(toCallback, "es")).toContain("la rellamada lleva «pin», una variable sensible");
  });

  it("says it in Russian", () => {
    expect(problemText(sensitiveInPrompt, "ru")).toContain("фраза произносит «pin» — конфиденциальную переменную, а движок речи «gtts» — онлайн-сервис");
    expect(problemText(personalData, "ru")).toContain("фраза читает данные звонка (balance, client_name)");
    expect(problemText(toCallback, "ru")).toContain("обратный звонок переносит «pin» — конфиденциальную переменную");
  });
});
