"""A cap on every request body, applied before the application reads it.

The framework writes a multipart upload to a temporary file before the route runs, so the audio route's own
20 MB check came after the disk had taken whatever was sent. This middleware answers 413 at once when the
declared Content-Length is over the cap, and stops a body sent without one (chunked) as soon as it passes it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(scope, receive, send, self.max_bytes)
            return
        seen, over = 0, False

        async def counted() -> Message:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Read no further; the app sees the client gone, and its answer is replaced by ours below
                    # (an error raised here would be taken by the form parser for a malformed body: a 400).
                    over = True
                    return {"type": "http.disconnect"}
            return message

        answered = False

        async def answer(message: Message) -> None:
            nonlocal answered
            if not over:
                await send(message)
            elif not answered:
                answered = True
                await _too_large(scope, receive, send, self.max_bytes)

        await self.app(scope, counted, answer)
        if over and not answered:
            await _too_large(scope, receive, send, self.max_bytes)


async def _too_large(scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
    response = problem(413, "http", f"the request body is over the {max_bytes / 2**20:.0f} MiB limit")
    response.headers["connection"] = "close"  # the rest of the body is never read
    await response(scope, receive, send)
