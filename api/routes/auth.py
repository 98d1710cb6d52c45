"""Sign in and out (session cookie + CSRF token), and who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from api.deps import SESSION_COOKIE, Runtime, RuntimeDep, bearer_credentials, current_principal
from api.errors import SessionNeeded
from api.routes import problems
from api.routes.tokens import public as public_token
from api.routes.users import record_revoked
from api.schemas import LoginIn, PasswordChange, PasswordChanged, SessionOut, UserPublic
from api.weak_passwords import refuse_weak_password
from persistence import bearer_tokens, users
from persistence.errors import InvalidCredentials, WrongPassword
from persistence.users import SESSION_LIFETIME, Principal

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login", response_model=SessionOut, responses=problems(401, 422, 429))
def login(body: LoginIn, request: Request, response: Response, runtime: RuntimeDep) -> SessionOut:
    """Check the password; set the HttpOnly session cookie and return the CSRF token unsafe requests must send.
    The user name is matched whatever its case (`ANA` signs in as `ana`); the answer names the user as stored.
    After a few wrong passwords from one address, that address waits (429, Retry-After: api.login_throttle)."""
    address = request.client.host if request.client is not None else ""
    with runtime.database.session() as session:
        with runtime.login_throttle.checking(body.username, address, wrong_password=InvalidCredentials):
            user = users.authenticate(session, username=body.username, password=body.password)
        issued = users.start_session(session, user=user)
        public = UserPublic(
            id=user.id,
            username=user.username,
            role=user.role,  # type: ignore[arg-type]
            active=user.active,
            sees_personal_data=users.reads_personal_data(user),
        )
    _set_session_cookie(response, request, runtime, issued.secret)
    return SessionOut(user=public, csrf_token=issued.csrf_token)


@router.post("/password", response_model=PasswordChanged, responses=problems(401, 403, 422, 429))
def change_password(
    body: PasswordChange,
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(current_principal)],
) -> PasswordChanged:
    """Change your own password (any role; an admin resets others' with PATCH /api/users/{id}). The current one
    is checked, throttled as sign-ins are (a wrong one: 403 `wrong-password`, code `wrong_current_password` naming
    `$.current_password`); every session of yours ends, and this answer signs you in again here (a new session
    cookie and CSRF token). Your API tokens keep working unless `revoke_tokens` (each revoked leaves a
    `revoke_token` audit event, reason `password_changed`); the answer says how many were revoked and how many
    still work (`tokens_revoked`, `tokens_live`).

    A signed-in session only (403 `session-needed` for an API token): a token that leaked must not take over the
    account. A password that is the user name (in any case), one character repeated, or among the most common
    ones is refused (422 `request-refused` naming `$.new_password`, code `password_is_username`,
    `password_one_character` or `password_too_common`)."""
    if principal.csrf_token is None:  # the request came with a bearer token
        raise SessionNeeded("changing your password")
    refuse_weak_password(body.new_password, username=principal.username, path="$.new_password")
    address = request.client.host if request.client is not None else ""
    with (
        runtime.database.session() as session,
        runtime.login_throttle.checking(principal.username, address, wrong_password=WrongPassword),
    ):
        changed = users.change_password(session, user_id=principal.user_id, current=body.current_password,
                                        new=body.new_password, revoke_tokens=body.revoke_tokens)  # fmt: skip
        for token in changed.tokens_revoked:
            record_revoked(session, actor=principal.username, token=token, user_id=principal.user_id,
                           username=principal.username)  # fmt: skip
    issued = changed.session
    _set_session_cookie(response, request, runtime, issued.secret)
    return PasswordChanged(user=_public(principal), csrf_token=issued.csrf_token,
                           tokens_revoked=len(changed.tokens_revoked), tokens_live=changed.tokens_live)  # fmt: skip


def _public(principal: Principal) -> UserPublic:
    return UserPublic(
        id=principal.user_id,
        username=principal.username,
        role=principal.role.label,  # type: ignore[arg-type]
        sees_personal_data=principal.sees_personal_data,
    )


def _secure(request: Request, runtime: Runtime) -> bool:
    """Whether the session cookie is only sent over HTTPS: always with IVRGRAPH_COOKIE_SECURE=1, and whenever the
    request came over HTTPS. Behind a reverse proxy that ends TLS, the scheme is the proxy's `X-Forwarded-Proto`,
    which uvicorn believes from the addresses FORWARDED_ALLOW_IPS lists (loopback unless set: a proxy on the same
    host); a proxy elsewhere needs that list, or IVRGRAPH_COOKIE_SECURE=1."""
    return runtime.settings.cookie_secure or request.url.scheme == "https"


def _set_session_cookie(response: Response, request: Request, runtime: Runtime, secret: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request, runtime),
        path="/",
    )


@router.post("/logout", status_code=204, responses=problems(401, 403, 422))
def logout(
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    _principal: Annotated[Principal, Depends(current_principal)],
) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        with runtime.database.session() as session:
            users.end_session(session, secret=secret)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=_secure(request, runtime), httponly=True, samesite="lax")
    return response


@router.get("/me", response_model=SessionOut, responses=problems(401))
def me(
    principal: Annotated[Principal, Depends(current_principal)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_credentials)],
    runtime: RuntimeDep,
) -> SessionOut:
    """Who is signed in: their role, and whether they read personal data unmasked (`sees_personal_data`). Asked
    with an API token, also that token as `token`: its id, name, role, `sees_personal_data` and `expires_at`, so
    an integration sees when to make the next one (tokens work IVRGRAPH_TOKEN_MAX_DAYS at most, 90 unless set).
    A token past its expiry gets a 401 of its own, `token-expired` (with `expired_at`)."""
    token = None
    if bearer is not None:  # the credential current_principal took (a bearer token wins over a cookie)
        with runtime.database.session() as session:
            found = bearer_tokens.api_token(session, secret=bearer.credentials)
            token = public_token(found) if found is not None else None
    return SessionOut(user=_public(principal), csrf_token=principal.csrf_token, token=token)
