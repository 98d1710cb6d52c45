"""`ivrgraph serve`'s daily purge (api.serve.purge_daily), on SQLite and PostgreSQL: after its first delay it applies
the retention settings to the database and to the node's spool, once across the nodes sharing the database, and
a stop asked for ends a purge under way after its batch."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agi_server.records import CallRecord as SpooledCall
from agi_server.spool import RecordSpool
from api.serve import purge_daily
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.models import AuditEvent
from persistence.retention import PURGE_ACTION, RetentionPolicy
from tests.persistence import pg
from tests.persistence.kept_data import DAY, call_ids, write_calls

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'ivrgraph.sqlite3'}"
        else:
            url = stack.enter_context(pg.throwaway_database("serve_purge"))
        upgrade(url)
        yield url


def _purges(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).where(AuditEvent.action == PURGE_ACTION)) or 0)


def _aged_spool_file(spool: RecordSpool, days: int) -> Path:
    now = datetime.now(UTC)
    written = spool.put([SpooledCall(call_id="x", scenario="s", version=1, started_at=now, ended_at=now,
                                     outcome="hung_up")])  # fmt: skip
    aged = written.with_name(f"records-{int((now - timedelta(days=days)).timestamp() * 1e9):020d}-1-000001.jsonl")
    written.rename(aged)
    return aged


async def _nodes_purging(urls: list[str], spools: list[RecordSpool], policy: RetentionPolicy, seconds: float) -> None:
    """Each of `urls` a node purging every 0.1 s for `seconds`, then stopped."""
    stop = threading.Event()
    databases = [Database(url) for url in urls]
    tasks = [
        asyncio.create_task(purge_daily(database, policy, spool, stop=stop, first_delay=0.05, interval=0.1))
        for database, spool in zip(databases, spools, strict=True)
    ]
    try:
        await asyncio.sleep(seconds)
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0.2)  # a purge's thread ends its batch
        for database in databases:
            database.dispose()


def test_the_daily_purge_runs_once_across_nodes_and_clears_each_nodes_spool(database_url: str, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    database = Database(database_url)
    try:
        write_calls(database, {"call_id": "old", "started_at": now - 40 * DAY}, {"call_id": "new", "started_at": now})
        spools = [RecordSpool(tmp_path / "node-1"), RecordSpool(tmp_path / "node-2")]
        aged = [_aged_spool_file(spool, 40) for spool in spools]
        recent = _aged_spool_file(spools[0], 1)

        asyncio.run(_nodes_purging([database_url, database_url], spools, RetentionPolicy(calls=30 * DAY), 1.5))

        assert call_ids(database) == {"new"}
        assert _purges(database) == 1  # many turns on two nodes: one purge a day
        assert not any(path.exists() for path in aged) and recent.exists()  # each node's own disk, every turn
    finally:
        database.dispose()


def test_a_purge_failing_is_tried_again_at_the_next_turn(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'not-migrated.sqlite3'}"  # no tables yet: every purge fails
    spool = RecordSpool(tmp_path / "spool")
    asyncio.run(_nodes_purging([url], [spool], RetentionPolicy(), 0.5))
    failures = [record for record in caplog.records if "retention purge failed" in record.getMessage()]
    assert len(failures) >= 2
