"""Migration 0030 on SQLite and PostgreSQL: `dialling_hold` is made empty (a database migrated to it dials as it
did), holds one row at most, and going back is refused while dialling is held: the code before it would dial at
once every job the hold keeps (after a restore, the clients called since the backup)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy.exc import IntegrityError

from persistence.migrate import alembic_config, current_revision, upgrade
from tests.persistence import pg
from tests.persistence.statements import run_statements

_HOLD = "INSERT INTO dialling_hold (id, held_at, held_by, reason) VALUES (:id, '2026-12-14 09:00:00', 'ana', 'admin')"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0030_starts_not_held_keeps_one_hold_and_refuses_to_go_back_while_held(tmp_path: Path, backend: str) -> None:
    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path / 'old.sqlite3'}"
            if backend == "sqlite"
            else stack.enter_context(pg.throwaway_database("mig0030"))
        )
        upgrade(url, "0029")
        upgrade(url, "0030")
        assert run_statements(url, ("SELECT id FROM dialling_hold", {})) == []

        run_statements(url, (_HOLD, {"id": 1}))
        with pytest.raises(IntegrityError):  # one hold for the whole database
            run_statements(url, (_HOLD, {"id": 2}))
        with pytest.raises(RuntimeError, match=r"dialling is held \(by ana, reason admin\)"):
            command.downgrade(alembic_config(url), "0029")
        assert current_revision(url) == "0030"

        run_statements(url, ("DELETE FROM dialling_hold", {}))  # resumed
        command.downgrade(alembic_config(url), "0029")
        assert current_revision(url) == "0029"
