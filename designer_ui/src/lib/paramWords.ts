/**
 * Words built from a server problem's `params` (problemText.ts, callListProblemText.ts): a param the words need and
 * do not find raises `MissingParam`, and `wordedOr` then shows the server's own message whole, never a translated
 * frame around missing pieces.
 */
import type { Language } from "./i18n";

export type Translated = Exclude<Language, "en">;
export type Params = Readonly<Record<string, unknown>>;

/** Raised when a param the words need is not there: the server's message is shown instead. */
export class MissingParam extends Error {}

/** The params of one problem, said in one language; each kind of problem text adds its own pieces. */
export class ParamWords {
  constructor(
    readonly language: Translated,
    protected readonly params: Params,
  ) {}

  /** A param as text; missing, the whole problem falls back to the server's message. */
  text(name: string): string {
    const value = this.params[name];
    if (value === undefined || value === null) throw new MissingParam(name);
    return String(value);
  }

  /** A param as a number; missing or not a number, the server's message. */
  value(name: string): number {
    const value = Number(this.text(name));
    if (Number.isNaN(value)) throw new MissingParam(name);
    return value;
  }

  has(name: string): boolean {
    return this.params[name] !== undefined;
  }

  /** «x», as Spanish and Russian quote. */
  quoted(name: string): string {
    return `«${this.text(name)}»`;
  }
}

/** `template` said with `words`; `fallback` (the server's message) without a template or when a param is missing. */
export function wordedOr<W extends ParamWords>(words: W, template: ((w: W) => string) | undefined, fallback: string): string {
  if (!template) return fallback;
  try {
    return template(words);
  } catch (error) {
    if (error instanceof MissingParam) return fallback;
    throw error;
  }
}
