"""Headers every answer carries (data-protection review):

- `X-Frame-Options: DENY` and a Content-Security-Policy with `frame-ancestors 'none'` on everything: no other site
  may frame the designer or the API, and trick a signed-in supervisor into clicking through a call's data
  (clickjacking); the first for older browsers, the second for the rest;
- on the designer's pages, a policy that lets them load code, styles, pictures and sound from this server only, so
  a value that slipped into the page as markup (a caller's name, a block's text) cannot fetch or run anything from
  elsewhere (security review). `'unsafe-eval'` stays: the block forms' validator (ajv, through @rjsf) compiles each
  block's JSON Schema into a function at run time, and plugin blocks bring schemas no build could compile ahead.
  Inline styles stay: the canvas (@xyflow/react) places every block with a `style` attribute. Inline scripts and
  other origins do not. The API's own answers are data, never a page: `default-src 'none'`. The interactive API
  docs (/docs, /redoc), which FastAPI loads from a CDN, keep only the framing rule;
- `X-Content-Type-Options: nosniff` (an uploaded file is never read as something else than its type says) and
  `Referrer-Policy: no-referrer` (a call's page address, which may carry a number, is not sent to other sites);
- `Strict-Transport-Security` when the request came over HTTPS (directly, or through a proxy uvicorn believes):
  a browser that once reached the designer securely never falls back to plain HTTP;
- `Cache-Control: no-store` on everything under /api: a call's numbers, variables and trace, an export, a job's
  client must not stay in a browser's or a shared proxy's cache after the session ends. An answer that sets its own
  Cache-Control keeps it.

A pure ASGI middleware, not Starlette's BaseHTTPMiddleware: the exports are streamed, and this only adds to the
`http.response.start` message, so no body passes through it.
"""

from __future__ import annotations

from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EVERYWHERE: Final = (
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
)
DESIGNER_POLICY: Final = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
API_POLICY: Final = "default-src 'none'; frame-ancestors 'none'"
DOCS_POLICY: Final = "frame-ancestors 'none'"
DOCS_PATHS: Final = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
HSTS: Final = "max-age=31536000"
NO_STORE: Final = "no-store"


def policy_for(path: str) -> str:
    if path == "/api" or path.startswith("/api/"):
        return API_POLICY
    if path in DOCS_PATHS:
        return DOCS_POLICY
    return DESIGNER_POLICY


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        private = path == "/api" or path.startswith("/api/")
        policy = policy_for(path)
        secure = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in EVERYWHERE:
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", policy)
                if secure:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if private:
                    headers.setdefault("Cache-Control", NO_STORE)
            await send(message)

        await self.app(scope, receive, with_headers)
