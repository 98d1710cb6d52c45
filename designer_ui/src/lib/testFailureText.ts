/**
 * Why a scenario test failed, in the interface language: from each failure's stable `code` and its `params`
 * (graph_engine/scenario_test_failures.py; docs/scenario-format.md lists them), with the blocks named as the canvas
 * names them and the outcomes as the rest of the designer says them. The words are i18n.ts's `testFailure.*`.
 *
 * A code with no words here (a newer server's, or one whose words the server builds from the test's JSON:
 * `unknown_node`, `test_refused`...) or params short of what the words need: the server's English `text`, whole, said
 * to be English. A block's own error (a failure's `error`, `detail`) stays in the engine's words, as problemText.ts
 * keeps a plugin's `detail`.
 */
import type { components } from "../generated/api";
import { codeText, type Language, type MessageKey, type Translate } from "./i18n";
import { MissingParam } from "./paramWords";

export type TestFailure = components["schemas"]["TestFailure"];

/** How a failure names what its params give by code: a block of a test (`menu`, `slug:menu`), a block type. */
export interface FailureNames {
  block(name: string): string;
  type(type: string): string;
}

/** A failure said: `english` when it is the server's own text (no words here), for a screen reader's language. */
export interface FailureSaid {
  text: string;
  english: boolean;
}

const QUOTES: Record<Language, [string, string]> = { en: ["“", "”"], es: ["«", "»"], ru: ["«", "»"] };

/** The params of one failure, said in one language; a param the words need and do not find is `MissingParam`. */
class Words {
  constructor(
    readonly language: Language,
    readonly t: Translate,
    private readonly params: Readonly<Record<string, unknown>>,
    private readonly names: FailureNames,
  ) {}

  has(name: string): boolean {
    return this.params[name] !== undefined && this.params[name] !== null;
  }

  /** A param that is text or a number, as text. */
  text(name: string): string {
    const value = this.params[name];
    if (typeof value !== "string" && typeof value !== "number") throw new MissingParam(name);
    return String(value);
  }

  number(name: string): string {
    const value = this.params[name];
    if (typeof value !== "number") throw new MissingParam(name);
    return value.toLocaleString(this.language);
  }

  list(name: string): unknown[] {
    const value = this.params[name];
    if (!Array.isArray(value)) throw new MissingParam(name);
    return value;
  }

  quote(text: string): string {
    const [open, close] = QUOTES[this.language];
    return `${open}${text}${close}`;
  }

  /** A JSON value as a test writes it: text in quotes, anything else as JSON (1, true, {"id": 7}). */
  shown(value: unknown): string {
    return typeof value === "string" ? this.quote(value) : JSON.stringify(value);
  }

  value(name: string): string {
    if (!(name in this.params)) throw new MissingParam(name);
    return this.shown(this.params[name]);
  }

  /** A block by its name on the canvas, quoted. */
  block(name: string): string {
    return this.quote(this.names.block(this.text(name)));
  }

  /** The blocks a call went through, by name: `“Start” → “Main menu”`; `nothing` for none. */
  path(name: string): string {
    const blocks = this.list(name).map((block) => this.quote(this.names.block(String(block))));
    return blocks.length > 0 ? blocks.join(" → ") : this.t("testFailure.none");
  }

  /** Values of a list, each shown: `“5”, “5”`; `nothing` for none. */
  values(name: string): string {
    const values = this.list(name).map((value) => this.shown(value));
    return values.length > 0 ? values.join(", ") : this.t("testFailure.none");
  }

  outcome(name: string): string {
    return codeText(this.t, "outcome", this.text(name));
  }

  type(name: string): string {
    return this.names.type(this.text(name));
  }

  /** `Callback 2: ...`: the words of a failure of one callback of `expect.scheduled`. */
  callback(key: MessageKey, params: Record<string, string> = {}): string {
    return this.t(key, { callback: this.number("callback"), ...params });
  }
}

type Template = (w: Words) => string;

/** Why a call failed (`call_failed`, `outcome_failed`): the block that took an error exit leading nowhere, else the error. */
function reason(w: Words): string {
  if (w.has("node")) return w.t("testFailure.reasonBlock", { block: w.block("node"), type: w.type("block_type"), error: w.text("error") });
  return w.has("error") ? w.text("error") : w.t("testFailure.reasonNone");
}

/** Where a call's path parts from the one its test expects (`path_mismatch`): the step, what was expected, where it went. */
function pathsPart(w: Words): string {
  const step = w.number("step");
  if (!w.has("wanted")) return w.t("testFailure.path_differsEnd", { step, went: w.block("went") });
  if (!w.has("went")) return w.t("testFailure.path_differsEnded", { step, wanted: w.block("wanted") });
  return w.t("testFailure.path_differs", { step, wanted: w.block("wanted"), went: w.block("went") });
}

const DUE: Record<string, MessageKey> = {
  due: "testFailure.callback_due",
  due_not_before: "testFailure.callback_due_not_before",
  due_not_after: "testFailure.callback_due_not_after",
};

const CALLBACK_FIELD: Record<string, MessageKey> = { number: "testFailure.callback_number", scenario: "testFailure.callback_scenario" };

/** The words of each code; the codes not here are said in the server's English (see the module's comment). */
export const FAILURE_TEMPLATES: Readonly<Record<string, Template>> = {
  path_mismatch: (w) => {
    const paths = w.t("testFailure.path_mismatch", { path: w.path("path"), expected: w.path("expected") });
    return w.has("step") ? `${paths} ${pathsPart(w)}` : paths; // a server from before `step` says only the paths
  },
  not_visited: (w) => w.t("testFailure.not_visited", { node: w.block("node"), path: w.path("path") }),
  visited_forbidden: (w) => w.t("testFailure.visited_forbidden", { node: w.block("node") }),
  call_failed: (w) => w.t("testFailure.call_failed", { reason: reason(w) }),
  outcome_failed: (w) => w.t("testFailure.outcome_failed", { reason: reason(w), expected: w.outcome("expected") }),
  outcome_mismatch: (w) => w.t("testFailure.outcome_mismatch", { outcome: w.outcome("outcome"), expected: w.outcome("expected") }),
  variable_mismatch: (w) =>
    w.has("actual")
      ? w.t("testFailure.variable_mismatch", { variable: w.text("variable"), actual: w.value("actual"), expected: w.value("expected") })
      : w.t("testFailure.variable_unset", { variable: w.text("variable"), expected: w.value("expected") }),
  never_said: (w) =>
    w.t("testFailure.never_said", { fragment: w.value("fragment"), said: w.text("said") ? w.value("said") : w.t("testFailure.none") }),
  callback_count: (w) => w.t("testFailure.callback_count", { count: w.number("count"), expected: w.value("expected") }),
  dialed_mismatch: (w) => w.t("testFailure.dialed_mismatch", { dialed: w.values("dialed"), expected: w.values("expected") }),
  scheduled_not_list: (w) => w.t("testFailure.scheduled_not_list"),
  scheduled_count: (w) => w.t("testFailure.scheduled_count", { count: w.number("count"), expected: w.number("expected") }),
  callback_unknown_field: (w) =>
    w.has("meant")
      ? w.callback("testFailure.callback_unknown_field_meant", { key: w.value("key"), meant: w.value("meant") })
      : w.callback("testFailure.callback_unknown_field", { key: w.value("key") }),
  callback_mismatch: (w) => {
    const key = CALLBACK_FIELD[w.text("field")];
    if (!key) throw new MissingParam("field");
    return w.callback(key, { actual: w.value("actual"), expected: w.value("expected") });
  },
  callback_due_unreadable: (w) => w.callback("testFailure.callback_due_unreadable", { field: w.text("field"), value: w.value("value") }),
  callback_due_outside: (w) => {
    const key = DUE[w.text("field")];
    if (!key) throw new MissingParam("field");
    return w.callback(key, { due: w.text("due"), bound: w.text("bound") });
  },
  callback_variables_not_object: (w) => w.callback("testFailure.callback_variables_not_object"),
  callback_variable_missing: (w) => w.callback("testFailure.callback_variable_missing", { variable: w.text("variable"), carried: w.values("carried") }),
  callback_variable_mismatch: (w) =>
    w.callback("testFailure.callback_variable_mismatch", { variable: w.text("variable"), actual: w.value("actual"), expected: w.value("expected") }),
  callback_carried_not_list: (w) => w.callback("testFailure.callback_carried_not_list"),
  callback_carried_mismatch: (w) => w.callback("testFailure.callback_carried_mismatch", { carried: w.values("carried"), expected: w.values("expected") }),
  keys_unused: (w) => w.t("testFailure.keys_unused", { left: w.list("left").length, given: w.number("given"), keys: w.values("left") }),
  timed_keys_unused: (w) => {
    const keys = w.list("left").map((pair) => {
      if (!Array.isArray(pair) || typeof pair[0] !== "number" || typeof pair[1] !== "string") throw new MissingParam("left");
      return w.t("testFailure.timedKey", { key: w.quote(pair[1]), seconds: pair[0].toLocaleString(w.language) });
    });
    return w.t("testFailure.timed_keys_unused", { left: keys.length, given: w.number("given"), keys: keys.join(", ") });
  },
  transfers_unused: (w) => w.t("testFailure.transfers_unused", { left: w.list("left").length, given: w.number("given"), outcomes: w.values("left") }),
  forced_exit_unreached: (w) => w.t("testFailure.forced_exit_unreached", { node: w.block("node"), exit: w.value("exit") }),
  step_error: (w) => {
    const said = { block: w.block("node"), type: w.type("block_type"), error: w.text("error") };
    if (!w.has("exit")) return w.t("testFailure.step_failed", said);
    if (w.text("exit") === "error") return w.t("testFailure.step_error", said);
    return w.t("testFailure.step_failed_exit", { ...said, exit: w.value("exit") });
  },
  could_not_run: (w) => w.t("testFailure.could_not_run", { detail: w.text("detail") }),
  unknown_variable: (w) =>
    w.has("meant")
      ? w.t("testFailure.unknown_variable_meant", { variable: w.quote(w.text("variable")), meant: w.quote(w.text("meant")) })
      : w.t("testFailure.unknown_variable", { variable: w.quote(w.text("variable")) }),
  // The form's own words for it (TestJsonForm): the server's `unknown expectation 'outcom'`.
  unknown_expectation: (w) =>
    w.has("meant") ? w.t("tests.unknownExpectationMeant", { field: w.text("key"), meant: w.text("meant") }) : w.t("tests.unknownExpectation", { field: w.text("key") }),
};

/** `failure` in `language` (`t` being its words), or the server's English text when there are no words for it here. */
export function testFailureText(failure: TestFailure, language: Language, t: Translate, names: FailureNames): FailureSaid {
  const template = Object.hasOwn(FAILURE_TEMPLATES, failure.code) ? FAILURE_TEMPLATES[failure.code] : undefined;
  if (!template) return { text: failure.text, english: true };
  try {
    return { text: template(new Words(language, t, failure.params, names)), english: false };
  } catch (error) {
    if (error instanceof MissingParam) return { text: failure.text, english: true };
    throw error;
  }
}
