/**
 * The query part of a page's address (`#/calls?caller=+34600111222&from=2026-12-07T15:30`), read and written so that
 * a link a support engineer pastes into a ticket stays readable and means what it says: a `+` is a plus (not the
 * space `URLSearchParams` would make of it, which would turn the number into another), and `:` and `+` are written
 * as they are. A part that cannot be decoded is left out rather than breaking the page.
 */

/** The query's parameters, by name; the first of a name given twice wins. */
export function readHashQuery(query: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of query.replace(/^\?/, "").split("&")) {
    if (!part) continue;
    const at = part.indexOf("=");
    const name = decodePart(at < 0 ? part : part.slice(0, at));
    const value = decodePart(at < 0 ? "" : part.slice(at + 1));
    if (name === null || value === null || params.has(name)) continue;
    params.set(name, value);
  }
  return params;
}

function decodePart(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null; // a lone "%": not what anyone meant, and not worth an error page
  }
}

/** A value as the query writes it: escaped where it must be, `:`, `+` and `@` left readable. */
function encodePart(text: string): string {
  return encodeURIComponent(text).replace(/%3A/gi, ":").replace(/%2B/gi, "+").replace(/%40/gi, "@");
}

/** `pairs` with a value, in their order, as a query ("a=1&b=2"); "" when none has one. */
export function writeHashQuery(pairs: [string, string][]): string {
  return pairs
    .filter(([, value]) => value !== "")
    .map(([name, value]) => `${encodePart(name)}=${encodePart(value)}`)
    .join("&");
}

/** A page's path with its query, when it has one: "/calls", "/calls?call=c1". */
export function withQuery(path: string, pairs: [string, string][]): string {
  const query = writeHashQuery(pairs);
  return query ? `${path}?${query}` : path;
}

/**
 * Show the page at `path` ("/calls?caller=..."). `replace`: in place of the address shown (a filter changed: the Back
 * button should not step through every key typed); else as a new entry, which Back leaves (a call opened).
 */
export function goTo(path: string, { replace = false } = {}): void {
  if (replace) window.location.replace(`#${path}`);
  else window.location.hash = path;
}
