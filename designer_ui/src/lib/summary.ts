/** One line that tells an analyst what a block does without opening it ("Says: Hola {{ name }}…"). */
import type { BlockSpec, Config } from "./catalog";
import type { Language, Translate } from "./i18n";
import { fieldTitle, isSecretField } from "./pluginText";
import { weekdayNames } from "./schemaText";

const MAX = 48;

export function clip(text: string, max = MAX): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function list(items: unknown, field: string): string[] {
  if (!Array.isArray(items)) return [];
  return items
    .map((item) => (item && typeof item === "object" ? (item as Record<string, unknown>)[field] : undefined))
    .filter((v) => v !== undefined && v !== null && v !== "")
    .map(String);
}

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export function hoursSummary(hours: unknown, language: Language): string {
  if (!Array.isArray(hours) || hours.length === 0) return "";
  const names = weekdayNames(language);
  const named = (day: string) => names[day] ?? day;
  return hours
    .map((h) => {
      const r = (h ?? {}) as Record<string, unknown>;
      const days = Array.isArray(r.days) ? (r.days as string[]) : [];
      const sorted = DAYS.filter((d) => days.includes(d));
      const first = sorted[0];
      const last = sorted[sorted.length - 1];
      const range = sorted.length > 2 && DAYS.indexOf(last!) - DAYS.indexOf(first!) === sorted.length - 1
        ? `${named(first!)}–${named(last!)}` : sorted.map(named).join(",");
      return `${range} ${str(r.from)}–${str(r.to)}`;
    })
    .join("; ");
}

type Summarizer = (config: Config, t: Translate, language: Language) => string;

const SUMMARIES: Record<string, Summarizer> = {
  start: (c, t) => (c.answer === false ? t("summary.noAnswer") : t("summary.answers")),
  message: (c, t) => (str(c.audio) ? t("summary.plays", { audio: clip(str(c.audio)) }) : ""),
  say_phrase: (c, t) => (str(c.text) ? t("summary.says", { text: clip(str(c.text)) }) : ""),
  ivr: (c, t) => {
    if (c.mode === "capture") return t("summary.captures", { variable: str(c.variable) || "?" });
    const keys = list(c.options, "key");
    return keys.length ? t("summary.keys", { keys: keys.join(", ") }) : t("summary.noKeys");
  },
  transfer: (c, t) => (str(c.target) ? t("summary.transfersTo", { target: clip(str(c.target), 32) }) : ""),
  sql: (c) => clip(str(c.query)),
  callback: (c, t) => t("summary.callsBack", { minutes: String(c.delay_minutes ?? 5) }),
  schedule: (c, _t, language) => clip(hoursSummary(c.hours, language)),
  condition: (c, t) => (str(c.expression) ? t("summary.if", { expression: clip(str(c.expression), 40) }) : ""),
  switch: (c, t) => {
    const exits = list(c.cases, "exit");
    return str(c.value) ? t("summary.switch", { value: clip(str(c.value), 20), cases: exits.join(", ") }) : "";
  },
  set_variable: (c) =>
    clip(
      (Array.isArray(c.assignments) ? c.assignments : [])
        .map((a) => `${str((a as Record<string, unknown>)?.variable)} = ${str((a as Record<string, unknown>)?.value)}`)
        .join("; "),
    ),
  goto: (c, t) => (str(c.target) ? t("summary.goesTo", { target: str(c.target) }) : ""),
  goto_scenario: (c, t) => (str(c.scenario) ? t("summary.goesTo", { target: str(c.scenario) }) : ""),
  hangup: (c, t) => (str(c.result) ? t("summary.result", { result: str(c.result) }) : t("summary.endsCall")),
};

/**
 * Plugins get a generic summary: the first string setting in the config, named by its field's title as the form
 * shows it. Never a secret field's (an API key, `writeOnly` or `format: "password"` in the schema): the canvas is
 * on every analyst's screen, and in screenshots. Without the block's schema (the catalog not loaded, the plugin
 * gone) nothing tells a secret apart, so nothing is shown.
 */
function genericSummary(config: Config, language: Language, spec: BlockSpec | undefined): string {
  if (!spec) return "";
  const fields = spec.config_schema.properties ?? {};
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== "string" || !value || isSecretField(fields[key])) continue;
    return clip(`${fieldTitle(spec, language, key)}: ${value}`);
  }
  return "";
}

/**
 * `language`: the interface's, for what is named rather than said by `t` (weekdays); `spec`: the block's catalog
 * entry, which a plugin's block is summarized from.
 */
export function blockSummary(type: string, config: Config, t: Translate, language: Language = "en", spec?: BlockSpec): string {
  const summarize = SUMMARIES[type];
  return summarize ? summarize(config, t, language) : genericSummary(config, language, spec);
}
