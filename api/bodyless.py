"""The refusal of a body sent to an operation that takes none.

A body nobody reads used to be dropped: `POST /api/callbacks/{id}/cancel` with `{"reason": "x"}` cancelled the job
(200) and the CRM believed the reason kept, and a campaign's pause with a text/plain body paused it, where a body a
route does read is refused for a field it does not know (422) or for not being JSON (415). `RefuseUndeclaredBody`,
a dependency of every API router (as api.query_params' `RefuseUnknownQuery`), answers such a request 422
`invalid-request` with one problem at `$`, code `body_not_taken`, whatever the method.

No body at all, and an empty JSON object (`{}`, which names no field: some HTTP clients send it for a POST without
data), are taken as none."""

from __future__ import annotations

import json
from email.message import Message
from typing import Any, Final

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError

BODY_NOT_TAKEN: Final = "body_not_taken"
MAX_FIELDS: Final = 10  # the fields of a JSON object a refusal names, at most


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
        body = await request.body()
        media_type = _media_type(request.headers.get("content-type"))
        if _as_none(body, media_type):
            return
        raise RequestValidationError([_problem(request, body, media_type)])


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


def _media_type(header: str | None) -> str:
    if not header:
        return ""
    message = Message()
    message["content-type"] = header
    return message.get_content_type()


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def _as_none(body: bytes, media_type: str) -> bool:
    """Whether `body` says nothing: only white space, or an empty JSON object sent as JSON."""
    text = body.strip()
    return not text or (_is_json(media_type) and _empty_object(text))


def _empty_object(text: bytes) -> bool:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, dict) and not value


def _fields(body: bytes, media_type: str) -> list[str] | None:
    """The keys of a JSON object body, the first MAX_FIELDS; None for any other body."""
    if not _is_json(media_type):
        return None
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return [str(key) for key in value][:MAX_FIELDS] if isinstance(value, dict) else None


def _problem(request: Request, body: bytes, media_type: str) -> dict[str, Any]:
    """The item of a RequestValidationError api.errors answers as a problem: path `$`, the code, and as params
    the body's media type and length, and a JSON object's fields."""
    path = getattr(request.scope.get("route"), "path_format", None) or request.url.path
    sent = f"{len(body)} bytes of {media_type}" if media_type else f"{len(body)} bytes without a Content-Type"
    message = f"{request.method} {path} takes no body: send none (this one was {sent})"
    params: dict[str, Any] = {"content_type": media_type, "length": len(body)}
    fields = _fields(body, media_type)
    if fields:
        params["fields"] = fields
        message += f"; its fields ({', '.join(fields)}) would not be read"
    return {"type": BODY_NOT_TAKEN, "loc": ("body",), "msg": message, "ctx": params}
