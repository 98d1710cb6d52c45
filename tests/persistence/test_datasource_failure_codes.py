"""Every way a data source fails a SQL block is named (`DataSourceError.code` and its params), so the designer words
it in the analyst's language. Review of an Oktell administrator: a refused login, a missing database, a server not
answering and a busy source reached the Russian call log as English inside «сбой источника данных» (they were only
named as a whole, `data_source_failed`, by the SQL block). The English message stays as it was."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pymysql
import pytest
from sqlalchemy.engine import make_url

from graph_engine.errors import DataSourceError
from persistence import datasources
from persistence.datasources import DatabaseDataSources
from persistence.db import Database
from tests.persistence import pg
from tests.persistence.test_datasources import _frozen_server


async def _failure(database: Database, source: str, sql: str = "SELECT 1 AS one", **service: int) -> DataSourceError:
    sources = DatabaseDataSources(database, **service)
    try:
        with pytest.raises(DataSourceError) as caught:
            await sources.query(source, sql, {}, timeout=2, max_rows=1)
    finally:
        sources.close()
    return caught.value


def _source(database: Database, name: str, url: str, *, read_only: bool = True) -> None:
    with database.session() as session:
        datasources.create_data_source(session, name=name, url=url, read_only=read_only)


async def test_a_source_nobody_made_is_named(database: Database) -> None:
    failure = await _failure(database, "ghost")
    assert (failure.code, failure.params) == ("data_source_not_configured", {"source": "ghost"})
    assert str(failure) == "data source 'ghost' is not configured"


async def test_a_write_to_a_read_only_source_is_named(database: Database, tmp_path: Path) -> None:
    _source(database, "crm", f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    failure = await _failure(database, "crm", "DELETE FROM debts")
    assert (failure.code, failure.params) == ("data_source_read_only", {"source": "crm"})


async def test_a_query_refused_before_it_runs_is_named_with_its_reason(database: Database, tmp_path: Path) -> None:
    _source(database, "crm", f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    failure = await _failure(database, "crm", "SELECT 'open")
    assert failure.code == "sql_query_refused"
    assert failure.params == {"source": "crm", "detail": "a quoted string is not closed"}


async def test_a_source_that_cannot_be_reached_is_named(database: Database, tmp_path: Path) -> None:
    _source(database, "staff", f"sqlite:///{tmp_path / 'missing' / 'staff.sqlite3'}")
    failure = await _failure(database, "staff")
    assert (failure.code, failure.params) == ("data_source_unreachable", {"source": "staff"})
    assert str(failure) == "data source 'staff' cannot be reached now"


async def test_a_busy_source_is_named_with_how_many_queries_hold_it(database: Database) -> None:
    async with _frozen_server() as port:
        _source(database, "frozen", f"postgresql://x@127.0.0.1:{port}/crm")
        sources = DatabaseDataSources(database, workers=2)  # one place for the frozen source: the second waits
        try:
            asked = [sources.query("frozen", "SELECT 1", {}, timeout=0.5, max_rows=1) for _ in "ab"]
            outcomes = await asyncio.gather(*asked, return_exceptions=True)
        finally:
            sources.close()
    busy = [o for o in outcomes if isinstance(o, DataSourceError) and o.code == "data_source_busy"]
    assert busy, outcomes
    assert busy[0].params == {"source": "frozen", "running": 1}


@pytest.mark.postgres
async def test_a_database_missing_on_its_server_is_named(database: Database) -> None:
    url = make_url(pg.server_url()).set(database=f"gone_{uuid.uuid4().hex[:8]}")
    _source(database, "crm", url.render_as_string(hide_password=False))
    failure = await _failure(database, "crm")
    assert (failure.code, failure.params) == ("data_source_no_database", {"source": "crm"})


@pytest.mark.mariadb
async def test_a_refused_login_is_named(database: Database) -> None:
    try:
        pymysql.connect(host="127.0.0.1", port=3306, user="root").close()
    except pymysql.Error:
        pytest.skip("MariaDB is not running on 127.0.0.1:3306")
    _source(database, "crm", "mysql+pymysql://nobody_x:wrong@127.0.0.1:3306/test")
    failure = await _failure(database, "crm")
    assert (failure.code, failure.params) == ("data_source_login_refused", {"source": "crm"})
