"""A cap on every request body, and a check of the text in JSON bodies, applied before the application reads it.

The framework writes a multipart upload to a temporary file before the route runs, so the audio route's own
20 MB check came after the disk had taken whatever was sent. This middleware answers 413 at once when the
declared Content-Length is over the cap, and stops a body sent without one (chunked) as soon as it passes it. A few
exact paths have a smaller cap of their own (`path_limits`: sign-in, a password change, a new token or user, whose
bodies are a few fields: 17 MB of JSON to the sign-in stalled the node 23 s while pydantic parsed it). An answer given
before the body was read to its end closes the connection, so that the rest is never read.

JSON may hold a lone UTF-16 surrogate, as an escape ("\\ud83d": a label cut in the middle of an emoji, which
JSON.stringify sends as it is). It is no character: no UTF-8 text holds it. SQLite stored it escaped, and the
scenario could then never be read back (every GET a 500); PostgreSQL refused it with a 422 naming nothing. So a JSON
body holding one is refused here, for every route (drafts, imports, call lists, names), with a 422 naming where.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from graph_engine.document import json_path

# A surrogate escape anywhere in the bytes, paired or not (an emoji may be sent as a pair: that is fine): the
# rare body with one is read to find the lone ones, every other body is let through after this one scan.
_SURROGATE_ESCAPE: Final = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
MAX_NAMED: Final = 100  # the places a refusal names, at most


class BodyLimit:
    """`max_bytes` for every path but those `path_limits` names (exact paths: the small bodies of sign-in and the
    like, which pydantic would otherwise parse at any size on the event loop before anyone is known)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, path_limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path_limits = dict(path_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.path_limits.get(scope.get("path", ""), self.max_bytes)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await _too_large(scope, receive, send, max_bytes)
            return
        if _is_json(headers.get(b"content-type", b"")):
            await self._checked_json(scope, receive, send, max_bytes)
            return
        seen, over = 0, False
        # A body the application answers without reading to its end (api.bodyless reads only its start) closes the
        # connection, as our 413 does: the server would otherwise go on reading the rest, to no use, for the next
        # request on it.
        ended = declared in (None, b"0") and b"transfer-encoding" not in headers

        async def counted() -> Message:
            nonlocal seen, over, ended
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                ended = not message.get("more_body", False)
                if seen > max_bytes:
                    # Read no further; the app sees the client gone, and its answer is replaced by ours below
                    # (an error raised here would be taken by the form parser for a malformed body: a 400).
                    over = True
                    return {"type": "http.disconnect"}
            else:
                ended = True  # the client left: nothing more to read
            return message

        answered = False

        async def answer(message: Message) -> None:
            nonlocal answered
            if not over:
                if message["type"] == "http.response.start" and not ended:
                    message = {**message, "headers": [*_without_connection(message), (b"connection", b"close")]}
                await send(message)
            elif not answered:
                answered = True
                await _too_large(scope, receive, send, max_bytes)

        await self.app(scope, counted, answer)
        if over and not answered:
            await _too_large(scope, receive, send, max_bytes)

    async def _checked_json(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        """Read a JSON body whole (the framework does before any route runs anyway), refuse it if it is over the
        cap or holds a lone surrogate, else hand it to the application as it came."""
        messages: list[Message] = []
        seen = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break  # the client left: the application hears it as it would have
            seen += len(message.get("body", b""))
            if seen > max_bytes:
                await _too_large(scope, receive, send, max_bytes)
                return
            if not message.get("more_body", False):
                break
        cut = lone_surrogates(b"".join(message.get("body", b"") for message in messages))
        if cut:
            refusal = problem(
                422,
                "invalid-request",
                "the request holds text cut in the middle of a character (a lone UTF-16 surrogate)",
                problems=[{"path": path, "message": _CUT_TEXT} for path in cut],
            )
            await refusal(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def _without_connection(start: Message) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, value in start.get("headers", []) if name.lower() != b"connection"]


_CUT_TEXT: Final = (
    "half of a character (a lone UTF-16 surrogate, as when an emoji is cut in two): it is no text, and cannot be "
    "stored; remove it or complete the character"
)


def _is_json(content_type: bytes) -> bool:
    """Whether the framework reads a body of this type as JSON (application/json, application/...+json)."""
    kind = content_type.split(b";", 1)[0].strip().lower()
    return kind == b"application/json" or (kind.startswith(b"application/") and kind.endswith(b"+json"))


def lone_surrogates(body: bytes) -> list[str]:
    """Where a JSON body holds a lone surrogate, in a key or a value, as JSON paths (at most MAX_NAMED); none for a
    body that is not JSON (the framework answers that)."""
    if not _SURROGATE_ESCAPE.search(body):
        return []
    try:
        value = json.loads(body)  # pairs become one character: any surrogate left is alone
    except (ValueError, RecursionError):
        return []
    found = []
    for path in _strings_with_surrogates(value):
        found.append(_SURROGATE.sub("\ufffd", json_path(path)))  # a key may be where it is: the answer is UTF-8
        if len(found) == MAX_NAMED:
            break
    return found


def _strings_with_surrogates(value: Any) -> Iterator[list[str | int]]:
    """The path of every key or string value of `value` holding a surrogate, in document order. Iterative: the
    body may nest as deep as the JSON parser allows."""
    pending: list[tuple[Any, list[str | int]]] = [(value, [])]
    while pending:
        item, path = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                yield path
        elif isinstance(item, dict):
            for key in item:
                if _SURROGATE.search(key):
                    yield [*path, key]
            pending.extend((child, [*path, key]) for key, child in reversed(item.items()))
        elif isinstance(item, list):
            pending.extend((child, [*path, index]) for index, child in reversed(list(enumerate(item))))


def limit_words(max_bytes: int) -> str:
    """The limit as the 413's detail and the OpenAPI document say it: `21 MiB`, `64 KiB`."""
    return f"{max_bytes / 2**20:.0f} MiB" if max_bytes >= 2**20 else f"{max_bytes / 2**10:.0f} KiB"


async def _too_large(scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
    detail = f"the request body is over the {limit_words(max_bytes)} limit"
    response = problem(413, "payload-too-large", detail, limit_bytes=max_bytes)
    response.headers["connection"] = "close"  # the rest of the body is never read
    await response(scope, receive, send)
