"""A job an integration cancelled (`POST /api/callbacks/{id}/cancel`) is never rung: before its first try, nor
while it waits for a retry. The dialer over real TCP against the fake Asterisk (see test_dialer.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agi_server.ami import AmiClient
from agi_server.job_stores import DatabaseJobStore
from graph_engine.services import FixedClock
from persistence import callbacks
from persistence.db import Database
from tests.agi_server.test_dialer import T0, make_dialer, scenario_runs, settle
from tests.fakes.ami import FakeAmi
from tests.persistence.published import migrated_database


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with migrated_database(request.param, tmp_path, "cancel", "debt") as database:
        yield database


async def test_a_cancelled_job_is_never_rung(
    database: Database, fake: FakeAmi, ami: AmiClient, clock: FixedClock
) -> None:
    with database.session() as session:
        busy = callbacks.create_job(session, number="2000", scenario="debt", due=T0, max_attempts=3).id
        answering = callbacks.create_job(session, number="1123", scenario="debt", due=T0).id
        callbacks.cancel_job(session, job_id=answering, now=T0)  # before its first try
    store = DatabaseJobStore(database)
    scenario_runs(fake, store, clock)
    dialer = make_dialer(store, ami, clock)
    assert await dialer.run_once() == [busy]
    await settle(dialer)
    with database.session() as session:  # busy: waiting for its retry, and cancelled then
        assert callbacks.get_job(session, job_id=busy).status == "pending"
        callbacks.cancel_job(session, job_id=busy, now=datetime.now(UTC))
    clock.advance(int(timedelta(hours=1).total_seconds()))
    assert await dialer.run_once() == []
    await settle(dialer)
    assert [action.get("ChannelId") for action in fake.actions("Originate")] == [f"cb-{busy}-1"]
    with database.session() as session:
        jobs = [callbacks.get_job(session, job_id=job_id) for job_id in (busy, answering)]
        assert [(job.status, job.outcome, job.attempts) for job in jobs] == [
            ("cancelled", "cancelled_by_api", 1),
            ("cancelled", "cancelled_by_api", 0),
        ]
