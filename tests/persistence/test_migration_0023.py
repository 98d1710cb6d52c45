"""Migration 0023 on a register that already holds calls, on SQLite and PostgreSQL: the names recorded before it are
folded (more of them than one batch of the backfill), the name search finds them by the new column, the indexes are
made, and a downgrade drops the column and keeps the records. On PostgreSQL, a database where pg_trgm cannot be
created still migrates, without the trigram index and with a warning; one that has it in a schema of its own is
indexed with it."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from persistence import calls
from persistence.calls import CallFilter
from persistence.db import Database, make_engine
from persistence.migrate import alembic_config, current_revision, upgrade
from tests.persistence import pg
from tests.persistence.statements import run_statements

FILLERS = 5_003  # more than one batch (`BATCH`, 5,000) of the backfill
OLD_NAMES = {"old-a": "ПЕТРОВА Юлия", "old-b": "", "old-c": "СЕМЁНОВ Пётр", "old-d": "İSTANBUL Şubesi",
             "old-e": "JUAN PÉREZ", "old-f": "Straße"}  # fmt: skip
TRIGRAMS = "ix_call_records_caller_name_trgm"
UNFOLDED = "ix_call_records_name_unfolded"
_INSERT = (
    "INSERT INTO call_records (id, scenario, caller_id, caller_name, dialed_number, channel, node, asterisk_uniqueid, "
    "started_at, ended_at, duration_ms, outcome, status, variables, trace) VALUES (:id, 'debts', '+34600111222', "
    ":name, '', 'PJSIP/1', 'n1', '', :at, :at, 1000, 'hung_up', 'answered', '{}', '{}')"
)


def _old_database(stack: contextlib.ExitStack, tmp_path: Path, backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    return stack.enter_context(pg.throwaway_database("mig0023"))


def _record_before_0023(url: str, names: dict[str, str]) -> None:
    """Calls as a release before 0023 wrote them, a second apart."""
    rows = [{"id": call_id, "name": name, "at": f"2026-12-01 {n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}"}
            for n, (call_id, name) in enumerate(names.items())]  # fmt: skip
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(_INSERT), rows)
    finally:
        engine.dispose()


def _found(url: str, typed: str) -> list[str]:
    database = Database(url)
    try:
        with database.session() as session:
            rows, _ = calls.list_calls(session, filters=CallFilter(caller_name=typed, scenario="debts"), limit=100)
            return sorted(row.id for row in rows)
    finally:
        database.dispose()


def _indexes(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {index["name"] for index in inspect(engine).get_indexes("call_records") if index["name"]}
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0023_folds_the_names_recorded_before_it(tmp_path: Path, backend: str) -> None:
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        upgrade(url, "0022")
        fillers = {f"filler-{n:05d}": f"Caller {n} Ñandú" for n in range(FILLERS)}
        _record_before_0023(url, {**OLD_NAMES, **fillers})
        upgrade(url)
        rows = run_statements(url, ("SELECT id, caller_name_folded FROM call_records", {}))
        stored = {str(call_id): folded for call_id, folded in rows}
        assert {call_id: stored[call_id] for call_id in OLD_NAMES} == {
            "old-a": "петрова юлия",
            "old-b": "",
            "old-c": "семенов петр",
            "old-d": "istanbul şubesi",
            "old-e": "juan pérez",
            "old-f": "strasse",
        }
        assert all(stored[call_id] == name.casefold() for call_id, name in fillers.items())  # every batch
        assert _found(url, "петрова") == ["old-a"]
        assert _found(url, "семёнов") == ["old-c"]
        assert _found(url, "istanbul") == ["old-d"]
        assert _found(url, "Caller 5002 ÑANDÚ") == ["filler-05002"]  # the last batch's
        assert {TRIGRAMS, UNFOLDED} <= _indexes(url)

        command.downgrade(alembic_config(url), "0022")
        assert current_revision(url) == "0022"
        engine = make_engine(url)
        try:
            columns = {column["name"] for column in inspect(engine).get_columns("call_records")}
        finally:
            engine.dispose()
        assert "caller_name_folded" not in columns
        assert {TRIGRAMS, UNFOLDED}.isdisjoint(_indexes(url))
        assert run_statements(url, ("SELECT count(*) FROM call_records", {})) == [(len(OLD_NAMES) + FILLERS,)]


@contextlib.contextmanager
def _limited_role(url: str, *statements: str) -> Iterator[str]:
    """`url` as a new role that owns nothing and may not create extensions (no CREATE on the database: a
    deployment's application user), after `statements` run there as the administrator; the role dropped after."""
    role = f"ivrgraph_app_{uuid.uuid4().hex[:8]}"
    admin = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'GRANT USAGE, CREATE ON SCHEMA public TO "{role}"')
        for statement in statements:
            conn.execute(statement.format(role=role))
    try:
        yield make_url(url).set(username=role).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')


@pytest.mark.postgres
def test_0023_without_the_right_to_create_pg_trgm_migrates_without_the_trigram_index(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pg.throwaway_database("mig0023_app") as url, _limited_role(url) as app:
        upgrade(app, "0022")
        _record_before_0023(app, OLD_NAMES)
        with caplog.at_level(logging.WARNING, logger="persistence.migrations"):
            upgrade(app, "0023")
        assert current_revision(app) == "0023"
        indexes = _indexes(app)
        assert TRIGRAMS not in indexes
        assert UNFOLDED in indexes
        assert _found(app, "ПЕТРОВА") == ["old-a"]  # read from the register, folded all the same
        [warning] = [record for record in caplog.records if record.name == "persistence.migrations"]
        assert warning.levelno == logging.WARNING
        message = warning.getMessage()
        assert "permission denied" in message
        assert "CREATE EXTENSION pg_trgm;" in message
        assert f"CREATE INDEX {TRIGRAMS} ON call_records USING gin (caller_name_folded gin_trgm_ops)" in message


ADMIN_INSTALLS_PG_TRGM = (
    "CREATE SCHEMA extensions",
    "CREATE EXTENSION pg_trgm SCHEMA extensions",
    'GRANT USAGE ON SCHEMA extensions TO "{role}"',
)


@pytest.mark.postgres
def test_0023_uses_pg_trgm_an_administrator_created_in_a_schema_of_its_own() -> None:
    """As managed services and some administrators install extensions: in a schema off the search path."""
    with (
        pg.throwaway_database("mig0023_ext") as url,
        _limited_role(url, *ADMIN_INSTALLS_PG_TRGM) as app,
    ):
        upgrade(app)
        assert TRIGRAMS in _indexes(app)
        assert _found(app, "петрова") == []
