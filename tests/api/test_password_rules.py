# ruff: noqa: RUF001  -- Russian passwords are typed in Cyrillic letters, not look-alike Latin ones
"""Over HTTP, security review of passwords: an admin's reset is account recovery (the user's API tokens go with
their sessions), a user's own change may take their tokens too and says what became of them, only a signed-in
session changes a password, and a password anyone would guess first is refused wherever the API sets one."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.weak_passwords import COMMON_PASSWORDS, weak_password_problem
from tests.api.conftest import Client, Server, UserFactory

OLD, NEW = "password-123", "another-pass-1"


def _user_id(admin: Client, username: str) -> int:
    return int(next(u["id"] for u in admin.get("/api/users").json() if u["username"] == username))


def _token(client: Client, name: str) -> str:
    made = client.post("/api/tokens", json={"name": name})
    assert made.status_code == 201, made.text
    return str(made.json()["token"])


def _works(server: Server, token: str) -> bool:
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as bearer:
        return bearer.get("/api/auth/me").status_code == 200


def test_an_admins_reset_ends_the_users_sessions_and_api_tokens(
    server: Server, admin: Client, user_factory: UserFactory
) -> None:
    editor = user_factory("editor")
    made = editor.post("/api/tokens", json={"name": "ci"}).json()
    leaked = made["token"]
    user_id = _user_id(admin, editor.username)
    reset = admin.patch(f"/api/users/{user_id}", json={"password": "a-fresh-start-9"})
    assert reset.status_code == 200, reset.text
    assert editor.get("/api/auth/me").status_code == 401
    assert not _works(server, leaked)
    assert admin.get(f"/api/users/{user_id}/tokens").json() == []
    events = admin.get("/api/audit", params={"target": f"token:{made['id']}", "action": "revoke_token"}).json()
    assert [(e["actor"], e["details"]["reason"]) for e in events] == [("root", "password_reset")], events


def _change(client: Client, new: str, current: str = OLD, **extra: Any) -> httpx.Response:
    return client.post("/api/auth/password", json={"current_password": current, "new_password": new, **extra})


def test_an_own_change_keeps_api_tokens_unless_asked(server: Server, user_factory: UserFactory) -> None:
    editor = user_factory("editor")
    kept = _token(editor, "ci")
    changed = _change(editor, NEW)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["tokens_live"], changed.json()["tokens_revoked"]) == (1, 0), changed.json()
    assert _works(server, kept)

    editor.headers["X-CSRF-Token"] = changed.json()["csrf_token"]
    again = _change(editor, "third-pass-1", current=NEW, revoke_tokens=True)
    assert again.status_code == 200, again.text
    assert (again.json()["tokens_live"], again.json()["tokens_revoked"]) == (0, 1), again.json()
    assert not _works(server, kept)
    editor.headers["X-CSRF-Token"] = again.json()["csrf_token"]
    assert editor.get("/api/tokens").json() == []


def test_a_password_is_not_changed_with_an_api_token(server: Server, user_factory: UserFactory) -> None:
    editor = user_factory("editor")
    token = _token(editor, "ci")
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as bearer:
        refused = bearer.post("/api/auth/password", json={"current_password": OLD, "new_password": NEW})
        made = bearer.post("/api/tokens", json={"name": "other"})
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"] == made.json()["type"] and refused.json()["type"].endswith("/session-needed")
    with Client(base_url=server.base_url, timeout=30) as again:
        assert again.login(editor.username, OLD).status_code == 200  # unchanged


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("{username}", "password_is_username"),
        ("{USERNAME}", "password_is_username"),
        ("aaaaaaaaaa", "password_one_character"),
        ("qwerty123", "password_too_common"),
        ("PassWord1", "password_too_common"),
        ("пароль1234", "password_too_common"),
    ],
)
def test_weak_passwords_are_refused_wherever_the_api_sets_one(
    admin: Client, user_factory: UserFactory, password: str, code: str
) -> None:
    viewer = user_factory("viewer")
    name = viewer.username
    weak = password.format(username=name, USERNAME=name.upper())

    own = _change(viewer, weak)
    assert own.status_code == 422, own.text
    assert [(p["path"], p["code"]) for p in own.json()["problems"]] == [("$.new_password", code)], own.json()

    reset = admin.patch(f"/api/users/{_user_id(admin, name)}", json={"password": weak})
    assert reset.status_code == 422, reset.text
    assert [(p["path"], p["code"]) for p in reset.json()["problems"]] == [("$.password", code)], reset.json()

    new_name = f"weak{name}"
    weak_for_new = weak.replace(name, new_name).replace(name.upper(), new_name.upper())
    made = admin.post("/api/users", json={"username": new_name, "password": weak_for_new})
    assert made.status_code == 422, made.text
    assert [(p["path"], p["code"]) for p in made.json()["problems"]] == [("$.password", code)], made.json()
    assert viewer.get("/api/auth/me").status_code == 200  # nothing was changed


def test_the_rules_name_themselves() -> None:
    assert weak_password_problem("correct horse battery", username="ana", path="$.password") is None
    assert weak_password_problem("password-123", username="ana", path="$.password") is None  # the tests' own
    common = weak_password_problem("iloveyou", username="ana", path="$.password")
    assert common is not None and common["code"] == "password_too_common" and "common" in common["message"]
    assert {"password", "12345678", "qwerty123", "admin123", "qwertyuiop", "1q2w3e4r", "contraseña"} <= COMMON_PASSWORDS
    assert 80 <= len(COMMON_PASSWORDS) <= 150
