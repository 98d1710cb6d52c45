"""Migration 0032 on SQLite and PostgreSQL: call records get `result_set_by_a_step`, so a campaign counts the
clients who hung up before the scenario set their `result` without reading each client's trace (the summary read
~55 MB a refresh for 20,000 clients, test_campaign_results). Filled in from the traces for a campaign's calls the
caller hung up on; other records keep NULL; a downgrade drops the column."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from persistence.db import make_engine
from persistence.migrate import alembic_config, current_revision, upgrade
from tests.persistence import pg
from tests.persistence.statements import run_statements

# A call record as the release before 0032 writes one.
_CALL = (
    "INSERT INTO call_records (id, scenario, caller_id, caller_name, dialed_number, channel, node, asterisk_uniqueid, "
    "started_at, ended_at, recorded_at, duration_ms, outcome, status, variables, trace, callback_job_id) VALUES "
    "(:id, 's', '', '', '', '', '', '', '2026-12-07 09:00:00', '2026-12-07 09:01:00', '2026-12-07 09:01:01', 0, "
    ":outcome, 'answered', '{}', :trace, :job)"
)
_CHOSE = json.dumps({"steps": [{"node": "start"}, {"node": "menu", "variables_changed": {"result": "will_pay"}}]})
_GREETING = json.dumps({"steps": [{"node": "start"}, {"node": "greeting", "variables_changed": {"name": "Ana"}}]})


def _columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("call_records")}
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0032_says_which_campaign_hangups_had_a_result_set_and_goes_back(tmp_path: Path, backend: str) -> None:
    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path / 'old.sqlite3'}"
            if backend == "sqlite"
            else stack.enter_context(pg.throwaway_database("mig0032"))
        )
        upgrade(url, "0031")
        run_statements(
            url,
            (_CALL, {"id": "chose", "outcome": "caller_hangup", "trace": _CHOSE, "job": "job-1"}),
            (_CALL, {"id": "greeting", "outcome": "caller_hangup", "trace": _GREETING, "job": "job-2"}),
            (_CALL, {"id": "inbound", "outcome": "caller_hangup", "trace": _GREETING, "job": None}),
            (_CALL, {"id": "ended", "outcome": "hung_up", "trace": _CHOSE, "job": "job-3"}),
        )

        upgrade(url, "0032")
        assert current_revision(url) == "0032"
        stored = run_statements(url, ("SELECT id, result_set_by_a_step FROM call_records ORDER BY id", {}))
        assert [(call, None if set_ is None else bool(set_)) for call, set_ in stored] == [
            ("chose", True),
            ("ended", None),  # not a hangup: no count reads it
            ("greeting", False),
            ("inbound", None),  # not a campaign's call
        ]

        command.downgrade(alembic_config(url), "0031")
        assert current_revision(url) == "0031"
        assert "result_set_by_a_step" not in _columns(url)
