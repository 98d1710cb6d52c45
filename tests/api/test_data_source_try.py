"""Over HTTP: "Try query" runs a SQL block's query once against a configured data source (review: a typo'd table
passed validation, the scenario test on typed rows and publishing, and the first real call took the error exit).
Only a reading query is run; a write is refused and never reaches the database. Real SQLite and MariaDB sources."""

from __future__ import annotations

import gc
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pymysql
import pytest

from tests.api.conftest import Client, UserFactory
from tests.persistence import pg

MARIADB = ("127.0.0.1", 3306)
READ = "SELECT holder, balance FROM accounts WHERE phone = :caller_id"


def _unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def _add_source(admin: Client, url: str, *, tries_allowed: bool | None = True) -> str:
    """A writable source: a write is refused by the try itself, not by the source's read-only setting. Tries are
    allowed on it by an admin's choice (a writable source's default is not to)."""
    name = _unique("try")
    body: dict[str, Any] = {"name": name, "url": url, "read_only": False}
    if tries_allowed is not None:
        body["tries_allowed"] = tries_allowed
    created = admin.post("/api/data-sources", json=body)
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


def test_an_unknown_source_is_refused_as_one_where_tries_are_off(editor: Client) -> None:
    """A guessed name tells nothing of whether the source exists to a user who cannot list them."""
    found = _try(editor, _unique("nowhere"), "SELECT 1")
    assert found["failure"]["code"] == "sql_try_not_allowed", found
    assert found["failure"]["params"] == {"source": found["failure"]["params"]["source"]}


def test_a_viewer_may_not_try(user_factory: UserFactory, sqlite_source: str) -> None:
    viewer = user_factory("viewer")
    answer = viewer.post(f"/api/data-sources/{sqlite_source}/try", json={"query": "SELECT 1", "params": {}})
    assert answer.status_code == 403, answer.text


# Security review: a masked reader's values read `[hidden]` but NULL and "" came back as they were, so 64 columns of
# `CASE WHEN <bit> THEN 'x' ELSE NULL END` read a card number in one request. Whatever a chosen query's run tells
# (values, null-ness, how many rows, its errors) tells the data: such a user is not let to try at all.
CARD = "4111111111111111"
BIT_ORACLE = ", ".join(
    f"CASE WHEN (CAST(holder AS INTEGER) >> {bit}) & 1 THEN 'x' ELSE NULL END AS b{bit}" for bit in range(64)
)


def _refused_for_personal_data(answer: httpx.Response) -> None:
    assert answer.status_code == 403, answer.text
    body = answer.json()
    assert body["type"].endswith("/personal-data-needed"), body
    assert "an admin must grant seeing personal data to try queries against live databases" in body["detail"], body
    assert [problem["code"] for problem in body["problems"]] == ["personal_data_needed"], body
    assert "rows" not in body and "failure" not in body, body


def test_an_editor_without_personal_data_may_not_try(
    admin: Client, user_factory: UserFactory, sqlite_file: Path
) -> None:
    with sqlite3.connect(sqlite_file) as db:
        db.execute("INSERT INTO accounts (phone, holder, balance) VALUES ('+34600555000', ?, 1)", (CARD,))
    source = _add_source(admin, f"sqlite:///{sqlite_file}")
    masked = user_factory("editor", personal_data=False)
    query = f"SELECT {BIT_ORACLE} FROM accounts WHERE phone = :p"
    body = {"query": query, "params": {"p": "+34600555000"}}
    _refused_for_personal_data(masked.post(f"/api/data-sources/{source}/try", json=body))
    # Refused whatever the query and the source: before anything about them is looked at.
    _refused_for_personal_data(masked.post(f"/api/data-sources/{_unique('nowhere')}/try",
                                           json={"query": "SELECT 1", "params": {}}))  # fmt: skip
    events = admin.get("/api/audit", params={"target": f"data_source:{source}"}).json()
    assert [event["action"] for event in events] == ["try_query"], events
    assert events[0]["actor"] == _me(masked)
    assert events[0]["details"] == {"query": query, "rows": 0, "code": "personal_data_needed", "refused": True,
                                    "personal_data": False}  # fmt: skip
    seer = _try(user_factory("editor"), source, query, {"p": "+34600555000"})
    assert seer["ok"] is True and len(seer["columns"]) == 64, seer  # unchanged for who sees personal data


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


# -- security review of 2026-12-07 -------------------------------------------------------------------------------

SSN = "123-45-6789"


def _me(client: Client) -> str:
    return str(client.get("/api/auth/me").json()["user"]["username"])


def test_a_writable_source_allows_no_tries_until_an_admin_says_so(
    admin: Client, editor: Client, sqlite_file: Path
) -> None:
    source = _add_source(admin, f"sqlite:///{sqlite_file}", tries_allowed=None)
    [listed] = [s for s in admin.get("/api/data-sources").json() if s["name"] == source]
    assert listed["tries_allowed"] is False, listed
    refused = _try(editor, source, "SELECT 1 AS one")
    assert refused["ok"] is False and refused["failure"]["code"] == "sql_try_not_allowed", refused
    assert refused["failure"]["params"] == {"source": source}
    assert "an administrator has not allowed tries on this data source" in refused["failure"]["message"]

    changed = admin.patch(f"/api/data-sources/{listed['id']}", json={"tries_allowed": True})
    assert changed.status_code == 200 and changed.json()["tries_allowed"] is True, changed.text
    assert _try(editor, source, "SELECT 1 AS one")["rows"] == [{"one": 1}]


def test_a_read_only_source_allows_tries_by_default(admin: Client, sqlite_file: Path) -> None:
    created = admin.post("/api/data-sources", json={"name": _unique("ro"), "url": f"sqlite:///{sqlite_file}"})
    assert created.status_code == 201 and created.json()["tries_allowed"] is True, created.text


def test_every_try_is_audited_with_whether_values_were_shown(
    admin: Client, user_factory: UserFactory, sqlite_source: str
) -> None:
    editor = user_factory("editor")
    _try(editor, sqlite_source, READ, {"caller_id": "+34600111222"})
    _try(editor, sqlite_source, "SELECT nothing FROM nowhere")
    events = admin.get("/api/audit", params={"target": f"data_source:{sqlite_source}"}).json()
    assert [event["action"] for event in events] == ["try_query", "try_query"], events
    failed, answered = events
    assert answered["actor"] == _me(editor)
    assert answered["details"] == {"query": READ, "rows": 1, "personal_data": True}
    assert failed["details"]["rows"] == 0 and failed["details"]["code"] == "sql_query_failed", failed


def test_tries_are_rate_limited_per_user(editor: Client, user_factory: UserFactory, sqlite_source: str) -> None:
    for _ in range(20):
        assert _try(editor, sqlite_source, "SELECT 1 AS one")["ok"] is True
    answer = editor.post(f"/api/data-sources/{sqlite_source}/try", json={"query": "SELECT 1 AS one", "params": {}})
    assert answer.status_code == 200, answer.text
    failure = answer.json()["failure"]
    assert failure["code"] == "sql_try_rate_limited", failure
    assert 1 <= failure["params"]["seconds"] <= 60 and answer.headers["Retry-After"] == str(
        failure["params"]["seconds"]
    )
    assert _try(user_factory("editor"), sqlite_source, "SELECT 1 AS one")["ok"] is True  # another user's budget


def test_a_huge_value_is_cut_and_so_is_the_whole_answer(editor: Client, sqlite_source: str) -> None:
    found = _try(editor, sqlite_source, "SELECT hex(zeroblob(75000)) AS a")
    assert found["ok"] is True, found
    assert found["rows"][0]["a"] == "0" * 1000 + "…(149000 more characters)"
    many = ", ".join(f"hex(zeroblob(1000)) AS c{n}" for n in range(300))
    answer = editor.post(f"/api/data-sources/{sqlite_source}/try",
                         json={"query": f"SELECT {many} FROM accounts", "params": {}})  # fmt: skip
    assert answer.status_code == 200 and answer.json()["ok"] is True, answer.text[:300]
    assert len(answer.content) < 200_000, len(answer.content)
    assert len(answer.json()["rows"]) == 5 and answer.json()["rows"][4]["c299"].startswith("…(")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A database of our own on the test PostgreSQL server, with a customer whose SSN an editor reads masked."""
    with pg.throwaway_database("tryq") as url:
        with psycopg.connect(_libpq(url), autocommit=True) as conn:
            conn.execute("CREATE TABLE customers (id int PRIMARY KEY, ssn text, phone text)")
            conn.execute("INSERT INTO customers VALUES (1, %s, '+34600111222')", (SSN,))
        yield url


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.mark.postgres
def test_postgres_tries_only_for_who_sees_personal_data(
    admin: Client, user_factory: UserFactory, postgres_url: str
) -> None:
    """The database's words quoted a value the rows showed masked; now a masked reader gets no words at all, and
    one who sees personal data reads them whole, as before."""
    source = _add_source(admin, postgres_url)
    masked = user_factory("editor", personal_data=False)
    for query in ("SELECT cast(ssn as int) FROM customers", "SELECT CASE WHEN ssn LIKE '1%' THEN NULL ELSE 'x' END "
                  "AS bit FROM customers"):  # fmt: skip
        _refused_for_personal_data(masked.post(f"/api/data-sources/{source}/try", json={"query": query, "params": {}}))
    shown = _try(user_factory("editor"), source, "SELECT cast(ssn as int) FROM customers")
    assert SSN in shown["failure"]["params"]["detail"], shown


def _let_stopped_queries_go(database: str) -> None:
    """Wait for the queries the server stops at their timeout, after their tries answered `data_source_timeout`,
    and collect their cursors here: psycopg warns of a server-side cursor an error left open, at whichever test
    the collector runs in (persistence.datasources leaves it to the driver; left alone by this review)."""
    deadline = time.monotonic() + 10
    with psycopg.connect(_libpq(pg.server_url()), autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active'", (database,)
            ).fetchone()
            if not row or row[0] == 0:
                break
            time.sleep(0.1)
    time.sleep(0.2)
    gc.collect()


@pytest.mark.postgres
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_postgres_tries_share_two_connections_and_say_busy(
    admin: Client, user_factory: UserFactory, postgres_url: str
) -> None:
    source = _add_source(admin, postgres_url)
    database = postgres_url.rsplit("/", 1)[1]
    editors = [user_factory("editor") for _ in range(8)]
    seen: list[int] = []
    done = threading.Event()

    def watch() -> None:
        with psycopg.connect(_libpq(postgres_url), autocommit=True) as conn:
            while not done.is_set():
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (database,)
                ).fetchone()
                seen.append(int(row[0]) if row else 0)
                time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(len(editors)) as pool:
            answers = list(pool.map(lambda client: _try(client, source, "SELECT pg_sleep(2) AS slept"), editors))
    finally:
        done.set()
        watcher.join()
    _let_stopped_queries_go(database)
    codes = sorted("ok" if a["ok"] else a["failure"]["code"] for a in answers)
    assert codes.count("ok") == 2 and "data_source_busy" in codes, codes
    assert set(codes) <= {"ok", "data_source_busy", "data_source_timeout"}, codes
    assert max(seen) <= 2, seen


@pytest.mark.mariadb
def test_mariadb_tries_only_for_who_sees_personal_data(
    admin: Client, user_factory: UserFactory, mariadb_url: str
) -> None:
    source = _add_source(admin, mariadb_url)
    root = pymysql.connect(host=MARIADB[0], port=MARIADB[1], user="root", autocommit=True,
                           database=mariadb_url.rsplit("/", 1)[1])  # fmt: skip
    with root.cursor() as cursor:
        cursor.execute("CREATE TABLE customers (id INT PRIMARY KEY, ssn TEXT)")
        cursor.execute("INSERT INTO customers VALUES (1, %s)", (SSN,))
    root.close()
    query = "SELECT extractvalue(1, concat(0x7e, (SELECT ssn FROM customers LIMIT 1))) AS x"
    masked = user_factory("editor", personal_data=False)
    _refused_for_personal_data(masked.post(f"/api/data-sources/{source}/try", json={"query": query, "params": {}}))
    found = _try(user_factory("editor"), source, "SELECT ssn FROM customers")
    assert found["rows"] == [{"ssn": SSN}], found
