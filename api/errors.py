"""Errors the API itself raises, and the one place every error becomes an `application/problem+json` answer.

    ApiError
     ├── NotAuthenticated     no valid session cookie or bearer token                      401
     │    └── TokenExpired    a real API token past its `expires_at` (`token-expired`)     401
     ├── CursorRefused        a `cursor` no page of the asked order starts at (`refused`)  400
     ├── CsrfRejected         a cookie-authenticated unsafe request without its CSRF token 403
     ├── NotAllowed           the user's role is below what the action needs               403
     ├── PersonalDataHidden   a search that would tell what the user reads masked          403
     ├── PersonalDataNeeded   a query tried on a live database by a user who reads masked  403
     └── SessionNeeded        only a signed-in person may do it, not an API token          403

Domain errors come from `persistence.errors` and `graph_engine.errors` and are mapped in `STATUS` below, as is
`api.login_throttle.TooManySignIns` (429, with Retry-After). What FastAPI and Starlette raise is mapped in
`install`: a body that is not JSON (400), one sent as another media type (415), an unknown path (404), a method
the path does not take (405, with every method it takes in Allow), a body over the limit (413, `payload-too-large`).

Every item of a problem's `problems` list carries a stable snake_case `code` (and `params` where its message is built
from values): a request's schema check gives pydantic's error type (`missing`, `extra_forbidden`, ...), and a query
parameter the route does not declare `unknown_query_parameter` (api.query_params), a body sent to a route that
takes none `body_not_taken` (api.bodyless), a call register cursor `bad_cursor`; a refusal whose raiser named none
gets a generic one (`GENERIC_CODE`), so a client never has to parse the English. A 409, or a wrong current
password, lists the one thing that collided the same way where there is one to name (`username_taken` naming the
user, `token_name_taken`, `last_admin`, `wrong_current_password`); a scenario delete refused `in-use` lists who
still needs it as data in `referrers` (each scenario, where it names it, and the pending callbacks' count).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import Message
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic_core import to_jsonable_python
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from agi_server.errors import first_line
from agi_server.logs import logged_phone_numbers
from api.login_throttle import TooManySignIns
from api.rate_limit import TooManyRequests
from api.routes import every_route
from graph_engine.document import json_path
from graph_engine.errors import DocumentError
from persistence import errors as db
from persistence.scenarios import Referrers, ScenarioInUse
from voice import errors as voice

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


class ApiError(Exception):
    status = 400


class NotAuthenticated(ApiError):
    """Its WWW-Authenticate challenge follows RFC 6750 section 3: a bare `Bearer` to a request with no credentials,
    `error="invalid_token"` with a description to one whose bearer token does not work (`bearer_refused`)."""

    status = 401

    def __init__(
        self,
        message: str = "sign in first (session cookie or Authorization: Bearer <token>)",
        *,
        bearer_refused: bool = False,
    ) -> None:
        super().__init__(message)
        self.headers = {"WWW-Authenticate": invalid_token(message) if bearer_refused else "Bearer"}


class TokenExpired(NotAuthenticated):
    """An API token that worked and has passed its `expires_at`: a client makes a new one, where a token unknown
    (mistyped, revoked: a revoked token is deleted) gets the plain `not-authenticated`. Only the holder of the
    token's secret can get this answer, so it tells nobody anything they did not have: whether a string was ever a
    token stays untold (a revoked one is as unknown as garbage), and a token whose user was deactivated is not told
    apart either (api.deps)."""

    def __init__(self, expired_at: datetime) -> None:
        self.expired_at = expired_at
        when = expired_at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        super().__init__(f"the API token expired at {when}; make a new one", bearer_refused=True)


def invalid_token(description: str) -> str:
    """The RFC 6750 challenge for a bearer token that does not work. Its error_description is a quoted string of
    printable ASCII without `"` or `\\` (section 3): anything else in `description` becomes a space."""
    plain = "".join(c if " " <= c <= "~" and c not in '"\\' else " " for c in description)
    return f'Bearer error="invalid_token", error_description="{plain}"'


class CursorRefused(ApiError):
    """A `cursor` no page of the asked `order` starts at: one no server made (mistyped, cut), or one of the other
    order. Still the 400 `refused` it always was, now with its one problem naming `$.cursor`, code `bad_cursor`
    and `params.reason` (`not_a_cursor`, or `other_order` with `made_for` and `order`), as the API's other
    refusals of a query parameter name theirs."""

    status = 400

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message)
        self.problems = [{"path": "$.cursor", "code": "bad_cursor", "message": message, "params": params}]


class CsrfRejected(ApiError):
    status = 403

    def __init__(self) -> None:
        super().__init__("missing or wrong X-CSRF-Token header (it is returned by /api/auth/login and /api/auth/me)")


class NotAllowed(ApiError):
    status = 403

    def __init__(self, needed: str) -> None:
        super().__init__(f"this needs the {needed} role")


class PersonalDataHidden(ApiError):
    """A filter that compares a value the user reads masked, given by a user without `sees_personal_data`: its
    answers would tell the value (a caller's name rebuilt a letter at a time from which calls a search finds). Its
    one problem names the parameter, code `personal_data_hidden`."""

    status = 403

    def __init__(self, parameter: str, what: str) -> None:
        super().__init__(f"searching by {what} needs the permission to read personal data (sees_personal_data)")
        self.problems = [{"path": f"$.{parameter}", "code": "personal_data_hidden", "message": str(self)}]


class PersonalDataNeeded(ApiError):
    """What only a user with `sees_personal_data` may do: whatever it answers (values, which are NULL, how many
    rows, a failure) tells the data itself. Its one problem, code `personal_data_needed`, names no field."""

    status = 403

    def __init__(self, what: str) -> None:
        super().__init__(f"an admin must grant seeing personal data to {what}")
        self.problems = [{"path": "$", "code": "personal_data_needed", "message": str(self)}]


class SessionNeeded(ApiError):
    """What only a person signed in may do, not a token acting for them."""

    status = 403

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} needs a signed-in session, not an API token")


# Most specific first: the first matching class wins.
STATUS: list[tuple[type[Exception], int, str]] = [
    (db.NotFound, 404, "not-found"),
    (db.StaleRevision, 409, "stale-revision"),
    (db.NothingToPublish, 409, "nothing-to-publish"),
    (db.PublishedMeanwhile, 409, "published-meanwhile"),
    (db.InUse, 409, "in-use"),
    (db.AlreadyExists, 409, "already-exists"),
    (db.KeyReused, 409, "idempotency-key-reused"),
    (db.NotCancellable, 409, "job-not-cancellable"),  # with `job_status`: "already cancelled" is no late cancel
    (db.Conflict, 409, "conflict"),
    (db.RequestRefused, 422, "request-refused"),  # a call list, callback or data source: problems in words
    (db.InvalidDocument, 422, "invalid-document"),
    (db.PublishBlocked, 422, "publish-blocked"),
    (db.Refused, 400, "refused"),
    (db.InvalidCredentials, 401, "invalid-credentials"),
    (db.WrongPassword, 403, "wrong-password"),
    (DocumentError, 422, "invalid-document"),
    (voice.AssetError, 422, "audio-refused"),
    (voice.MediaPathError, 404, "not-found"),
    (voice.EngineFailure, 502, "speech-engine-failed"),
    (voice.ConversionError, 502, "speech-engine-failed"),
    (voice.VoiceError, 422, "speech-refused"),
    (TokenExpired, 401, "token-expired"),
    (NotAuthenticated, 401, "not-authenticated"),
    (CursorRefused, 400, "refused"),
    (CsrfRejected, 403, "csrf"),
    (NotAllowed, 403, "forbidden"),
    (PersonalDataHidden, 403, "personal-data-hidden"),
    (PersonalDataNeeded, 403, "personal-data-needed"),
    (SessionNeeded, 403, "session-needed"),
    (TooManySignIns, 429, "too-many-sign-ins"),
    (TooManyRequests, 429, "too-many-requests"),
]


# The code of a problem whose raiser named none, by the problem's kind: "structure" for a document breaking the
# format (as the designer has always called those), else the kind itself in snake_case.
GENERIC_CODE: Final = {"invalid-document": "structure"}

# What FastAPI raises (a 400) when a JSON body's bytes cannot be decoded at all, e.g. not UTF-8.
_FASTAPI_UNREADABLE_BODY = "There was an error parsing the body"


def problem(
    status: int, kind: str, detail: str, *, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """The answer; `headers`: those the error carries (Allow, WWW-Authenticate...), which the client needs too."""
    body = {"type": f"https://ivrgraph.dev/problems/{kind}", "title": kind.replace("-", " "), "status": status,
            "detail": detail, **extra}  # fmt: skip
    sent = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if "retry_after" in extra:
        sent["Retry-After"] = str(extra["retry_after"])
    sent.update(headers or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=sent)


def _extensions(error: Exception) -> dict[str, Any]:
    if isinstance(error, db.StaleRevision):
        # The stamp as `Draft.scenario_created_at` reads, so a client can send back either as it received it.
        stamp = to_jsonable_python(error.scenario_created_at)
        return {"current_revision": error.current_revision, "document": error.document, "scenario_created_at": stamp}
    if isinstance(error, db.NothingToPublish | db.PublishedMeanwhile):
        return {"version": error.version}
    if isinstance(error, ScenarioInUse):
        return {"referred_by": error.referred_by, "referrers": _referrers(error.referrers)}
    if isinstance(error, db.InUse):
        return {"referred_by": error.referred_by}
    if isinstance(error, db.SlugTaken):
        return {"slug": error.key, "name": error.name}
    if isinstance(error, db.InvalidDocument):
        return {"problems": error.problems}
    if isinstance(error, db.PublishBlocked):
        return {"problems": error.problems, "tests": error.tests}
    if isinstance(error, db.NotCancellable):
        return {"job_id": error.job_id, "job_status": error.status}
    if isinstance(error, voice.AssetError):
        return {"code": error.code}
    if isinstance(error, DocumentError):
        return {"problems": [_plain(p) for p in error.problems]}
    if isinstance(error, TooManyRequests):  # a TooManySignIns too
        return {"retry_after": error.retry_after}
    if isinstance(error, PersonalDataHidden | PersonalDataNeeded | CursorRefused):
        return {"problems": error.problems}
    if isinstance(error, TokenExpired):
        return {"expired_at": to_jsonable_python(error.expired_at)}
    if isinstance(error, db.Conflict | db.WrongPassword) and error.problems:  # a user name taken, the last admin...
        return {"problems": [dict(item) for item in error.problems]}
    return {}


def _referrers(found: Referrers) -> list[dict[str, Any]]:
    """Who keeps a scenario from being deleted, as data (api.schemas `ScenarioReferrer`, `CallbacksReferrer`): a
    client names them in its own language, where `referred_by` has them in English words."""
    items: list[dict[str, Any]] = [
        {"kind": "scenario", "slug": scenario.slug, "name": scenario.name, "where": scenario.where}
        for scenario in found.scenarios
    ]
    if found.pending_callbacks:
        items.append({"kind": "callbacks", "count": found.pending_callbacks})
    return items


def _carried_headers(error: Exception) -> Mapping[str, str]:
    """The headers an error carries for the client (Starlette's HTTPException: Allow on a 405...)."""
    headers = getattr(error, "headers", None)
    return headers if isinstance(headers, Mapping) else {}


def _allowed_methods(request: Request) -> str:
    """Every method the path takes. Starlette's 405 names only those of the first route matching the path, and
    each method of a path is a route of its own here (GET, PATCH and DELETE /api/scenarios/{slug})."""
    methods: set[str] = set()
    for route in every_route(request.app.routes):
        if route.methods and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods
    return ", ".join(sorted(methods))


def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    headers = dict(_carried_headers(error))
    if error.status_code == 404:
        return problem(404, "not-found", str(error.detail), headers=headers)
    if error.status_code == 413:
        return problem(413, "payload-too-large", str(error.detail), headers=headers)
    if error.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
        detail = f"{request.method} is not allowed here; allowed: {headers['Allow']}"
        return problem(405, "method-not-allowed", detail, headers=headers)
    return problem(error.status_code, "http", str(error.detail), headers=headers)


def _not_sent_as_json(error: RequestValidationError) -> bool:
    """FastAPI decodes a body as JSON only when its Content-Type says JSON (`application/json`, `...+json`); any
    other body reaches validation as its raw bytes. (A file upload's body reaches it as a form, never as bytes.)"""
    return any(item.get("loc", ())[:1] == ("body",) and isinstance(item.get("input"), bytes) for item in error.errors())


def media_type(header: str | None) -> str:
    """The media type a Content-Type header names, parameters left out and lowercased (`text/plain`), as the
    standard library reads one; "" for no header."""
    if not header:
        return ""
    message = Message()
    message["content-type"] = header
    return message.get_content_type()


def _media_type_refused(request: Request) -> JSONResponse:
    header = request.headers.get("content-type")
    sent = f"it was sent as {media_type(header)}" if header else "it was sent without a Content-Type"
    return problem(415, "unsupported-media-type", f"the body must be sent as Content-Type: application/json ({sent})")


def _plain(item: object) -> dict[str, Any]:
    path, message = getattr(item, "path", "$"), getattr(item, "message", str(item))
    return {"path": str(path), "message": str(message)}


def _coded(problems: list[Any], kind: str) -> list[Any]:
    """`problems` of a problem of `kind`, each one without a code of its own given the kind's generic one."""
    code = GENERIC_CODE.get(kind, kind.replace("-", "_"))
    return [{**item, "code": code} if isinstance(item, dict) and not item.get("code") else item for item in problems]


def _validation_problem(item: Mapping[str, Any]) -> dict[str, Any]:
    """A schema check's error as a problem: pydantic's error type is its code (stable across pydantic 2 versions,
    https://docs.pydantic.dev/latest/errors/validation_errors/), and the plain values of its context (max_length,
    expected...) its params, and a list of names (the query parameters a route takes, api.query_params). An exception
    in the context (a validator's ValueError) is said by the message."""
    found = {"path": json_path(p for p in item.get("loc", ())[1:]), "message": item.get("msg", ""),
             "code": str(item.get("type") or "invalid")}  # fmt: skip
    context = item.get("ctx") or {}
    # JSON has no NaN nor infinity (a bound written float("inf")): such a value is left to the message.
    params = {key: value for key, value in context.items() if _plain_value(value)}
    if params:
        found["params"] = params
    return found


def _plain_value(value: object) -> bool:
    if isinstance(value, list):
        return all(isinstance(name, str) for name in value)
    return isinstance(value, str | int | float) and _finite(value)


def _finite(value: str | float) -> bool:
    return not isinstance(value, float) or math.isfinite(value)


def install(app: FastAPI) -> None:
    """The exception handlers: domain errors, request validation, HTTP errors and, as a last resort, anything."""

    async def on_error(request: Request, error: Exception) -> JSONResponse:
        for kind, status, name in STATUS:
            if isinstance(error, kind):
                extensions = _extensions(error)
                if isinstance(extensions.get("problems"), list):
                    extensions["problems"] = _coded(extensions["problems"], name)
                return problem(status, name, str(error), headers=_carried_headers(error), **extensions)
        if isinstance(error, RequestValidationError):
            if _not_sent_as_json(error):
                return _media_type_refused(request)
            not_json = next((item for item in error.errors() if item.get("type") == "json_invalid"), None)
            if not_json is not None:  # the documented 400: nothing in it could be checked against the schema
                where = not_json.get("loc", ())[1:]
                reason = not_json.get("ctx", {}).get("error") or not_json.get("msg", "")
                at = f" at character {where[0] + 1}" if where and isinstance(where[0], int) else ""
                return problem(400, "not-json", f"the body is not JSON: {reason}{at}")
            problems = [_validation_problem(item) for item in error.errors()]
            return problem(422, "invalid-request", "the request does not match its schema", problems=problems)
        if isinstance(error, StarletteHTTPException):
            if error.status_code == 400 and error.detail == _FASTAPI_UNREADABLE_BODY:  # bytes no JSON decoder reads
                return problem(400, "not-json", "the body is not JSON: it is not UTF-8 text")
            return _http_error(request, error)
        if isinstance(error, DataError | UnicodeEncodeError):
            # A value the database cannot store (e.g. NUL in text on PostgreSQL) that slipped past the schemas.
            return problem(422, "unstorable-value", "a value in the request cannot be stored")
        if isinstance(error, OperationalError):
            # SQLAlchemy's text goes on with the statement's parameters, which may hold a caller's number: only the
            # driver's first line unless the log may show numbers (--log-phone-numbers full).
            log.error("database unavailable: %s", error if logged_phone_numbers() == "full" else first_line(error))
            return problem(503, "database-unavailable", "the database is not answering; try again shortly")
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(500, "internal", "unexpected error; it has been logged")

    # Registered per base class: Starlette treats a handler for plain `Exception` as a 500 handler that
    # re-raises after answering, which would log every 404 as a crash.
    expected = (db.PersistenceError, DocumentError, voice.VoiceError, ApiError, RequestValidationError,
                StarletteHTTPException, DataError, UnicodeEncodeError, OperationalError,
                TooManyRequests)  # fmt: skip  # TooManySignIns derives from it
    for kind in (*expected, Exception):
        app.add_exception_handler(kind, on_error)
