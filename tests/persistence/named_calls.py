"""Calls that differ by their caller's CallerID name, written as the FastAGI runtime writes them: what the
register's name search is tested on (tests/persistence and tests/api)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database

T0 = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def write_named_calls(database: Database, *names: str, scenario: str = "debts", prefix: str = "call") -> list[str]:
    """One call a name, a minute apart in the order given (the last is the newest), as the FastAGI runtime writes
    them: `<prefix>-<n>` from `+7916000000<n>`; their ids."""
    CallRecordWriter(database).write_batch(
        [
            CallRecordIn(
                call_id=f"{prefix}-{n}",
                scenario=scenario,
                started_at=T0 + timedelta(minutes=n),
                answered_at=T0 + timedelta(minutes=n),
                ended_at=T0 + timedelta(minutes=n, seconds=40),
                outcome="hung_up",
                caller_id=f"+7916000000{n}",
                caller_name=name,
                trace={"answered": True, "steps": []},
            )
            for n, name in enumerate(names)
        ]
    )
    return [f"{prefix}-{n}" for n in range(len(names))]
