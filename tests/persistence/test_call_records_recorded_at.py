"""When a call record was stored (`recorded_at`): what migration 0016 gives the records stored before it, and how
the writer stamps each batch, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError

from persistence import calls
from persistence.calls import CallFilter, CallRecordIn, CallRecordWriter
from persistence.db import Database, make_engine
from persistence.migrate import alembic_config, current_revision, upgrade
from persistence.models import Base, CallRecord
from tests.persistence import pg
from tests.persistence.statements import run_statements

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
# A call record as releases before 0016 write it: every column they know, and no `recorded_at`.
_WITHOUT_RECORDED_AT = (
    "INSERT INTO call_records (id, scenario, caller_id, caller_name, dialed_number, channel, node, asterisk_uniqueid, "
    "started_at, ended_at, duration_ms, outcome, status, variables, trace) VALUES (:id, 's', '', '', '', '', '', '', "
    ":started, :ended, 0, 'hung_up', 'answered', '{}', '{}')"
)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_0016_gives_records_stored_before_it_the_moment_their_call_ended(tmp_path: Path, backend: str) -> None:
    """Records written before 0016 were written as their call ended (or, without an end kept, started): that is
    their `recorded_at`. Every record has one from then on, the register pulls on it, and a downgrade drops it."""
    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
        else:
            url = stack.enter_context(pg.throwaway_database("mig"))
        upgrade(url, "0015")
        call = _WITHOUT_RECORDED_AT
        run_statements(
            url,
            (call, {"id": "a", "started": "2026-12-07 09:00:00", "ended": "2026-12-07 09:12:00"}),
            (call, {"id": "b", "started": "2026-12-07 09:01:00", "ended": "2026-12-07 09:01:20"}),
            (call, {"id": "c", "started": "2026-12-07 09:02:00", "ended": None}),
        )
        upgrade(url, "0016")
        assert current_revision(url) == "0016"
        with pytest.raises(IntegrityError):  # NOT NULL: a writer that leaves it out fails, it does not hide
            run_statements(url, (call, {"id": "d", "started": "2026-12-07 10:00:00", "ended": None}))
        upgrade(url)  # read through today's model, which names the columns later revisions added (0022)
        database = Database(url)
        with database.session() as session:
            stored = {r.id: r.recorded_at for r in session.scalars(select(CallRecord))}
            pulled, _ = calls.list_calls(session, filters=CallFilter(), order="recorded")
        engine = make_engine(url)
        columns = {column["name"]: column for column in inspect(engine).get_columns("call_records")}
        indexes = {index["name"] for index in inspect(engine).get_indexes("call_records")}
        engine.dispose()
        database.dispose()
        command.downgrade(alembic_config(url), "0015")
        engine = make_engine(url)
        after_downgrade = {column["name"] for column in inspect(engine).get_columns("call_records")}
        engine.dispose()
        kept = run_statements(url, ("SELECT id FROM call_records ORDER BY id", {}))
    assert stored == {"a": datetime(2026, 12, 7, 9, 12, tzinfo=UTC), "b": datetime(2026, 12, 7, 9, 1, 20, tzinfo=UTC),
                      "c": datetime(2026, 12, 7, 9, 2, tzinfo=UTC)}  # fmt: skip
    assert [r.id for r in pulled] == ["b", "c", "a"]  # the operator call ended last
    assert columns["recorded_at"]["nullable"] is False and "ix_call_records_recorded" in indexes
    assert "recorded_at" not in after_downgrade and kept == [("a",), ("b",), ("c",)]


def _call(call_id: str) -> CallRecordIn:
    return CallRecordIn(call_id=call_id, scenario="s", started_at=T0, ended_at=T0 + timedelta(minutes=1),
                        outcome="hung_up", trace={"steps": []})  # fmt: skip


def _recorded(database: Database) -> dict[str, datetime]:
    with database.session() as session:
        return {record.id: record.recorded_at for record in session.scalars(select(CallRecord))}


def test_a_batch_is_stamped_when_it_is_stored_and_a_retry_keeps_the_first_stamp(database: Database) -> None:
    writer = CallRecordWriter(database)
    before = datetime.now(UTC)
    writer.write_batch([_call("a"), _call("b"), _call("c")])
    after = datetime.now(UTC)
    first = _recorded(database)
    assert len(set(first.values())) == 1  # one insert, one moment; the id orders them within it
    assert before - timedelta(seconds=1) <= first["a"] <= after + timedelta(seconds=1)  # PostgreSQL's clock: this host
    writer.write_batch([_call("b"), _call("d")])  # a retried batch: b was written, d is new
    second = _recorded(database)
    assert second["b"] == first["b"] and second["d"] > first["a"]


def test_no_batch_is_stamped_at_or_before_one_stored_earlier_even_when_the_clock_went_back(
    database: Database,
) -> None:
    """Two batches in the same microsecond, or a clock stepped back (NTP) after a batch: a later batch stamped
    the same moment, or an earlier one, would sort behind a cursor that had passed it."""
    writer = CallRecordWriter(database)
    writer.write_batch([_call("z")])
    ahead = datetime.now(UTC) + timedelta(hours=1)
    with database.session() as session:  # stored while this clock read an hour more than it does now
        session.execute(update(CallRecord).where(CallRecord.id == "z").values(recorded_at=ahead))
    writer.write_batch([_call("a")])
    writer.write_batch([_call("b")])
    stamped = _recorded(database)
    assert stamped["z"] < stamped["a"] < stamped["b"]
    assert stamped["a"] - stamped["z"] < timedelta(milliseconds=1)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_record_written_without_recorded_at_by_an_older_release_is_stamped_by_the_database(
    tmp_path: Path, backend: str
) -> None:
    """A rolling upgrade (administrator's review): between `ivrgraph db upgrade` and their restart, nodes of the
    previous release write call records with no `recorded_at`. 0016 refused every one of them (NOT NULL, no
    default); from 0018 the database stamps them with its clock, and they sort among the new writer's batches."""
    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / 'rolling.sqlite3'}"
        else:
            url = stack.enter_context(pg.throwaway_database("mig"))
        upgrade(url)
        database = Database(url)
        stack.callback(database.dispose)
        writer = CallRecordWriter(database)
        writer.write_batch([_call("before")])
        start = datetime.now(UTC)
        run_statements(url, (_WITHOUT_RECORDED_AT, {"id": "old", "started": "2026-12-07 09:00:00", "ended": None}))
        end = datetime.now(UTC)
        writer.write_batch([_call("after")])
        stamped = _recorded(database)
        with database.session() as session:
            pulled, _ = calls.list_calls(session, filters=CallFilter(), order="recorded")
    # SQLite's clock keeps milliseconds: its stamp may read up to one before the moment taken here.
    assert start - timedelta(milliseconds=1) <= stamped["old"] <= end
    assert stamped["old"].tzinfo is not None and stamped["old"].utcoffset() == timedelta(0)
    assert [record.id for record in pulled] == ["before", "old", "after"]


def test_the_models_default_for_recorded_at_is_the_one_the_migrations_set(database: Database) -> None:
    """`Base.metadata` (what a fresh schema is compared against) states the database's clock as 0018 sets it."""
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_server_default": True})
        differences = compare_metadata(context, Base.metadata)
    flat = [
        item for difference in differences for item in (difference if isinstance(difference, list) else [difference])
    ]
    assert [item for item in flat if "recorded_at" in item] == []
    assert CallRecord.__table__.c.recorded_at.server_default is not None
