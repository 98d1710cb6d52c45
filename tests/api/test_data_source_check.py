"""Over HTTP: a data source's connection is checked, saved or not, against the real MariaDB and PostgreSQL (review:
there was no check, so a typo in a URL showed only as the SQL block's error exit on a real call, and a source
pointed at a dead port was saved without a word). Saving still saves whatever the check says, the database may be
down at the moment, and answers the check as a warning. The URL's password never comes back, in any answer."""

from __future__ import annotations

import re
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest
from sqlalchemy.engine import make_url

from persistence.datasource_check import CHECK_TIMEOUT
from tests.api.conftest import Client, UserFactory
from tests.persistence import pg

PASSWORD = "Zq9-s3cret-7741"  # distinctive: found anywhere in an answer, it leaked
MARIADB = ("127.0.0.1", 3306)


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def mariadb() -> Iterator[dict[str, str]]:
    """A database and an account with a password on the real MariaDB, made for the test and dropped after."""
    try:
        root = pymysql.connect(host=MARIADB[0], port=MARIADB[1], user="root", autocommit=True)
    except pymysql.Error:
        pytest.skip("MariaDB is not running on 127.0.0.1:3306")
    database, user = _unique("chk"), _unique("u")
    with root.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {database}")
        cursor.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{PASSWORD}'")
        cursor.execute(f"GRANT SELECT ON {database}.* TO '{user}'@'%'")
    try:
        yield {"database": database, "user": user}
    finally:
        with root.cursor() as cursor:
            cursor.execute(f"DROP USER '{user}'@'%'")
            cursor.execute(f"DROP DATABASE {database}")
        root.close()


def _mariadb_url(account: dict[str, str], *, password: str = PASSWORD) -> str:
    return f"mysql+pymysql://{account['user']}:{password}@{MARIADB[0]}:{MARIADB[1]}/{account['database']}"


@pytest.fixture
def postgres() -> Iterator[str]:
    with pg.throwaway_database("chk") as url:
        yield url


@pytest.fixture
def dead_port() -> int:
    """A port nothing listens on: bound to reserve it, never listened on, so a connection is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A real TCP server that accepts connections and never says a word: a database that froze."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


def _check(admin: Client, url: str) -> dict[str, Any]:
    answer = admin.post("/api/data-sources/check", json={"url": url})
    assert answer.status_code == 200, answer.text
    assert PASSWORD not in answer.text
    return dict(answer.json())


@pytest.mark.mariadb
def test_a_good_mariadb_source_answers_ok_with_its_server_version(admin: Client, mariadb: dict[str, str]) -> None:
    for url in (_mariadb_url(mariadb), _mariadb_url(mariadb).replace("mysql+pymysql://", "mysql://")):
        found = _check(admin, url)
        assert found["ok"] is True and found["code"] is None, found
        assert re.fullmatch(r"MariaDB \d+\.\d+\.\d+", found["server"]), found
        assert found["message"] == "" and 0 <= found["elapsed_ms"] < CHECK_TIMEOUT * 1000


@pytest.mark.mariadb
def test_a_wrong_password_is_auth_failed_and_never_echoed(admin: Client, mariadb: dict[str, str]) -> None:
    found = _check(admin, _mariadb_url(mariadb, password="not-" + PASSWORD))
    assert found["ok"] is False and found["code"] == "auth_failed", found
    assert "Access denied" in found["message"] and "not-" + PASSWORD not in found["message"]
    # The driver repeats what it was given as the user name: the password typed there is hidden all the same.
    pasted = f"mysql+pymysql://{PASSWORD}:{PASSWORD}@127.0.0.1:3306/{mariadb['database']}"
    found = _check(admin, pasted)
    assert found["code"] == "auth_failed" and "'***'@" in found["message"], found


@pytest.mark.mariadb
def test_an_unknown_mariadb_database(admin: Client, mariadb: dict[str, str]) -> None:
    root = f"mysql+pymysql://root@127.0.0.1:3306/{_unique('missing')}"
    found = _check(admin, root)
    assert found["ok"] is False and found["code"] == "unknown_database", found
    assert "Unknown database" in found["message"]


@pytest.mark.postgres
def test_postgresql_ok_unknown_database_and_refused_login(admin: Client, postgres: str) -> None:
    found = _check(admin, postgres)
    assert found["ok"] is True and re.fullmatch(r"PostgreSQL \d+(\.\d+)?", found["server"]), found
    plain = make_url(postgres).set(drivername="postgresql")  # `postgresql://` means psycopg 3, as for calls
    assert _check(admin, plain.render_as_string(hide_password=False))["ok"] is True

    missing = plain.set(database=_unique("missing")).render_as_string(hide_password=False)
    found = _check(admin, missing)
    assert found["code"] == "unknown_database" and "does not exist" in found["message"], found

    # The local server trusts any password of a known role: an unknown role is the refusal it can show.
    stranger = plain.set(username=_unique("nobody"), password=PASSWORD).render_as_string(hide_password=False)
    found = _check(admin, stranger)
    assert found["code"] == "auth_failed" and "does not exist" in found["message"], found


def test_a_dead_port_is_unreachable_within_the_timeout(admin: Client, dead_port: int) -> None:
    for url in (f"mysql+pymysql://crm:{PASSWORD}@127.0.0.1:{dead_port}/crm",
                f"postgresql+psycopg://crm:{PASSWORD}@127.0.0.1:{dead_port}/crm"):  # fmt: skip
        started = time.monotonic()
        found = _check(admin, url)
        assert time.monotonic() - started < CHECK_TIMEOUT
        assert found["ok"] is False and found["code"] == "unreachable", found
        assert "refused" in found["message"].lower()


@pytest.mark.slow
def test_a_server_that_never_answers_is_a_timeout_within_a_few_seconds(admin: Client, silent_server: int) -> None:
    started = time.monotonic()
    found = _check(admin, f"mysql+pymysql://crm:{PASSWORD}@127.0.0.1:{silent_server}/crm")
    assert found["ok"] is False and found["code"] == "timeout", found
    assert time.monotonic() - started < CHECK_TIMEOUT + 1.5


def test_urls_that_cannot_work_say_why(admin: Client, tmp_path: Path) -> None:
    assert _check(admin, "mysql+mysqldb://crm@127.0.0.1/crm")["code"] == "driver_missing"  # MySQLdb not installed
    assert _check(admin, "mysql+nosuchdriver://crm@127.0.0.1/crm")["code"] == "driver_missing"
    for url in ("not a url", f"postgresql://crm:p@{PASSWORD}@db.local/crm", "nosuchdb://crm@127.0.0.1/crm"):
        found = _check(admin, url)
        assert found["code"] == "bad_url" and found["message"], (url, found)
    # SQLite would make the misspelt file it is pointed at, and call it fine: a missing file is a missing database.
    missing = tmp_path / "typo.sqlite3"
    found = _check(admin, f"sqlite:///{missing}")
    assert found["code"] == "unknown_database" and not missing.exists(), found


def test_saving_checks_as_a_warning_and_never_returns_the_password(
    admin: Client, dead_port: int, tmp_path: Path
) -> None:
    name = _unique("crm")
    url = f"mysql+pymysql://crm:{PASSWORD}@127.0.0.1:{dead_port}/crm"
    created = admin.post("/api/data-sources", json={"name": name, "url": url})
    assert created.status_code == 201, created.text  # saved all the same: the database may be down right now
    body = created.json()
    assert body["check"]["code"] == "unreachable" and body["target"] == f"mysql://127.0.0.1:{dead_port}/crm"
    path = f"/api/data-sources/{body['id']}"

    checked = admin.post(f"{path}/check")
    assert checked.status_code == 200 and checked.json()["code"] == "unreachable", checked.text
    assert admin.patch(path, json={"description": "CRM"}).json()["check"] is None  # the URL stayed: no check

    database = tmp_path / "crm.sqlite3"
    database.write_bytes(b"")  # an empty file is an empty SQLite database
    changed = admin.patch(path, json={"url": f"sqlite:///{database}"})
    assert changed.status_code == 200 and changed.json()["check"]["ok"] is True, changed.text
    assert changed.json()["check"]["server"].startswith("SQLite 3.")
    assert admin.post(f"{path}/check").json()["ok"] is True

    answers = [created, checked, admin.get(path), admin.get("/api/data-sources")]
    assert all(PASSWORD not in answer.text for answer in answers)
    assert admin.post("/api/data-sources/999999/check").status_code == 404
    assert admin.delete(path).status_code == 204


@pytest.mark.mariadb
def test_a_saved_mariadb_source_checks_ok(admin: Client, mariadb: dict[str, str]) -> None:
    created = admin.post("/api/data-sources", json={"name": _unique("staff"), "url": _mariadb_url(mariadb)})
    assert created.status_code == 201 and PASSWORD not in created.text, created.text
    assert created.json()["check"]["ok"] is True
    checked = admin.post(f"/api/data-sources/{created.json()['id']}/check")
    assert checked.json()["ok"] is True and checked.json()["server"].startswith("MariaDB "), checked.text
    assert admin.delete(f"/api/data-sources/{created.json()['id']}").status_code == 204


def test_only_an_admin_checks(admin: Client, user_factory: UserFactory, tmp_path: Path) -> None:
    created = admin.post("/api/data-sources", json={"name": _unique("crm"), "url": f"sqlite:///{tmp_path / 'x.db'}"})
    path = f"/api/data-sources/{created.json()['id']}"
    for role in ("viewer", "editor", "publisher"):
        someone = user_factory(role)
        assert someone.post("/api/data-sources/check", json={"url": "sqlite://"}).status_code == 403
        assert someone.post(f"{path}/check").status_code == 403
    assert admin.delete(path).status_code == 204
