"""A dial channel that cannot be set up pauses the dialer as a trunk outage does, over real TCP to the fake Asterisk.

AMI review: an unknown technology is accepted ("Originate successfully queued"), then fails with OriginateResponse
Failure Reason 0 within a millisecond (c-errors.txt test 4, "Bogus/2000": 0.26 ms after "queued"). So does every
call of `IVRGRAPH_DIAL_CHANNEL=SIP/{number}@trunk` on Asterisk 21 or later (chan_sip is gone) or of a misspelt
endpoint. Only Reason 8 counted as "trunk down": five jobs due at once, max_attempts 2, all logged `attempt 1:
failed (Failure (Reason 0)) -> pending` within 4 ms, every attempt counted, the log at INFO only.

The fake fails every channel whose technology it does not know as c-errors.txt test 4 does; Local/9000x callees
fail as fast, as a number that does not exist (c9x.txt, 1 ms); Local/7000x ring 1 s and hang up (c7x.txt: Reason 0
after 1.003 s), a callee's own failure.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from agi_server.ami import AmiClient, AmiSettings, OriginateRequest, OriginateResult
from agi_server.ami_protocol import DialOutcome
from agi_server.dialer import DialerStatus, start_dialer
from agi_server.dialer_settings import DialerSettings
from agi_server.job_stores import DatabaseJobStore, MemoryJobStore
from agi_server.trunk_watch import failed_at_once
from graph_engine.services import FixedClock
from persistence import callbacks
from persistence.db import Database
from tests.agi_server.conftest import DIALER_LOGGERS
from tests.agi_server.test_dialer_trunk import T0, job, make_dialer, outcomes, run_campaign, scenario_runs, settle
from tests.fakes.ami import FakeAmi
from tests.persistence import published

SIP = "SIP/{number}@trunk"  # chan_sip's dial string: a technology Asterisk 21 and later lack


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def store() -> MemoryJobStore:
    return MemoryJobStore()


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name in DIALER_LOGGERS and r.levelno == logging.WARNING]


async def test_a_channel_that_fails_at_once_pauses_dialling_and_consumes_no_attempts(
    store: MemoryJobStore, ami: AmiClient, fake: FakeAmi, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The review's case: five jobs due at once, max_attempts 2, IVRGRAPH_DIAL_CHANNEL=SIP/{number}@trunk. Each
    Originate is queued and fails with Reason 0 at once (c-errors.txt test 4). None of the five is counted, the
    dialer pauses as for congestion, and the WARNING names the channel setting. After the pause one job probes the
    channel; failing at once too, it doubles the pause, and counts: all five had their benefit of the doubt."""
    for n in range(5):
        store.add(job(f"out-{n}", f"55501{n}", max_attempts=2))
    dialer = make_dialer(store, ami, clock, channel_template=SIP, max_lines=10)
    with caplog.at_level(logging.INFO, logger="agi_server"):
        assert sorted(await dialer.run_once()) == [f"out-{n}" for n in range(5)]
        await settle(dialer)
    assert [a.get("Channel") for a in fake.actions("Originate")] == [f"SIP/55501{n}@trunk" for n in range(5)]
    assert [(j.status, j.attempts, j.due, outcomes(j)) for j in store.jobs.values()] == [
        ("pending", 0, T0 + timedelta(minutes=1), ["failed"])
    ] * 5
    assert dialer.trunk_down and dialer.status() == DialerStatus("paused", "trunk_down", T0 + timedelta(minutes=1), 5,
                                                                   "node-a")  # fmt: skip
    assert dialer.attempts == {"trunk_down": 5, "scenario_unavailable": 0}
    (paused,) = _warnings(caplog)
    assert "calls to 3 different numbers in a row failed at once (OriginateResponse Reason 0 within 100 ms" in paused
    assert "check IVRGRAPH_DIAL_CHANNEL='SIP/{number}@trunk'" in paused and "not counted" in paused
    told = [r.getMessage() for r in caplog.records if r.name in DIALER_LOGGERS and r.levelno == logging.INFO]
    assert len(told) == 5 and all(" (not counted): failed (Failure (Reason 0) " in line for line in told), told
    assert all("ms after it was queued, the trunk or the dial channel is down) -> pending" in line for line in told)
    caplog.clear()
    clock.advance(60)
    with caplog.at_level(logging.WARNING, logger="agi_server"):
        assert await dialer.run_once() == ["out-0"]  # a probe, alone
        await settle(dialer)
    assert store.jobs["out-0"].attempts == 1 and dialer.trunk_paused_until == clock.now() + timedelta(minutes=2)
    (still,) = _warnings(caplog)
    assert still.startswith(
        "the trunk is still down (the probe call failed at once too): callback dialling stays paused for 120 s; the "
        "attempt is counted (an earlier outage spared one of this job's attempts); check IVRGRAPH_DIAL_CHANNEL="
    )


async def test_a_channel_that_stays_broken_still_ends_every_job_after_its_attempts(
    store: MemoryJobStore, ami: AmiClient, clock: FixedClock
) -> None:
    """The benefit of the doubt is given once per job, as for congestion (`TrunkWatch`): a channel that stays
    broken for hours ends every job failed after its attempts, one attempt later than without the pause, rather
    than probing with them for ever."""
    for n in range(3):
        store.add(job(f"out-{n}", f"55501{n}", max_attempts=2))
    dialer = make_dialer(store, ami, clock, channel_template=SIP)
    assert await run_campaign(dialer, store, clock, until=T0 + timedelta(hours=3), step=30) is not None
    assert [(j.status, j.attempts, len(j.attempt_log)) for j in store.jobs.values()] == [("failed", 2, 3)] * 3


async def test_numbers_that_do_not_exist_cost_one_pause_then_use_up_their_attempts(
    store: MemoryJobStore, ami: AmiClient, fake: FakeAmi, clock: FixedClock
) -> None:
    """c9x.txt: a callee extension that does not exist fails with Reason 0 within 1 ms too, exactly as a channel
    that cannot be set up. Three of them dialled together look like a broken channel once; after that each counts
    like any callee's failure, so they end failed and the clients beside them are all reached."""
    for n in range(3):
        store.add(job(f"dead-{n}", f"9000{n + 1}"))
    for n in range(4):
        store.add(job(f"good-{n}", f"5000{n}", due=T0 + timedelta(seconds=1)))
    scenario_runs(fake, store, clock)
    dialer = make_dialer(store, ami, clock)
    assert await run_campaign(dialer, store, clock, until=T0 + timedelta(hours=2)) is not None
    assert {(j.status, j.attempts) for j in store.jobs.values() if j.id.startswith("good")} == {("done", 1)}
    assert [(store.jobs[f"dead-{n}"].status, store.jobs[f"dead-{n}"].attempts) for n in range(3)] == [("failed", 3)] * 3
    assert not dialer.trunk_down


async def test_a_callee_who_rings_and_hangs_up_is_no_broken_channel(
    store: MemoryJobStore, ami: AmiClient, fake: FakeAmi, clock: FixedClock
) -> None:
    """c7x.txt: Reason 0 too, but after ringing (1.003 s; 0.2 s at this scale): the callee's, counted at once,
    however many in a row."""
    fake.time_scale = 0.2
    for n in range(4):
        store.add(job(f"hangs-up-{n}", f"7000{n}"))
    dialer = make_dialer(store, ami, clock)
    await dialer.run_once()
    await settle(dialer)
    assert not dialer.trunk_down
    assert [(j.status, j.attempts) for j in store.jobs.values()] == [("pending", 1)] * 4


def test_only_a_fast_reason_0_is_a_failure_at_once() -> None:
    """README section 4's Reason 0 callees, by how long the OriginateResponse took; a reconstructed outcome
    (`lost`) or another reason never is."""
    within = timedelta(milliseconds=100)

    def result(reason: str, seconds: float | None, **more: Any) -> OriginateResult:
        return OriginateResult(DialOutcome.FAILED, f"Failure (Reason {reason})", reason=reason, seconds=seconds, **more)

    assert failed_at_once(result("0", 0.0004), within=within)  # c-errors.txt test 4, Bogus/2000
    assert failed_at_once(result("0", 0.002), within=within)  # c8x.txt, rejected with cause 21
    assert not failed_at_once(result("0", 1.003), within=within)  # c7x.txt, rang 1 s
    assert not failed_at_once(result("0", None), within=within)
    assert not failed_at_once(result("0", 0.001, lost=True), within=within)
    assert not failed_at_once(result("5", 0.001), within=within)  # busy is the callee's


async def test_a_busy_node_still_tells_a_failure_at_once(fake: FakeAmi, ami: AmiClient) -> None:
    """The time is taken from "successfully queued" to the OriginateResponse, both as the session read them: a
    node whose loop is busy when the answers arrive (its start, a burst of calls) reads both late alike. Timed from
    sending the Originate, a node busy at its start read 25-75 ms for failures Asterisk sent in a millisecond."""
    request = OriginateRequest("SIP/2000@trunk", "outbound-ivr", "cb-busy-1", variables={"JOB_ID": "busy"})
    dialled = asyncio.create_task(ami.originate(request))
    async with asyncio.timeout(5):
        while not fake.actions("Originate"):  # Asterisk has it, and answers "queued"
            await asyncio.sleep(0)
    time.sleep(0.2)  # the node's loop does something else meanwhile
    result = await dialled
    assert (result.outcome, result.reason) == (DialOutcome.FAILED, "0")
    assert result.seconds is not None and result.seconds < 0.05
    assert failed_at_once(result, within=DialerSettings().instant_failure)


async def test_a_sip_channel_gets_a_warning_at_start(
    fake: FakeAmi, store: MemoryJobStore, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    """chan_sip (SIP/) is gone since Asterisk 21: said once at the dialer's start, a warning, not a refusal (the
    Asterisk may be older; AMI does not tell its version)."""
    ami = AmiSettings("127.0.0.1", fake.port, "probe", "probe")
    for template, warned in ((SIP, True), ("sip/{number}@trunk", True), ("PJSIP/{number}@trunk", False)):
        caplog.clear()
        settings = DialerSettings(channel_template=template, poll_interval=0.01, node_id="node-a")
        with caplog.at_level(logging.WARNING, logger="agi_server"):
            running = await start_dialer(store=store, ami=ami, settings=settings, clock=clock)
            await running.stop()
        said = [line for line in _warnings(caplog) if "chan_sip" in line]
        assert len(said) == warned, (template, said)
        if warned:
            assert said[0] == (
                f"IVRGRAPH_DIAL_CHANNEL={template!r} dials through chan_sip (SIP/), which Asterisk removed in version "
                "21: there every callback fails at once; use chan_pjsip's PJSIP/{number}@<endpoint> instead"
            )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with published.migrated_database(request.param, tmp_path, "channel_down", "debt") as database:
        yield database


async def test_the_review_case_as_a_node_runs_it(database: Database, fake: FakeAmi, clock: FixedClock) -> None:
    """The dialer as `ivrgraph agi` runs it (start_dialer, its own loop) on the database, PostgreSQL included: the
    five jobs stay pending with no attempt counted, each attempt logged, and /api/dialer's status says why."""
    with database.session() as session:
        ids = [
            callbacks.create_job(session, number=f"55501{n}", scenario="debt", due=T0, max_attempts=2).id
            for n in range(5)
        ]
    settings = DialerSettings(
        context="outbound-ivr", channel_template=SIP, poll_interval=0.01, node_id="node-a", max_lines=10
    )
    ami = AmiSettings("127.0.0.1", fake.port, "probe", "probe")
    running = await start_dialer(store=DatabaseJobStore(database), ami=ami, settings=settings, clock=clock)
    try:
        async with asyncio.timeout(10):
            while len(running.dialer.reports) < 5:
                await asyncio.sleep(0.01)
        assert running.status() == DialerStatus("paused", "trunk_down", T0 + timedelta(minutes=1), 5, "node-a")
    finally:
        await running.stop()
    with database.session() as session:
        rows = [callbacks.get_job(session, job_id=i) for i in ids]
        assert [(row.status, row.attempts, row.due) for row in rows] == [("pending", 0, T0 + timedelta(minutes=1))] * 5
        assert [len(callbacks.list_attempts(session, job_id=i)) for i in ids] == [1] * 5
    assert running.attempts["trunk_down"] == 5
