import type { ReactElement } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { translator, type Language } from "../lib/i18n";
import { countProblems, sortProblems, type Problem } from "../lib/problems";
import { ProblemList, problemRows, UnwiredExitsItem } from "./ProblemsPanel";
import { renderToHtml, visibleText } from "./renderForTest";

// The interface language as the test sets it; a row is also called as React would render it (the click below),
// where no provider is there to ask.
let language: Language = "en";
vi.mock("../i18n", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../i18n")>()),
  useI18n: () => ({ language, t: translator(language), setLanguage: () => undefined }),
}));

beforeEach(() => {
  language = "en";
});

const TRANSFER_EXITS = [
  ["busy", "Busy"],
  ["no_answer", "No answer"],
  ["failed", "Failed"],
] as const;

/** What the server sends for a Transfer whose Busy, No answer and Failed exits lead nowhere: one warning each. */
function unwiredTransfer(node: string, label: string, index: number): Problem[] {
  return TRANSFER_EXITS.map(([exit, exitLabel]) => ({
    severity: "warning",
    code: "unwired_exit",
    message: `Transfer "${label}": ${exitLabel} leads nowhere: the caller is hung up on`,
    node,
    path: `$.nodes[${index}]`,
    params: { block_type: "transfer", block_title: "Transfer", label, exit, exit_label: exitLabel, meaning: "the caller is hung up on" },
  }));
}

const menuKey: Problem = {
  severity: "warning",
  code: "unwired_exit",
  message: 'IVR Menu "Main menu": key 3 leads nowhere: pressing this key ends the call',
  node: "menu",
  path: "$.nodes[1]",
  params: { block_type: "ivr", block_title: "IVR Menu", label: "Main menu", exit: "3", exit_label: "key 3", meaning: "pressing this key ends the call" },
};
const badTarget: Problem = {
  severity: "error",
  code: "transfer_bad_target",
  message: 'Transfer "Caja": "x" is not a number or channel that can be called',
  node: "caja",
  path: "$.nodes[4].config.target",
  params: { block_type: "transfer", block_title: "Transfer", label: "Caja", target: "x" },
};

const order = ["start", "menu", "ventas", "soporte", "caja"];
/** The review's inbound menu: three Transfers with three exits each leading nowhere, a menu key, a Transfer's error. */
const problems = sortProblems(
  [...unwiredTransfer("ventas", "Ventas", 2), ...unwiredTransfer("soporte", "Soporte", 3), ...unwiredTransfer("caja", "Caja", 4), menuKey, badTarget],
  order,
);

const lines = (html: string) => [...html.matchAll(/<li[^>]*>(.*?)<\/li>/gs)].map((li) => visibleText(li[1]!));
const list = (shown: Problem[] = problems) => renderToHtml(ProblemList, { problems: shown, onOpen: () => undefined });

describe("a block's exits that lead nowhere", () => {
  it("are one row per block, the error and a block's single unwired exit rows of their own", () => {
    expect(lines(list())).toEqual([
      '✖ Transfer "Caja": "x" is not a number or channel that can be called',
      'IVR Menu "Main menu": key 3 leads nowhere: pressing this key ends the call',
      'Transfer "Ventas": Busy, No answer, and Failed lead nowhere: the caller is hung up on',
      'Transfer "Soporte": Busy, No answer, and Failed lead nowhere: the caller is hung up on',
      'Transfer "Caja": Busy, No answer, and Failed lead nowhere: the caller is hung up on',
    ].map((line) => line.replace(/^(?!✖)/, "▲ ")));
  });

  it("keep the server's one issue per exit: the counts are of warnings, as the publish check and the canvas count them", () => {
    expect(problemRows(problems)).toHaveLength(5);
    expect(countProblems(problems)).toEqual({ errors: 1, warnings: 10 });
  });

  it("are rows that open their block, marked as warnings of their code, as a single problem's row is", () => {
    const html = list();
    const rows = [...html.matchAll(/<li class="problem warning" data-code="unwired_exit"[^>]*><button type="button" class="link">/g)];
    expect(rows).toHaveLength(4);
    expect(html).not.toContain("disabled");
  });

  it("are said in Spanish and Russian, the exits joined as the language joins a list", () => {
    const ventas = unwiredTransfer("ventas", "Ventas", 2);
    language = "es";
    expect(lines(list(ventas))).toEqual([
      "▲ El bloque «Ventas» (Transferir): las salidas «Ocupado», «Sin respuesta» y «Fallida» no llevan a ninguna parte — se cuelga al llamante",
    ]);
    language = "ru";
    expect(lines(list(ventas))).toEqual([
      "▲ Перевод «Ventas»: выходы «Занято», «Нет ответа» и «Сбой» никуда не ведут — звонящему просто кладут трубку",
    ]);
  });

  it("say the call ends there when the exits' own meanings differ", () => {
    const maxTries: Problem = {
      ...menuKey,
      message: 'IVR Menu "Main menu": Max tries leads nowhere: after the last failed try the call ends',
      params: { ...menuKey.params, exit: "max_tries", exit_label: "Max tries", meaning: "after the last failed try the call ends" },
    };
    expect(lines(list([menuKey, maxTries]))).toEqual(['▲ IVR Menu "Main menu": key 3 and Max tries lead nowhere: the call ends there']);
    language = "ru";
    expect(lines(list([menuKey, maxTries]))).toEqual([
      "▲ Голосовое меню «Main menu»: выходы «клавиша 3» и «Попытки исчерпаны» никуда не ведут — на этом звонок завершается",
    ]);
  });

  it("leave a block's single unwired exit, and an unwired next with its advice, each its own message", () => {
    const next: Problem = {
      ...menuKey,
      message: 'IVR Menu "Main menu": Next leads nowhere: once dialled the call ends; to end the call here on purpose, connect it to a Hang Up block',
      params: { ...menuKey.params, exit: "next", exit_label: "Next", meaning: "once dialled the call ends" },
    };
    expect(lines(list([menuKey]))).toEqual(['▲ IVR Menu "Main menu": key 3 leads nowhere: pressing this key ends the call']);
    expect(lines(list([menuKey, next]))).toHaveLength(2);
    language = "es";
    expect(lines(list([menuKey]))).toEqual(["▲ Menú IVR «Main menu»: tecla 3 no lleva a ninguna parte — pulsar esta tecla termina la llamada"]);
  });

  it("are each said on its own when the words for one are missing (the server's message, never half translated)", () => {
    const [busy, noAnswer] = unwiredTransfer("ventas", "Ventas", 2);
    const bare = { ...noAnswer!, params: undefined };
    language = "es";
    expect(lines(list([busy!, bare]))).toEqual([
      "▲ El bloque «Ventas» (Transferir): la salida «Ocupado» no lleva a ninguna parte — se cuelga al llamante",
      '▲ Transfer "Ventas": No answer leads nowhere: the caller is hung up on',
    ]);
  });

  it("never gathers an error with warnings", () => {
    const errors = unwiredTransfer("ventas", "Ventas", 2).map((problem) => ({ ...problem, severity: "error" as const }));
    expect(problemRows(errors)).toHaveLength(3);
  });

  it("open their block on a click, as a single problem's row does", () => {
    const opened: string[] = [];
    const row = UnwiredExitsItem({ node: "soporte", problems: unwiredTransfer("soporte", "Soporte", 3), onOpen: (node) => opened.push(node) }) as ReactElement<{
      children: ReactElement<{ onClick(): void }>;
    }>;
    const button = row.props.children;
    expect(button.type).toBe("button");
    button.props.onClick();
    expect(opened).toEqual(["soporte"]);
  });
});
