"""Revoking an API token leaves an audit event, as making one does, over real HTTP on SQLite and PostgreSQL.

A token revoked by its user (`DELETE /api/tokens/{id}`) or by an admin answering a leak (`DELETE
/api/users/{id}/tokens/{token_id}`) left no trace in `GET /api/audit`: an admin could see which integration made what,
and when a token was made, but not when nor by whom it was taken away. Each revocation now leaves a `revoke_token`
event: who revoked it, `token:<id>`, and whose token it was (its name and user). The endpoint's documentation names
`create_token` and `revoke_token` among the actions it lists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.app import create_app
from api.settings import Settings
from tests.api.conftest import Client, UserFactory


def _made(client: Client, name: str) -> dict[str, Any]:
    made = client.post("/api/tokens", json={"name": name, "role": "viewer"})
    assert made.status_code == 201, made.text
    answer: dict[str, Any] = made.json()
    return answer


def _events(admin: Client, token_id: int) -> list[dict[str, Any]]:
    answer = admin.get("/api/audit", params={"action": "revoke_token", "target": f"token:{token_id}"})
    assert answer.status_code == 200, answer.text
    events: list[dict[str, Any]] = answer.json()
    return events


def _user_id(admin: Client, username: str) -> int:
    return next(int(u["id"]) for u in admin.get("/api/users").json() if u["username"] == username)


def test_a_user_revoking_their_own_token_leaves_a_revoke_token_event(
    admin: Client, user_factory: UserFactory, slug: Callable[[str], str]
) -> None:
    editor = user_factory("editor")
    name = slug("ci")
    made = _made(editor, name)
    assert editor.delete(f"/api/tokens/{made['id']}").status_code == 204
    [event] = _events(admin, made["id"])
    assert (event["actor"], event["action"], event["target"], event["via"]) == (
        editor.username,
        "revoke_token",
        f"token:{made['id']}",
        None,
    )
    assert event["details"] == {
        "token_name": name,
        "user_id": _user_id(admin, editor.username),
        "username": editor.username,
    }


def test_an_admin_revoking_a_users_token_leaves_a_revoke_token_event_naming_whose_it_was(
    admin: Client, user_factory: UserFactory, slug: Callable[[str], str]
) -> None:
    boss = user_factory("admin")
    viewer = user_factory("viewer")
    name = slug("dashboard")
    made = _made(viewer, name)
    viewer_id = _user_id(boss, viewer.username)
    assert boss.delete(f"/api/users/{viewer_id}/tokens/{made['id']}").status_code == 204
    [event] = _events(admin, made["id"])
    assert (event["actor"], event["target"]) == (boss.username, f"token:{made['id']}")
    assert event["details"] == {"token_name": name, "user_id": viewer_id, "username": viewer.username}


def test_a_token_not_revoked_leaves_no_event(admin: Client, user_factory: UserFactory) -> None:
    """An unknown token (404), or one of another user's asked for under the wrong user: nothing is recorded."""
    editor = user_factory("editor")
    other = user_factory("viewer")
    made = _made(other, "theirs")
    assert editor.delete(f"/api/tokens/{made['id']}").status_code == 404
    editor_id = _user_id(admin, editor.username)
    assert admin.delete(f"/api/users/{editor_id}/tokens/{made['id']}").status_code == 404
    assert _events(admin, made["id"]) == []


def test_the_audit_endpoint_documents_the_token_actions() -> None:
    described = create_app(Settings(database_url="sqlite://")).openapi()["paths"]["/api/audit"]["get"]["description"]
    for action in ("create_token", "revoke_token"):
        assert f"`{action}`" in described, described
