import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LANGUAGES } from "./i18n";
import { insertHelper, TEMPLATE_HELPERS, type TemplateHelper } from "./variables";

const helper = (name: string): TemplateHelper => TEMPLATE_HELPERS.find((h) => h.name === name)!;

/** What `insertHelper` leaves: the text, with the selection it leaves marked [like this] (a bare caret as []). */
function apply(text: string, name: string, slot: "bare" | "template" | "spoken", start = text.length, end = start): string {
  const next = insertHelper(text, helper(name), slot, start, end);
  return `${next.text.slice(0, next.start)}[${next.text.slice(next.start, next.end)}]${next.text.slice(next.end)}`;
}

/** The helpers table of docs/scenario-format.md: each row's signature, as written in its first cell. */
function documentedSignatures(): string[] {
  const docs = readFileSync(new URL("../../../docs/scenario-format.md", import.meta.url), "utf8");
  const lines = (docs.split("<!-- template-helpers -->")[1] ?? "").trimStart().split("\n");
  const table = lines.slice(0, lines.findIndex((line) => !line.startsWith("|"))).join("\n");
  return [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]!.replace(/\\\|/g, "|"));
}

describe("the helpers Insert variable offers", () => {
  it("are the engine's, with the signatures the scenario format documents (a Python test holds those to the engine)", () => {
    expect(TEMPLATE_HELPERS.map((h) => h.signature)).toEqual(documentedSignatures());
    expect(TEMPLATE_HELPERS.map((h) => h.name)).toEqual(["number", "ordinal", "money", "spoken_date", "spoken_time", "digits", "e164"]);
  });

  it("each have a one-line description in English, Spanish and Russian", () => {
    for (const messages of Object.values(LANGUAGES)) {
      for (const h of TEMPLATE_HELPERS) expect(messages[h.description]).toMatch(/^[^\n]{10,160}$/);
    }
  });

  it("name every currency money speaks in money's description, as the docs list them", () => {
    const docs = readFileSync(new URL("../../../docs/scenario-format.md", import.meta.url), "utf8");
    const currencies = /Currencies `money` speaks: ([^.]*)\./.exec(docs)?.[1]?.match(/[A-Z]{3}/g);
    expect(currencies).toEqual(["EUR", "USD", "RUB", "KZT"]);
    for (const messages of Object.values(LANGUAGES)) expect(messages[helper("money").description].match(/[A-Z]{3}/g)).toEqual(currencies);
  });
});

describe("picking a helper in a phrase", () => {
  it("says the variable just inserted through it: {{ balance }} becomes money(balance, ...), the currency selected to edit", () => {
    expect(apply("Your balance is {{ balance }}", "money", "spoken")).toBe("Your balance is {{ money(balance, ['EUR'], language) }}");
    expect(apply("Your balance is {{ balance }} ", "number", "spoken")).toBe("Your balance is {{ number(balance, language) }}[] ");
  });

  it("says a selected variable through it, in braces or bare", () => {
    const text = "Es su {{ turno }} aviso";
    const at = text.indexOf("{{");
    expect(apply(text, "ordinal", "spoken", at, at + "{{ turno }}".length)).toBe("Es su {{ ordinal(turno, language) }}[] aviso");
    expect(apply("a las hora", "spoken_time", "spoken", 6, 10)).toBe("a las {{ spoken_time(hora, language) }}[]");
    expect(apply("el {{ contact.due }}", "spoken_date", "spoken")).toBe("el {{ spoken_date(contact.due, language) }}[]");
  });

  it("with no variable at hand, writes the call with its value selected for the analyst to name", () => {
    expect(apply("Su código: ", "digits", "spoken")).toBe("Su código: {{ digits([value], language) }}");
    expect(apply("Debe ", "money", "spoken")).toBe("Debe {{ money([amount], 'EUR', language) }}");
    expect(apply("Debe {{ saldo }}.", "money", "spoken")).toBe("Debe {{ saldo }}.{{ money([amount], 'EUR', language) }}");
  });

  it("writes e164 as the filter it is, with the country code and length selected", () => {
    expect(apply("{{ caller_id }}", "e164", "template")).toBe("{{ caller_id | e164(['34', 9]) }}");
  });

  it("writes no braces in an expression, wrapping the name before the caret", () => {
    expect(apply("caller_id", "e164", "bare")).toBe("caller_id | e164(['34', 9])");
    expect(apply("", "number", "bare")).toBe("number([value], language)");
  });
});
