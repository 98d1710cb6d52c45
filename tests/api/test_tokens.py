"""API tokens with a role of their own, over real HTTP: at most their maker's role, capped at every use by the
user's current role, and shown in the list and the create answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from tests.api.conftest import Client, Server


@contextmanager
def bearer(server: Server, secret: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {secret}"}, timeout=30) as client:
        yield client


def _user_id(admin: Client, username: str) -> int:
    return next(int(u["id"]) for u in admin.get("/api/users").json() if u["username"] == username)


def test_a_token_acts_with_its_makers_role_by_default_and_says_so(
    server: Server, user_factory: Callable[[str], Client]
) -> None:
    publisher = user_factory("publisher")
    created = publisher.post("/api/tokens", json={"name": "ci"})
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "publisher"
    assert [(t["name"], t["role"]) for t in publisher.get("/api/tokens").json()] == [("ci", "publisher")]
    with bearer(server, created.json()["token"]) as ci:
        assert ci.get("/api/auth/me").json()["user"]["role"] == "publisher"


def test_an_admins_viewer_token_reads_but_cannot_write(
    server: Server, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    """A reporting dashboard's token: read-only, though the admin who made it may do everything."""
    admin = user_factory("admin")
    created = admin.post("/api/tokens", json={"name": "dashboard", "role": "viewer"})
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "viewer"
    assert [(t["name"], t["role"]) for t in admin.get("/api/tokens").json()] == [("dashboard", "viewer")]
    with bearer(server, created.json()["token"]) as dashboard:
        assert dashboard.get("/api/auth/me").json()["user"]["role"] == "viewer"
        assert dashboard.get("/api/scenarios").status_code == 200
        write = dashboard.post("/api/scenarios", json={"slug": slug("dash"), "name": "x"})
        assert write.status_code == 403 and write.json()["detail"] == "this needs the editor role"
        assert dashboard.get("/api/users").status_code == 403  # the admin's own pages too


def test_a_role_above_the_makers_is_refused_naming_the_field_and_the_roles_allowed(
    user_factory: Callable[[str], Client],
) -> None:
    editor = user_factory("editor")
    refused = editor.post("/api/tokens", json={"name": "too much", "role": "publisher"})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert body["type"].endswith("/request-refused")
    message = "a token cannot have a role above yours (editor): choose one of viewer, editor"
    params = {"role": "publisher", "own_role": "editor"}
    assert body["problems"] == [{"path": "$.role", "message": message, "code": "token_role_above_yours",
                                 "params": params}]  # fmt: skip
    assert body["detail"] == f"the token cannot be made: {message}"
    assert editor.get("/api/tokens").json() == []  # nothing was made
    unknown = editor.post("/api/tokens", json={"name": "x", "role": "root"})
    assert unknown.status_code == 422 and unknown.json()["problems"][0]["path"] == "$.role"


def test_demoting_a_user_caps_their_tokens_at_once_and_promoting_them_back_restores_them(
    server: Server, admin: Client, user_factory: Callable[[str], Client], slug: Callable[[str], str]
) -> None:
    publisher = user_factory("publisher")
    created = publisher.post("/api/tokens", json={"name": "ci"}).json()
    user_id = _user_id(admin, publisher.username)
    with bearer(server, created["token"]) as ci:
        assert ci.post("/api/scenarios", json={"slug": slug("before"), "name": "x"}).status_code == 201
        assert admin.patch(f"/api/users/{user_id}", json={"role": "viewer"}).status_code == 200
        assert ci.get("/api/auth/me").json()["user"]["role"] == "viewer"
        assert ci.post("/api/scenarios", json={"slug": slug("after"), "name": "x"}).status_code == 403
        assert [t["role"] for t in publisher.get("/api/tokens").json()] == ["viewer"]
        assert [t["role"] for t in admin.get(f"/api/users/{user_id}/tokens").json()] == ["viewer"]
        # Made as a publisher's token: it goes back to that, and no further (a promotion widens no token).
        assert admin.patch(f"/api/users/{user_id}", json={"role": "admin"}).status_code == 200
        assert ci.get("/api/auth/me").json()["user"]["role"] == "publisher"
        assert ci.get("/api/users").status_code == 403
        assert admin.patch(f"/api/users/{user_id}", json={"active": False}).status_code == 200
        assert ci.get("/api/auth/me").status_code == 401  # a deactivated user's tokens end, as before


def test_a_token_can_neither_list_nor_revoke_its_users_tokens(
    server: Server, user_factory: Callable[[str], Client]
) -> None:
    """Security review, 2026-12-05: a viewer token handed to a dashboard listed the admin's tokens and revoked the
    admin's CI token (204, then 401 for the CI). Managing tokens needs a signed-in session, as making them does."""
    admin = user_factory("admin")
    ci = admin.post("/api/tokens", json={"name": "ci-admin"}).json()
    dashboard = admin.post("/api/tokens", json={"name": "dashboard", "role": "viewer"}).json()
    with bearer(server, dashboard["token"]) as client:
        listed = client.get("/api/tokens")
        revoked = client.delete(f"/api/tokens/{ci['id']}")
    for refused in (listed, revoked):
        assert refused.status_code == 403, refused.text
        assert refused.json()["detail"].endswith("needs a signed-in session, not an API token")
    with bearer(server, ci["token"]) as still:
        assert still.get("/api/users").status_code == 200
    assert admin.delete(f"/api/tokens/{ci['id']}").status_code == 204  # the person signed in still may
