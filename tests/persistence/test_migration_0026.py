"""Migration 0026 on SQLite and PostgreSQL: the versions stored before it that a rollback made with its own English
message ("rollback to version N", N a version before them) say the version they rolled back to; any other version,
a rollback given a message of its publisher's among them, says none; a downgrade drops the column, messages kept."""

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

_SCENARIO = ("INSERT INTO scenarios (id, slug, name, description, draft_document, draft_revision, latest_version, "
             "created_at, created_by, updated_at, updated_by) VALUES (1, 'sales', 'S', '', '{}', 1, 6, '2026-01-01', "
             "'x', '2026-01-01', 'x')")  # fmt: skip
_VERSION = ("INSERT INTO scenario_versions (scenario_id, number, document, message, validation_summary, created_at, "
            "created_by) VALUES (1, :n, '{}', :message, '{}', '2026-01-01', 'x')")  # fmt: skip
# Versions as the release of 0025 holds them, by number with their messages.
_MESSAGES = {
    1: "first",
    2: "rollback to version 1 of the menu, Ana's way",  # a publisher's message that starts like one: no rollback
    3: "rollback to version 1",  # a rollback with no message of its publisher's
    4: "rollback to version 9",  # a version not before it: not one a rollback could have written
    5: "undo the holiday menu",  # a rollback with a message of its publisher's: not known as one
    6: "rollback to version 2",
}


def _old_database(stack: contextlib.ExitStack, tmp_path: Path, backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    return stack.enter_context(pg.throwaway_database("mig0026"))


def _columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("scenario_versions")}
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0026_the_rollbacks_english_messages_give_their_versions_and_a_downgrade_drops_the_column(
    tmp_path: Path, backend: str
) -> None:
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        upgrade(url, "0025")
        run_statements(url, (_SCENARIO, {}), *((_VERSION, {"n": n, "message": m}) for n, m in _MESSAGES.items()))

        upgrade(url, "0026")
        assert current_revision(url) == "0026"
        stored = run_statements(
            url, ("SELECT number, message, rolled_back_to FROM scenario_versions ORDER BY number", {})
        )
        assert stored == [(1, "first", None), (2, _MESSAGES[2], None), (3, "rollback to version 1", 1),
                          (4, "rollback to version 9", None), (5, "undo the holiday menu", None),
                          (6, "rollback to version 2", 2)]  # fmt: skip

        command.downgrade(alembic_config(url), "0025")
        assert current_revision(url) == "0025"
        assert "rolled_back_to" not in _columns(url)
        kept = run_statements(url, ("SELECT number, message FROM scenario_versions ORDER BY number", {}))
    assert kept == list(_MESSAGES.items())
