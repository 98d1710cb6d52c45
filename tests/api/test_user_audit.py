"""An admin's changes to users leave audit events, over real HTTP on SQLite and PostgreSQL (security review).

Deactivating a user took their API tokens away with no `revoke_token` event (revoking one by hand leaves one), and
making a user or changing their role, activity or `sees_personal_data` left no event at all: the log could not say
who had made an account an admin, nor who had given it personal data. Now `create_user` and `update_user` events
say what was made or changed (never a password, nor its hash), and each token a deactivation took a `revoke_token`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.app import create_app
from api.settings import Settings
from tests.api.conftest import ADMIN, Client, Server, UserFactory


def _events(admin: Client, action: str, target: str) -> list[dict[str, Any]]:
    answer = admin.get("/api/audit", params={"action": action, "target": target})
    assert answer.status_code == 200, answer.text
    events: list[dict[str, Any]] = answer.json()
    return events


def _user_id(admin: Client, username: str) -> int:
    return next(int(u["id"]) for u in admin.get("/api/users").json() if u["username"] == username)


def test_deactivating_a_user_leaves_a_revoke_token_event_for_each_token_it_takes(
    admin: Client, user_factory: UserFactory, slug: Callable[[str], str]
) -> None:
    editor = user_factory("editor")
    names = [slug("ci"), slug("dash")]
    made = [editor.post("/api/tokens", json={"name": name, "role": "viewer"}).json() for name in names]
    editor_id = _user_id(admin, editor.username)
    assert admin.patch(f"/api/users/{editor_id}", json={"active": False}).status_code == 200
    for token, name in zip(made, names, strict=True):
        [event] = _events(admin, "revoke_token", f"token:{token['id']}")
        assert (event["actor"], event["target"]) == (ADMIN, f"token:{token['id']}")
        assert event["details"] == {"token_name": name, "user_id": editor_id, "username": editor.username,
                                    "reason": "user_deactivated"}  # fmt: skip


def test_making_a_user_leaves_a_create_user_event_without_the_password(admin: Client, server: Server) -> None:
    name = f"made_{server.backend}_{id(admin)}"
    body = {"username": name, "password": "password-123", "role": "publisher", "sees_personal_data": False}
    created = admin.post("/api/users", json=body)
    assert created.status_code == 201, created.text
    [event] = _events(admin, "create_user", f"user:{created.json()['id']}")
    assert (event["actor"], event["action"]) == (ADMIN, "create_user")
    assert event["details"] == {"username": name, "role": "publisher", "active": True, "sees_personal_data": False}
    assert "password-123" not in str(event) and "argon2" not in str(event)


def test_changing_a_user_leaves_an_update_user_event_saying_what_changed(
    admin: Client, user_factory: UserFactory
) -> None:
    viewer = user_factory("viewer", personal_data=False)
    user_id = _user_id(admin, viewer.username)
    target = f"user:{user_id}"
    changed = admin.patch(f"/api/users/{user_id}", json={"role": "admin", "password": "other-secret-9"})
    assert changed.status_code == 200, changed.text
    [event] = _events(admin, "update_user", target)
    assert (event["actor"], event["action"]) == (ADMIN, "update_user")
    assert event["details"] == {
        "username": viewer.username,
        "role": {"from": "viewer", "to": "admin"},
        "sees_personal_data": {"from": False, "to": True},  # an admin always has it
        "password": "changed",
    }
    assert "other-secret-9" not in str(event) and "argon2" not in str(event)

    assert admin.patch(f"/api/users/{user_id}", json={"role": "editor", "active": False}).status_code == 200
    newest = _events(admin, "update_user", target)[0]
    assert newest["details"] == {"username": viewer.username, "role": {"from": "admin", "to": "editor"},
                                 "active": {"from": True, "to": False}}  # fmt: skip


def test_a_change_that_changes_nothing_or_is_refused_leaves_no_event(admin: Client, user_factory: UserFactory) -> None:
    editor = user_factory("editor")
    user_id = _user_id(admin, editor.username)
    assert admin.patch(f"/api/users/{user_id}", json={"role": "editor", "active": True}).status_code == 200
    assert admin.patch(f"/api/users/{user_id}", json={"role": "admin", "sees_personal_data": False}).status_code == 422
    assert _events(admin, "update_user", f"user:{user_id}") == []


def test_the_audit_endpoint_documents_the_user_actions() -> None:
    described = create_app(Settings(database_url="sqlite://")).openapi()["paths"]["/api/audit"]["get"]["description"]
    for action in ("create_user", "update_user", "revoke_token"):
        assert f"`{action}`" in described, described
    assert "deactivat" in described
