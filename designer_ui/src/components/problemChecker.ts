/**
 * Live validation: the problems panel follows the canvas, not the last save. A moment after the last edit, the
 * document on the canvas is sent to POST /validate, which checks it without saving. A newer edit aborts the
 * request in flight (its answer would be of a canvas that is gone), and the store keeps an answer only when it is
 * of a change no older than the problems shown: a save's answer (draftSaver.ts), of the canvas as it was sent,
 * may land after a later check's, and whichever lands last the panel never goes back in time.
 *
 * A check the server does not answer (the network down, the server restarting, the session expired) keeps the
 * problems shown, flagged as maybe out of date, and is tried again a little later, waiting longer each time;
 * editing goes on meanwhile, nothing waits for it. The part of live validation that needs no React (so it is
 * tested in Node); useDraftSync.ts runs it.
 */
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { ScenarioDocument } from "../lib/convert";
import { normalizeProblems } from "../lib/problems";
import { useEditor } from "../store/editor";

/** After the last edit: typing a word checks once, at its end. */
export const CHECK_DELAY_MS = 400;
/** The first try again after the server did not answer; each next one waits twice as long, up to RETRY_MAX_MS. */
export const RETRY_MS = 2000;
export const RETRY_MAX_MS = 30000;

/** POST /validate (api.validate): the problems of a document as it is, without saving it. */
export type Validate = (slug: string, document: ScenarioDocument, signal: AbortSignal) => Promise<{ problems: unknown[] }>;

export interface ProblemChecker {
  /** The canvas changed: check it a moment from now, dropping the check waiting or in flight. */
  schedule(): void;
  /** The editor is going away: nothing waits or stays in flight. A later `schedule` starts again. */
  stop(): void;
}

export function problemChecker(slug: string, validate: Validate = api.validate): ProblemChecker {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inFlight: AbortController | null = null;
  let failures = 0;

  function stop(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    inFlight?.abort();
    inFlight = null;
  }

  function later(delay: number): void {
    stop();
    timer = setTimeout(() => void check(), delay);
  }

  async function check(): Promise<void> {
    timer = null;
    const state = useEditor.getState();
    if (state.slug !== slug) return;
    const seq = state.changeSeq;
    const request = new AbortController();
    inFlight = request;
    let found: unknown;
    try {
      found = (await validate(slug, state.document(), request.signal)).problems;
    } catch (e) {
      // Unfinished fields and a broken structure come back as problems above; what is refused at the door (422:
      // text cut in the middle of a character) names where it is: shown the same way.
      const body = e instanceof ApiError ? (e.body as { problems?: unknown } | null) : null;
      found = body?.problems;
    }
    if (request.signal.aborted) return; // a newer edit (or the editor closing) made this answer moot
    inFlight = null;
    const editor = useEditor.getState();
    if (editor.slug !== slug) return;
    if (found === undefined) {
      editor.setCheckFailed(true);
      failures += 1;
      later(Math.min(RETRY_MAX_MS, RETRY_MS * 2 ** (failures - 1)));
      return;
    }
    failures = 0;
    editor.setProblems(normalizeProblems(found), seq);
    editor.setCheckFailed(false);
  }

  return { schedule: () => later(CHECK_DELAY_MS), stop };
}
