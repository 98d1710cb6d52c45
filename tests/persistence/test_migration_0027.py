"""Migration 0027 on SQLite and PostgreSQL: campaigns get `paused_at` and `paused_by`, NULL for those stored before
it (they call as they did); a downgrade drops both, and stops a campaign paused then, as `POST .../cancel` does,
rather than let the code before it call the clients a supervisor held: its clients waiting are cancelled keeping
their last dial's outcome, one being dialled is left to its call, other campaigns and single callbacks untouched."""

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

_CAMPAIGN = ("INSERT INTO campaigns (id, scenario, name, created_by, created_at, jobs, settings) VALUES (:id, 'debts', "
             "'', 'ana', '2026-12-01 09:00:00', 2, '{}')")  # fmt: skip
_JOB = ("INSERT INTO callback_jobs (id, due, number, scenario, variables, attempts, max_attempts, status, outcome, "
        "created_at, campaign_id, campaign_row) VALUES (:id, '2026-12-01 09:00:00', '600111222', 'debts', '{}', "
        ":attempts, 3, :status, :outcome, '2026-12-01 09:00:00', :campaign, :row)")  # fmt: skip
# Jobs as the release of 0026 holds them: (id, campaign, row, status, outcome, attempts).
_JOBS = [
    ("held-1", "held", 1, "pending", None, 0),  # never dialled
    ("held-2", "held", 2, "pending", "busy", 1),  # waiting for a retry
    ("held-3", "held", 3, "dialing", None, 0),  # ringing as the software is taken back
    ("going-1", "going", 1, "pending", None, 0),
    ("single", None, None, "pending", None, 0),  # a caller's own callback
]


def _old_database(stack: contextlib.ExitStack, tmp_path: Path, backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite3'}"
    return stack.enter_context(pg.throwaway_database("mig0027"))


def _columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("campaigns")}
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0027_campaigns_are_paused_by_nobody_and_a_downgrade_stops_the_paused_ones(
    tmp_path: Path, backend: str
) -> None:
    with contextlib.ExitStack() as stack:
        url = _old_database(stack, tmp_path, backend)
        upgrade(url, "0026")
        jobs: list[tuple[str, dict[str, object]]] = [
            (_JOB, {"id": i, "campaign": c, "row": r, "status": s, "outcome": o, "attempts": a})
            for i, c, r, s, o, a in _JOBS
        ]
        run_statements(url, (_CAMPAIGN, {"id": "held"}), (_CAMPAIGN, {"id": "going"}), *jobs)

        upgrade(url, "0027")
        assert current_revision(url) == "0027"
        stored = run_statements(url, ("SELECT id, paused_at, paused_by, cancelled_at FROM campaigns ORDER BY id", {}))
        assert stored == [("going", None, None, None), ("held", None, None, None)]
        pause = "UPDATE campaigns SET paused_at = '2026-12-08 10:00:00', paused_by = 'marta' WHERE id = 'held'"
        run_statements(url, (pause, {}))

        command.downgrade(alembic_config(url), "0026")
        assert current_revision(url) == "0026"
        assert {"paused_at", "paused_by"}.isdisjoint(_columns(url))
        stopped = run_statements(url, ("SELECT id FROM campaigns WHERE cancelled_at IS NOT NULL ORDER BY id", {}))
        kept = run_statements(url, ("SELECT id, status, outcome, attempts FROM callback_jobs ORDER BY id", {}))
    assert stopped == [("held",)]
    assert kept == [
        ("going-1", "pending", None, 0),
        ("held-1", "cancelled", "cancelled", 0),
        ("held-2", "cancelled", "busy", 1),
        ("held-3", "dialing", None, 0),
        ("single", "pending", None, 0),
    ]
