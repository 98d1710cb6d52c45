"""The dialer's first pass after the hours' break dials every free line, on each store (in-memory, SQLite,
PostgreSQL), over real TCP to the fake Asterisk.

Review of 2026-12-05 (third day): clients of a list with split hours (09:00-13:00, 14:00-18:00) not reached
before 13:00 keep window_end 13:00. After 14:00 a pass spent its claim moving them to the afternoon's opening and
dialled nobody, for as many passes as it took to move them all (tests/persistence/test_callbacks_reopening.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agi_server.ami import AmiClient
from agi_server.dial_jobs import JobStore
from agi_server.dialer import Dialer
from agi_server.dialer_settings import DialerSettings
from agi_server.job_stores import DatabaseJobStore, MemoryJob, MemoryJobStore
from blocks.timewindows import callback_window
from graph_engine.services import FixedClock
from persistence import callbacks
from persistence.db import Database
from persistence.migrate import upgrade
from tests.fakes.ami import FakeAmi
from tests.persistence.published import migrated_database, publish

WEEK = ["mon", "tue", "wed", "thu", "fri"]
SPLIT_HOURS = callback_window(
    [{"days": WEEK, "from": "09:00", "to": "13:00"}, {"days": WEEK, "from": "14:00", "to": "18:00"}], "Europe/Madrid"
)
NINE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Madrid
LUNCH = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 13:00 in Madrid
AFTER_LUNCH = datetime(2026, 11, 23, 13, 0, 30, tzinfo=UTC)  # 14:00:30 in Madrid
CLIENTS = 30  # callees 50001..50030 answer like 5000 (tests/fakes/ami.py)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_and_ids(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[JobStore, list[str]]]:
    """A store holding CLIENTS jobs left over from the morning (window_end 13:00), in due order; their ids."""
    dues = [NINE + timedelta(seconds=n) for n in range(CLIENTS)]
    numbers = [f"5{n:04d}" for n in range(1, CLIENTS + 1)]
    if request.param == "memory":
        memory = MemoryJobStore()
        for n, (due, number) in enumerate(zip(dues, numbers, strict=True)):
            memory.add(MemoryJob(f"client-{n:02d}", number, "debt", due, window_end=LUNCH, allowed_hours=SPLIT_HOURS))
        yield memory, list(memory.jobs)
        return
    with migrated_database(request.param, tmp_path, "reopening", "debt") as database:
        with database.session() as session:
            ids = [
                callbacks.create_job(
                    session, number=number, scenario="debt", due=due, window_end=LUNCH, window=SPLIT_HOURS
                ).id
                for due, number in zip(dues, numbers, strict=True)
            ]
        yield DatabaseJobStore(database), ids


async def test_the_first_pass_after_lunch_dials_on_every_free_line(
    store_and_ids: tuple[JobStore, list[str]], fake: FakeAmi, ami: AmiClient
) -> None:
    """30 clients waiting, 4 lines: the first pass after 14:00 dials 4, in their order; so does the next."""
    store, ids = store_and_ids
    clock = FixedClock(AFTER_LUNCH)
    settings = DialerSettings(
        context="outbound-ivr",
        channel_template="Local/{number}@callees/n",
        caller_id='"ACME Dialer" <5550100>',
        max_lines=4,
        poll_interval=0.01,
        node_id="node-a",
    )
    dialer = Dialer(store=store, ami=ami, clock=clock, settings=settings)
    assert await dialer.run_once() == ids[:4]
    await dialer.drain(timeout=10)
    assert dialer.active_lines == 0
    clock.advance(5)
    assert await dialer.run_once() == ids[4:8]
    await dialer.drain(timeout=10)
    assert [action.get("ChannelId") for action in fake.actions("Originate")] == [f"cb-{i}-1" for i in ids[:8]]


async def test_the_memory_store_claims_after_lunch_as_the_database_does(tmp_path: Path) -> None:
    """The in-process store keeps persistence.callbacks' rule: moving jobs to their next opening takes none of
    the pass's claims; both stores hand out the same jobs and leave the rest waiting in the same opening."""
    url = f"sqlite:///{tmp_path / 'rules.sqlite3'}"
    upgrade(url)
    database = Database(url)
    publish(database, "debt")  # the dialer rings callees only into a published scenario
    try:
        memory = MemoryJobStore()
        with database.session() as session:
            for n in range(CLIENTS):
                due = NINE + timedelta(seconds=n)
                row = callbacks.create_job(
                    session, number=f"5{n:04d}", scenario="debt", due=due, window_end=LUNCH, window=SPLIT_HOURS
                )
                memory.add(MemoryJob(row.id, row.number, "debt", due, window_end=LUNCH, allowed_hours=SPLIT_HOURS))
        stores: list[JobStore] = [memory, DatabaseJobStore(database)]
        claimed = [await store.claim_due(now=AFTER_LUNCH, limit=10, node_id="n") for store in stores]
        assert len(claimed[0]) == 10
        assert [job.id for job in claimed[0]] == [job.id for job in claimed[1]]
        with database.session() as session:
            rows = {row.id: (row.status, row.due, row.window_end) for row in callbacks.list_jobs(session, limit=100)}
        assert rows == {job.id: (job.status, job.due, job.window_end) for job in memory.jobs.values()}
    finally:
        database.dispose()
