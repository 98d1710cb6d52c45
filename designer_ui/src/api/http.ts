/**
 * Transport shared by every API call: the session cookie travels by itself; the CSRF token is added to unsafe
 * requests here. Failures become an `ApiError` carrying the status and the parsed problem+json body
 * (`current_revision`/`document` on a 409, `problems` on a 422...), and the Retry-After header when the server
 * said when to come back (429, 503): a save tried again on its own waits that long (components/saveRetry.ts).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
    readonly retryAfter: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function csrfHeaders(method: string): Record<string, string> {
  return UNSAFE_METHODS.has(method.toUpperCase()) && csrfToken ? { "X-CSRF-Token": csrfToken } : {};
}

/** The sentence to show for a failed request: the problem's detail, else its title, else the status. */
export function describeFailure(status: number, body: unknown): string {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    for (const key of ["detail", "title", "message"]) {
      if (typeof b[key] === "string" && b[key]) return b[key] as string;
    }
  }
  if (typeof body === "string" && body) return body;
  return status === 0 ? "the server did not answer" : `HTTP ${status}`;
}
