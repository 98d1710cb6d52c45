/**
 * Inline code spans in text written with Markdown's backticks ("stored in `result`"): the text split into plain
 * and code parts, for the interface to draw the code parts as <code>. Nothing else of Markdown is read, and the
 * parts are text: a description can never put markup on the page.
 */
export interface TextPart {
  text: string;
  code: boolean;
}

// A run of backticks closed by a run of the same length (CommonMark), neither run part of a longer one.
const CODE_SPAN = /(?<!`)(`+)(?!`)([\s\S]+?)(?<!`)\1(?!`)/g;

export function codeSpans(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(CODE_SPAN)) {
    if (match.index > at) parts.push({ text: text.slice(at, match.index), code: false });
    let code = match[2]!;
    // "`` `a` ``" is `a` with its backticks: one space each side is padding, when the code is not all spaces.
    if (code.length > 2 && code.startsWith(" ") && code.endsWith(" ") && code.trim() !== "") code = code.slice(1, -1);
    parts.push({ text: code, code: true });
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), code: false });
  return parts;
}

/** The text with its code spans' backticks taken off: for where only plain text goes (a tooltip). */
export function withoutBackticks(text: string): string {
  return codeSpans(text)
    .map((part) => part.text)
    .join("");
}
