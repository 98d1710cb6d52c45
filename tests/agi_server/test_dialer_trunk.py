"""A trunk outage pauses the dialer instead of using up the clients' attempts, over real TCP to the fake Asterisk.

Review: "Congestion counts as a failed attempt, so a trunk outage uses up the clients' attempts." While the trunk
(or the provider) is down, Asterisk answers every Originate with congestion: OriginateResponse Failure, Reason 8,
within milliseconds (c4x.txt; README section 4). A campaign of thousands burnt each client's three attempts in
minutes and ended failed for everyone, though nobody was rung. Callees 4000x congest like 4000 (c4x.txt), 5000x
answer like 5000 (c5x.txt); the trunk "comes back" when 4000 plays c5x.txt instead.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agi_server.ami import AmiClient, AmiSettings
from agi_server.callback_arrivals import CallbackArrivals, callback_resolver
from agi_server.dial_jobs import JobStore
from agi_server.dialer import Dialer, DialerStatus, start_dialer
from agi_server.dialer_settings import DialerSettings
from agi_server.errors import SettingError
from agi_server.job_stores import DatabaseJobStore, MemoryJob, MemoryJobStore
from agi_server.metrics import AgiMetrics
from graph_engine.services import FixedClock
from persistence import callbacks
from persistence.db import Database
from persistence.migrate import upgrade
from tests.fakes import ami as fake_ami
from tests.fakes.ami import FakeAmi, FakeCall
from tests.persistence.published import publish

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PAUSE = timedelta(minutes=1)  # DialerSettings.trunk_pause's default


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def store() -> MemoryJobStore:
    return MemoryJobStore()


SETTINGS: dict[str, Any] = {
    "context": "outbound-ivr",
    "channel_template": "Local/{number}@callees/n",
    "caller_id": '"ACME Dialer" <5550100>',
    "max_lines": 4,
    "poll_interval": 0.01,
    "node_id": "node-a",
}


def make_dialer(store: JobStore, ami: AmiClient, clock: FixedClock, **overrides: Any) -> Dialer:
    return Dialer(store=store, ami=ami, clock=clock, settings=DialerSettings(**{**SETTINGS, **overrides}))


def job(job_id: str, number: str, **overrides: Any) -> MemoryJob:
    values: dict[str, Any] = {"id": job_id, "number": number, "scenario": "debt", "due": T0, "max_attempts": 3}
    return MemoryJob(**{**values, **overrides})


def scenario_runs(fake: FakeAmi, store: CallbackArrivals, clock: FixedClock) -> None:
    """Answered callees reach the scenario, as ivrgraph's FastAGI server does (tests/agi_server/test_dialer.py)."""
    resolve = callback_resolver(store, clock)

    async def reach(call: FakeCall) -> None:
        await resolve(call.variables["IVR_SCENARIO"], {"job": call.variables["JOB_ID"]})

    fake.on_fastagi = reach


def trunk_is_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """The provider is reachable again: the callees who got congestion (4000x) now answer like 5000."""
    monkeypatch.setitem(fake_ami.CALLEE_CAPTURES, "4000", "c5x.txt")  # type: ignore[arg-type]


async def settle(dialer: Dialer) -> None:
    await dialer.drain(timeout=10)
    assert dialer.active_lines == 0


def outcomes(stored: MemoryJob) -> list[str]:
    return [outcome for _at, outcome, _call in stored.attempt_log]


async def test_a_burst_of_congestion_pauses_dialling_and_consumes_no_attempts(
    store: MemoryJobStore, ami: AmiClient, fake: FakeAmi, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Every line congests at once (c4x.txt x 4): the trunk is down. No client was rung, so none loses an attempt;
    each attempt is logged with its outcome for the report, the job is due again after the pause, and no job is
    dialled before the pause ends (the clients not yet dialled keep waiting untouched)."""
    for n in range(6):
        store.add(job(f"out-{n}", f"4000{n}", due=T0 + timedelta(seconds=n)))
    clock.advance(10)
    down_at = clock.now()
    dialer = make_dialer(store, ami, clock)
    with caplog.at_level(logging.WARNING, logger="agi_server.trunk_watch"):
        assert await dialer.run_once() == ["out-0", "out-1", "out-2", "out-3"]
        await settle(dialer)
    dialled = [store.jobs[f"out-{n}"] for n in range(4)]
    assert [(j.status, j.attempts, j.due, outcomes(j)) for j in dialled] == [
        ("pending", 0, down_at + PAUSE, ["failed"])
    ] * 4
    assert [(j.status, j.attempts, j.attempt_log) for j in (store.jobs["out-4"], store.jobs["out-5"])] == [
        ("pending", 0, [])
    ] * 2
    assert sorted((r.job_id, r.attempt, r.status) for r in dialer.reports) == [
        (f"out-{n}", 1, "pending") for n in range(4)
    ]
    assert dialer.trunk_down and dialer.trunk_paused_until == down_at + PAUSE
    assert "trunk" in caplog.text and "not counted" in caplog.text
    clock.advance(59)
    assert await dialer.run_once() == []
    assert len(fake.actions("Originate")) == 4


async def test_a_probe_after_the_pause_that_gets_through_resumes_dialling(
    store: MemoryJobStore,
    ami: AmiClient,
    fake: FakeAmi,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """After the pause one job is dialled, however many lines are free. Congested again: the trunk is still
    down, that attempt is not counted either, and the pause doubles. A probe that gets through ends the outage:
    every line dials again, and each client's only counted attempt is the one that reached them."""
    for n in range(6):
        store.add(job(f"out-{n}", f"4000{n}", due=T0 + timedelta(seconds=n)))
    clock.advance(10)
    scenario_runs(fake, store, clock)
    dialer = make_dialer(store, ami, clock)
    await dialer.run_once()
    await settle(dialer)
    assert dialer.trunk_down
    clock.advance(60)
    assert await dialer.run_once() == ["out-4"]  # the earliest due job, alone: a probe
    assert await dialer.run_once() == []  # no second probe while the first one rings
    await settle(dialer)
    probe = store.jobs["out-4"]
    assert (probe.status, probe.attempts, outcomes(probe)) == ("pending", 0, ["failed"])
    assert dialer.trunk_down and dialer.trunk_paused_until == clock.now() + 2 * PAUSE
    assert probe.due == clock.now() + 2 * PAUSE  # due again once the doubled pause is over
    clock.advance(119)
    assert await dialer.run_once() == []
    clock.advance(1)
    trunk_is_back(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="agi_server.trunk_watch"):
        assert await dialer.run_once() == ["out-5"]  # the earliest due job again: the first probe's is later now
        await settle(dialer)
    assert not dialer.trunk_down and "back" in caplog.text
    assert await dialer.run_once() == ["out-0", "out-1", "out-2", "out-3"]  # every free line dials again
    await settle(dialer)
    assert await dialer.run_once() == ["out-4"]
    await settle(dialer)
    assert {j.id: (j.status, j.attempts) for j in store.jobs.values()} == {f"out-{n}": ("done", 1) for n in range(6)}
    assert [outcomes(store.jobs[f"out-{n}"]) for n in range(6)] == [["failed", "answered"]] * 5 + [["answered"]]
    # Every Originate gets its own ChannelId, though an attempt that was not counted left `attempts` as it was.
    channel_ids = [action.get("ChannelId") for action in fake.actions("Originate")]
    assert len(channel_ids) == len(set(channel_ids)) == 11
    assert [call for _at, _outcome, call in store.jobs["out-4"].attempt_log] == ["cb-out-4-1", "cb-out-4-2"]


async def test_congestion_between_calls_that_get_through_still_counts(
    store: MemoryJobStore, ami: AmiClient, fake: FakeAmi, clock: FixedClock
) -> None:
    """Two callees congest while a third answers (c5x.txt): the trunk works, so the congestions are the callees'
    and count as failed attempts, retried after the failed interval, as before. A later congestion alone does not
    add up with them: the answer between them broke the run."""
    store.add(job("busy-line-1", "40001"))
    store.add(job("busy-line-2", "40002"))
    store.add(job("answers", "50001"))
    scenario_runs(fake, store, clock)
    dialer = make_dialer(store, ami, clock)
    assert sorted(await dialer.run_once()) == ["answers", "busy-line-1", "busy-line-2"]
    await settle(dialer)
    assert not dialer.trunk_down
    assert [(j.status, j.attempts, j.due) for j in (store.jobs["busy-line-1"], store.jobs["busy-line-2"])] == [
        ("pending", 1, T0 + timedelta(minutes=10))
    ] * 2
    assert store.jobs["answers"].status == "done"
    store.add(job("busy-line-3", "40003", due=T0 + timedelta(minutes=10)))
    clock.advance(600)
    assert sorted(await dialer.run_once()) == ["busy-line-1", "busy-line-2", "busy-line-3"]
    await settle(dialer)
    # Three in a row again: the trunk looks down now, and these three are not counted.
    assert dialer.trunk_down
    assert [store.jobs[f"busy-line-{n}"].attempts for n in (1, 2, 3)] == [1, 1, 0]


async def test_one_number_congesting_again_and_again_is_not_a_trunk_outage(
    store: MemoryJobStore, ami: AmiClient, clock: FixedClock
) -> None:
    """It takes different jobs: a callee whose own line congests uses up its attempts as before, and dialling does
    not pause for it (or it would be probed, uncounted, for ever)."""
    store.add(job("congested", "40001"))
    dialer = make_dialer(store, ami, clock, trunk_down_after=2)
    for _ in range(3):
        await dialer.run_once()
        await settle(dialer)
        assert not dialer.trunk_down
        clock.advance(600)
    stored = store.jobs["congested"]
    assert (stored.status, stored.attempts, outcomes(stored)) == ("failed", 3, ["failed"] * 3)


async def test_a_threshold_of_zero_counts_every_congestion(
    store: MemoryJobStore, ami: AmiClient, clock: FixedClock
) -> None:
    """IVRGRAPH_DIAL_TRUNK_DOWN_AFTER=0: the pause is off, every congestion is a failed attempt."""
    for n in range(4):
        store.add(job(f"out-{n}", f"4000{n}"))
    dialer = make_dialer(store, ami, clock, trunk_down_after=0)
    await dialer.run_once()
    await settle(dialer)
    assert not dialer.trunk_down
    assert [j.attempts for j in store.jobs.values()] == [1] * 4


async def test_a_burst_on_the_database_store_consumes_no_attempts(
    fake: FakeAmi, ami: AmiClient, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """persistence.callbacks keeps the same rules: the attempts are logged but not counted, the jobs are pending
    until the pause ends; the next Originate of a job gets a new ChannelId (its log holds one attempt already)."""
    url = f"sqlite:///{tmp_path / 'trunk.sqlite3'}"
    upgrade(url)
    database = Database(url)
    publish(database, "debt")  # the dialer rings callees only into a published scenario
    try:
        with database.session() as session:
            ids = [callbacks.create_job(session, number=f"4000{n}", scenario="debt", due=T0).id for n in range(4)]
        store = DatabaseJobStore(database)
        scenario_runs(fake, store, clock)
        dialer = make_dialer(store, ami, clock)
        assert sorted(await dialer.run_once()) == sorted(ids)
        await settle(dialer)
        assert dialer.trunk_down
        with database.session() as session:
            rows = [callbacks.get_job(session, job_id=i) for i in ids]
            assert [(row.status, row.attempts, row.due, row.locked_by) for row in rows] == [
                ("pending", 0, T0 + PAUSE, None)
            ] * 4
            logged = {i: [(a.outcome, a.call_id) for a in callbacks.list_attempts(session, job_id=i)] for i in ids}
            assert logged == {i: [("failed", f"cb-{i}-1")] for i in ids}
        trunk_is_back(monkeypatch)
        clock.advance(60)
        [probe] = await dialer.run_once()
        await settle(dialer)
        assert not dialer.trunk_down
        with database.session() as session:
            row = callbacks.get_job(session, job_id=probe)
            assert (row.status, row.attempts) == ("done", 1)
            assert [a.call_id for a in callbacks.list_attempts(session, job_id=probe)] == [
                f"cb-{probe}-1",
                f"cb-{probe}-2",
            ]
    finally:
        database.dispose()


async def test_the_trunk_down_gauge(
    fake: FakeAmi, store: MemoryJobStore, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """How a host runs it (start_dialer, the dialer's own loop): ivrgraph_dialer_trunk_down reads 1 from the
    burst until a probe gets through, and 0 again after."""
    for n in range(4):
        store.add(job(f"out-{n}", f"4000{n}"))
    scenario_runs(fake, store, clock)
    settings = DialerSettings(**SETTINGS)
    running = await start_dialer(
        store=store, ami=AmiSettings("127.0.0.1", fake.port, "probe", "probe"), settings=settings, clock=clock
    )
    metrics = AgiMetrics()
    metrics.watch_dialer(running)

    def gauge() -> float:
        lines = metrics.exposition().decode().splitlines()
        return next(float(line.split()[1]) for line in lines if line.startswith("ivrgraph_dialer_trunk_down "))

    try:
        async with asyncio.timeout(5):
            while not all(j.status == "pending" and j.attempt_log for j in store.jobs.values()):
                await asyncio.sleep(0.01)
        assert gauge() == 1 and running.trunk_down
        assert [j.attempts for j in store.jobs.values()] == [0] * 4
        trunk_is_back(monkeypatch)
        clock.advance(60)
        running.dialer.wake()
        async with asyncio.timeout(5):
            while any(j.status != "done" for j in store.jobs.values()):
                await asyncio.sleep(0.01)
        assert gauge() == 0 and not running.trunk_down
    finally:
        await running.stop()


def test_the_threshold_comes_from_the_environment() -> None:
    assert DialerSettings.from_environ({}).trunk_down_after == 3
    assert DialerSettings.from_environ({"IVRGRAPH_DIAL_TRUNK_DOWN_AFTER": "5"}).trunk_down_after == 5
    assert DialerSettings.from_environ({"IVRGRAPH_DIAL_TRUNK_DOWN_AFTER": "0"}).trunk_down_after == 0
    with pytest.raises(SettingError, match="IVRGRAPH_DIAL_TRUNK_DOWN_AFTER"):
        DialerSettings.from_environ({"IVRGRAPH_DIAL_TRUNK_DOWN_AFTER": "-1"})


async def test_a_congestion_still_waiting_for_its_verdict_at_shutdown_counts(
    store: MemoryJobStore, ami: AmiClient, fake: FakeAmi, clock: FixedClock
) -> None:
    """A congestion (c4x.txt) waits for the call ringing beside it (c3x.txt, 30 s unscaled) to tell whether the
    trunk is down; the node stops first. Nothing says the trunk was down, so the attempt counts, as a congestion
    did before, and the job is not left locked to be dialled again uncounted."""
    fake.time_scale = 1.0
    store.add(job("congested", "40001"))
    store.add(job("ringing", "30001"))
    dialer = make_dialer(store, ami, clock)
    await dialer.run_once()
    async with asyncio.timeout(5):
        while not any(call.number == "40001" and call.ended for call in fake.calls):
            await asyncio.sleep(0.005)
    await asyncio.sleep(0.05)  # its OriginateResponse is read: the attempt waits for the verdict now
    assert store.jobs["congested"].attempt_log == []
    await dialer.let_go()
    # The call still ringing is hung up, its attempt not counted (tests/agi_server/test_shutdown_mid_campaign.py).
    assert [(j.status, j.attempts, outcomes(j)) for j in store.jobs.values()] == [
        ("pending", 1, ["failed"]),
        ("pending", 0, ["cancelled"]),
    ]
    assert not dialer.trunk_down


FINAL = frozenset({"done", "failed", "expired"})


async def run_campaign(
    dialer: Dialer, store: MemoryJobStore, clock: FixedClock, *, until: datetime, step: float = 10.0
) -> datetime | None:
    """The dialer's loop on the test's clock: every `step` seconds, passes until one starts nothing (each pass
    waits for its calls to end), until every job is over; when that was, or None when jobs are left at `until`."""
    while clock.now() <= until:
        for _ in range(100):
            if not await dialer.run_once():
                break
            await settle(dialer)
        if all(j.status in FINAL for j in store.jobs.values()):
            return clock.now()
        clock.advance(step)
    return None


async def test_a_few_dead_numbers_cannot_hold_a_campaign(
    store: MemoryJobStore, ami: AmiClient, fake: FakeAmi, clock: FixedClock
) -> None:
    """Review: three numbers that always congest (Reason 8, dead lines), dialled together in the first burst, made
    the trunk look down; left uncounted and due exactly at the pause's end, they were every probe after it, so the
    pause doubled for ever ("paused 120 s ... 240 s ... 480 s") and the clients due meanwhile were never dialled.

    A job an outage spared once is no witness of the trunk when it congests again: that attempt counts, like any
    callee's congestion, and does not add to a run. So the dead numbers use up their attempts and end failed, and
    the good clients (half of them due only after the first pause would have ended) are all reached at once."""
    dead = ["40001", "40002", "40003"]
    for n, number in enumerate(dead):  # first in the list: the first burst dials them together
        store.add(job(f"dead-{n}", number))
    for n in range(6):
        store.add(job(f"early-{n}", f"5000{n}", due=T0 + timedelta(seconds=1)))
    for n in range(8):
        store.add(job(f"later-{n}", f"5000{10 + n}", due=T0 + timedelta(minutes=3)))
    scenario_runs(fake, store, clock)
    dialer = make_dialer(store, ami, clock)
    ended = await run_campaign(dialer, store, clock, until=T0 + timedelta(hours=2))
    good = [j for j in store.jobs.values() if not j.id.startswith("dead")]
    assert {(j.status, j.attempts) for j in good} == {("done", 1)}
    # The later clients at once when they fell due, not after the pauses of a trunk the dead numbers "took down".
    assert max(j.last_attempt_at or T0 for j in good) <= T0 + timedelta(minutes=3, seconds=10)
    assert [(store.jobs[f"dead-{n}"].status, store.jobs[f"dead-{n}"].attempts) for n in range(3)] == [("failed", 3)] * 3
    assert ended is not None and ended <= T0 + timedelta(minutes=45)
    assert not dialer.trunk_down


async def test_a_true_outage_still_pauses_and_counts_nothing(
    store: MemoryJobStore, ami: AmiClient, fake: FakeAmi, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every number congests for ten minutes, then the trunk comes back. The first burst finds it down; each pause
    ends with one probe, a client no outage has spared yet, and the pause doubles (60, 120, 240 s); nobody else is
    dialled meanwhile. Once the trunk is back every client is reached and none lost an attempt to the outage."""
    for n in range(10):
        store.add(job(f"out-{n}", f"4000{n}", due=T0 + timedelta(seconds=n)))
    clock.advance(10)
    scenario_runs(fake, store, clock)
    dialer = make_dialer(store, ami, clock)
    assert await run_campaign(dialer, store, clock, until=T0 + timedelta(minutes=10)) is None
    assert dialer.trunk_down
    dialled = [action.get("ChannelId") for action in fake.actions("Originate")]
    assert dialled == [*(f"cb-out-{n}-1" for n in range(4)), "cb-out-4-1", "cb-out-5-1", "cb-out-6-1"]
    assert all(j.attempts == 0 for j in store.jobs.values())
    trunk_is_back(monkeypatch)
    assert await run_campaign(dialer, store, clock, until=T0 + timedelta(minutes=30)) is not None
    assert not dialer.trunk_down
    assert {j.id: (j.status, j.attempts) for j in store.jobs.values()} == {f"out-{n}": ("done", 1) for n in range(10)}
    assert [outcomes(store.jobs[f"out-{n}"]) for n in range(10)] == [["failed", "answered"]] * 7 + [["answered"]] * 3


async def test_the_probe_is_a_client_the_outage_did_not_spare(
    store: MemoryJobStore, ami: AmiClient, fake: FakeAmi, clock: FixedClock
) -> None:
    """The streak's jobs are due at the pause's end; a client falling due just after it comes later in the queue,
    yet it probes the trunk: a streak's job congests again if its number is dead, whatever the trunk does. The
    other jobs claimed to choose it go back untouched."""
    for n in range(4):
        store.add(job(f"out-{n}", f"4000{n}"))
    store.add(job("fresh", "50001", due=T0 + PAUSE + timedelta(seconds=2)))
    scenario_runs(fake, store, clock)
    dialer = make_dialer(store, ami, clock)
    await dialer.run_once()
    await settle(dialer)
    assert dialer.trunk_down and [store.jobs[f"out-{n}"].due for n in range(4)] == [T0 + PAUSE] * 4
    clock.advance(65)
    assert await dialer.run_once() == ["fresh"]
    assert [(store.jobs[f"out-{n}"].status, store.jobs[f"out-{n}"].locked_by) for n in range(4)] == [
        ("pending", None)
    ] * 4
    await settle(dialer)
    assert not dialer.trunk_down and store.jobs["fresh"].status == "done"


async def test_a_spared_job_congesting_again_counts_on_the_database_store(
    fake: FakeAmi, ami: AmiClient, clock: FixedClock, tmp_path: Path
) -> None:
    """Only dead numbers are left: the burst spares them, then each probe is one of them (none other is due), and
    its congestion counts; the store's log (more attempts than counted) is what tells a spared job, on every node."""
    url = f"sqlite:///{tmp_path / 'dead.sqlite3'}"
    upgrade(url)
    database = Database(url)
    publish(database, "debt")
    try:
        with database.session() as session:
            ids = [callbacks.create_job(session, number=f"4000{n}", scenario="debt", due=T0).id for n in range(3)]
        store = DatabaseJobStore(database)
        dialer = make_dialer(store, ami, clock)
        await dialer.run_once()
        await settle(dialer)
        assert dialer.trunk_down
        clock.advance(60)
        [probe] = await dialer.run_once()
        await settle(dialer)
        with database.session() as session:
            rows = {i: callbacks.get_job(session, job_id=i) for i in ids}
            assert [(rows[i].status, rows[i].attempts) for i in ids] == [
                ("pending", 1 if i == probe else 0) for i in ids
            ]
            assert rows[probe].due == clock.now() + timedelta(minutes=10)  # the failed interval: it counted
            assert len(callbacks.list_attempts(session, job_id=probe)) == 2
        assert dialer.trunk_down and dialer.trunk_paused_until == clock.now() + 2 * PAUSE
    finally:
        database.dispose()


async def test_the_dialer_status_tells_why_nobody_is_called(
    store: MemoryJobStore, ami: AmiClient, clock: FixedClock
) -> None:
    """What GET /api/dialer reports: running; paused until the pause's end with the congested calls counted;
    paused with no end known while the probe rings."""
    dialer = make_dialer(store, ami, clock)
    assert dialer.status() == DialerStatus("running", node="node-a")
    for n in range(4):
        store.add(job(f"out-{n}", f"4000{n}"))
    await dialer.run_once()
    await settle(dialer)
    assert dialer.status() == DialerStatus("paused", "trunk_down", T0 + PAUSE, 4, "node-a")
    clock.advance(60)
    assert dialer.status() == DialerStatus("paused", "trunk_down", None, 4, "node-a")
