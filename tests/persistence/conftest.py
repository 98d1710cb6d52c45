"""Database fixtures: every persistence test runs on SQLite and on PostgreSQL (see pg.py for where PG comes from)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from persistence.db import Database
from persistence.migrate import upgrade
from tests.persistence import pg

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One migrated throwaway PostgreSQL database for the whole session; tests empty it after themselves."""
    with pg.throwaway_database() as url:
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head per worker, copied for each test: running every migration again for each
    of the ~400 SQLite tests took a quarter of a second each, a minute of the suite on two cores."""
    path = tmp_path_factory.mktemp("migrated") / "head.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's own backup, not a file copy: whatever the migrations left in a write-ahead log comes along."""
    with closing(sqlite3.connect(source)) as migrated, closing(sqlite3.connect(target)) as fresh:
        migrated.backup(fresh)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        _copy_sqlite(request.getfixturevalue("migrated_sqlite"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    database = Database(url)
    try:
        pg.empty_tables(database)
    finally:
        database.dispose()


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def c_locale_database() -> Iterator[Database]:
    """A migrated PostgreSQL database created with LC_CTYPE 'C', whose lower() folds ASCII letters only: the
    searches that fold case must find Cyrillic names there too. One a test module."""
    with pg.throwaway_database("ivrgraph_c_locale", c_locale=True) as url:
        upgrade(url)
        database = Database(url)
        try:
            yield database
        finally:
            database.dispose()
