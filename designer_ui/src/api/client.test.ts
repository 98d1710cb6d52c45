import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The generated client's transport, answered by each test: what the server said to POST /api/auth/password.
const post = vi.hoisted(() => vi.fn());
vi.mock("openapi-fetch", () => ({ default: () => ({ use: () => undefined, POST: post, GET: vi.fn() }) }));

import { SESSION_RENEWED } from "../lib/sessionEvents";
import { changePassword, login, SESSION_EXPIRED, uploadAudio } from "./client";
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
    expect(post).toHaveBeenCalledWith("/api/auth/password", {
      body: { current_password: "old-secret", new_password: "new-secret-1", revoke_tokens: false },
    });
    answer(200, { user: { id: 1, username: "ana", role: "editor", active: true }, csrf_token: "newer" });
    await changePassword("old-secret", "new-secret-1", true);
    expect(post).toHaveBeenLastCalledWith("/api/auth/password", {
      body: { current_password: "old-secret", new_password: "new-secret-1", revoke_tokens: true },
    });
  });

  it("sends the new session's CSRF token from then on: the old one died with the old session", async () => {
    answer(200, {
      user: { id: 1, username: "ana", role: "editor", active: true },
      csrf_token: "token-of-the-new-session",
      tokens_revoked: 0,
      tokens_live: 2,
    });
    const changed = await changePassword("old-secret", "new-secret-1");
    expect(changed).toEqual({ user: { id: 1, username: "ana", role: "editor", active: true }, tokensRevoked: 0, tokensLive: 2 });
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

describe("signing in", () => {
  it("says the session is renewed once the server took the password, not when it refused it", async () => {
    let renewed = 0;
    window.addEventListener(SESSION_RENEWED, () => (renewed += 1));
    answer(401, { type: "https://ivrgraph.dev/problems/bad-credentials", status: 401, detail: "wrong" });
    await login("ana", "nope").catch(() => undefined);
    expect(renewed).toBe(0);
    answer(200, { user: { id: 1, username: "ana", role: "editor", active: true }, csrf_token: "t" });
    await login("ana", "secret-1");
    expect(renewed).toBe(1);
  });
});

describe("uploading a recording", () => {
  it("posts the file with its name and language as a form, and gives the asset as the audio fields take it", async () => {
    answer(201, { id: "a".repeat(32), name: "Bienvenida", language: "es", media_name: "assets/aaa", duration_ms: 1200, format: "wav", created_at: "2026-01-01T00:00:00Z" });
    const file = new File([new Uint8Array([1, 2, 3])], "Bienvenida.wav", { type: "audio/wav" });
    const asset = await uploadAudio(file, "Bienvenida", "es");
    expect(asset).toEqual({ name: "assets/aaa", title: "Bienvenida", url: `/api/audio/${"a".repeat(32)}/file` });
    const [path, options] = post.mock.calls[0]!;
    expect(path).toBe("/api/audio");
    const form = options.bodySerializer() as FormData;
    expect(form.get("name")).toBe("Bienvenida");
    expect(form.get("language")).toBe("es");
    expect((form.get("file") as File).name).toBe("Bienvenida.wav");
  });

  it("hands the server's refusal on, its code in the body", async () => {
    answer(422, { status: 422, code: "too_large", detail: "the file is 25.1 MB; the limit is 20.0 MB" });
    const refused = await uploadAudio(new File(["x"], "big.wav"), "big", "en").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).body).toMatchObject({ code: "too_large" });
    expect((refused as ApiError).message).toBe("the file is 25.1 MB; the limit is 20.0 MB");
  });
});
