"""API tokens for integrations: created by a signed-in user, shown once, revocable."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import RuntimeDep, Viewer
from api.errors import SessionNeeded
from api.routes import AUTHED, IdPath, problems
from api.schemas import TokenCreate, TokenCreated, TokenPublic
from persistence import users
from persistence.models import ApiToken

router = APIRouter(prefix="/api/tokens", tags=["tokens"], responses=AUTHED)


@router.post("", status_code=201, response_model=TokenCreated, responses=problems(403))
def create_token(body: TokenCreate, principal: Viewer, runtime: RuntimeDep) -> TokenCreated:
    """A bearer token acting as the current user (same role). The secret is in this answer only. Only a signed-in
    session makes tokens (403 `session-needed` for a token): a token that expires soon could otherwise make one
    that never does (review, 2026-12-05)."""
    if principal.csrf_token is None:  # the request came with a bearer token
        raise SessionNeeded("creating an API token")
    with runtime.database.session() as session:
        issued = users.create_api_token(session, user_id=principal.user_id, name=body.name, expires_at=body.expires_at)
        token = next(t for t in users.list_api_tokens(session, user_id=principal.user_id) if t.id == issued.token_id)
        return TokenCreated(
            id=token.id,
            name=token.name,
            created_at=token.created_at,
            expires_at=token.expires_at,
            last_used_at=token.last_used_at,
            token=issued.secret,
        )


@router.get("", response_model=list[TokenPublic])
def list_tokens(principal: Viewer, runtime: RuntimeDep) -> list[TokenPublic]:
    with runtime.database.session() as session:
        return [public(t) for t in users.list_api_tokens(session, user_id=principal.user_id)]


def public(token: ApiToken) -> TokenPublic:
    return TokenPublic(
        id=token.id,
        name=token.name,
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
    )


@router.delete("/{token_id}", status_code=204, responses=problems(404))
def revoke_token(token_id: IdPath, principal: Viewer, runtime: RuntimeDep) -> Response:
    with runtime.database.session() as session:
        users.revoke_token(session, user_id=principal.user_id, token_id=token_id)
    return Response(status_code=204)
