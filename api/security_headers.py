"""Headers every answer carries (data-protection review):

- `X-Frame-Options: DENY` and `Content-Security-Policy: frame-ancestors 'none'` on everything: no other site may
  frame the designer or the API, and trick a signed-in supervisor into clicking through a call's data (clickjacking);
  the first for older browsers, the second for the rest;
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

FRAMING: Final = (("X-Frame-Options", "DENY"), ("Content-Security-Policy", "frame-ancestors 'none'"))
NO_STORE: Final = "no-store"


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        private = path == "/api" or path.startswith("/api/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in FRAMING:
                    headers.setdefault(name, value)
                if private:
                    headers.setdefault("Cache-Control", NO_STORE)
            await send(message)

        await self.app(scope, receive, with_headers)
