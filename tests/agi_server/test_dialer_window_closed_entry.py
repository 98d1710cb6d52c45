"""A due attempt the dialer does not start because its ring could run past the window's end is said in the job's
history (a collections supervisor's review: the window ending 12:21, the 4th attempt due 12:20:33 was not dialled,
the job moved to 09:00 the next day, and nothing in its history said why)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agi_server.ami import AmiClient
from agi_server.dialer import Dialer
from agi_server.dialer_settings import DialerSettings
from agi_server.job_stores import DatabaseJobStore
from blocks.timewindows import callback_window
from graph_engine.services import FixedClock
from persistence import callbacks
from persistence.db import Database
from tests.fakes.ami import FakeAmi
from tests.persistence.published import migrated_database

HOURS = callback_window([{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "12:21"}], "UTC")
DUE = datetime(2026, 11, 23, 12, 20, 33, tzinfo=UTC)  # a Monday
WINDOW_END = datetime(2026, 11, 23, 12, 21, tzinfo=UTC)
NEXT_OPENING = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with migrated_database(request.param, tmp_path, "window_entry", "debt") as database:
        yield database


async def test_a_dial_skipped_at_the_windows_end_is_an_entry_of_the_jobs_history(
    database: Database, fake: FakeAmi, ami: AmiClient
) -> None:
    with database.session() as session:
        job = callbacks.create_job(
            session, number="5001", scenario="debt", due=DUE, window_end=WINDOW_END, window=HOURS
        )
        job.attempts = 3
        job.max_attempts = 5
        job_id = job.id
    settings = DialerSettings(
        context="outbound-ivr",
        channel_template="Local/{number}@callees/n",
        caller_id='"ACME Dialer" <5550100>',
        ring_timeout=timedelta(seconds=30),
        poll_interval=0.01,
        node_id="node-a",
    )
    dialer = Dialer(store=DatabaseJobStore(database), ami=ami, clock=FixedClock(DUE), settings=settings)
    assert await dialer.run_once() == []
    assert fake.actions("Originate") == []
    with database.session() as session:
        moved = callbacks.get_job(session, job_id=job_id)
        assert (moved.status, moved.due, moved.attempts) == ("pending", NEXT_OPENING, 3)
        history = [(a.at, a.outcome, a.call_id) for a in callbacks.list_attempts(session, job_id=job_id)]
        assert history == [(DUE, "window_closed", None)]
        # Not a dial: the next Originate's ChannelId and the trunk watch count dials only.
        assert callbacks.attempts_logged(session, job_ids=[job_id]) == {}
