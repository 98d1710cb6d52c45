/**
 * The words of a status region (role="status"), as a screen reader needs them: a region put in the page already
 * filled is not announced by every screen reader, and one whose words change at each keystroke is said at each.
 */
import { useEffect, useState } from "react";

/**
 * Long enough for the browser to have put the region, empty, in its accessibility tree before words come into it
 * (a change in the same frame as the region's insertion reads as "inserted filled"); short enough not to be seen.
 */
export const LIVE_TEXT_DELAY_MS = 100;

/**
 * `text` to write into a region that is in the page from its first render: "" at first, then `text` once it has
 * stayed the same for `settleMs` (a search's words: said once typing pauses, not at every keystroke).
 */
export function useLiveText(text: string, settleMs = LIVE_TEXT_DELAY_MS): string {
  const [written, setWritten] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setWritten(text), settleMs);
    return () => clearTimeout(timer);
  }, [text, settleMs]);
  return written;
}
