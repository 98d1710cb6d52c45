// Finding (a reviewer migrating from Twilio Studio): a SQL block's query never ran before a live call, so a typo'd
// table passed validation, the scenario test and publishing. "Try query" runs it once: its markup and words here.
import { describe, expect, it } from "vitest";
import type { DataSourceTry } from "../api/client";
import { ApiError } from "../api/http";
import { renderInLanguage, renderToHtml, tableCells, visibleText } from "./renderForTest";
import { missingColumns, queryParams, thrownOutcome, TryQueryView, type TryQueryViewProps } from "./TryQuery";

const base: TryQueryViewProps = {
  source: "crm",
  query: "SELECT holder, balance FROM accounts WHERE phone = :caller_id",
  mapped: [],
  values: {},
  outcome: { state: "idle" },
  onValue: () => undefined,
  onTry: () => undefined,
};

const answered = (result: Partial<DataSourceTry>): TryQueryViewProps["outcome"] => ({
  state: "done",
  result: { ok: true, columns: null, rows: [], failure: null, elapsed_ms: 4, ...result },
});

describe("the parameters of a query", () => {
  it("are its :names outside quotes and comments, once each, in order", () => {
    expect(queryParams("SELECT a FROM t WHERE p = :caller_id AND x = ':no' AND y > :min -- :nor\n AND z = :caller_id")).toEqual(["caller_id", "min"]);
    expect(queryParams("SELECT created::date FROM t /* :hidden */ WHERE id = :id")).toEqual(["id"]);
  });
});

describe("the columns a block maps", () => {
  it("are named when the result lacks them, with the result's columns", () => {
    expect(missingColumns(["amount", "holder"], ["holder", "balance"])).toEqual(["amount"]);
    expect(missingColumns(["holder"], null)).toEqual([]);
  });
});

describe("Try query", () => {
  it("offers a field per :param and the button", () => {
    const html = renderToHtml(TryQueryView, base);
    expect(html).toContain('name="try-param-caller_id"');
    expect(visibleText(html)).toContain("Try query");
  });

  it("shows the columns and rows it found, and warns of a mapped column not in the result", () => {
    const outcome = answered({ columns: ["balance", "holder"], rows: [{ balance: 120, holder: "Ana Ruiz" }] });
    const html = renderToHtml(TryQueryView, { ...base, mapped: ["amount", "holder"], outcome });
    expect(tableCells(html)).toEqual([["balance", "holder"], ["120", "Ana Ruiz"]]);
    expect(visibleText(html)).toContain("column 'amount' is not in the result: balance, holder");
  });

  it("says when no row came back", () => {
    expect(visibleText(renderToHtml(TryQueryView, { ...base, outcome: answered({}) }))).toContain("found no rows");
  });

  it("words a database's failure in the interface language, keeping the database's own words", () => {
    const failure = { code: "sql_query_failed", params: { source: "crm", detail: "(1146, \"Table 'crm.acounts' doesn't exist\")" }, message: "query on data source 'crm' failed: ..." };
    const outcome = answered({ ok: false, failure });
    expect(visibleText(renderInLanguage("ru", TryQueryView, { ...base, outcome }))).toContain("запрос к источнику данных «crm» не выполнен: (1146, \"Table 'crm.acounts' doesn't exist\")");
    expect(visibleText(renderToHtml(TryQueryView, { ...base, outcome }))).toContain("query on data source 'crm' failed");
  });

  it("says a write is not tried, and which values are missing, in each language", () => {
    const writes = answered({ ok: false, failure: { code: "sql_try_writes", params: { source: "crm" }, message: "only a reading query can be tried; a writing one runs only in a call" } });
    expect(visibleText(renderInLanguage("es", TryQueryView, { ...base, outcome: writes }))).toContain("Solo se puede probar una consulta que lee");
    const missing = answered({ ok: false, failure: { code: "sql_try_params_missing", params: { source: "crm", names: ["caller_id"] }, message: "" } });
    expect(visibleText(renderInLanguage("ru", TryQueryView, { ...base, outcome: missing }))).toContain("caller_id");
  });

  // Security review of 2026-12-07: tries are an admin's choice per source, and each user has a budget of them.
  it("says tries are not allowed on the source, and when to try again, in each language", () => {
    const notAllowed = answered({ ok: false, failure: { code: "sql_try_not_allowed", params: { source: "crm" }, message: "an administrator has not allowed tries on this data source" } });
    expect(visibleText(renderToHtml(TryQueryView, { ...base, outcome: notAllowed }))).toContain("An administrator has not allowed tries on this data source.");
    expect(visibleText(renderInLanguage("es", TryQueryView, { ...base, outcome: notAllowed }))).toContain("Un administrador no ha permitido probar consultas en este origen de datos.");
    expect(visibleText(renderInLanguage("ru", TryQueryView, { ...base, outcome: notAllowed }))).toContain("Администратор не разрешил проверять запросы на этом источнике данных.");
    const limited = answered({ ok: false, failure: { code: "sql_try_rate_limited", params: { source: "crm", seconds: 42 }, message: "too many tries; try again in 42 s" } });
    expect(visibleText(renderToHtml(TryQueryView, { ...base, outcome: limited }))).toContain("Too many tries: try again in 42 s.");
    expect(visibleText(renderInLanguage("es", TryQueryView, { ...base, outcome: limited }))).toContain("Demasiadas pruebas: vuelva a intentarlo en 42 s.");
    expect(visibleText(renderInLanguage("ru", TryQueryView, { ...base, outcome: limited }))).toContain("Слишком много проверок: повторите через 42 с.");
  });

  it("asks for a source and a query before it can try", () => {
    const html = renderToHtml(TryQueryView, { ...base, source: "", query: "" });
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*>Try query<\/button>/);
  });
});

// Security review: a user reading personal data masked rebuilt any value from which cells of a chosen query were
// NULL. The server now refuses them any try (403 personal-data-needed); the panel says why, in their language.
describe("a try refused for want of seeing personal data", () => {
  const refusal = new ApiError(403, {
    type: "https://ivrgraph.dev/problems/personal-data-needed",
    status: 403,
    detail: "an admin must grant seeing personal data to try queries against live databases",
    problems: [{ path: "$", code: "personal_data_needed", message: "..." }],
  }, "an admin must grant seeing personal data to try queries against live databases");

  it("is told apart from any other failure", () => {
    expect(thrownOutcome(refusal)).toEqual({ state: "personalDataNeeded" });
    expect(thrownOutcome(new ApiError(403, { type: "https://ivrgraph.dev/problems/forbidden" }, "this needs the editor role"))).toEqual({
      state: "failed",
      message: "this needs the editor role",
    });
  });

  it("says an administrator must grant it, in each language", () => {
    const props = { ...base, outcome: thrownOutcome(refusal) };
    expect(visibleText(renderToHtml(TryQueryView, props))).toContain("An administrator must grant you seeing personal data to try queries against live databases");
    expect(visibleText(renderInLanguage("es", TryQueryView, props))).toContain("Un administrador debe concederle ver datos personales");
    expect(visibleText(renderInLanguage("ru", TryQueryView, props))).toContain("администратор должен дать вам право видеть персональные данные");
  });
});
