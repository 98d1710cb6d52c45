/**
 * A line of a Twilio Studio import's report in the interface language, from its `code` and `params`
 * (graph_engine.studio_import.REPORT_CODES; the server's `text` is the English). Every line names its state and widget
 * (`state`, `widget`), as the English does: `crm_lookup (make-http-request): ...`. English, a code with no words here
 * (a newer server's) and params that fall short are said as the server wrote them, as problemText.ts does.
 */
import { blockTitle } from "./blockText";
import type { Language } from "./i18n";
import { MissingParam, ParamWords, wordedOr, type Translated } from "./paramWords";

/** A report line as the designer reads it: the server's English, with its code and params when the server sent them. */
export interface StudioReportLine {
  text: string;
  code?: string;
  params?: Record<string, string | number>;
}

type Template = (w: ParamWords) => string;

/** The paths a placeholder could not wire (`count`, each `event_N`, `target_N`, `wired_N`), each after a `; `. */
function paths(w: ParamWords, wiredToError: string, notWired: string): string {
  let said = "";
  for (let n = 1; n <= w.value("count"); n++) {
    const wired = w.text(`wired_${n}`);
    if (wired !== "error" && wired !== "none") throw new MissingParam(`wired_${n}`);
    said += `; ${w.text(`event_${n}`)} → ${w.text(`target_${n}`)}: ${wired === "error" ? wiredToError : notWired}`;
  }
  return said;
}

/** Why a placeholder was left, when the server says (`reason`): the words for it, else the English line. */
function reason(w: ParamWords, noVariables: string): string {
  if (!w.has("reason")) return "";
  if (w.text("reason") !== "no_variables") throw new MissingParam("reason");
  return `: ${noVariables}`;
}

export const STUDIO_REPORT_TEMPLATES: Record<Translated, Record<string, Template>> = {
  es: {
    not_whole_number: (w) => `${w.text("setting")} ${w.text("value")} no es un número entero: se usa el valor por defecto`,
    starts_on: (w) => `el flujo empieza con ${w.text("event")}; aquí la llamada entra por ahí`,
    messages_not_converted: (w) => `${w.text("event")} no se convirtió: un escenario atiende llamadas`,
    recording_not_converted: (w) =>
      `${w.has("play") ? `reproduce ${w.text("play")}` : "no dice nada"}: no se convirtió; suba la grabación y use un bloque «${blockTitle("es", "message", "Message")}»`,
    digits_left_out: (w) => `los dígitos que enviaba (${w.text("digits")}) se omiten`,
    said_once: (w) => `aquí se dice una vez; Studio lo decía ${w.text("loop")} veces`,
    prompt_not_converted: () => "su grabación no se convirtió: sustituya el mensaje",
    speech_not_converted: () => "la entrada por voz no se convirtió, solo las teclas",
    split_input_not_variable: () => "su entrada no es una sola variable: revise las condiciones",
    condition_not_converted: (w) => `la condición ${w.quoted("condition")} no se convirtió: aquí es falsa`,
    queue_to_check: (w) => `a la cola de Asterisk ${w.quoted("queue")}: compruebe que existe`,
    destination_not_converted: (w) =>
      `su destino no tiene equivalente aquí: indique el destino del bloque «${blockTitle("es", "transfer", "Transfer")}» (ahora ${w.text("target")})`,
    first_number_only: (w) => `solo se marca el primero de sus números (${w.text("number")})`,
    not_converted: (w) =>
      `no se convirtió${reason(w, "no asigna ninguna variable")}: sustituya el marcador` +
      paths(
        w,
        "conéctelo a la salida error/not_found del bloque que lo sustituya",
        "sin conectar (el marcador tiene una sola salida de error), conéctelo a la salida del bloque que lo sustituya",
      ),
  },
  ru: {
    not_whole_number: (w) => `${w.text("setting")} ${w.text("value")} — не целое число: используется значение по умолчанию`,
    starts_on: (w) => `поток начинается с ${w.text("event")}, здесь звонок входит туда`,
    messages_not_converted: (w) => `${w.text("event")} не преобразован: сценарий отвечает на звонки`,
    recording_not_converted: (w) =>
      `${w.has("play") ? `воспроизводит ${w.text("play")}` : "ничего не произносит"}: не преобразовано, загрузите запись и используйте блок «${blockTitle("ru", "message", "Message")}»`,
    digits_left_out: (w) => `отправляемые им цифры (${w.text("digits")}) опущены`,
    said_once: (w) => `здесь произносится один раз, повторов в Studio: ${w.text("loop")}`,
    prompt_not_converted: () => "его запись не преобразована: замените сообщение",
    speech_not_converted: () => "голосовой ввод не преобразован, только клавиши",
    split_input_not_variable: () => "его вход — не одна переменная: проверьте условия",
    condition_not_converted: (w) => `условие ${w.quoted("condition")} не преобразовано: здесь оно ложно`,
    queue_to_check: (w) => `в очередь Asterisk ${w.quoted("queue")}: проверьте, что она существует`,
    destination_not_converted: (w) =>
      `его адресату здесь нет соответствия: укажите адрес в блоке «${blockTitle("ru", "transfer", "Transfer")}» (сейчас ${w.text("target")})`,
    first_number_only: (w) => `набирается только первый из его номеров (${w.text("number")})`,
    not_converted: (w) =>
      `не преобразован${reason(w, "не задаёт ни одной переменной")}: замените заглушку` +
      paths(
        w,
        "подключите к выходу error/not_found блока, который её заменит",
        "не подключено (у заглушки один выход ошибки), подключите к выходу блока, который её заменит",
      ),
  },
};

/** `line` in `language`: `state (widget): ` and the words for its code, else the server's English line. */
export function studioReportText(line: StudioReportLine, language: Language): string {
  if (language === "en" || !line.code || !line.params) return line.text;
  const template = Object.hasOwn(STUDIO_REPORT_TEMPLATES[language], line.code) ? STUDIO_REPORT_TEMPLATES[language][line.code] : undefined;
  const words = new ParamWords(language, line.params);
  return wordedOr(words, template && ((w) => `${w.text("state")} (${w.text("widget")}): ${template(w)}`), line.text);
}
