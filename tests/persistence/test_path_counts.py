"""The canvas's flow statistics (persistence.path_counts): counted as the call records are written, read back over
whole hours, and given by migration 0017 to the records stored before it; on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import inspect

from persistence import path_counts
from persistence.calls import CallRecordIn, CallRecordWriter
from persistence.db import Database, make_engine
from persistence.migrate import alembic_config, upgrade
from persistence.path_counts import ExitCounts, FlowCounts, NodeCounts
from tests.persistence import pg
from tests.persistence.statements import run_statements

NINE = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
V1, V2 = 7, 8  # version row ids (scenario_versions.id)


def _step(node: str, exit_name: str | None, scenario: str | None = None) -> dict[str, Any]:
    return {"node": node, "type": "x", "exit": exit_name, "scenario": scenario, "events": [], "duration_ms": 1.0}


def _call(
    call_id: str,
    minutes: int,
    steps: Sequence[tuple[str, str | None] | tuple[str, str | None, str]],
    *,
    outcome: str = "hung_up",
    version_id: int | None = V1,
    last_node: str | None = None,
) -> CallRecordIn:
    started = NINE + timedelta(minutes=minutes)
    trace = {"answered": True, "steps": [_step(*step) for step in steps]}
    return CallRecordIn(call_id=call_id, scenario="hotline", version=1, version_id=version_id, started_at=started,
                        ended_at=started + timedelta(seconds=40), outcome=outcome, trace=trace,
                        last_node=last_node or steps[-1][0])  # fmt: skip


# A menu loop: the caller asks for the information (9), hears it, and is back at the menu, where they press 1.
LOOP = _call("loop", 10, [("start", "next"), ("menu", "9"), ("info", "next"), ("menu", "1"), ("bye", "hangup")])
# The caller hangs up at the menu; its hangup exit leads to a bookkeeping block, where the call ends.
HANGUP = _call("hangup", 50, [("start", "next"), ("menu", "hangup"), ("log", "next")], outcome="caller_hangup",
               last_node="menu")  # fmt: skip
# Go To Scenario, and the caller hangs up in the other scenario, at a node whose id this one has too.
GOTO = _call("goto", 65, [("start", "next"), ("jump", "goto"), ("start", "next", "Other"), ("menu", "hangup", "Other")],
             outcome="caller_hangup", last_node="menu")  # fmt: skip
UNVERSIONED = _call("unversioned", 15, [("start", "next")], version_id=None)  # an unknown scenario, a file's
OTHER_VERSION = _call("v2", 20, [("start", "next"), ("menu", "1"), ("bye", "hangup")], version_id=V2)
# Cut off inside the menu (the node stopping): the step took no exit.
CUT = _call("cut", 100, [("start", "next"), ("menu", None)], outcome="failed")


def _read(database: Database, versions: Sequence[int] = (V1,), **bounds: datetime) -> FlowCounts:
    with database.session() as session:
        return path_counts.read(session, version_ids=versions, **bounds)


def test_counts_of_calls_written_with_their_records(database: Database) -> None:
    writer = CallRecordWriter(database)
    writer.write_batch([LOOP, HANGUP, GOTO, UNVERSIONED, OTHER_VERSION, LOOP])  # a batch naming a call twice
    writer.write_batch([HANGUP, GOTO, CUT])  # a retried batch, and one new call

    counts = _read(database)
    assert counts.calls == 4  # loop, hangup, goto, cut
    assert counts.nodes == [
        NodeCounts("bye", visits=1, calls=1, hangups=0, ended=1),
        NodeCounts("info", visits=1, calls=1, hangups=0, ended=0),
        # The loop's call through the menu twice: two visits, one call; the other scenario's step there is not one.
        NodeCounts("jump", visits=1, calls=1, hangups=0, ended=1),  # its path on this canvas ends at the Go To
        NodeCounts("log", visits=1, calls=1, hangups=0, ended=1),
        NodeCounts("menu", visits=4, calls=3, hangups=1, ended=1),
        NodeCounts("start", visits=4, calls=4, hangups=0, ended=0),
    ]
    assert counts.exits == [
        ExitCounts("bye", "hangup", visits=1, calls=1),
        ExitCounts("info", "next", visits=1, calls=1),
        ExitCounts("jump", "goto", visits=1, calls=1),
        ExitCounts("log", "next", visits=1, calls=1),
        ExitCounts("menu", "1", visits=1, calls=1),
        ExitCounts("menu", "9", visits=1, calls=1),
        ExitCounts("menu", "hangup", visits=1, calls=1),
        ExitCounts("start", "next", visits=4, calls=4),
    ]
    assert sum(node.ended for node in counts.nodes) == counts.calls  # every call's path ends at one node
    assert (counts.since, counts.until) == (None, None)
    both = _read(database, (V1, V2))
    assert both.calls == 5 and next(n for n in both.nodes if n.node == "start").visits == 5
    assert _read(database, (V2,)).calls == 1 and _read(database, ()).calls == 0


def test_a_range_is_read_in_whole_utc_hours_of_the_calls_start(database: Database) -> None:
    CallRecordWriter(database).write_batch([LOOP, HANGUP, GOTO, CUT])  # 09:10, 09:50, 10:05, 10:40
    inside = _read(database, since=NINE + timedelta(minutes=70), until=NINE + timedelta(minutes=75))
    assert (inside.since, inside.until, inside.calls) == (NINE + timedelta(hours=1), NINE + timedelta(hours=2), 2)
    assert [node.node for node in inside.nodes] == ["jump", "menu", "start"]
    exact = _read(database, since=NINE, until=NINE + timedelta(hours=1))
    assert (exact.since, exact.until, exact.calls) == (NINE, NINE + timedelta(hours=1), 2)
    madrid = datetime(2026, 12, 7, 11, 30, tzinfo=ZoneInfo("Europe/Madrid"))  # 10:30 UTC
    assert _read(database, until=madrid).until == NINE + timedelta(hours=2)  # UTC hours, whatever the clock
    assert _read(database, since=NINE + timedelta(hours=2)).calls == 0


def test_whole_hours_at_the_ends_of_time() -> None:
    last = datetime.max.replace(tzinfo=UTC)
    assert path_counts.whole_hours(None, last) == (None, last)
    assert path_counts.whole_hours(NINE, NINE) == (NINE, NINE)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0017_counts_the_calls_stored_before_it_as_the_writer_counts_them(tmp_path: Path, backend: str) -> None:
    """Records stored under 0016 are counted by the upgrade, a chunk at a time (768 records: two chunks), to the
    same counts writing them now gives; a call written after adds to the same rows; a downgrade drops the table."""
    base = [LOOP, HANGUP, GOTO, UNVERSIONED, OTHER_VERSION, CUT]
    every = [dataclasses.replace(record, call_id=f"{record.call_id}-{copy}") for copy in range(128) for record in base]
    with contextlib.ExitStack() as stack:
        old_url = f"sqlite:///{tmp_path / 'old.sqlite3'}" if backend == "sqlite" else stack.enter_context(
            pg.throwaway_database("mig"))  # fmt: skip
        new_url = f"sqlite:///{tmp_path / 'new.sqlite3'}" if backend == "sqlite" else stack.enter_context(
            pg.throwaway_database("mig"))  # fmt: skip
        upgrade(old_url, "0016")
        _store_as_0016(old_url, base, backend=backend)
        for doubling in range(7):  # 6 records become 768: copies of each under new ids
            run_statements(old_url, (_COPY_ALL, {"suffix": f"-{doubling}"}))
        upgrade(old_url)
        upgrade(new_url)
        old, new = Database(old_url), Database(new_url)
        stack.callback(old.dispose)
        stack.callback(new.dispose)
        writer = CallRecordWriter(new)
        for start in range(0, len(every), 200):
            writer.write_batch(every[start : start + 200])
        backfilled, written = _read(old, (V1, V2)), _read(new, (V1, V2))
        CallRecordWriter(old).write_batch([dataclasses.replace(LOOP, call_id="after")])
        after = _read(old)
        command.downgrade(alembic_config(old_url), "0016")
        engine = make_engine(old_url)
        tables = set(inspect(engine).get_table_names())
        engine.dispose()
    assert backfilled == written
    assert backfilled.calls == 5 * 128 and _read_node(backfilled, "menu") == NodeCounts("menu", 5 * 128, 4 * 128,
                                                                                         128, 128)  # fmt: skip
    assert after.calls == 4 * 128 + 1 and _read_node(after, "info").visits == 128 + 1
    assert "path_counts" not in tables


def _read_node(counts: FlowCounts, node: str) -> NodeCounts:
    return next(item for item in counts.nodes if item.node == node)


_COLUMNS = ("id, scenario, version, version_id, caller_id, caller_name, dialed_number, channel, node, started_at, "
            "duration_ms, outcome, status, last_node, variables, trace, recorded_at")  # fmt: skip
_COPY_ALL = (f"INSERT INTO call_records ({_COLUMNS}) SELECT id || :suffix, "
             f"{_COLUMNS.split(', ', 1)[1]} FROM call_records")  # fmt: skip


def _store_as_0016(url: str, records: Sequence[CallRecordIn], *, backend: str) -> None:
    """`records` as a 0016 writer stored them (only the columns the counts read matter)."""
    values = ", ".join(f":{name}" for name in _COLUMNS.split(", "))
    insert = f"INSERT INTO call_records ({_COLUMNS}) VALUES ({values})"
    stamp = "%Y-%m-%d %H:%M:%S.%f" if backend == "sqlite" else "%Y-%m-%d %H:%M:%S.%f+00"
    rows: list[dict[str, object]] = [{
        "id": record.call_id, "scenario": record.scenario, "version": record.version,
        "version_id": record.version_id, "caller_id": "", "caller_name": "", "dialed_number": "", "channel": "",
        "node": "", "started_at": record.started_at.strftime(stamp), "duration_ms": 0, "outcome": record.outcome,
        "status": "answered", "last_node": record.last_node, "variables": "{}", "trace": json.dumps(record.trace),
        "recorded_at": record.started_at.strftime(stamp)} for record in records]  # fmt: skip
    run_statements(url, *((insert, row) for row in rows))
