/**
 * "Try query" under a SQL block's form: the query run once on its data source with values typed for its `:params`
 * (api/routes/datasources.py `POST /api/data-sources/{name}/try`). A typo'd table passed validation, the scenario
 * test on typed rows and publishing, and only the first real call found it (a reviewer migrating from Twilio
 * Studio, where an HTTP request is tried against its endpoint). The server runs reading queries only, in a
 * read-only transaction; the result shows at most 5 rows, and warns of a column the block maps that the result
 * lacks. A failure is worded in the interface language, the database's own words kept (lib/failureText.ts).
 * A user without `sees_personal_data` may not try (403 `personal-data-needed`: whatever a query answers tells the
 * data it reads, a security review found), and is told why in their language.
 */
import { useState } from "react";
import * as api from "../api/client";
import type { DataSourceTry } from "../api/client";
import { ApiError } from "../api/http";
import { useI18n } from "../i18n";
import { FAILURE_WORDS } from "../lib/failureText";
import type { Language, Translate } from "../lib/i18n";
import { ParamWords, wordedOr } from "../lib/paramWords";
import { BusyButton } from "./BusyButton";

export type TryOutcome =
  | { state: "idle" }
  | { state: "trying" }
  | { state: "done"; result: DataSourceTry }
  | { state: "personalDataNeeded" }
  | { state: "failed"; message: string };

/** What a try that threw comes to: the server's refusal for a user who reads personal data masked, or a failure. */
export function thrownOutcome(error: unknown): TryOutcome {
  const body = error instanceof ApiError && error.body && typeof error.body === "object" ? (error.body as { type?: unknown }) : {};
  if (error instanceof ApiError && error.status === 403 && typeof body.type === "string" && body.type.endsWith("/personal-data-needed")) {
    return { state: "personalDataNeeded" };
  }
  return { state: "failed", message: error instanceof Error ? error.message : String(error) };
}

// Quoted text and comments hold no parameter (graph_engine/sql_params.py reads them alike; the server names any
// this misses, as sql_try_params_missing). `::` is PostgreSQL's cast, not a parameter.
const NOT_CODE = /'(?:[^']|'')*'?|"(?:[^"]|"")*"?|`[^`]*`?|--[^\n]*|#[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/g;
const PARAM = /(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)/g;

/** The query's `:params`, once each, in the order they first appear. */
export function queryParams(query: string): string[] {
  const code = query.replace(NOT_CODE, " ");
  return [...new Set([...code.matchAll(PARAM)].map((match) => match[1]!))];
}

/** The columns the block maps that the result does not have; none when the result's columns are unknown (no row). */
export function missingColumns(mapped: readonly string[], columns: readonly string[] | null | undefined): string[] {
  if (!columns) return [];
  return mapped.filter((column) => !columns.includes(column));
}

/** Why the try did not answer, in `language`: the try's own refusals in our words, the SQL block's as a call says them. */
export function tryFailureText(failure: NonNullable<DataSourceTry["failure"]>, language: Language, t: Translate): string {
  if (failure.code === "sql_try_writes") return t("sqlTry.writes");
  const { word, suggestion } = failure.params;
  if (failure.code === "sql_try_unknown_statement" && typeof word === "string") {
    return typeof suggestion === "string" ? t("sqlTry.unknownStatementMeant", { word, suggestion }) : t("sqlTry.unknownStatement", { word });
  }
  if (failure.code === "sql_try_not_allowed") return t("sqlTry.notAllowed");
  if (failure.code === "sql_try_rate_limited") {
    const seconds = typeof failure.params.seconds === "number" ? failure.params.seconds : 60;
    return t("sqlTry.rateLimited", { seconds });
  }
  if (failure.code === "sql_try_params_missing") {
    const names = Array.isArray(failure.params.names) ? failure.params.names.join(", ") : "";
    return t("sqlTry.paramsMissing", { names });
  }
  if (language === "en") return failure.message;
  const words = Object.hasOwn(FAILURE_WORDS[language], failure.code) ? FAILURE_WORDS[language][failure.code] : undefined;
  return wordedOr(new ParamWords(language, failure.params), words, failure.message);
}

export interface TryQueryViewProps {
  source: string;
  query: string;
  /** The result columns the block's `columns` maps to variables. */
  mapped: readonly string[];
  values: Readonly<Record<string, string>>;
  outcome: TryOutcome;
  onValue(name: string, value: string): void;
  onTry(): void;
}

/** The fields, the button and the outcome; props only. */
export function TryQueryView(props: TryQueryViewProps) {
  const { t, language } = useI18n();
  const params = queryParams(props.query);
  const ready = props.source.trim() !== "" && props.query.trim() !== "";
  return (
    <section className="sql-try" aria-label={t("sqlTry.button")} data-testid="sql-try">
      {params.length > 0 && (
        <fieldset className="sql-try-params">
          <legend>{t("sqlTry.params")}</legend>
          {params.map((name) => (
            <label key={name}>
              <code>:{name}</code>
              <input name={`try-param-${name}`} value={props.values[name] ?? ""} onChange={(e) => props.onValue(name, e.target.value)} />
            </label>
          ))}
        </fieldset>
      )}
      <BusyButton name="try-query" busy={props.outcome.state === "trying"} busyLabel={t("sqlTry.trying")} disabled={!ready} onClick={props.onTry}>
        {t("sqlTry.button")}
      </BusyButton>
      <p className="hint">{t("sqlTry.hint")}</p>
      <TryOutcomeView outcome={props.outcome} mapped={props.mapped} language={language} t={t} />
    </section>
  );
}

function TryOutcomeView({ outcome, mapped, language, t }: { outcome: TryOutcome; mapped: readonly string[]; language: Language; t: Translate }) {
  if (outcome.state === "failed") return <p role="alert" className="problem error">{t("sqlTry.failed", { message: outcome.message })}</p>;
  if (outcome.state === "personalDataNeeded") {
    return <p role="alert" className="problem error" data-code="personal_data_needed">{t("sqlTry.personalDataNeeded")}</p>;
  }
  if (outcome.state !== "done") return null;
  const { result } = outcome;
  if (!result.ok && result.failure) {
    return <p role="alert" className="problem error" data-code={result.failure.code}>{tryFailureText(result.failure, language, t)}</p>;
  }
  const rows = result.rows ?? [];
  if (rows.length === 0 || !result.columns) return <p role="status">{t("sqlTry.noRows")}</p>;
  const columns = result.columns;
  return (
    <div role="status">
      <p>{t("sqlTry.found")}</p>
      <table className="sql-try-rows">
        <thead>
          <tr>{columns.map((column) => <th key={column} scope="col">{column}</th>)}</tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>{columns.map((column) => <td key={column}>{shown(row[column])}</td>)}</tr>
          ))}
        </tbody>
      </table>
      {missingColumns(mapped, columns).map((column) => (
        <p key={column} className="problem warning">{t("sqlTry.missingColumn", { column, columns: columns.join(", ") })}</p>
      ))}
    </div>
  );
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** "Try query" for a SQL block's config: asks the server, keeps the values typed while the panel is open. */
export function TryQuery(props: { source: string; query: string; mapped: readonly string[]; run?: typeof api.tryDataSourceQuery }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<TryOutcome>({ state: "idle" });
  const run = props.run ?? api.tryDataSourceQuery;
  async function tryIt() {
    setOutcome({ state: "trying" });
    const params = Object.fromEntries(queryParams(props.query).map((name) => [name, values[name] ?? ""]));
    try {
      setOutcome({ state: "done", result: await run(props.source, props.query, params) });
    } catch (error) {
      setOutcome(thrownOutcome(error));
    }
  }
  return (
    <TryQueryView
      {...props}
      values={values}
      outcome={outcome}
      onValue={(name, value) => setValues((typed) => ({ ...typed, [name]: value }))}
      onTry={() => void tryIt()}
    />
  );
}
