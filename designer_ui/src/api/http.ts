/**
 * The one place HTTP happens: JSON in and out, the session cookie, and the CSRF token on unsafe methods.
 * Failures are an `ApiError` carrying the status and the parsed body (problem+json or a 409 conflict body).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
let csrfToken: string | null = null;
let baseUrl = "api";

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Relative by default so the designer works under whatever prefix the API serves it. */
export function setBaseUrl(url: string): void {
  baseUrl = url.replace(/\/$/, "");
}

function describe(status: number, body: unknown): string {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    for (const key of ["detail", "title", "message"]) {
      if (typeof b[key] === "string") return b[key] as string;
    }
    if (Array.isArray(b.detail)) return b.detail.map((d) => (d as Record<string, unknown>)?.msg ?? "").join("; ");
  }
  return `HTTP ${status}`;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  raw?: boolean;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined && !(options.body instanceof FormData)) headers["Content-Type"] = "application/json";
  if (UNSAFE.has(method) && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const url = `${baseUrl}${path}${params.size ? `?${params}` : ""}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body:
        options.body === undefined
          ? undefined
          : options.body instanceof FormData
            ? options.body
            : JSON.stringify(options.body),
    });
  } catch (error) {
    throw new ApiError(0, null, error instanceof Error ? error.message : String(error));
  }
  if (options.raw && response.ok) return response as T;
  const text = await response.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (!response.ok) throw new ApiError(response.status, body, describe(response.status, body));
  return body as T;
}
