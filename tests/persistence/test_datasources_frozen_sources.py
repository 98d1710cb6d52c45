"""However many data sources froze, an SQL block on a healthy one still answers.

Review of 2026-12-06: each source could hold half of one pool of 16 query threads, so two frozen sources (two
databases on one server that froze, say) held all of them, and a query to a healthy source, even a local SQLite
file, failed with "did not answer" although its server answered at once."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from pathlib import Path

from graph_engine.errors import DataSourceError
from persistence import datasources
from persistence.datasources import QUERY_THREADS_PER_SOURCE, DatabaseDataSources
from persistence.db import Database

FROZEN = ("crm", "staff", "billing")


@contextlib.asynccontextmanager
async def _frozen_server() -> AsyncIterator[int]:
    """The port of a server that accepts connections and never says a word (a database that froze)."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for writer in held:
            writer.transport.abort()


def _query_threads(source: str) -> int:
    return sum(1 for thread in threading.enumerate() if thread.name == f"data-source {source}")


async def test_three_frozen_sources_leave_a_healthy_source_its_threads(database: Database, tmp_path: Path) -> None:
    async with _frozen_server() as port:
        with database.session() as session:
            for name in FROZEN:
                datasources.create_data_source(session, name=name, url=f"postgresql://x@127.0.0.1:{port}/{name}")
            datasources.create_data_source(session, name="lite", url=f"sqlite:///{tmp_path / 'lite.sqlite3'}")
        service = DatabaseDataSources(database)  # the defaults a node runs with
        more_than_a_share = QUERY_THREADS_PER_SOURCE + 2
        stuck = [
            asyncio.create_task(service.query(name, "SELECT 1", {}, timeout=2, max_rows=1))
            for name in FROZEN
            for _ in range(more_than_a_share)
        ]
        try:
            await asyncio.sleep(0.3)  # every frozen source's threads wait for a greeting (libpq waits 5 s)
            assert all(_query_threads(name) <= QUERY_THREADS_PER_SOURCE for name in FROZEN)  # its share, no more
            assert await service.query("lite", "SELECT 1 AS one", {}, timeout=1, max_rows=1) == [{"one": 1}]
            outcomes = await asyncio.gather(*stuck, return_exceptions=True)
        finally:
            service.close()
    # Each frozen source's blocks fail with their own errors: those that had a thread at their timeout, the
    # others found every place of that source taken (its server may be slow or not answering).
    messages = [str(outcome) for outcome in outcomes if isinstance(outcome, DataSourceError)]
    assert len(messages) == len(stuck)
    for name in FROZEN:
        own = [message for message in messages if f"data source {name!r}" in message]
        assert own.count(f"data source {name!r} did not answer within 2 s") == QUERY_THREADS_PER_SOURCE
        assert sum("is busy" in message for message in own) == more_than_a_share - QUERY_THREADS_PER_SOURCE
    assert _query_threads("lite") == 0  # a thread lives as long as its query: an idle source has none
