"""Over HTTP: "Try query" runs a SQL block's query once against a configured data source (review: a typo'd table
passed validation, the scenario test on typed rows and publishing, and the first real call took the error exit).
Only a reading query is run; a write is refused and never reaches the database. Real SQLite and MariaDB sources."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest

from tests.api.conftest import Client, UserFactory

MARIADB = ("127.0.0.1", 3306)
READ = "SELECT holder, balance FROM accounts WHERE phone = :caller_id"


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def _add_source(admin: Client, url: str) -> str:
    """A writable source: a write is refused by the try itself, not by the source's read-only setting."""
    name = _unique("try")
    created = admin.post("/api/data-sources", json={"name": name, "url": url, "read_only": False})
    assert created.status_code == 201, created.text
    return name


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "crm.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, phone TEXT, holder TEXT, balance INTEGER)")
        db.executemany(
            "INSERT INTO accounts (phone, holder, balance) VALUES (?, ?, ?)",
            [("+34600111222", "Ana Ruiz", 120)] + [("+34600999000", f"Holder {n}", n) for n in range(8)],
        )
    return path


@pytest.fixture
def sqlite_source(admin: Client, sqlite_file: Path) -> str:
    return _add_source(admin, f"sqlite:///{sqlite_file}")


@pytest.fixture
def editor(user_factory: UserFactory) -> Client:
    return user_factory("editor")


def _try(client: Client, source: str, query: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = client.post(f"/api/data-sources/{source}/try", json={"query": query, "params": params or {}})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _count(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT COUNT(*) FROM accounts").fetchone()[0])


def test_a_good_query_answers_its_columns_and_rows(editor: Client, sqlite_source: str) -> None:
    found = _try(editor, sqlite_source, READ, {"caller_id": "+34600111222"})
    assert found["ok"] is True and found["failure"] is None, found
    assert found["columns"] == ["holder", "balance"]
    assert found["rows"] == [{"holder": "Ana Ruiz", "balance": 120}]


def test_at_most_five_rows_come_back(editor: Client, sqlite_source: str) -> None:
    found = _try(editor, sqlite_source, READ, {"caller_id": "+34600999000"})
    assert found["ok"] is True and len(found["rows"]) == 5, found


def test_no_rows_leaves_the_columns_unknown(editor: Client, sqlite_source: str) -> None:
    found = _try(editor, sqlite_source, READ, {"caller_id": "+00"})
    assert found["ok"] is True and found["rows"] == [] and found["columns"] is None, found


def test_a_typo_in_the_table_is_sql_query_failed_in_the_databases_words(editor: Client, sqlite_source: str) -> None:
    found = _try(editor, sqlite_source, "SELECT holder, balanse AS balance FROM acounts WHERE phone = :p", {"p": "1"})
    assert found["ok"] is False and found["failure"]["code"] == "sql_query_failed", found
    assert "no such table: acounts" in found["failure"]["params"]["detail"]
    assert found["failure"]["params"]["source"] == sqlite_source


def test_a_write_is_refused_and_never_run(editor: Client, sqlite_source: str, sqlite_file: Path) -> None:
    before = _count(sqlite_file)
    writes = (
        "DELETE FROM accounts WHERE phone = :p",
        "UPDATE accounts SET balance = 0 WHERE phone = :p",
        "SELECT 1; DELETE FROM accounts",
        "WITH x AS (DELETE FROM accounts RETURNING *) SELECT * FROM x",
    )
    for query in writes:
        found = _try(editor, sqlite_source, query, {"p": "+34600111222"})
        assert found["ok"] is False and found["failure"]["code"] == "sql_try_writes", found
        assert "only a reading query can be tried" in found["failure"]["message"]
    assert _count(sqlite_file) == before


def test_params_are_bound_so_an_injection_is_a_value(editor: Client, sqlite_source: str, sqlite_file: Path) -> None:
    before = _count(sqlite_file)
    for value in ("' OR '1'='1", "x'; DROP TABLE accounts; --", "1 OR 1=1"):
        found = _try(editor, sqlite_source, READ, {"caller_id": value})
        assert found["ok"] is True and found["rows"] == [], found
    assert _count(sqlite_file) == before


def test_missing_params_are_named(editor: Client, sqlite_source: str) -> None:
    found = _try(editor, sqlite_source, "SELECT holder FROM accounts WHERE phone = :caller_id AND id > :min_id")
    assert found["ok"] is False and found["failure"]["code"] == "sql_try_params_missing", found
    assert found["failure"]["params"]["names"] == ["caller_id", "min_id"]


def test_an_unknown_source_is_not_configured(editor: Client) -> None:
    found = _try(editor, _unique("nowhere"), "SELECT 1")
    assert found["failure"]["code"] == "data_source_not_configured", found


def test_a_viewer_may_not_try(user_factory: UserFactory, sqlite_source: str) -> None:
    viewer = user_factory("viewer")
    answer = viewer.post(f"/api/data-sources/{sqlite_source}/try", json={"query": "SELECT 1", "params": {}})
    assert answer.status_code == 403, answer.text


def test_values_are_masked_for_an_editor_without_personal_data(user_factory: UserFactory, sqlite_source: str) -> None:
    masked = user_factory("editor", personal_data=False)
    found = _try(masked, sqlite_source, READ, {"caller_id": "+34600111222"})
    assert found["ok"] is True and found["columns"] == ["holder", "balance"], found
    assert found["rows"][0]["holder"] != "Ana Ruiz" and "hidden" in str(found["rows"][0]["holder"])


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    try:
        root = pymysql.connect(host=MARIADB[0], port=MARIADB[1], user="root", autocommit=True)
    except pymysql.Error:
        pytest.skip("MariaDB is not running on 127.0.0.1:3306")
    database = _unique("tryq")
    with root.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {database}")
        cursor.execute(f"CREATE TABLE {database}.accounts (id INT PRIMARY KEY, phone TEXT, holder TEXT, balance INT)")
        cursor.execute(f"INSERT INTO {database}.accounts VALUES (1, '+34600111222', 'Ana Ruiz', 120)")
    try:
        yield f"mysql+pymysql://root@{MARIADB[0]}:{MARIADB[1]}/{database}"
    finally:
        with root.cursor() as cursor:
            cursor.execute(f"DROP DATABASE {database}")
        root.close()


@pytest.mark.mariadb
def test_mariadb_good_typo_and_write(admin: Client, editor: Client, mariadb_url: str) -> None:
    source = _add_source(admin, mariadb_url)
    found = _try(editor, source, READ, {"caller_id": "+34600111222"})
    assert found["ok"] is True and found["rows"] == [{"holder": "Ana Ruiz", "balance": 120}], found

    found = _try(editor, source, "SELECT holder, balanse AS balance FROM acounts WHERE phone = :p", {"p": "1"})
    assert found["failure"]["code"] == "sql_query_failed", found
    assert "doesn't exist" in found["failure"]["params"]["detail"]

    found = _try(editor, source, "DELETE FROM accounts WHERE id = :id", {"id": 1})
    assert found["failure"]["code"] == "sql_try_writes", found
    root = pymysql.connect(host=MARIADB[0], port=MARIADB[1], user="root", database=mariadb_url.rsplit("/", 1)[1])
    try:
        with root.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM accounts")
            assert cursor.fetchone() == (1,)
    finally:
        root.close()
