from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from persistence import calls
from persistence.calls import CallFilter, CallRecordIn, CallRecordWriter
from persistence.db import Database
from persistence.errors import NotFound, Refused

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _trace(*, answered: bool = True, events: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"answered": answered, "steps": [{"node": "start", "type": "start", "events": events or []}]}


def _record(n: int, **overrides: Any) -> CallRecordIn:
    values: dict[str, Any] = {
        "call_id": f"call-{n:04d}",
        "scenario": "sales" if n % 2 else "support",
        "started_at": T0 + timedelta(minutes=n),
        "ended_at": T0 + timedelta(minutes=n, seconds=30),
        "answered_at": T0 + timedelta(minutes=n),
        "outcome": "hung_up",
        "caller_id": f"+3460000{n % 3}",
        "trace": _trace(),
    }
    values.update(overrides)
    return CallRecordIn(**values)


@pytest.mark.parametrize(
    ("outcome", "answered", "events", "status"),
    [
        ("hung_up", True, [], "answered"),
        ("ended", False, [], "missed"),
        ("caller_hangup", True, [], "abandoned_in_menu"),
        ("transferred", True, [], "transferred"),
        ("failed", True, [], "failed"),
        ("step_limit", True, [], "failed"),
        ("hung_up", True, [{"kind": "callback_scheduled", "job_id": "j1"}], "callback_scheduled"),
    ],
)
def test_status_is_derived_when_written(
    outcome: str, answered: bool, events: list[dict[str, Any]], status: str
) -> None:
    assert calls.derive_status(outcome=outcome, answered=answered, trace=_trace(events=events)) == status


def test_batches_are_written_once_and_listed_newest_first_by_keyset(database: Database) -> None:
    writer = CallRecordWriter(database)
    assert writer.write_batch([_record(n) for n in range(25)]) == 25
    writer.write_batch([_record(3)])  # a retried batch: the call is not doubled
    pages: list[list[str]] = []
    cursor = None
    with database.session() as session:
        while True:
            rows, cursor = calls.list_calls(session, filters=CallFilter(), limit=10, after=cursor)
            pages.append([row.id for row in rows])
            if cursor is None:
                break
    assert [len(page) for page in pages] == [10, 10, 5]
    assert pages[0][0] == "call-0024" and pages[-1][-1] == "call-0000"


def test_filters_combine(database: Database) -> None:
    CallRecordWriter(database).write_batch([_record(n) for n in range(30)])
    window = CallFilter(scenario="sales", since=T0 + timedelta(minutes=10), until=T0 + timedelta(minutes=20))
    with database.session() as session:
        rows, _ = calls.list_calls(session, filters=window, limit=100)
        assert [r.id for r in rows] == [f"call-{n:04d}" for n in (19, 17, 15, 13, 11)]
        rows, _ = calls.list_calls(session, filters=CallFilter(caller="+34600001", status="answered"), limit=100)
        assert {r.caller_id for r in rows} == {"+34600001"} and len(rows) == 10


def test_the_fastagi_record_object_is_accepted_as_it_is(database: Database) -> None:
    @dataclass
    class RuntimeRecord:  # the shape of agi_server.records.CallRecord
        call_id: str
        scenario: str
        version: int | None
        started_at: datetime
        ended_at: datetime
        outcome: str
        answered_at: datetime | None = None
        hangup_point: str | None = None
        facts: dict[str, str] = field(default_factory=dict)
        inputs: dict[str, str] = field(default_factory=dict)
        peer: str = ""
        error: str | None = None
        job_id: str | None = None
        origin_call_id: str | None = None
        trace: dict[str, Any] = field(default_factory=dict)

    record = RuntimeRecord(
        "c1", "sales", 4, T0, T0 + timedelta(seconds=5), "caller_hangup", T0, "menu",
        facts={"caller_id": "+34911", "channel": "PJSIP/1"}, inputs={"campaign": "x"},
        trace={"answered": True, "steps": [], "variables": {"debt": 5}}, job_id="job-1", origin_call_id="c0",
    )  # fmt: skip
    CallRecordWriter(database).write_batch([record])
    with database.session() as session:
        stored = calls.get_call(session, call_id="c1")
    assert (stored.caller_id, stored.channel, stored.last_node, stored.version) == ("+34911", "PJSIP/1", "menu", 4)
    assert (stored.status, stored.duration_ms) == ("abandoned_in_menu", 5000)
    assert stored.variables == {"debt": 5, "campaign": "x"}
    assert (stored.callback_job_id, stored.origin_call_id) == ("job-1", "c0")


def test_values_that_are_not_json_are_stored_as_text(database: Database) -> None:
    CallRecordWriter(database).write_batch([_record(1, variables={"when": T0})])
    with database.session() as session:
        assert calls.get_call(session, call_id="call-0001").variables == {"when": str(T0)}


def test_a_record_with_values_its_columns_cannot_take_is_still_written(database: Database) -> None:
    """A 70-character AGI path and a query argument holding %00: PostgreSQL refused the whole batch (varchar(64),
    and JSONB takes no \\u0000), and every call of that batch lost its record (review of 2026-12-05)."""
    long_path = "x" * 70
    odd = _record(1, scenario=long_path, caller_name="A\x00B", variables={"ref": "a\x00b", "k\x00": "\\u0000"})
    CallRecordWriter(database).write_batch([odd, _record(2)])
    with database.session() as session:
        stored = calls.get_call(session, call_id="call-0001")
        assert calls.get_call(session, call_id="call-0002").scenario == "support"
    assert stored.scenario == long_path[:64]
    assert stored.caller_name == "A\ufffdB"
    assert stored.variables == {"ref": "a\ufffdb", "k\ufffd": "\\u0000"}  # the text "\u0000" stays as it was


def test_nan_and_infinity_are_stored_as_text(database: Database) -> None:
    """A data source's NaN in a variable: Python wrote a bare NaN, PostgreSQL's JSONB refused it, and the call's
    record was set aside (review of 2026-12-05). JSON has no such numbers: they are stored as their names."""
    odd = _record(1, variables={"score": float("nan"), "limits": [float("inf"), -float("inf")], "ok": 1.5})
    CallRecordWriter(database).write_batch([odd, _record(2)])
    with database.session() as session:
        stored = calls.get_call(session, call_id="call-0001")
        assert calls.get_call(session, call_id="call-0002").scenario == "support"
    assert stored.variables == {"score": "NaN", "limits": ["Infinity", "-Infinity"], "ok": 1.5}


def test_unknown_call_and_forged_cursor(database: Database) -> None:
    with database.session() as session:
        with pytest.raises(NotFound):
            calls.get_call(session, call_id="nope")
        with pytest.raises(Refused):
            calls.list_calls(session, filters=CallFilter(), after="not-a-cursor!")


def test_iter_calls_walks_everything(database: Database) -> None:
    CallRecordWriter(database).write_batch([_record(n) for n in range(23)])
    with database.session() as session:
        assert len(list(calls.iter_calls(session, filters=CallFilter(), chunk=5))) == 23


async def test_a_write_held_up_on_postgresql_gives_up_and_holds_no_shared_thread(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review of 2026-12-05: with call_records locked, each batch insert blocked its thread indefinitely (the
    writer only stopped waiting), and a few of them filled the loop's default executor that the dialer and the
    version poller share. Now the insert gives up at its lock/statement timeout, in a thread of its own."""
    if not database.is_postgres:
        pytest.skip("statement and lock timeouts are PostgreSQL's")
    monkeypatch.setattr(calls, "WRITE_STATEMENT_TIMEOUT_MS", 600)
    writer = CallRecordWriter(database)
    with database.engine.connect() as holder:
        holder.execute(text("LOCK TABLE call_records IN ACCESS EXCLUSIVE MODE"))
        started = time.monotonic()
        write = asyncio.create_task(writer([_record(1)]))
        assert await asyncio.wait_for(asyncio.to_thread(lambda: "free"), 2.0) == "free"
        with pytest.raises(OperationalError):
            await asyncio.wait_for(write, 5.0)
        assert time.monotonic() - started < 3.0
        holder.rollback()
