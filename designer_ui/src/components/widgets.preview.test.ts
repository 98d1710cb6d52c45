import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/http";
import type { ScenarioDocument } from "../lib/convert";
import { previewPhrase, previewVariables, type PreviewServer } from "../lib/speechPreview";
import { EMPTY_TEST_CALL } from "../lib/testCallInputs";
import { renderInLanguage, renderToHtml } from "./renderForTest";
import { PreviewLine } from "./widgets";

const debtReminder = JSON.parse(readFileSync(new URL("../../../examples/debt-reminder.json", import.meta.url), "utf8")) as ScenarioDocument;
const TEMPLATE = 'У вас задолженность {{ money(debt_amount, "RUB", language) }}.';

/** A server that answers as told and keeps what it was asked, in order. */
function server(answers: { text?: string | Error; audio?: Blob }): PreviewServer & { asked: unknown[][] } {
  const asked: unknown[][] = [];
  return {
    asked,
    text: (...args) => {
      asked.push(["text", ...args]);
      return answers.text instanceof Error ? Promise.reject(answers.text) : Promise.resolve(answers.text ?? "");
    },
    audio: (...args) => {
      asked.push(["audio", ...args]);
      return Promise.resolve(answers.audio ?? new Blob(["RIFF"]));
    },
  };
}

/** The visible text of some markup. */
const told = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();

describe("the values Listen renders a template with", () => {
  it("are the declared defaults; a variable with none is not sent, so the server names it", () => {
    expect(previewVariables(debtReminder.variables, EMPTY_TEST_CALL)).toEqual({
      contact: { name: "cliente" },
      due_date: "",
      callback_number: "",
      result: "no_response",
    });
  });

  it("are the Test call's remembered values where it has them, with its caller", () => {
    const remembered = { ...EMPTY_TEST_CALL, callerId: " +7 701 555 01 02 ", callerName: "Анна", variables: { debt_amount: "1 234,50", contact: "сто" } };
    const values = previewVariables(debtReminder.variables, remembered);
    expect(values).toMatchObject({ debt_amount: 1234.5, caller_id: "+7 701 555 01 02", caller_name: "Анна", result: "no_response" });
    // A field the test call cannot read either is left out: the server names it rather than guessing.
    expect(values).not.toHaveProperty("contact");
  });
});

describe("a click on Listen", () => {
  it("asks what the template says, then its audio, with the same template, language and values", async () => {
    const audio = new Blob(["RIFF…"]);
    const fake = server({ text: "У вас задолженность тысяча двести тридцать четыре рубля.", audio });
    const outcome = await previewPhrase(fake, TEMPLATE, "ru", { debt_amount: 1234 });
    expect(outcome).toEqual({ spoken: "У вас задолженность тысяча двести тридцать четыре рубля.", audio });
    expect(fake.asked).toEqual([
      ["text", TEMPLATE, "ru", { debt_amount: 1234 }],
      ["audio", TEMPLATE, "ru", { debt_amount: 1234 }],
    ]);
  });

  it("names the variables without a value, and speaks nothing", async () => {
    const detail = "no value for debt_amount, due_date: set a default or a test value to hear this text";
    const refused = new ApiError(422, { type: "https://ivrgraph.dev/problems/missing-variables", detail, missing_variables: ["debt_amount", "due_date"] }, detail);
    const fake = server({ text: refused });
    expect(await previewPhrase(fake, TEMPLATE, "ru", {})).toEqual({ missing: ["debt_amount", "due_date"] });
    expect(fake.asked.map(([call]) => call)).toEqual(["text"]);
  });

  it("gives a template error in the template's own words", async () => {
    const detail = "template syntax error on line 1: unexpected '}'";
    const fake = server({ text: new ApiError(422, { type: "https://ivrgraph.dev/problems/template-failed", detail, code: "template_syntax" }, detail) });
    expect(await previewPhrase(fake, "{{ money(debt_amount }}", "ru", {})).toEqual({ failed: detail });
  });
});

describe("the line under Listen", () => {
  it("shows the words being spoken", () => {
    const html = renderInLanguage("ru", PreviewLine, { outcome: { spoken: "У вас задолженность сто рублей.", audio: new Blob() } });
    expect(html).toContain('role="status"');
    expect(told(html)).toBe("Звучит: «У вас задолженность сто рублей.»");
  });

  it("says in words which values to set, in the interface language", () => {
    const outcome = { missing: ["debt_amount", "due_date"] };
    const ru = renderInLanguage("ru", PreviewLine, { outcome });
    expect(ru).toContain('role="alert"');
    expect(told(ru)).toBe("Задайте значение по умолчанию или тестовое значение для debt_amount, due_date, чтобы прослушать.");
    expect(told(renderToHtml(PreviewLine, { outcome: { missing: ["debt_amount"] } }))).toBe("Set a default or a test value for debt_amount to hear this.");
    expect(told(renderInLanguage("es", PreviewLine, { outcome: { failed: "template syntax error on line 1" } }))).toBe(
      "No se pudo escuchar: template syntax error on line 1",
    );
  });
});
