"""User administration (admin only)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Admin, RuntimeDep
from api.routes import AUTHED, IdPath, problems
from api.schemas import UserCreate, UserPublic, UserUpdate
from persistence import users
from persistence.models import User

router = APIRouter(prefix="/api/users", tags=["users"], responses=AUTHED)


def public(user: User) -> UserPublic:
    return UserPublic(id=user.id, username=user.username, role=user.role, active=user.active)  # type: ignore[arg-type]


@router.get("", response_model=list[UserPublic])
def list_users(_admin: Admin, runtime: RuntimeDep) -> list[UserPublic]:
    with runtime.database.session() as session:
        return [public(user) for user in users.list_users(session)]


@router.post("", status_code=201, response_model=UserPublic, responses=problems(409))
def create_user(body: UserCreate, _admin: Admin, runtime: RuntimeDep) -> UserPublic:
    with runtime.database.session() as session:
        return public(users.create_user(session, username=body.username, password=body.password, role=body.role))


@router.patch("/{user_id}", response_model=UserPublic, responses=problems(404, 409))
def update_user(user_id: IdPath, body: UserUpdate, _admin: Admin, runtime: RuntimeDep) -> UserPublic:
    with runtime.database.session() as session:
        user = users.update_user(session, user_id=user_id, role=body.role, password=body.password, active=body.active)
        return public(user)
