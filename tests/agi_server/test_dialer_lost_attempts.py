"""A node killed while dialling: its callback jobs neither wait out the lease nor lose the attempt in flight.

Ops review (3 nodes on PostgreSQL, AMI): after `kill -9` of a dialling node its jobs stayed `dialing` for the
5-minute lease even when the node restarted at once; then another node took them, the Originate nodeA had placed was
never recorded, so number 300005 was rung four times with max_attempts 3, the takeover reused nodeA's ChannelId
`cb-<job>-3`, and no log line said anything. Now a starting dialer takes back the jobs still dialing under its own
node id, and a claim that takes over another node's lapsed job counts that attempt first (outcome `lost`); both are
logged at WARNING. A restarted node dials its jobs again once the calls its killed process placed can no longer ring,
and a node that could not record an attempt counts it the same way before it claims again (review of the dialer).
Over real SQLite and PostgreSQL, and real TCP to the fake AMI (tests/fakes/ami.py: 3000 rings unanswered, 2000 is
busy).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from agi_server.ami import AmiClient, AmiSettings, OriginateRequest
from agi_server.dialer_settings import DialerSettings
from agi_server.errors import SettingError
from agi_server.job_stores import DatabaseJobStore
from graph_engine.services import FixedClock
from persistence import callbacks
from persistence.db import Database
from tests.agi_server.test_dialer import T0, make_dialer
from tests.fakes.ami import FakeAmi
from tests.persistence.published import migrated_database

# The fake AMI's callee 3000 rings 30 s and never answers; a number is that callee by its first four digits, and
# each job gets a number of its own (a claim dials one job per number at a time).
NO_ANSWER = iter(f"3000{n:02d}" for n in range(1, 100))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with migrated_database(request.param, tmp_path, "lost_attempts", "debt") as database:
        yield database


def _jobs(database: Database, count: int, *, attempts_made: int = 0) -> list[str]:
    """`count` due jobs to the no-answer callee, max_attempts 3, each with `attempts_made` no-answer attempts."""
    ids: list[str] = []
    with database.session() as session:
        for _ in range(count):
            row = callbacks.create_job(session, number=next(NO_ANSWER), scenario="debt", due=T0, max_attempts=3)
            for n in range(1, attempts_made + 1):
                callbacks.record_attempt(
                    session,
                    job_id=row.id,
                    outcome="no_answer",
                    at=T0,
                    call_id=f"cb-{row.id}-{n}",
                    retry_after=timedelta(0),
                )
            ids.append(row.id)
    return ids


def _killed_while_dialling(database: Database, node: str, *, at: timedelta = timedelta(0)) -> None:
    """What `kill -9` of a node leaves: its claim stands (dialing, locked by it), no attempt recorded."""
    with database.session() as session:
        callbacks.claim_due_jobs(session, now=T0 + at, limit=100, node_id=node)


def _state(database: Database, job_id: str) -> tuple[str, str | None, int, str | None, list[tuple[str, str | None]]]:
    with database.session() as session:
        row = callbacks.get_job(session, job_id=job_id)
        history = [(a.outcome, a.call_id) for a in callbacks.list_attempts(session, job_id=job_id)]
        return row.status, row.locked_by, row.attempts, row.outcome, history


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


async def test_a_restarted_node_takes_its_own_jobs_back_at_once_counting_the_lost_attempt(
    database: Database, fake: FakeAmi, ami: AmiClient, caplog: pytest.LogCaptureFixture
) -> None:
    """NodeB restarted with the same --node-id: its 4 jobs stayed dialing 5 minutes, its active lines at 0. They
    are taken back at its start, and dialled once the calls its killed process placed can no longer ring."""
    ids = _jobs(database, 4)
    _killed_while_dialling(database, "nodeB")
    assert {_state(database, i)[:2] for i in ids} == {("dialing", "nodeB")}
    clock = FixedClock(T0 + timedelta(seconds=10))  # restarted at once: the lease has 290 s left
    dialer = make_dialer(DatabaseJobStore(database), ami, clock, node_id="nodeB")
    caplog.set_level(logging.WARNING)
    assert await dialer.run_once() == []  # the killed process's calls may ring for 30 + 10 s more
    (said,) = [w for w in _warnings(caplog) if "previous process" in w]
    assert "'nodeB'" in said and "4 job(s)" in said and "in 40 s" in said and all(i in said for i in ids)
    for job_id in ids:
        status, locked_by, attempts, outcome, history = _state(database, job_id)
        assert (status, locked_by, attempts, outcome) == ("pending", None, 1, "lost")
        assert history == [("lost", f"cb-{job_id}-1")]
    assert dialer.attempts["lost"] == 4
    clock.advance(40)  # not waiting out the lease (280 s more)
    started = await dialer.run_once()
    assert sorted(started) == sorted(ids)
    await dialer.drain(timeout=10)
    channel_ids = [action.get("ChannelId") for action in fake.actions("Originate")]
    assert sorted(channel_ids) == sorted(f"cb-{i}-2" for i in ids)  # numbered past the lost dial: none reused
    assert {_state(database, i)[:3] for i in ids} == {("pending", None, 2)}


async def test_a_restarted_node_does_not_ring_a_client_the_killed_process_still_rings(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Review of the dialer: after `kill -9` and a restart within the ring timeout, the new process rang 3000 while
    Asterisk still rang it for the killed one: an Originate outlives the AMI session that asked for it (README
    section 6, f1-drop-reconnect.txt), and 3000 rings 30 s unanswered (c3x.txt). The job is due again once that
    call can no longer ring (the ring timeout and AMI's 10 s wait for its outcome), and dialled under a new id."""
    peer = FakeAmi(time_scale=0.05)  # 3000 rings 1.5 s here
    await peer.start()
    killed, restarted = (
        AmiClient(AmiSettings("127.0.0.1", peer.port, "probe", "probe"), node_id=name) for name in ("p1", "p2")
    )
    try:
        (job_id,) = _jobs(database, 1)
        _killed_while_dialling(database, "nodeB")  # claimed, and its Originate sent: then kill -9
        await killed.start()
        request = OriginateRequest(
            channel=f"Local/{_state_number(database, job_id)}@callees/n",
            context="outbound-ivr",
            channel_id=f"cb-{job_id}-1",
            variables={"IVR_SCENARIO": "debt", "JOB_ID": job_id},
        )
        ringing = asyncio.create_task(killed.originate(request))
        await _until(lambda: bool(peer.live_calls()))
        ringing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ringing
        await killed.close()  # the process is gone; Asterisk rings on

        await restarted.start()
        clock = FixedClock(T0 + timedelta(seconds=2))
        dialer = make_dialer(DatabaseJobStore(database), restarted, clock, node_id="nodeB")
        assert await dialer.run_once() == []
        assert [call.channel_id for call in peer.live_calls()] == [f"cb-{job_id}-1"]  # still ringing the client
        assert [action.get("ChannelId") for action in peer.actions("Originate")] == [f"cb-{job_id}-1"]
        clock.advance(39)  # 41 s after the start: 30 s of ringing and AMI's 10 s are over
        assert await dialer.run_once() == []
        await _until(lambda: not peer.live_calls())
        clock.advance(1)
        assert await dialer.run_once() == [job_id]
        await dialer.drain(timeout=10)
        assert [action.get("ChannelId") for action in peer.actions("Originate")] == [
            f"cb-{job_id}-1",
            f"cb-{job_id}-2",
        ]
        assert _state(database, job_id)[2:] == (
            2,
            "no_answer",
            [("lost", f"cb-{job_id}-1"), ("no_answer", f"cb-{job_id}-2")],
        )
    finally:
        await restarted.close()
        await peer.close()


async def test_an_attempt_the_node_could_not_record_counts_lost_before_it_dials_the_job_again(
    database: Database, fake: FakeAmi, ami: AmiClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Review of the dialer: the database went away as 2000 answered busy (c2x.txt) and stayed away for the rest of
    the lease, so the attempt went unrecorded; when it came back the node claimed its own job again as its lease
    ran out and dialled it uncounted, at once, under the same ChannelId. Now the attempt counts (`lost`, as at a
    restart) before the node claims again, the job due after the busy interval, the next dial numbered past it."""

    class Flaky(DatabaseJobStore):
        down = False

        async def record_attempt(self, **values: Any) -> str:
            if self.down:
                raise ConnectionError("the database is restarting")
            return await super().record_attempt(**values)

    with database.session() as session:
        job_id = callbacks.create_job(session, number="200001", scenario="debt", due=T0, max_attempts=3).id
    store, clock = Flaky(database), FixedClock(T0)
    dialer = make_dialer(store, ami, clock, record_retry_delays=(0.01,))  # busy: again after 5 minutes
    store.down = True
    assert await dialer.run_once() == [job_id]
    await dialer.drain(timeout=10)
    assert _state(database, job_id) == ("dialing", "node-a", 0, None, [])  # not recorded
    store.down = False
    clock.advance(10)
    caplog.set_level(logging.WARNING)
    assert await dialer.run_once() == []  # counted before any claim; due after the busy interval
    assert _state(database, job_id) == ("pending", None, 1, "lost", [("lost", f"cb-{job_id}-1")])
    (said,) = [w for w in _warnings(caplog) if "could not record" in w]
    assert job_id in said and "1 attempt(s)" in said
    assert dialer.attempts["lost"] == 1
    clock.advance(6 * 60)  # the lease and the busy interval are over
    assert await dialer.run_once() == [job_id]
    await dialer.drain(timeout=10)
    assert [action.get("ChannelId") for action in fake.actions("Originate")] == [f"cb-{job_id}-1", f"cb-{job_id}-2"]
    assert _state(database, job_id) == (
        "pending",
        None,
        2,
        "busy",
        [("lost", f"cb-{job_id}-1"), ("busy", f"cb-{job_id}-2")],
    )


def _state_number(database: Database, job_id: str) -> str:
    with database.session() as session:
        return callbacks.get_job(session, job_id=job_id).number


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait for `condition`, polling: a test on a slow machine waits longer, it does not fail."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_a_job_taken_over_after_the_lease_counts_the_lost_attempt_so_max_attempts_holds(
    database: Database, fake: FakeAmi, ami: AmiClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Number 300005: nodeA rang it for its third attempt and was killed; nodeB took it over after the lease and
    rang it a fourth time, the history saying 3/3. Its third attempt now counts, so nodeB never rings it again; a
    job with attempts left is dialled once more, under a ChannelId nodeA never used."""
    (last_try,) = _jobs(database, 1, attempts_made=2)
    (second_try,) = _jobs(database, 1, attempts_made=1)
    _killed_while_dialling(database, "nodeA")
    clock = FixedClock(T0 + callbacks.DEFAULT_LEASE + timedelta(seconds=1))
    dialer = make_dialer(DatabaseJobStore(database), ami, clock, node_id="nodeB")
    caplog.set_level(logging.WARNING)
    assert await dialer.run_once() == [second_try]
    assert _state(database, last_try) == (
        "failed",
        None,
        3,
        "lost",
        [("no_answer", f"cb-{last_try}-1"), ("no_answer", f"cb-{last_try}-2"), ("lost", f"cb-{last_try}-3")],
    )
    assert _state(database, second_try)[:4] == ("dialing", "nodeB", 2, "lost")
    taken = [w for w in _warnings(caplog) if "taken over" in w]
    assert len(taken) == 2 and all("'nodeA'" in w for w in taken)
    assert any(last_try in w and "failed" in w for w in taken)
    assert dialer.attempts["lost"] == 2
    await dialer.drain(timeout=10)
    assert [a.get("ChannelId") for a in fake.actions("Originate")] == [f"cb-{second_try}-3"]  # not nodeA's -2
    assert _state(database, second_try)[:3] == ("failed", None, 3)  # its third and last attempt


async def test_a_node_does_not_take_over_its_own_job_nor_another_nodes_within_the_lease(
    database: Database, ami: AmiClient, caplog: pytest.LogCaptureFixture
) -> None:
    (job_id,) = _jobs(database, 1)
    _killed_while_dialling(database, "nodeA")
    dialer = make_dialer(DatabaseJobStore(database), ami, FixedClock(T0 + timedelta(minutes=4)), node_id="nodeB")
    caplog.set_level(logging.WARNING)
    assert await dialer.run_once() == []
    assert _state(database, job_id) == ("dialing", "nodeA", 0, None, [])
    assert _warnings(caplog) == []


def test_a_late_report_of_the_lost_attempt_replaces_it_instead_of_counting_it_twice(database: Database) -> None:
    (job_id,) = _jobs(database, 1)
    _killed_while_dialling(database, "nodeA")
    with database.session() as session:
        (taken,) = callbacks.claim_due_jobs(
            session, now=T0 + callbacks.DEFAULT_LEASE + timedelta(seconds=1), limit=1, node_id="nodeB"
        )
        assert taken.id == job_id
    with database.session() as session:  # nodeA was only cut off: its record of the call lands now
        callbacks.record_attempt(
            session, job_id=job_id, outcome="no_answer", at=T0, call_id=f"cb-{job_id}-1", node_id="nodeA"
        )
    assert _state(database, job_id) == ("dialing", "nodeB", 1, "lost", [("no_answer", f"cb-{job_id}-1")])


def test_the_lease_is_a_setting_every_claim_uses(database: Database) -> None:
    settings = DialerSettings.from_environ({"IVRGRAPH_DIAL_LEASE_SECONDS": "90"}, node_id="nodeA")
    assert settings.lease == timedelta(seconds=90)
    assert DialerSettings.from_environ({}, node_id="nodeA").lease == timedelta(minutes=5)
    (job_id,) = _jobs(database, 1)
    with database.session() as session:
        (claimed,) = callbacks.claim_due_jobs(session, now=T0, limit=1, node_id="nodeA", lease=settings.lease)
        assert claimed.lock_until == T0 + timedelta(seconds=90)
    assert _state(database, job_id)[:2] == ("dialing", "nodeA")


@pytest.mark.parametrize(
    ("environ", "said"),
    [
        ({"IVRGRAPH_DIAL_LEASE_SECONDS": "five"}, "from 60 to 3600"),
        ({"IVRGRAPH_DIAL_LEASE_SECONDS": "30"}, "from 60 to 3600"),
        ({"IVRGRAPH_DIAL_LEASE_SECONDS": "7200"}, "from 60 to 3600"),
        ({"IVRGRAPH_DIAL_LEASE_SECONDS": "120", "IVRGRAPH_DIAL_RING_TIMEOUT": "120"}, "must be more than 145"),
    ],
)
def test_a_lease_too_short_or_unreadable_stops_the_node(environ: dict[str, str], said: str) -> None:
    with pytest.raises(SettingError, match="IVRGRAPH_DIAL_LEASE_SECONDS") as raised:
        DialerSettings.from_environ(environ, node_id="nodeA")
    assert said in str(raised.value)
