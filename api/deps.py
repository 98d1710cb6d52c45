"""Request dependencies: the runtime (database, registry, publish hub) and who is asking, with what role."""

from __future__ import annotations

import dataclasses
import hmac
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.errors import CsrfRejected, NotAllowed, NotAuthenticated, TokenExpired
from api.login_throttle import LoginThrottle
from api.rate_limit import RateLimit
from api.settings import Settings
from graph_engine.registry import BlockRegistry
from persistence import audit, bearer_tokens, users
from persistence.audit import Credential
from persistence.datasources import DatabaseDataSources
from persistence.db import Database
from persistence.errors import InvalidCredentials
from persistence.publishing import PublishHub
from persistence.users import Principal, Role
from voice.service import TtsService
from voice.settings import VoiceSettings

SESSION_COOKIE = "ivrgraph_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Runtime:
    """What every request may need; one per application, built by `create_app`."""

    settings: Settings
    database: Database
    registry: BlockRegistry
    hub: PublishHub = field(default_factory=PublishHub)
    data_sources: DatabaseDataSources | None = None
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    # A designer listens to a few phrases a minute; a script asking for thousands would keep a core speaking.
    preview_limit: RateLimit = field(default_factory=lambda: RateLimit("TTS previews", limit=30, window=60.0))
    # The designer's "Try query" (api/query_try.py): one service for every try, at most a couple of connections per
    # source (made by `create_app`), and a budget per user, so that tries cannot take a source's connections.
    try_sources: DatabaseDataSources | None = None
    try_limit: RateLimit = field(default_factory=lambda: RateLimit("query tries", limit=20, window=60.0))
    _speech: TtsService | None = field(default=None, repr=False)
    _preview_speech: TtsService | None = field(default=None, repr=False)

    def speech(self) -> TtsService:
        """The TTS service and media root, built on first use (the API runs without speech until asked)."""
        if self._speech is None:
            settings = VoiceSettings.from_env()
            if self.settings.media_root is not None:
                settings = dataclasses.replace(settings, media_root=self.settings.media_root)
            self._speech = TtsService.from_settings(settings)
        return self._speech

    def preview_speech(self) -> TtsService:
        """The TTS service of the designer's previews: as `speech()` speaks, in a cache of its own (see
        `TtsService.for_previews`)."""
        if self._preview_speech is None:
            self._preview_speech = self.speech().for_previews()
        return self._preview_speech


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

_bearer = HTTPBearer(auto_error=False, description="An API token from POST /api/tokens")
bearer_credentials = _bearer  # what a route reads of the token it was asked with (GET /api/auth/me)
_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description=f"Set by POST /api/auth/login. Unsafe methods must also send the {CSRF_HEADER} header.",
)


async def current_principal(
    request: Request,
    runtime: RuntimeDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> AsyncIterator[Principal]:
    """The user behind the bearer token or session cookie. A cookie session must echo its CSRF token on writes.

    While the request is served, audit events name the API token it came with (`audit.acting_as`; a session names
    none). Set here, in the request's own task, so that its route, run in the thread pool on a copy of the task's
    context, sees it: a sync dependency would set it in a copy of its own, which the route never sees. Reset once
    the response is sent (this dependency's exit)."""
    principal, credential = await run_in_threadpool(_authenticate, request, runtime, bearer, cookie)
    with audit.acting_as(credential):
        yield principal


def _authenticate(
    request: Request, runtime: Runtime, bearer: HTTPAuthorizationCredentials | None, cookie: str | None
) -> tuple[Principal, Credential | None]:
    """Who is asking, and the API token they came with (None for a session); in the thread pool (the database)."""
    try:
        with runtime.database.session() as session:
            if bearer is not None:
                try:
                    principal = users.resolve(session, secret=bearer.credentials, kind="api")
                except InvalidCredentials as error:
                    raise _token_refused(session, bearer.credentials) from error
                return principal, audit.api_token_credential(session, secret=bearer.credentials)
            if cookie:
                principal = users.resolve(session, secret=cookie, kind="session")
            else:
                raise NotAuthenticated()
    except InvalidCredentials as error:
        raise NotAuthenticated("the session is unknown or expired; sign in again") from error
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not principal.csrf_token or not hmac.compare_digest(sent.encode(), principal.csrf_token.encode()):
            raise CsrfRejected()
    return principal, None


def _token_refused(session: Session, secret: str) -> NotAuthenticated:
    """Why a bearer token does not work, as far as its holder may be told: expired (`TokenExpired`, with when), or
    unknown, which covers a mistyped or revoked token and one whose user is deactivated alike (api.errors)."""
    expired = bearer_tokens.expired_at(session, secret=secret)
    if expired is not None:
        return TokenExpired(expired)
    return NotAuthenticated("the token is unknown, revoked or no longer valid; make a new one", bearer_refused=True)


def _role_check(role: Role) -> Callable[[Principal], Principal]:
    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.may(role):
            raise NotAllowed(role.label)
        return principal

    return check


# One check per role, so that the role a route enforces can be read back from its dependencies (`least_role`):
# the OpenAPI document states it from there (api.app), and can never say another role than the one enforced.
_CHECKS = {role: _role_check(role) for role in Role}
_ROLE_OF_CHECK = {check: role for role, check in _CHECKS.items()}


def require(role: Role) -> Callable[[Principal], Principal]:
    return _CHECKS[role]


def least_role(dependant: Dependant) -> Role | None:
    """The least role a route lets through, read from the checks among its dependencies; None: no sign-in needed.
    A route that only needs someone signed in (`current_principal`) lets every role through: the viewer's."""
    calls = list(_calls(dependant))
    roles = [_ROLE_OF_CHECK[call] for call in calls if call in _ROLE_OF_CHECK]
    if roles:
        return max(roles)
    return Role.VIEWER if current_principal in calls else None


def _calls(dependant: Dependant) -> Iterator[object]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def role_statement(role: Role | None) -> str:
    """How the OpenAPI document says the role an operation needs: the same words on every operation."""
    if role is None:
        return "**Role:** public (no sign-in)."
    if role is Role.VIEWER:
        return "**Role:** viewer or above (any signed-in user)."
    if role is Role.ADMIN:
        return "**Role:** admin."
    return f"**Role:** {role.label} or above."


Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Editor = Annotated[Principal, Depends(require(Role.EDITOR))]
Publisher = Annotated[Principal, Depends(require(Role.PUBLISHER))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
