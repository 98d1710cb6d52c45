"""API tokens for integrations: created by a signed-in user with a role up to their own, shown once, revocable."""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from api.deps import RuntimeDep, Viewer
from api.errors import SessionNeeded
from api.routes import AUTHED, IdPath, problems
from api.schemas import RoleName, TokenCreate, TokenCreated, TokenPublic
from persistence import audit, users
from persistence.errors import InvalidApiToken
from persistence.models import ApiToken, utcnow

router = APIRouter(prefix="/api/tokens", tags=["tokens"], responses=AUTHED)


@router.post("", status_code=201, response_model=TokenCreated, responses=problems(403, 409))
def create_token(body: TokenCreate, principal: Viewer, runtime: RuntimeDep) -> TokenCreated:
    """A bearer token acting for the current user with `role`: their own role (the default) or one below it, e.g.
    a viewer token for a reporting dashboard. A role above theirs is refused (422 `request-refused`, naming
    `$.role` and the roles allowed, code `token_role_above_yours`). At every use the token acts with the lower of
    its role and the user's current one: demoting a user demotes their tokens at once; deactivating them ends every
    token.

    A token works at most IVRGRAPH_TOKEN_MAX_DAYS (90 unless set; 0: no limit): without `expires_at` it expires
    that long from now, and a later `expires_at` is refused (422 `request-refused` naming `$.expires_at`, code
    `token_lifetime_too_long`), as is one not in the future (`token_expiry_past`). Tokens made before the limit
    keep their expiry, or none.

    `sees_personal_data: false` makes a token that reads callers' and clients' personal data masked whatever its
    user reads (a wallboard, a BI pull); left out, it reads as its user does at each use, as every token did before
    (scripts written for that keep working; the designer asks for false unless ticked). It never reads more than
    its user: asking for it when you read masked is refused (422 `request-refused` naming `$.sees_personal_data`,
    code `token_personal_data_above_yours`; said together with a role above yours), as is an admin token without
    it (`admin_sees_personal_data`: an admin's pages show personal data whole). At every use it reads unmasked only
    while its user may, and never if made without it. Each token made leaves a `create_token` audit event (its
    name, role, expiry and `sees_personal_data` as asked: true, false, or null for as its user).

    A name one of your live tokens (not revoked, not expired) has is refused (409 `already-exists`, code
    `token_name_taken` naming `$.name`, with that token's `token_id`): a list could not tell the two apart. The
    name of a revoked or expired token may be given again.

    The secret is in this answer only. Only a signed-in session makes tokens (403 `session-needed` for a token):
    a token that expires soon could otherwise make one that never does (review, 2026-12-05)."""
    if principal.csrf_token is None:  # the request came with a bearer token
        raise SessionNeeded("creating an API token")
    now = utcnow()
    if body.expires_at is not None and body.expires_at <= now:
        # It would be refused from its first use: a date typed wrong, which the user should hear of now.
        shown = now.isoformat(timespec="seconds")
        message = f"expires_at must be in the future (it is {shown} now)"
        raise InvalidApiToken([{"path": "$.expires_at", "code": "token_expiry_past", "params": {"now": shown},
                                "message": message}])  # fmt: skip
    with runtime.database.session() as session:
        issued = users.create_api_token(
            session,
            user_id=principal.user_id,
            name=body.name,
            expires_at=body.expires_at,
            role=body.role,
            max_lifetime=runtime.settings.token_max_lifetime,
            now=now,
            sees_personal_data=body.sees_personal_data,
        )
        token = next(t for t in users.list_api_tokens(session, user_id=principal.user_id) if t.id == issued.token_id)
        made = public(token)
        audit.record_event(session, actor=principal.username, action="create_token", target=f"token:{token.id}",
                           details=_made(token), now=now)  # fmt: skip
        return TokenCreated(**made.model_dump(), token=issued.secret)


def _made(token: ApiToken) -> dict[str, object]:
    """What an audit event says of a token made: what it was made to do, as stored (never its secret);
    `sees_personal_data` null: as its user."""
    expires_at = None if token.expires_at is None else token.expires_at.isoformat(timespec="seconds")
    return {"token_name": token.name, "role": token.role, "sees_personal_data": token.sees_personal_data,
            "expires_at": expires_at}  # fmt: skip


@router.get("", response_model=list[TokenPublic], responses=problems(403))
def list_tokens(principal: Viewer, runtime: RuntimeDep) -> list[TokenPublic]:
    """Your API tokens (never their secrets), each with the role it acts with now. A signed-in session only (403
    `session-needed` for a token): a viewer token handed to a dashboard must not learn of, or revoke, the
    admin's own (security review, 2026-12-05)."""
    if principal.csrf_token is None:
        raise SessionNeeded("listing API tokens")
    with runtime.database.session() as session:
        return [public(t) for t in users.list_api_tokens(session, user_id=principal.user_id)]


def public(token: ApiToken) -> TokenPublic:
    """A token as its user (or an admin) sees it; call it while the token's session is open (it reads the user)."""
    return TokenPublic(
        id=token.id,
        name=token.name,
        role=cast(RoleName, users.acting_role(token).label),
        sees_personal_data=users.token_reads_personal_data(token, token.user),
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
    )


@router.delete("/{token_id}", status_code=204, responses=problems(403, 404))
def revoke_token(token_id: IdPath, principal: Viewer, runtime: RuntimeDep) -> Response:
    """Revoke one of your API tokens: it is refused from the next request on. A signed-in session only (403
    `session-needed` for a token), as for listing them. It leaves a `revoke_token` audit event (`token:<id>`: its
    name and user)."""
    if principal.csrf_token is None:
        raise SessionNeeded("revoking an API token")
    with runtime.database.session() as session:
        revoke(session, actor=principal.username, user_id=principal.user_id, token_id=token_id)
    return Response(status_code=204)


def revoke(session: Session, *, actor: str, user_id: int, token_id: int) -> None:
    """Revoke token `token_id` of user `user_id` (`NotFound` unless it is theirs) and leave a `revoke_token` audit
    event by `actor`: the token's user, or the admin answering a leak. The event says whose token it was, which the
    token's row, gone with it, no longer can."""
    owned = next((t for t in users.list_api_tokens(session, user_id=user_id) if t.id == token_id), None)
    details = {} if owned is None else {"token_name": owned.name, "user_id": user_id, "username": owned.user.username}
    users.revoke_token(session, user_id=user_id, token_id=token_id)  # NotFound when not theirs: nothing recorded
    audit.record_event(session, actor=actor, action="revoke_token", target=f"token:{token_id}", details=details)
