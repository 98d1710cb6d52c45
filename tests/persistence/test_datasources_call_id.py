"""A data source's warnings name the call they happened during (support review: a refused login's warning named
the source and the driver's words, not the call, so matching it to a complaint needed a developer). The call's id
comes from its task's context (graph_engine.call_scope), into the thread the query runs on."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from graph_engine.call_scope import CALL_ID
from graph_engine.errors import DataSourceError
from persistence import datasources
from persistence.datasources import DatabaseDataSources
from persistence.db import Database


def _unreachable(database: Database, tmp_path: Path) -> DatabaseDataSources:
    """A source no connection can be made to (an SQLite file in a folder that does not exist)."""
    with database.session() as session:
        url = f"sqlite:///{tmp_path / 'missing' / 'staff.sqlite3'}"
        datasources.create_data_source(session, name="staff", url=url, read_only=True)
    return DatabaseDataSources(database)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "persistence.datasources" and r.levelno == logging.WARNING]


async def test_a_warning_logged_on_the_query_thread_names_the_call(
    database: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sources = _unreachable(database, tmp_path)

    async def call() -> None:
        CALL_ID.set("c0ffee")  # as the FastAGI server does in each call's task
        with pytest.raises(DataSourceError, match="cannot be reached"):
            await sources.query("staff", "SELECT 1", {}, timeout=5, max_rows=1)

    try:
        await asyncio.create_task(call())
    finally:
        sources.close()
    [warning] = _warnings(caplog)
    assert warning.call_id == "c0ffee"  # type: ignore[attr-defined]
    assert warning.getMessage().startswith("call_id=c0ffee data source 'staff': cannot connect: ")


async def test_outside_a_call_the_warning_is_as_it_was(
    database: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sources = _unreachable(database, tmp_path)
    try:
        with pytest.raises(DataSourceError):
            await sources.query("staff", "SELECT 1", {}, timeout=5, max_rows=1)
    finally:
        sources.close()
    [warning] = _warnings(caplog)
    assert warning.getMessage().startswith("data source 'staff': cannot connect: ")
    assert not hasattr(warning, "call_id")
