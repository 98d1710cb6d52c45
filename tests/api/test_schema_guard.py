"""An API node whose database a newer ivrgraph migrated answers 503 `schema-newer-than-code` instead of serving
(ops review, upgrading 0023 to 0027 node by node: a token made with `sees_personal_data: false` read personal data
unmasked through a node of the older release, which did not read the column). Its `/readyz` says not ready, so the
load balancer takes it out; `/healthz` still says the process is up. The revision is read once every few seconds
(api.schema_guard.CHECK_TTL), not once a request."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from sqlalchemy import event, text

from api.app import create_app
from api.schema_guard import CHECK_TTL
from api.settings import Settings
from persistence.db import Database
from persistence.migrate import head_revision, upgrade
from persistence.publishing import PublishHub
from tests.persistence import pg

ADMIN, PASSWORD = "root", "root-password-1"
NEWER = "9999"  # what a later release's migration stamps


@dataclass
class Node:
    base_url: str
    database: Database
    revision_reads: list[str]  # each SELECT of alembic_version the node made


def _stamp(database: Database, revision: str) -> None:
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def node(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """A running API node of this release on a database of its own, migrated and then stamped at a newer revision
    (as a newer release's `db upgrade` leaves it); it does not migrate at start, as a node already running."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'guard.sqlite3'}"
        else:
            url = stack.enter_context(pg.throwaway_database("guard"))
        upgrade(url)
        database = Database(url)
        stack.callback(database.dispose)
        reads: list[str] = []

        def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
            if "alembic_version" in statement:
                reads.append(statement)

        event.listen(database.engine, "before_cursor_execute", seen)
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
        port = server.servers[0].sockets[0].getsockname()[1]
        yield Node(f"http://127.0.0.1:{port}", database, reads)


def _until(client: httpx.Client, path: str, status: int) -> httpx.Response:
    """`path`'s answer once it is `status`, asking again for up to the guard's cache time and a margin."""
    deadline = time.monotonic() + CHECK_TTL + 5
    while (answer := client.get(path)).status_code != status:
        assert time.monotonic() < deadline, (answer.status_code, answer.text)
        time.sleep(0.1)
    return answer


def test_a_node_on_a_database_a_newer_release_migrated_answers_503_and_is_not_ready(node: Node) -> None:
    with httpx.Client(base_url=node.base_url, timeout=10) as client:
        assert client.post("/api/auth/login", json={"username": ADMIN, "password": PASSWORD}).status_code == 200
        assert client.get("/api/scenarios").status_code == 200
        assert client.get("/readyz").json() == {"status": "ready"}

        _stamp(node.database, NEWER)  # a newer release's `ivrgraph db upgrade`, while this node runs
        refused = _until(client, "/api/scenarios", 503)
        assert refused.headers["content-type"] == "application/problem+json"
        body = refused.json()
        assert body["type"] == "https://ivrgraph.dev/problems/schema-newer-than-code"
        assert (body["database_revision"], body["code_revision"]) == (NEWER, head_revision())
        assert NEWER in body["detail"] and head_revision() in body["detail"]
        assert refused.headers["x-frame-options"] == "DENY"  # the usual headers still
        assert client.get("/api/calls").status_code == 503
        assert client.post("/api/auth/login", json={"username": ADMIN, "password": PASSWORD}).status_code == 503
        ready = client.get("/readyz")
        assert (ready.status_code, ready.json()) == (503, {"status": "schema newer than code"})
        assert client.get("/healthz").json() == {"status": "ok"}  # the process is up: no reason to restart it

        reads = len(node.revision_reads)
        for _ in range(20):
            assert client.get("/api/scenarios").status_code == 503
        assert len(node.revision_reads) - reads <= 1  # cached: not read once a request

        _stamp(node.database, head_revision())  # (a downgrade, or the backup restored): it serves again
        assert _until(client, "/api/scenarios", 200).status_code == 200
        assert client.get("/readyz").json() == {"status": "ready"}


def test_the_first_request_past_the_ttl_is_answered_under_the_revision_read_then(node: Node) -> None:
    """Once the cached revision is older than the TTL, the first request waited for nothing and was served under the
    old rules while the revision was read again (security review: a POST created a campaign); it now waits for that
    read, a while (api.schema_guard.REREAD_WAIT), as for the first one."""
    with httpx.Client(base_url=node.base_url, timeout=10) as client:
        assert client.post("/api/auth/login", json={"username": ADMIN, "password": PASSWORD}).status_code == 200
        assert client.get("/api/scenarios").status_code == 200  # the revision read, and cached

        _stamp(node.database, NEWER)
        time.sleep(CHECK_TTL + 0.2)
        assert client.get("/api/scenarios").status_code == 503  # not once more under the old rules

        _stamp(node.database, head_revision())
        time.sleep(CHECK_TTL + 0.2)
        assert client.get("/api/scenarios").status_code == 200  # nor refused once more when it is back
