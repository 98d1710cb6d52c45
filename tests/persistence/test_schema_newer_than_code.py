"""A node whose database a newer ivrgraph migrated claims no callback job (ops review, upgrading 0023 to 0027 node
by node: an old node kept dialling a campaign a new node had paused, the pause being a column its code does not
read). The dialer's claim reads the schema revision in its own transaction and claims nothing at one it does not
know; `ivrgraph db upgrade` names the migrations that need every node stopped (`STOP_ALL_NODES`)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from persistence import callbacks
from persistence.db import Database
from persistence.migrate import head_revision, newer_revision, stop_all_nodes, upgrade
from tests.persistence import pg
from tests.persistence.published import publish

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NEWER = "9999"  # a revision this code does not know: what a later release's migration stamps
_later = itertools.count(10_000)  # more of them: each is warned of once a process


@contextlib.contextmanager
def stamped(database: Database, revision: str) -> Iterator[None]:
    """The database stamped at `revision` for the block, then at this code's head again (the PostgreSQL database is
    shared by the session's tests)."""
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    try:
        yield
    finally:
        with database.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": head_revision()})


def _job(database: Database) -> str:
    with database.session() as session:
        return callbacks.create_job(session, number="+34600111222", scenario="cb", due=NOW).id


def test_no_job_is_claimed_on_a_database_a_newer_ivrgraph_migrated(database: Database) -> None:
    """The claim takes nothing, and says why (`Claimed.schema_newer`): the dialer tells the log and the metrics
    for as long as it lasts (tests/agi_server/test_dialer_schema_newer.py); an empty claim says nothing of it."""
    publish(database, "cb")
    job_id = _job(database)
    newer = str(next(_later))
    with stamped(database, newer):
        for _ in range(3):
            with database.session() as session:
                claimed = callbacks.claim_due_jobs(session, now=NOW, limit=10, node_id="old")
                assert claimed == [] and claimed.schema_newer == newer
                assert callbacks.get_job(session, job_id=job_id).status == "pending"
    with database.session() as session:  # at its own revision again (the node upgraded): it dials
        claimed = callbacks.claim_due_jobs(session, now=NOW, limit=10, node_id="new")
        assert [j.id for j in claimed] == [job_id] and claimed.schema_newer is None
        assert callbacks.claim_due_jobs(session, now=NOW, limit=10, node_id="new").schema_newer is None  # none due


def test_the_revision_is_read_in_the_callers_transaction(database: Database) -> None:
    with database.session() as session:
        assert newer_revision(session.connection()) is None
    with stamped(database, NEWER), database.session() as session:
        assert newer_revision(session.connection()) == NEWER


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_an_upgrade_names_the_migrations_that_need_every_node_stopped(tmp_path: Path, backend: str) -> None:
    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
        else:
            url = stack.enter_context(pg.throwaway_database("stopall"))
        upgrade(url, "0023")  # where the ops review's install was
        assert [revision for revision, _ in stop_all_nodes(url)] == ["0024", "0025", "0027"]
        assert all(reason for _, reason in stop_all_nodes(url))
        upgrade(url, "0025")
        assert [revision for revision, _ in stop_all_nodes(url)] == ["0027"]
        upgrade(url)
        assert stop_all_nodes(url) == []
