"""The dialer never rings a client into a scenario that cannot run, over real TCP to the fake Asterisk.

A job whose scenario has no published version (never published, deleted, or a slug nobody made) would connect
the callee to the FastAGI server's "unknown scenario" message and hang up on them. The claim ends such a job
`failed` with outcome `scenario_unavailable` instead: no Originate, no attempt counted, one log line naming the
job and the scenario, and the line it would have taken goes to the next client. Callees 2000x are busy (c2x.txt).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agi_server.ami import AmiClient
from agi_server.dialer import Dialer
from agi_server.dialer_settings import DialerSettings
from agi_server.job_stores import DatabaseJobStore
from graph_engine.services import FixedClock
from persistence import callbacks, scenarios
from persistence.db import Database
from tests.fakes.ami import FakeAmi
from tests.persistence import documents
from tests.persistence.published import migrated_database, publish

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with migrated_database(request.param, tmp_path, "dialer_scenarios") as database:
        yield database


def _unavailable_scenarios(database: Database) -> list[str]:
    """Three slugs no callee can be rung into: a draft never published, a published scenario deleted since, and
    one nobody made."""
    publish(database, "retired")
    with database.session() as session:
        scenarios.create_scenario(session, slug="draft-only", document=documents.greeting(), actor="ana")
        scenarios.delete_scenario(session, slug="retired")
    return ["draft-only", "retired", "nowhere"]


async def test_a_job_whose_scenario_is_not_published_is_never_rung_and_ends_saying_why(
    database: Database, ami: AmiClient, fake: FakeAmi, caplog: pytest.LogCaptureFixture
) -> None:
    publish(database, "debt")
    unavailable = _unavailable_scenarios(database)
    with database.session() as session:
        # Stored before the scheduler checked for a published version (a delete could race it then): due first,
        # so a claim that dialled them would take the only line.
        gone = {
            callbacks.create_job(session, number=f"2000{n}", scenario=slug, due=T0 - timedelta(minutes=10)).id: slug
            for n, slug in enumerate(unavailable)
        }
        ringing = callbacks.create_job(session, number="20009", scenario="debt", due=T0).id
    clock = FixedClock(T0)
    settings = DialerSettings(context="outbound-ivr", channel_template="Local/{number}@callees/n", max_lines=1)
    dialer = Dialer(store=DatabaseJobStore(database), ami=ami, clock=clock, settings=settings)
    with caplog.at_level(logging.WARNING, logger="persistence.callbacks"):
        assert await dialer.run_once() == [ringing]  # the line goes to the client whose scenario runs
        await dialer.drain(timeout=10)
        clock.advance(300)  # the busy client's retry is due; the ended jobs are never claimed again
        assert await dialer.run_once() == [ringing]
        await dialer.drain(timeout=10)
    assert [a.get("ChannelId") for a in fake.actions("Originate")] == [f"cb-{ringing}-1", f"cb-{ringing}-2"]
    with database.session() as session:
        for job_id in gone:
            job = callbacks.get_job(session, job_id=job_id)
            assert (job.status, job.outcome, job.attempts, job.locked_by) == ("failed", "scenario_unavailable", 0, None)
            assert callbacks.list_attempts(session, job_id=job_id) == []  # nobody was rung
    warned = [r.getMessage() for r in caplog.records if r.name == "persistence.callbacks"]
    assert len(warned) == len(gone)
    for job_id, slug in gone.items():
        (line,) = [message for message in warned if job_id in message]
        assert f"scenario {slug!r} has no published version" in line
