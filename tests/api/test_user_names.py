"""Over real HTTP, on SQLite and PostgreSQL: user names are one whatever their case (a second `Ana` is a 409 naming
`ana`, who signs in as `ANA` too), a user's live API tokens have names of their own, and every refusal of the
users, tokens and auth routes carries a stable code of its own where it used to carry the generic request_refused.
A server of this module's own: demoting its last admin and a wrong password must not touch the shared one's."""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.settings import Settings
from persistence.migrate import current_revision, upgrade
from persistence.publishing import PublishHub
from tests.api.conftest import ADMIN, ADMIN_PASSWORD, Client, _designer_dist, serve_api
from tests.api.serve_process import IVRGRAPH, clean_env
from tests.persistence import pg
from tests.persistence.statements import run_statements

PROBLEMS = "https://ivrgraph.dev/problems/"
PASSWORD = "password-123"
_names = itertools.count(1)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def base_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("names")
    (folder / "dist").mkdir()

    def settings(url: str) -> Settings:
        return Settings(database_url=url, admin_user=ADMIN, admin_password=ADMIN_PASSWORD,
                        designer_dist=_designer_dist(folder / "dist"), media_root=folder / "media")  # fmt: skip

    if request.param == "sqlite":
        yield from serve_api(settings(f"sqlite:///{folder / 'api.sqlite3'}"), PublishHub())
        return
    with pg.throwaway_database("names") as url:
        yield from serve_api(settings(url), PublishHub())


@pytest.fixture
def admin(base_url: str) -> Iterator[Client]:
    with Client(base_url=base_url, timeout=30) as client:
        assert client.login(ADMIN, ADMIN_PASSWORD).status_code == 200
        yield client


def _name(prefix: str) -> str:
    return f"{prefix}{next(_names)}"


def _made(admin: Client, username: str, role: str = "viewer") -> dict[str, Any]:
    created = admin.post("/api/users", json={"username": username, "password": PASSWORD, "role": role})
    assert created.status_code == 201, created.text
    return dict(created.json())


def _only_problem(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == PROBLEMS + kind, response.text
    [problem] = response.json()["problems"]
    return dict(problem)


def test_a_name_differing_in_case_only_is_a_409_naming_the_user_who_has_it(admin: Client) -> None:
    name = _name("ana")
    ana = _made(admin, name)
    for wanted in (name.upper(), name.capitalize(), name):
        refused = admin.post("/api/users", json={"username": wanted, "password": PASSWORD, "role": "admin"})
        problem = _only_problem(refused, 409, "already-exists")  # the type clients already tell apart
        assert (problem["path"], problem["code"]) == ("$.username", "username_taken")
        assert problem["params"] == {"username": wanted, "existing_username": name, "existing_id": ana["id"]}
    assert refused.json()["detail"] == f"user {name!r} already exists"
    upper = admin.post("/api/users", json={"username": name.upper(), "password": PASSWORD})
    assert upper.json()["detail"] == (
        f"user {name.upper()!r} already exists as {name!r}: user names are the same whatever their case"
    )
    assert [u["username"] for u in admin.get("/api/users").json() if u["username"].casefold() == name] == [name]


def test_sign_in_takes_the_name_in_any_case_and_answers_it_as_typed(base_url: str, admin: Client) -> None:
    typed = _name("Maria.Lopez")
    user = _made(admin, typed, role="editor")
    for given in (typed.lower(), typed.upper()):
        with Client(base_url=base_url, timeout=30) as client:
            signed_in = client.login(given, PASSWORD)
            assert signed_in.status_code == 200, signed_in.text
            assert signed_in.json()["user"] == {**user, "username": typed}
            assert client.get("/api/auth/me").json()["user"]["username"] == typed
    with Client(base_url=base_url, timeout=30) as client:
        assert client.login(typed.upper(), "password-124").status_code == 401


def test_a_second_live_token_of_one_name_is_a_409_until_the_first_is_revoked(admin: Client) -> None:
    name = _name("ci ")
    first = admin.post("/api/tokens", json={"name": name})
    assert first.status_code == 201, first.text
    again = admin.post("/api/tokens", json={"name": name, "role": "viewer"})
    problem = _only_problem(again, 409, "already-exists")
    assert (problem["path"], problem["code"]) == ("$.name", "token_name_taken")
    assert problem["params"] == {"name": name, "token_id": first.json()["id"]}
    assert [t["name"] for t in admin.get("/api/tokens").json()].count(name) == 1  # nothing was made
    assert admin.post("/api/tokens", json={"name": name.upper()}).status_code == 201  # told apart in a list
    assert admin.delete(f"/api/tokens/{first.json()['id']}").status_code == 204
    reused = admin.post("/api/tokens", json={"name": name})
    assert reused.status_code == 201, reused.text
    assert [t["id"] for t in admin.get("/api/tokens").json() if t["name"] == name] == [reused.json()["id"]]


def test_the_last_admin_is_kept_naming_the_field_that_would_lose_them(base_url: str, admin: Client) -> None:
    me = admin.get("/api/auth/me").json()["user"]
    others = [u for u in admin.get("/api/users").json() if u["role"] == "admin" and u["active"] and u["id"] != me["id"]]
    for other in others:  # this server's other admins, made by the tests before: the root is the last one
        assert admin.patch(f"/api/users/{other['id']}", json={"role": "viewer"}).status_code == 200
    for change, path in (({"active": False}, "$.active"), ({"role": "editor"}, "$.role")):
        refused = admin.patch(f"/api/users/{me['id']}", json=change)
        problem = _only_problem(refused, 409, "conflict")
        assert (problem["path"], problem["code"], problem["params"]) == (path, "last_admin", {"username": ADMIN})
        assert problem["message"] == refused.json()["detail"]  # the words kept


def test_each_other_refusal_has_a_code_of_its_own(base_url: str, admin: Client) -> None:
    name = _name("boss")
    no_data = admin.post("/api/users", json={"username": name, "password": PASSWORD, "role": "admin",
                                             "sees_personal_data": False})  # fmt: skip
    assert _only_problem(no_data, 422, "request-refused")["code"] == "admin_sees_personal_data"
    boss = _made(admin, name, role="admin")
    kept = admin.patch(f"/api/users/{boss['id']}", json={"sees_personal_data": False})
    assert _only_problem(kept, 422, "request-refused")["code"] == "admin_sees_personal_data"

    editor_name = _name("editor")
    _made(admin, editor_name, role="editor")
    with Client(base_url=base_url, timeout=30) as editor:
        assert editor.login(editor_name, PASSWORD).status_code == 200
        above = _only_problem(editor.post("/api/tokens", json={"name": "x", "role": "admin"}), 422, "request-refused")
        assert (above["path"], above["code"]) == ("$.role", "token_role_above_yours")
        assert above["params"] == {"role": "admin", "own_role": "editor"}
        now = datetime.now(UTC)
        too_long = editor.post("/api/tokens", json={"name": "x", "expires_at": (now + timedelta(days=91)).isoformat()})
        long_problem = _only_problem(too_long, 422, "request-refused")
        assert (long_problem["path"], long_problem["code"]) == ("$.expires_at", "token_lifetime_too_long")
        assert long_problem["params"]["max_days"] == 90
        latest = datetime.fromisoformat(long_problem["params"]["latest"])
        assert timedelta(days=90) - timedelta(minutes=1) < latest - now <= timedelta(days=90, seconds=1)
        past = editor.post("/api/tokens", json={"name": "x", "expires_at": (now - timedelta(hours=1)).isoformat()})
        past_problem = _only_problem(past, 422, "request-refused")
        assert (past_problem["path"], past_problem["code"]) == ("$.expires_at", "token_expiry_past")
        assert set(past_problem["params"]) == {"now"}
        assert editor.get("/api/tokens").json() == []  # none of them was made
        wrong = editor.post("/api/auth/password", json={"current_password": "nope", "new_password": "another-1"})
        wrong_problem = _only_problem(wrong, 403, "wrong-password")
        assert (wrong_problem["path"], wrong_problem["code"]) == ("$.current_password", "wrong_current_password")
        assert editor.get("/api/auth/me").status_code == 200  # still signed in


def test_the_openapi_document_declares_the_409s_problems(base_url: str) -> None:
    spec = httpx.get(f"{base_url}/openapi.json", timeout=30).json()
    schemas = spec["components"]["schemas"]
    for path, method in (("/api/users", "post"), ("/api/users/{user_id}", "patch"), ("/api/tokens", "post")):
        answer = spec["paths"][path][method]["responses"]["409"]["content"]["application/problem+json"]["schema"]
        conflict = schemas[answer["$ref"].rsplit("/", 1)[1]]
        assert "#/components/schemas/ProblemItem" in str(conflict["properties"]["problems"]), path
    code = schemas["ProblemItem"]["properties"]["code"]["description"]
    for declared in ("username_taken", "last_admin", "admin_sees_personal_data", "token_name_taken",
                     "token_role_above_yours", "token_lifetime_too_long", "token_expiry_past",
                     "wrong_current_password"):  # fmt: skip
        assert declared in code


def test_db_upgrade_stops_in_one_line_naming_the_users_whose_names_clash(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0020")
    user = ("INSERT INTO users (username, password_hash, role, active, created_at) VALUES (:name, 'x', 'viewer', "
            "true, '2026-01-01')")  # fmt: skip
    run_statements(url, (user, {"name": "ana"}), (user, {"name": "Ana"}))
    done = subprocess.run([*IVRGRAPH, "db", "upgrade", "--yes"], cwd=tmp_path, env=clean_env(IVRGRAPH_DATABASE_URL=url),
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 1, done.stderr
    # The error is one line, after the warning of the migrations that need every node stopped (0024 on the way).
    assert "warning: stop every ivrgraph node" in done.stderr
    [line] = [said for said in done.stderr.splitlines() if said.startswith("ivrgraph db upgrade: error")]
    assert done.stderr.splitlines()[-1] == line
    assert line.startswith("ivrgraph db upgrade: error: user names are now the same whatever their case")
    assert "'ana' (id 1), 'Ana' (id 2)" in line and line.endswith("nothing was changed")
    assert current_revision(url) == "0020"
