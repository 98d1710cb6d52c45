"""Migration 0031 on SQLite and PostgreSQL: data sources get `tries_allowed` (the designer's "Try query" on them,
security review of 2026-12-07). Sources stored before it keep their rows; tries are allowed on a read-only one and
not on a writable one, whose account may read what editors should not; a downgrade drops the column."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from persistence.db import make_engine
from persistence.migrate import alembic_config, current_revision, upgrade
from tests.persistence import pg
from tests.persistence.statements import run_statements

_SOURCE = ("INSERT INTO data_sources (name, url, read_only, description, created_at, updated_at) VALUES (:name, "
           "'sqlite:///crm.sqlite3', :read_only, 'the CRM', '2026-12-01 09:00:00', '2026-12-01 09:00:00')")  # fmt: skip


def _columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("data_sources")}
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0031_allows_tries_on_read_only_sources_only_and_goes_back(tmp_path: Path, backend: str) -> None:
    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path / 'old.sqlite3'}"
            if backend == "sqlite"
            else stack.enter_context(pg.throwaway_database("mig0031"))
        )
        upgrade(url, "0030")
        run_statements(
            url, (_SOURCE, {"name": "crm", "read_only": True}), (_SOURCE, {"name": "ledger", "read_only": False})
        )

        upgrade(url, "0031")
        assert current_revision(url) == "0031"
        stored = run_statements(
            url, ("SELECT name, read_only, tries_allowed, description FROM data_sources ORDER BY name", {})
        )
        assert [(name, bool(ro), bool(tries), text) for name, ro, tries, text in stored] == [
            ("crm", True, True, "the CRM"),
            ("ledger", False, False, "the CRM"),
        ]

        command.downgrade(alembic_config(url), "0030")
        assert current_revision(url) == "0030"
        assert "tries_allowed" not in _columns(url)
        assert run_statements(url, ("SELECT name FROM data_sources ORDER BY name", {})) == [("crm",), ("ledger",)]
