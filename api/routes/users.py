"""User administration (admin only): roles, passwords, deactivation, and who reads personal data unmasked
(`sees_personal_data`, persistence.users)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from api.deps import Admin, RuntimeDep
from api.routes import AUTHED, IdPath, problems, tokens
from api.schemas import TokenPublic, UserCreate, UserPublic, UserUpdate
from api.weak_passwords import refuse_weak_password
from persistence import audit, users
from persistence.models import User

router = APIRouter(prefix="/api/users", tags=["users"], responses=AUTHED)


def public(user: User) -> UserPublic:
    return UserPublic(
        id=user.id,
        username=user.username,
        role=user.role,  # type: ignore[arg-type]
        active=user.active,
        sees_personal_data=users.reads_personal_data(user),
    )


@router.get("", response_model=list[UserPublic])
def list_users(_admin: Admin, runtime: RuntimeDep) -> list[UserPublic]:
    with runtime.database.session() as session:
        return [public(user) for user in users.list_users(session)]


@router.post("", status_code=201, response_model=UserPublic, responses=problems(409))
def create_user(body: UserCreate, admin: Admin, runtime: RuntimeDep) -> UserPublic:
    """A new user. Without `sees_personal_data` they read callers' numbers, names and call data masked: an admin
    gives it to whoever needs it (it is left out: only an admin has it); an admin without it is refused (422, code
    `admin_sees_personal_data`).

    User names are one whatever their case: `Ana` beside `ana` is refused (409 `already-exists`, code
    `username_taken` naming `$.username`, with the existing user's `existing_username` and `existing_id`). The name
    is kept as typed; its user signs in with it in any case. It leaves a `create_user` audit event (`user:<id>`:
    the name, role, activity and `sees_personal_data` given, never the password)."""
    refuse_weak_password(body.password, username=body.username, path="$.password")
    with runtime.database.session() as session:
        made = users.create_user(session, username=body.username, password=body.password, role=body.role,
                                 sees_personal_data=body.sees_personal_data)  # fmt: skip
        answer = public(made)
        details = {"username": made.username, "role": made.role, "active": made.active,
                   "sees_personal_data": answer.sees_personal_data}  # fmt: skip
        audit.record_event(session, actor=admin.username, action="create_user", target=f"user:{made.id}",
                           details=details)  # fmt: skip
        return answer


@router.patch("/{user_id}", response_model=UserPublic, responses=problems(404, 409))
def update_user(user_id: IdPath, body: UserUpdate, admin: Admin, runtime: RuntimeDep) -> UserPublic:
    """Change a user's role, password, activity or `sees_personal_data`; what is left out stays. Taking
    `sees_personal_data` away masks callers' data for the user and their API tokens from their next request.
    Demoting or deactivating the last active admin is refused (409 `conflict`, code `last_admin` naming `$.role`
    or `$.active`); an admin without `sees_personal_data` too (422, code `admin_sees_personal_data`).

    A new password is account recovery: the user's sessions and API tokens all end. It is refused when it is the
    user name (in any case), one character repeated, or among the most common passwords (422 `request-refused`
    naming `$.password`, code `password_is_username`, `password_one_character` or `password_too_common`).

    A change leaves an `update_user` audit event (`user:<id>`: each field changed, `from` and `to`; a new password
    only as `"changed"`), and a reset or a deactivation a `revoke_token` event for each API token it takes (reason
    `password_reset`, `user_deactivated`)."""
    with runtime.database.session() as session:
        if body.password is not None:
            username = users.get_user(session, user_id=user_id).username
            refuse_weak_password(body.password, username=username, path="$.password")
        change = users.change_user(session, user_id=user_id, role=body.role, password=body.password,
                                   active=body.active, sees_personal_data=body.sees_personal_data)  # fmt: skip
        user = change.user
        if change.changes:
            audit.record_event(session, actor=admin.username, action="update_user", target=f"user:{user.id}",
                               details={"username": user.username, **change.changes})  # fmt: skip
        for token in change.tokens_dropped:
            record_revoked(session, actor=admin.username, token=token, user_id=user.id, username=user.username)
        return public(user)


def record_revoked(session: Session, *, actor: str, token: users.DroppedToken, user_id: int, username: str) -> None:
    """A `revoke_token` audit event for a token a change of its user took, as tokens.revoke says it, and why."""
    details = {"token_name": token.name, "user_id": user_id, "username": username, "reason": token.reason}
    audit.record_event(session, actor=actor, action="revoke_token", target=f"token:{token.id}", details=details)


# An admin answering a stolen or leaked credential: a user's own password change ends their sessions but keeps
# their API tokens (integrations use them), so the tokens can be seen and revoked here too (review, 2026-12-05).
@router.get("/{user_id}/tokens", response_model=list[TokenPublic], responses=problems(404))
def list_user_tokens(user_id: IdPath, _admin: Admin, runtime: RuntimeDep) -> list[TokenPublic]:
    """A user's API tokens (never their secrets)."""
    with runtime.database.session() as session:
        users.get_user(session, user_id=user_id)
        return [tokens.public(token) for token in users.list_api_tokens(session, user_id=user_id)]


@router.delete("/{user_id}/tokens/{token_id}", status_code=204, responses=problems(404))
def revoke_user_token(user_id: IdPath, token_id: IdPath, admin: Admin, runtime: RuntimeDep) -> Response:
    """Revoke one of a user's API tokens. It leaves a `revoke_token` audit event by you (`token:<id>`: its name and
    user)."""
    with runtime.database.session() as session:
        tokens.revoke(session, actor=admin.username, user_id=user_id, token_id=token_id)
    return Response(status_code=204)
