"""Sign-in, session cookie + CSRF, bearer tokens and roles over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from api.app import bootstrap_admin
from api.settings import Settings
from persistence import users as user_data
from persistence.db import Database
from persistence.migrate import upgrade
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, Server
from tests.persistence import documents


def test_login_sets_an_httponly_cookie_and_me_answers(server: Server, anonymous: Client) -> None:
    response = anonymous.login(ADMIN, ADMIN_PASSWORD)
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("ivrgraph_session=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    me = anonymous.get("/api/auth/me").json()
    assert me["user"]["username"] == ADMIN and me["user"]["role"] == "admin"
    assert me["csrf_token"] == response.json()["csrf_token"]


def test_wrong_password_and_unknown_user_look_the_same(anonymous: Client) -> None:
    wrong = anonymous.post("/api/auth/login", json={"username": ADMIN, "password": "nope"})
    ghost = anonymous.post("/api/auth/login", json={"username": "ghost", "password": "nope"})
    assert wrong.status_code == ghost.status_code == 401
    assert wrong.json()["detail"] == ghost.json()["detail"]
    assert wrong.headers["content-type"] == "application/problem+json"


def test_anonymous_requests_get_401(anonymous: Client) -> None:
    assert anonymous.get("/api/scenarios").status_code == 401
    assert anonymous.get("/api/auth/me").status_code == 401


def test_cookie_writes_need_the_csrf_header(server: Server, admin: Client, slug: Callable[[str], str]) -> None:
    body = {"slug": slug("csrf"), "name": "x"}
    token = admin.headers.pop("X-CSRF-Token")
    assert admin.post("/api/scenarios", json=body).status_code == 403
    admin.headers["X-CSRF-Token"] = "forged"
    assert admin.post("/api/scenarios", json=body).status_code == 403
    admin.headers["X-CSRF-Token"] = token
    assert admin.post("/api/scenarios", json=body).status_code == 201
    assert admin.get("/api/scenarios").status_code == 200  # reads need no token


def test_logout_ends_the_session(user_factory: Callable[[str], Client]) -> None:
    viewer = user_factory("viewer")
    assert viewer.post("/api/auth/logout").status_code == 204
    assert viewer.get("/api/auth/me").status_code == 401


def test_bearer_token_is_shown_once_and_needs_no_csrf(server: Server, user_factory: Callable[[str], Client]) -> None:
    editor = user_factory("editor")
    created = editor.post("/api/tokens", json={"name": "ci"})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert "token" not in editor.get("/api/tokens").json()[0]
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {secret}"}) as integration:
        assert integration.get("/api/auth/me").json()["user"]["role"] == "editor"
        made = integration.post("/api/scenarios", json={"slug": f"bearer-{created.json()['id']}", "name": "x"})
        assert made.status_code == 201
        # A token makes no tokens: one that expires soon would otherwise mint one that never does (review,
        # 2026-12-05).
        minted = integration.post("/api/tokens", json={"name": "forever"})
        assert minted.status_code == 403 and minted.json()["type"].endswith("/session-needed")
        assert [token["name"] for token in editor.get("/api/tokens").json()] == ["ci"]
        editor.delete(f"/api/tokens/{created.json()['id']}")
        assert integration.get("/api/auth/me").status_code == 401
    with httpx.Client(base_url=server.base_url, headers={"Authorization": "Bearer forged"}) as forged:
        assert forged.get("/api/scenarios").status_code == 401


def test_roles_are_enforced(admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str]) -> None:
    viewer, editor, publisher = user_factory("viewer"), user_factory("editor"), user_factory("publisher")
    name = slug("roles")
    assert viewer.post("/api/scenarios", json={"slug": name, "name": "x"}).status_code == 403
    assert (
        editor.post("/api/scenarios", json={"slug": name, "name": "x", "document": documents.greeting()}).status_code
        == 201
    )
    assert viewer.get(f"/api/scenarios/{name}").status_code == 200
    draft = {"revision": 1, "document": documents.greeting("edited")}
    assert viewer.put(f"/api/scenarios/{name}/draft", json=draft).status_code == 403
    assert editor.put(f"/api/scenarios/{name}/draft", json=draft).status_code == 200
    assert editor.post(f"/api/scenarios/{name}/publish", json={"message": "x"}).status_code == 403
    assert publisher.post(f"/api/scenarios/{name}/publish", json={"message": "x"}).status_code == 200
    draft_v2 = {"revision": 2, "document": documents.greeting("edited again")}  # a second version to go back from
    assert editor.put(f"/api/scenarios/{name}/draft", json=draft_v2).status_code == 200
    assert publisher.post(f"/api/scenarios/{name}/publish", json={"message": "v2"}).status_code == 200
    assert editor.post(f"/api/scenarios/{name}/versions/1/rollback").status_code == 403
    assert publisher.post(f"/api/scenarios/{name}/versions/1/rollback").status_code == 200
    assert editor.delete(f"/api/scenarios/{name}").status_code == 403
    for outsider in (viewer, editor, publisher):
        assert outsider.get("/api/users").status_code == 403
        assert outsider.get("/api/data-sources").status_code == 403
    assert publisher.delete(f"/api/scenarios/{name}").status_code == 204
    assert admin.get("/api/users").status_code == 200


def test_admin_manages_users(admin: Client, user_factory: Callable[[str], Client]) -> None:
    viewer = user_factory("viewer")
    me = viewer.get("/api/auth/me").json()["user"]
    promoted = admin.patch(f"/api/users/{me['id']}", json={"role": "editor"})
    assert promoted.json()["role"] == "editor"
    assert viewer.get("/api/auth/me").json()["user"]["role"] == "editor"
    assert admin.patch(f"/api/users/{me['id']}", json={"active": False}).json()["active"] is False
    assert viewer.get("/api/auth/me").status_code == 401  # signed out everywhere
    duplicate = admin.post("/api/users", json={"username": me["username"], "password": "password-123"})
    assert duplicate.status_code == 409
    assert admin.patch("/api/users/999999", json={"role": "admin"}).status_code == 404


def test_a_user_changes_their_own_password(server: Server, user_factory: Callable[[str], Client]) -> None:
    """Any role changes its own password (the start-up log tells the admin to; only an admin could, and only
    through another user's record: QA of 2026-12-05). The current one is checked, a wrong one is no sign-out,
    every other session ends, and the changing one goes on with a new cookie and CSRF token."""
    viewer = user_factory("viewer")
    elsewhere = Client(base_url=server.base_url, timeout=30)
    assert elsewhere.login(viewer.username, "password-123").status_code == 200
    wrong = viewer.post("/api/auth/password", json={"current_password": "nope", "new_password": "another-pass-1"})
    assert (wrong.status_code, wrong.json()["detail"]) == (403, "the current password is wrong")
    assert viewer.get("/api/auth/me").status_code == 200  # still signed in
    short = viewer.post("/api/auth/password", json={"current_password": "password-123", "new_password": "short"})
    assert short.status_code == 422
    changed = viewer.post(
        "/api/auth/password", json={"current_password": "password-123", "new_password": "another-pass-1"}
    )
    assert changed.status_code == 200, changed.text
    viewer.headers["X-CSRF-Token"] = changed.json()["csrf_token"]
    assert viewer.get("/api/auth/me").json()["user"]["username"] == viewer.username
    assert elsewhere.get("/api/auth/me").status_code == 401  # whoever had the old password is out
    elsewhere.close()
    with Client(base_url=server.base_url, timeout=30) as again:
        assert again.login(viewer.username, "password-123").status_code == 401
        assert again.login(viewer.username, "another-pass-1").status_code == 200
    no_csrf = httpx.post(f"{server.base_url}/api/auth/password", cookies=viewer.cookies,
                         json={"current_password": "another-pass-1", "new_password": "third-pass-1"})  # fmt: skip
    assert no_csrf.status_code == 403 and "csrf" in no_csrf.json()["type"]


def test_two_nodes_creating_the_first_admin_at_once_both_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review, 2026-12-05: two nodes on a fresh database both found no users, and the one that created the admin
    second died on the username's uniqueness. The late one now finds the admin made and goes on."""
    url = f"sqlite:///{tmp_path / 'api.sqlite3'}"
    upgrade(url)
    database = Database(url)
    settings = Settings(database_url=url, admin_user="root", admin_password="first-node-password")
    bootstrap_admin(database, settings)  # the other node, a moment earlier
    monkeypatch.setattr(user_data, "count_users", lambda session: 0)  # this node counted before it committed
    bootstrap_admin(database, replace(settings, admin_password="second-node-password"))
    with database.session() as session:
        assert user_data.authenticate(session, username="root", password="first-node-password").role == "admin"
    database.dispose()


def test_an_admin_sees_and_revokes_a_users_api_tokens(
    server: Server, admin: Client, user_factory: Callable[[str], Client]
) -> None:
    """A user's own password change keeps their API tokens (integrations use them); an admin answering a leaked
    credential sees them and revokes them one by one (review, 2026-12-05: only their owner could)."""
    editor = user_factory("editor")
    created = editor.post("/api/tokens", json={"name": "ci"}).json()
    user_id = next(u["id"] for u in admin.get("/api/users").json() if u["username"] == editor.username)
    listed = admin.get(f"/api/users/{user_id}/tokens")
    assert listed.status_code == 200 and [t["name"] for t in listed.json()] == ["ci"]
    assert "token" not in listed.json()[0]  # never the secret
    assert editor.get(f"/api/users/{user_id}/tokens").status_code == 403
    assert admin.delete(f"/api/users/{user_id}/tokens/{created['id']}").status_code == 204
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {created['token']}"}) as leaked:
        assert leaked.get("/api/auth/me").status_code == 401
    assert admin.get("/api/users/999999/tokens").status_code == 404
