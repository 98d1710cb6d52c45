/**
 * Window events about the session, kept apart from the API client so that code listening to them (the draft
 * saver) needs none of its requests. `SESSION_EXPIRED` is fired by the client on a 401 (api/client.ts).
 */

/** Fired when someone signed in again over the page, after the session had ended: what waited for it may go. */
export const SESSION_RENEWED = "ivrgraph:session-renewed";
