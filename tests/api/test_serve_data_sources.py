"""`ivrgraph serve`: a data source edited through the API reaches the next call at once (chaos review: the API and
the FastAGI server each kept their own copy of the sources' settings, and the PATCH cleared only the API's: the
employee call-through example placed right after `PATCH /api/data-sources/1` still queried the old database, and
did so for up to 30 s, while the route promised "calls in this process use the new settings from now on").

The real process, its API over HTTP and its FastAGI server called by the fake Asterisk over TCP; the data source is
`staff`, which examples/employee-callthrough.json looks employees up in."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine

from persistence.calls import CallFilter, get_call, list_calls
from persistence.db import Database
from tests.api.serve_process import IVRGRAPH, ROOT, clean_env, running_serve
from tests.conftest import free_port
from tests.fakes.asterisk import FakeAsterisk, default_env

EMPLOYEE = "+34600999888"  # Luis's mobile in the staff table (tests/blocks/test_employee_lookup.py)


def _staff_database(path: Path, *, with_table: bool) -> str:
    """A SQLite staff database: with the employees table and Luis in it, or without it (every lookup fails, as
    the review's MariaDB did: "Table 'test.employees' doesn't exist")."""
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    with engine.begin() as conn:
        if with_table:
            conn.exec_driver_sql("CREATE TABLE employees (name TEXT, extension TEXT, mobile TEXT, active INT)")
            conn.exec_driver_sql(f"INSERT INTO employees VALUES ('Luis', '204', '{EMPLOYEE}', 1)")
        else:
            conn.exec_driver_sql("CREATE TABLE other (id INT)")
    engine.dispose()
    return url


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, int]]:
    api_port, agi_port = free_port(), free_port()
    env = clean_env(
        IVRGRAPH_ADMIN_USER="admin", IVRGRAPH_ADMIN_PASSWORD="admin-pass-1", IVRGRAPH_MEDIA_ROOT=str(tmp_path / "media")
    )
    ports = ["--port", str(api_port), "--agi-port", str(agi_port)]
    command = [*IVRGRAPH, "serve", *ports, "--seed", str(ROOT / "examples")]
    log = tmp_path / "serve.log"
    try:
        with running_serve(command, cwd=tmp_path, env=env, api_port=api_port, log=log):
            yield api_port, agi_port
    finally:
        print(log.read_text(errors="replace")[-3000:])  # shown by pytest when the test failed


def _lookup_exit(database: Database, agi_port: int, uniqueid: str) -> str:
    """Place an employee-callthrough call from Luis's mobile; the exit its SQL block (`lookup`) took."""
    env = default_env("employee-callthrough", agi_callerid=EMPLOYEE, agi_uniqueid=uniqueid)
    asyncio.run(FakeAsterisk("127.0.0.1", agi_port, env=env, hold=2).run(timeout=20))
    deadline = time.monotonic() + 15
    while True:
        with database.session() as session:
            found, _ = list_calls(session, filters=CallFilter(asterisk_uniqueid=uniqueid), limit=1)
            if found:
                steps = get_call(session, call_id=found[0].id).trace["steps"]
                return str(next(step["exit"] for step in steps if step["node"] == "lookup"))
        assert time.monotonic() < deadline, "the call's record never arrived"
        time.sleep(0.2)


@pytest.mark.slow
def test_an_edited_data_source_reaches_the_next_call_at_once(served: tuple[int, int], tmp_path: Path) -> None:
    api_port, agi_port = served
    without_table = _staff_database(tmp_path / "wrong.sqlite3", with_table=False)
    staff = _staff_database(tmp_path / "staff.sqlite3", with_table=True)
    database = Database(f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}")  # serve's default, in its working directory
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{api_port}") as client:
            login = client.post("/api/auth/login", json={"username": "admin", "password": "admin-pass-1"}).json()
            client.headers["X-CSRF-Token"] = login["csrf_token"]
            created = client.post("/api/data-sources", json={"name": "staff", "url": without_table})
            assert created.status_code == 201, created.text
            source = f"/api/data-sources/{created.json()['id']}"
            assert _lookup_exit(database, agi_port, "1.1") == "error"  # FastAGI now holds these settings

            assert client.patch(source, json={"url": staff}).status_code == 200
            assert _lookup_exit(database, agi_port, "1.2") == "found"  # at once: it went on failing for 30 s

            assert client.patch(source, json={"url": without_table}).status_code == 200
            assert _lookup_exit(database, agi_port, "1.3") == "error"  # and back again
    finally:
        database.dispose()
