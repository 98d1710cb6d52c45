"""A client on the line with one callback is not rung for another until they hang up.

Review of the dialer: two jobs for one number (a list imported twice, a callback and a campaign); the first was
answered, and its job, done at the answer, no longer counted as dialling that number, so the next pass rang the
client's second job into the call they were still on. Over real SQLite and PostgreSQL and real TCP to the fake AMI
(tests/fakes/ami.py), whose callee 6000 answers after 1 s and listens (c6x.txt): here the callee stays on the line
while the scenario runs, until the test lets the capture go on to its hangup.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from agi_server.ami import AmiClient
from agi_server.job_stores import DatabaseJobStore
from graph_engine.services import FixedClock
from persistence import callbacks
from persistence.db import Database
from tests.agi_server.test_dialer import T0, make_dialer
from tests.fakes.ami import FakeAmi, FakeCall
from tests.persistence.published import migrated_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with migrated_database(request.param, tmp_path, "on_the_line", "debt") as database:
        yield database


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for `condition`, polling: a test on a slow machine waits longer, it does not fail."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


def _status(database: Database, job_id: str) -> tuple[str, str | None]:
    with database.session() as session:
        job = callbacks.get_job(session, job_id=job_id)
        return job.status, job.outcome


async def test_a_client_talking_on_one_callback_is_not_rung_for_another_until_they_hang_up(
    database: Database, fake: FakeAmi, ami: AmiClient
) -> None:
    with database.session() as session:
        first, second = (
            callbacks.create_job(session, number="600001", scenario="debt", due=T0 + timedelta(seconds=n)).id
            for n in (0, 1)
        )
    store, clock = DatabaseJobStore(database), FixedClock(T0 + timedelta(seconds=1))
    hung_up = asyncio.Event()

    async def scenario(call: FakeCall) -> None:
        # The callee's FastAGI call (c6x.txt: AGIExecStart after the answer): the job is reached, and the callee
        # listens to the scenario until the test hangs them up.
        await store.reach(call.variables["JOB_ID"], at=clock.now(), scenario="debt")
        await hung_up.wait()

    fake.on_fastagi = scenario
    dialer = make_dialer(store, ami, clock)
    assert await dialer.run_once() == [first]  # one job of a number per pass, as before
    await _until(lambda: any(report.job_id == first for report in dialer.reports))  # the answer is recorded
    assert _status(database, first) == ("done", "answered")
    clock.advance(10 * 60)  # the lease is long over: the callee is still talking
    assert await dialer.run_once() == []
    assert [action.get("ChannelId") for action in fake.actions("Originate")] == [f"cb-{first}-1"]
    assert _status(database, second) == ("pending", None)

    hung_up.set()  # the capture goes on to the hangup; the dialer settles the answer (it stands: reached)
    await dialer.drain(timeout=10)
    assert _status(database, first) == ("done", "answered")
    assert await dialer.run_once() == [second]
    await dialer.drain(timeout=10)
    assert [action.get("ChannelId") for action in fake.actions("Originate")] == [f"cb-{first}-1", f"cb-{second}-1"]
    assert _status(database, second) == ("done", "answered")
