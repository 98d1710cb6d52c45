from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from persistence.db import Database, make_engine
from persistence.migrate import current_revision, upgrade
from persistence.models import Base
from tests.persistence import pg


def test_migrations_create_exactly_the_models(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_model_table_exists_after_upgrade(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert {table.name for table in Base.metadata.sorted_tables} <= tables
    assert current_revision(database.url) is not None


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    before = current_revision(database_url)
    upgrade(database_url)
    assert current_revision(database_url) == before


def test_0002_keeps_the_versions_and_never_reuses_their_ids(tmp_path: Path) -> None:
    """A database made before 0002: its versions survive the rebuild, and a deleted newest id is not handed out
    again (the version stamp other nodes poll)."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0001")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO scenarios (id, slug, name, description, draft_document, draft_revision, "
                          "created_at, created_by, updated_at, updated_by) VALUES (1, 's', 'S', '', '{}', 1, "
                          "'2026-01-01', 'x', '2026-01-01', 'x')"))  # fmt: skip
        for number in (1, 2):
            conn.execute(text("INSERT INTO scenario_versions (scenario_id, number, document, message, "
                              "validation_summary, created_at, created_by) VALUES (1, :n, '{}', '', '{}', "
                              "'2026-01-01', 'x')"), {"n": number})  # fmt: skip
    engine.dispose()
    upgrade(url, "0002")
    assert current_revision(url) == "0002"
    engine = make_engine(url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT id, number FROM scenario_versions ORDER BY id")).all() == [(1, 1), (2, 2)]
        conn.execute(text("DELETE FROM scenario_versions WHERE id = 2"))
        conn.execute(text("INSERT INTO scenario_versions (scenario_id, number, document, message, "
                          "validation_summary, created_at, created_by) VALUES (1, 3, '{}', '', '{}', "
                          "'2026-01-01', 'x')"))  # fmt: skip
        assert conn.execute(text("SELECT max(id) FROM scenario_versions")).scalar() == 3
    engine.dispose()


def test_0003_callback_jobs_keep_their_window_and_older_jobs_none(tmp_path: Path) -> None:
    """Jobs made before 0003 keep their row, with no hours kept (their window_end stays final)."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0002")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO callback_jobs (id, due, number, scenario, variables, attempts, max_attempts, "
                          "status, created_at) VALUES ('j', '2026-01-01', '+34600111222', 'cb', '{}', 0, 3, "
                          "'pending', '2026-01-01')"))  # fmt: skip
    engine.dispose()
    upgrade(url, "0003")
    assert current_revision(url) == "0003"
    engine = make_engine(url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT id, allowed_hours FROM callback_jobs")).all() == [("j", None)]
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0004_copies_each_calls_result_out_of_its_variables(tmp_path: Path, backend: str) -> None:
    """Calls recorded before 0004 can be filtered by their result too: it is copied out of their variables."""
    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path / 'old.sqlite3'}"
            if backend == "sqlite"
            else stack.enter_context(pg.throwaway_database("mig"))
        )
        _results_after_0004(url)


def _results_after_0004(url: str) -> None:
    upgrade(url, "0003")
    engine = make_engine(url)
    with engine.begin() as conn:
        for call_id, variables in (("a", '{"result": "will_pay"}'), ("b", '{"result": 3}'), ("c", '{"result": ""}'),
                                   ("d", '{}'), ("e", '{"result": {"x": 1}}')):  # fmt: skip
            conn.execute(text("INSERT INTO call_records (id, scenario, caller_id, caller_name, dialed_number, "
                              "channel, node, started_at, duration_ms, outcome, status, variables, trace) VALUES "
                              "(:id, 's', '', '', '', '', '', '2026-01-01', 0, 'hung_up', 'answered', :v, '{}')"),
                         {"id": call_id, "v": variables})  # fmt: skip
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT id, result FROM call_records ORDER BY id")).all()
    engine.dispose()
    assert rows == [("a", "will_pay"), ("b", "3"), ("c", None), ("d", None), ("e", None)]
