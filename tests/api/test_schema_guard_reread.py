"""The schema guard's re-read, over real HTTP on SQLite and PostgreSQL (security review): once its cached revision is
older than the TTL, the first request waited for nothing and was served under the old rules while the revision was
read again; it now waits for that read, a while (api.schema_guard.REREAD_WAIT), as for the first one."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy import text

from api.app import create_app
from api.schema_guard import CHECK_TTL
from api.settings import Settings
from persistence.db import Database
from persistence.migrate import head_revision, upgrade
from persistence.publishing import PublishHub
from tests.persistence import pg

ADMIN, PASSWORD = "root", "root-password-1"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def node(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Database]]:
    """A running API node (its base URL) and its database, migrated to this release."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'reread.sqlite3'}"
        else:
            url = stack.enter_context(pg.throwaway_database("reread"))
        upgrade(url)
        database = Database(url)
        stack.callback(database.dispose)
        settings = Settings(database_url=url, migrate_on_start=False, admin_user=ADMIN, admin_password=PASSWORD)
        app = create_app(settings, hub=PublishHub(), database=database)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        stack.callback(thread.join, 10)
        stack.callback(setattr, server, "should_exit", True)
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "the API server did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}", database


def _stamp(database: Database, revision: str) -> None:
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def test_the_first_request_past_the_ttl_is_answered_under_the_revision_read_then(node: tuple[str, Database]) -> None:
    base_url, database = node
    with httpx.Client(base_url=base_url, timeout=10) as client:
        assert client.post("/api/auth/login", json={"username": ADMIN, "password": PASSWORD}).status_code == 200
        assert client.get("/api/scenarios").status_code == 200  # the revision read, and cached

        _stamp(database, "9999")  # a newer release's `ivrgraph db upgrade`, while this node runs
        time.sleep(CHECK_TTL + 0.2)
        assert client.get("/api/scenarios").status_code == 503  # not once more under the old rules

        _stamp(database, head_revision())
        time.sleep(CHECK_TTL + 0.2)
        assert client.get("/api/scenarios").status_code == 200  # nor refused once more when it is back
