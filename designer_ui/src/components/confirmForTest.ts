/**
 * A `confirm` for component tests: each question is drawn in the real ConfirmDialog, as the user sees it (markup
 * only: no browser here), and answered as the test says, in order.
 */
import type { Language } from "../lib/i18n";
import { ConfirmDialog, type Confirm, type ConfirmRequest } from "./ConfirmDialog";
import { renderInLanguage } from "./renderForTest";

export interface Asked {
  confirm: Confirm;
  /** The questions asked, in order. */
  requests: ConfirmRequest[];
  /** Each question as the dialog drew it. */
  shown: string[];
}

/** Answer the questions asked with `answers`, one each, in order; a question more than that is a test failure. */
export function answering(answers: boolean[], language: Language = "en"): Asked {
  const asked: Asked = { requests: [], shown: [], confirm: async () => false };
  asked.confirm = async (request) => {
    const answer = answers[asked.requests.length];
    asked.requests.push(request);
    asked.shown.push(renderInLanguage(language, ConfirmDialog, { request, onAnswer: () => undefined }));
    if (answer === undefined) throw new Error(`asked more than ${answers.length} time(s): ${request.title}`);
    return answer;
  };
  return asked;
}

/** The items a dialog lists, as text. */
export function listedItems(html: string): string[] {
  const list = /<ul class="confirm-items">(.*?)<\/ul>/s.exec(html)?.[1] ?? "";
  return [...list.matchAll(/<li>(.*?)<\/li>/gs)].map((m) => m[1]!.replace(/&#x27;/g, "'"));
}
