import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The generated client's transport, answered by each test: what the server said to POST /api/auth/password.
const post = vi.hoisted(() => vi.fn());
vi.mock("openapi-fetch", () => ({ default: () => ({ use: () => undefined, POST: post, GET: vi.fn() }) }));

import { changePassword, SESSION_EXPIRED } from "./client";
import { ApiError, csrfHeaders, setCsrfToken } from "./http";

const answer = (status: number, body: unknown) =>
  post.mockResolvedValueOnce(status < 400 ? { data: body, response: new Response(null, { status }) } : { error: body, response: new Response(null, { status }) });

let expired: number;

beforeEach(() => {
  post.mockReset();
  setCsrfToken("token-of-the-old-session");
  expired = 0;
  const target = new EventTarget();
  target.addEventListener(SESSION_EXPIRED, () => (expired += 1));
  vi.stubGlobal("window", target);
});

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe("changing your own password", () => {
  it("sends the current and the new password", async () => {
    answer(200, { user: { id: 1, username: "ana", role: "editor", active: true }, csrf_token: "new" });
    await changePassword("old-secret", "new-secret-1");
    expect(post).toHaveBeenCalledWith("/api/auth/password", { body: { current_password: "old-secret", new_password: "new-secret-1" } });
  });

  it("sends the new session's CSRF token from then on: the old one died with the old session", async () => {
    answer(200, { user: { id: 1, username: "ana", role: "editor", active: true }, csrf_token: "token-of-the-new-session" });
    const user = await changePassword("old-secret", "new-secret-1");
    expect(user.username).toBe("ana");
    expect(csrfHeaders("PUT")).toEqual({ "X-CSRF-Token": "token-of-the-new-session" });
  });

  it("takes a wrong current password for what it is: refused, still signed in, the token kept", async () => {
    answer(403, { type: "https://ivrgraph.dev/problems/wrong-password", status: 403, detail: "the current password is wrong" });
    const refused = await changePassword("nope", "new-secret-1").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(403);
    expect(expired).toBe(0);
    expect(csrfHeaders("POST")).toEqual({ "X-CSRF-Token": "token-of-the-old-session" });
  });
});
