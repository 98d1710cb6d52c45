/**
 * Signing out: what must reach the server first (an edit not saved yet) goes, then the session ends. The other
 * way round, the save the editor makes as it goes away (components/draftSaver.ts) would reach a server that no
 * longer knows the session: a 401, and the edit left only in this browser's stash.
 */
import * as api from "../api/client";
import { finishBeforeSignOut } from "./beforeSignOut";

/** How long signing out waits for those saves; past it, the editor's stash keeps what did not reach the server. */
export const SIGN_OUT_SAVE_BOUND_MS = 3000;

export async function signOut(boundMs = SIGN_OUT_SAVE_BOUND_MS): Promise<void> {
  await finishBeforeSignOut(boundMs);
  // Signed out here whatever the server says: a session already ended answers 401, and that is fine.
  await api.logout().catch(() => undefined);
}
