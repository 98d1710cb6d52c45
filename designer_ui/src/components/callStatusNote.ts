/**
 * The line under a call's outcome in the call lists (the Calls page and the editor's Calls tab): what the register's
 * status adds where the outcome does not tell it, said as what happened. The outcome of a caller who hung up is
 * "the caller hung up" whatever they were in; the line says when: while a prompt played, while a transfer rang or
 * queued (to whatever it dialled: an extension is no operator, which "abandoned waiting for an operator" said of it,
 * a review), after the transfer was answered.
 */
import type { CallSummary } from "../api/types";
import { codeText, type Translate } from "../lib/i18n";

/** agi_server/walk_patrol.py's `DURING_BLOCK_WORK`: a hangup while a block worked off the channel, the line silent (`block:sql`). */
const DURING_BLOCK_WORK = "block:";

export type NotedCall = Pick<CallSummary, "outcome" | "status" | "hangup_during">;

/**
 * The line for `call`; null where the outcome tells it all (an answered call, a failure, a transfer). `blockTitle`
 * names a block type as the palette does (`specTitle`: «Decir frase», a plugin's in its own words), where a caller
 * hung up during a block's work; without it, the type as recorded.
 */
export function statusNote(t: Translate, call: NotedCall, blockTitle: (type: string) => string = (type) => type): string | null {
  switch (call.status) {
    case "missed":
    case "callback_scheduled":
      return codeText(t, "status", call.status); // never picked up; a callback promised: the status says it
    case "abandoned_waiting":
      return t("calls.hungUpWhileTransferRang");
    case "abandoned_in_menu":
      return hungUpDuring(t, call.hangup_during ?? null, blockTitle);
    case "transferred":
      // A caller who talked on the transfer and then hung up: their outcome is "the caller hung up".
      return call.outcome === "transferred" ? null : t("calls.hungUpAfterTransferAnswered");
    default:
      return null;
  }
}

/**
 * When a caller who left before the scenario was done with them hung up, by the channel operation their hangup cut
 * (persistence's `hangup_during`, as agi_server/channel.py names it); a record that does not say (older than
 * migration 0009), or a word this designer does not know, is said in general. A block's work names the block by its
 * title, not its type: «el bloque say_phrase» was no word of the analyst's (i18n review).
 */
function hungUpDuring(t: Translate, during: string | null, blockTitle: (type: string) => string): string {
  if (during?.startsWith(DURING_BLOCK_WORK)) return t("calls.hungUpInBlockWork", { block: blockTitle(during.slice(DURING_BLOCK_WORK.length)) });
  switch (during) {
    case "answer":
      return t("calls.hungUpAnswering");
    case "play":
      return t("calls.hungUpInPrompt");
    case "read_digits":
      return t("calls.hungUpInKeyEntry");
    case "get_variable":
    case "set_variable":
      return t("calls.hungUpInChannelVariable");
    default:
      return t("calls.hungUpInScenario");
  }
}
