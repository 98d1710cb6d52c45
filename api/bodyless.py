"""The refusal of a body sent to an operation that takes none.

A body nobody reads used to be dropped: `POST /api/callbacks/{id}/cancel` with `{"reason": "x"}` cancelled the job
(200) and the CRM believed the reason kept, and a campaign's pause with a text/plain body paused it, where a body a
route does read is refused for a field it does not know (422) or for not being JSON (415). `RefuseUndeclaredBody`,
a dependency of every API router (as api.query_params' `RefuseUnknownQuery`), answers such a request 422
`invalid-request` with one problem at `$`, code `body_not_taken`, whatever the method.

No body at all, and an empty JSON object (`{}`, which names no field: some HTTP clients send it for a POST without
data), are taken as none.

The check runs before anyone is asked who sends the request, on the event loop FastAGI calls share in `ivrgraph
serve`: it reads at most `MAX_READ` bytes, and parses them (to tell `{}` from a body, and to name a JSON object's
first fields) only when they are the whole body. A longer body is refused unread and unparsed, its connection closed
(api.body_limit): reading and parsing 17 MB of JSON stalled the node for seconds (security review). A client that
leaves before its body ends is refused too, to no one: the route never runs for it, and nothing is logged."""

from __future__ import annotations

import json
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, Final

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from starlette.requests import ClientDisconnect

from api.errors import media_type

BODY_NOT_TAKEN: Final = "body_not_taken"
MAX_FIELDS: Final = 10  # the fields of a JSON object a refusal names, at most
MAX_READ: Final = 64 * 2**10  # bytes of a body read, at most: `{}` and a small body's fields fit many times over


class RefuseUndeclaredBody:
    """A dependency refusing a request with a body when its route declares none (no body, form or file parameter,
    nor any of its dependencies'). The body is read only when the headers say there is one; a route that takes a
    body is left to the framework, which reads and checks it."""

    async def __call__(self, request: Request) -> None:
        if not _may_have_body(request):
            return
        dependant = getattr(request.scope.get("route"), "dependant", None)
        if not isinstance(dependant, Dependant) or takes_body(dependant):
            return  # not a FastAPI route, or one whose body the framework checks
        sent = await _read(request)
        sent_as = media_type(request.headers.get("content-type"))
        value = _json(sent.body, sent_as) if sent.whole else _NOT_JSON
        if sent.whole and _as_none(sent.body, value):
            return
        raise RequestValidationError([_problem(request, sent, sent_as, value)])


@dataclass(frozen=True)
class _Sent:
    body: bytes  # the body, or as much of it as was read (at most MAX_READ bytes)
    whole: bool  # False: longer than MAX_READ, or the client left before its end


async def _read(request: Request) -> _Sent:
    """The body when it is at most MAX_READ bytes; else its start, the rest left unread."""
    chunks: list[bytes] = []
    seen = 0
    try:
        async with aclosing(request.stream()) as stream:
            async for chunk in stream:
                chunks.append(chunk[: MAX_READ + 1 - seen])
                seen += len(chunk)
                if seen > MAX_READ:
                    return _Sent(b"".join(chunks)[:MAX_READ], whole=False)
    except ClientDisconnect:  # gone (or stopped past api.body_limit's cap): the refusal reaches no one
        return _Sent(b"".join(chunks), whole=False)
    return _Sent(b"".join(chunks), whole=True)


def takes_body(dependant: Dependant) -> bool:
    """Whether `dependant` or one of its dependencies reads the request's body (JSON, a form, a file)."""
    pending = [dependant]
    while pending:
        current = pending.pop()
        if current.body_params:
            return True
        pending.extend(current.dependencies)
    return False


def _may_have_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return "transfer-encoding" in request.headers or (length is not None and length.strip() not in ("", "0"))


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


_NOT_JSON: Final = object()  # what _json gives for a body it does not parse


def _json(body: bytes, media_type: str) -> Any:
    """A JSON body parsed (it is at most MAX_READ bytes), or _NOT_JSON: sent as another type, or no JSON at all."""
    if not _is_json(media_type):
        return _NOT_JSON
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _as_none(body: bytes, value: Any) -> bool:
    """Whether `body` says nothing: only white space, or an empty JSON object sent as JSON."""
    return not body.strip() or (isinstance(value, dict) and not value)


def _problem(request: Request, sent: _Sent, media_type: str, value: Any) -> dict[str, Any]:
    """The item of a RequestValidationError api.errors answers as a problem: path `$`, the code, and as params
    the body's media type and `length` (as read, or as declared when it was not read whole; `more_than` MAX_READ
    bytes when neither says), and a small JSON object's first fields."""
    path = getattr(request.scope.get("route"), "path_format", None) or request.url.path
    length = len(sent.body) if sent.whole else _declared_length(request)
    size = f"{length} bytes" if length is not None else f"more than {MAX_READ} bytes"
    what = f"{size} of {media_type}" if media_type else f"{size} without a Content-Type"
    message = f"{request.method} {path} takes no body: send none (this one was {what})"
    params: dict[str, Any] = {"content_type": media_type}
    params.update({"length": length} if length is not None else {"more_than": MAX_READ})
    fields = [str(key) for key in value][:MAX_FIELDS] if isinstance(value, dict) else []
    if fields:
        params["fields"] = fields
        message += f"; its fields ({', '.join(fields)}) would not be read"
    return {"type": BODY_NOT_TAKEN, "loc": ("body",), "msg": message, "ctx": params}


def _declared_length(request: Request) -> int | None:
    declared = request.headers.get("content-length", "").strip()
    return int(declared) if declared.isdigit() else None
