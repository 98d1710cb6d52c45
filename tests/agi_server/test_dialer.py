"""The callback dialer over real TCP: AmiClient -> fake Asterisk replaying ../shared/asterisk/ami/c*.txt.

Callee numbers pick the captured behaviour: 1123/5000/6000 answer, 2000 busy, 3000 rings unanswered,
4000 congestion, 9000 does not exist (README section 4).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agi_server import dialer as dialer_module
from agi_server.ami import AmiClient, AmiSettings, OriginateRequest, OriginateResult
from agi_server.ami_protocol import DialOutcome
from agi_server.callback_arrivals import CallbackArrivals, callback_resolver
from agi_server.dial_jobs import JobStore
from agi_server.dialer import Dialer, start_dialer
from agi_server.dialer_settings import DialerSettings
from agi_server.errors import SettingError
from agi_server.job_stores import DatabaseJobStore, MemoryJob, MemoryJobStore
from agi_server.scenarios import folder_source
from agi_server.server import AgiServer, AgiServerConfig, ResolvedInputs
from blocks import default_registry
from graph_engine.services import FixedClock, RecordingScheduler, Services
from persistence import callbacks
from persistence.calls import CallFilter, CallRecordWriter, list_calls
from persistence.db import Database
from persistence.migrate import upgrade
from tests.agi_server.conftest import EXAMPLES
from tests.fakes.ami import FakeAmi, FakeCall
from tests.fakes.asterisk import CallerScript, FakeAsterisk, default_env
from tests.persistence import pg
from tests.persistence.published import migrated_database, publish

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def store() -> MemoryJobStore:
    return MemoryJobStore()


def make_dialer(store: JobStore, ami: AmiClient, clock: FixedClock, **overrides: Any) -> Dialer:
    values: dict[str, Any] = {
        "context": "outbound-ivr",
        "channel_template": "Local/{number}@callees/n",
        "caller_id": '"ACME Dialer" <5550100>',
        "max_lines": 4,
        "poll_interval": 0.01,
        "node_id": "node-a",
    }
    values.update(overrides)
    return Dialer(store=store, ami=ami, clock=clock, settings=DialerSettings(**values))


def job(job_id: str, number: str, **overrides: Any) -> MemoryJob:
    values: dict[str, Any] = {"id": job_id, "number": number, "scenario": "debt", "due": T0, "max_attempts": 3}
    values.update(overrides)
    return MemoryJob(**values)


def scenario_runs(fake: FakeAmi, store: CallbackArrivals, clock: FixedClock) -> None:
    """Answered callees reach the scenario: when a capture shows the dialplan's AGI() connected (its first
    AGIExecStart), the job named in "?job=" is reached, as ivrgraph's FastAGI server does (callback_resolver)."""

    resolve = callback_resolver(store, clock)

    async def reach(call: FakeCall) -> None:
        await resolve(call.variables["IVR_SCENARIO"], {"job": call.variables["JOB_ID"]})

    fake.on_fastagi = reach


async def settle(dialer: Dialer) -> None:
    await dialer.drain(timeout=10)
    assert dialer.active_lines == 0


async def test_answered_job_is_done_and_carries_job_and_scenario(
    store: MemoryJobStore, ami: AmiClient, fake: FakeAmi, clock: FixedClock
) -> None:
    """c1x.txt / outbound-agi.txt: the job id and scenario go as channel variables; the dialplan builds
    agi://.../debt?job=<id> from them, so the FastAGI request names the job."""
    store.add(job("job-1", "1123"))
    scenario_runs(fake, store, clock)
    dialer = make_dialer(store, ami, clock)
    assert await dialer.run_once() == ["job-1"]
    await settle(dialer)
    stored = store.jobs["job-1"]
    assert (stored.status, stored.outcome, stored.attempts) == ("done", "answered", 1)
    assert stored.attempt_log == [(T0, "answered", "cb-job-1-1")]
    originate = fake.actions("Originate")[0]
    assert originate.get("Channel") == "Local/1123@callees/n"
    assert originate.get("Context") == "outbound-ivr"
    assert originate.get("ChannelId") == "cb-job-1-1"
    assert [v for n, v in originate.headers if n == "Variable"] == ["IVR_SCENARIO=debt", "JOB_ID=job-1"]


async def test_retry_schedule_by_outcome_until_attempts_run_out(
    store: MemoryJobStore, ami: AmiClient, fake: FakeAmi, clock: FixedClock
) -> None:
    """c2x.txt (busy, Reason 5) three times: retried after the busy interval, then failed."""
    store.add(job("busy-1", "2000"))
    retry = {DialOutcome.BUSY: timedelta(minutes=5), DialOutcome.NO_ANSWER: timedelta(minutes=15)}
    dialer = make_dialer(store, ami, clock, retry_after=retry)
    await dialer.run_once()
    await settle(dialer)
    assert (store.jobs["busy-1"].status, store.jobs["busy-1"].due) == ("pending", T0 + timedelta(minutes=5))
    clock.advance(299)
    assert await dialer.run_once() == []  # not before the interval
    clock.advance(1)
    assert await dialer.run_once() == ["busy-1"]
    await settle(dialer)
    clock.advance(300)
    await dialer.run_once()
    await settle(dialer)
    stored = store.jobs["busy-1"]
    assert (stored.status, stored.attempts, stored.outcome) == ("failed", 3, "busy")
    assert [(at - T0, outcome) for at, outcome, _ in stored.attempt_log] == [
        (timedelta(0), "busy"),
        (timedelta(minutes=5), "busy"),
        (timedelta(minutes=10), "busy"),
    ]
    assert [a.get("ChannelId") for a in fake.actions("Originate")] == ["cb-busy-1-1", "cb-busy-1-2", "cb-busy-1-3"]
    assert [r.outcome for r in dialer.reports] == [DialOutcome.BUSY] * 3


async def test_a_dialer_keeps_only_its_recent_attempts_in_memory(
    store: MemoryJobStore, ami: AmiClient, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every attempt is in the store; the dialer's own list of them grew for as long as the node ran (review of
    2026-12-05, second day). It keeps the latest RECENT_REPORTS, oldest first."""
    monkeypatch.setattr(dialer_module, "RECENT_REPORTS", 2)
    store.add(job("busy-1", "2000"))
    dialer = make_dialer(store, ami, clock, retry_after={DialOutcome.BUSY: timedelta(minutes=5)})
    for _ in range(3):
        await dialer.run_once()
        await settle(dialer)
        clock.advance(300)
    assert [(r.attempt, r.outcome) for r in dialer.reports] == [(2, DialOutcome.BUSY), (3, DialOutcome.BUSY)]


async def test_an_originate_asterisk_refuses_pauses_dialling_and_counts_no_attempt(
    store: MemoryJobStore, ami: AmiClient, fake: FakeAmi, clock: FixedClock
) -> None:
    """c-errors.txt: a context without the extension gets "Response: Error" and nothing rings. That is the node's
    setting, not the callee: counted failed, as before (review of 2026-12-05), three passes ended every job of a
    campaign failed. Now the job goes back with its attempts and dialling pauses until the setting is fixed."""
    for n in range(3):
        store.add(job(f"job-{n}", "1123"))
    dialer = make_dialer(store, ami, clock, context="outbound-typo", max_lines=1)
    assert await dialer.run_once() == ["job-0"]
    await settle(dialer)
    assert dialer.refusing() and await dialer.run_once() == []  # the other jobs would only be refused too
    assert len(fake.actions("Originate")) == 1
    assert [(j.status, j.attempts, j.attempt_log) for j in store.jobs.values()] == [("pending", 0, [])] * 3
    clock.advance(60)  # the pause is over: the fixed setting (or the same refusal) shows
    assert not dialer.refusing() and await dialer.run_once() == ["job-0"]
    await settle(dialer)


@pytest.mark.parametrize(
    ("number", "outcome", "interval"),
    [("3000", "no_answer", timedelta(minutes=15)), ("4000", "failed", timedelta(minutes=10))],
)
async def test_each_outcome_gets_its_own_interval(
    store: MemoryJobStore, ami: AmiClient, clock: FixedClock, number: str, outcome: str, interval: timedelta
) -> None:
    """c3x.txt (no answer, Reason 3) and c4x.txt (congestion, Reason 8 -> failed)."""
    store.add(job("j", number))
    dialer = make_dialer(store, ami, clock)
    await dialer.run_once()
    await settle(dialer)
    assert (store.jobs["j"].status, store.jobs["j"].outcome, store.jobs["j"].due) == ("pending", outcome, T0 + interval)


async def test_concurrency_cap(store: MemoryJobStore, fake: FakeAmi, ami: AmiClient, clock: FixedClock) -> None:
    """c3x.txt callees ring for 30 s (0.3 s scaled): never more than max_lines Originates in flight."""
    for n in range(5):
        store.add(job(f"ring-{n}", "3000", due=T0 + timedelta(seconds=n)))
    clock.advance(10)
    dialer = make_dialer(store, ami, clock, max_lines=2)
    assert await dialer.run_once() == ["ring-0", "ring-1"]  # oldest due first
    assert await dialer.run_once() == []
    while len(fake.actions("Originate")) < 2:
        await asyncio.sleep(0.001)
    await asyncio.sleep(0.05)
    assert len(fake.actions("Originate")) == 2
    assert sum(j.status == "dialing" for j in store.jobs.values()) == 2
    runner = asyncio.create_task(dialer.run())
    try:
        async with asyncio.timeout(10):
            while any(j.attempts == 0 for j in store.jobs.values()):
                await asyncio.sleep(0.01)
    finally:
        runner.cancel()
    await settle(dialer)
    assert dialer.peak_lines == 2
    assert len(fake.actions("Originate")) == 5


async def test_answered_calls_hold_their_lines(
    store: MemoryJobStore, fake: FakeAmi, ami: AmiClient, clock: FixedClock
) -> None:
    """c1x.txt callees answer and stay in the IVR for ~8 s (80 ms scaled): max_lines counts the calls on the
    trunk, so a third call starts only when one of the first two hangs up."""
    for n in range(5):
        store.add(job(f"talk-{n}", "1123", due=T0 + timedelta(seconds=n)))
    clock.advance(10)
    scenario_runs(fake, store, clock)
    dialer = make_dialer(store, ami, clock, max_lines=2)
    peak = 0
    runner = asyncio.create_task(dialer.run())
    try:
        async with asyncio.timeout(10):
            while any(j.status != "done" for j in store.jobs.values()) or dialer.active_lines:
                peak = max(peak, len(fake.live_calls()))
                await asyncio.sleep(0.002)
    finally:
        runner.cancel()
    await settle(dialer)
    assert peak == 2 and dialer.peak_lines == 2
    assert len(fake.actions("Originate")) == 5 and not fake.live_calls()


async def test_window_is_respected(store: MemoryJobStore, fake: FakeAmi, ami: AmiClient, clock: FixedClock) -> None:
    """c1x.txt / c2x.txt callees; the window comes with the job: nothing before `due`, nothing that could
    still ring (Timeout 30000 ms, c3x.txt) past `window_end`."""
    store.add(job("tomorrow", "1123", due=T0 + timedelta(hours=14)))  # the Callback block moved it out of the night
    store.add(job("closed", "1123", due=T0 - timedelta(hours=2), window_end=T0 - timedelta(minutes=1)))
    store.add(job("closing", "1123", window_end=T0 + timedelta(seconds=20)))  # shorter than the 30 s ring
    store.add(job("retry-outside", "2000", window_end=T0 + timedelta(minutes=3)))
    dialer = make_dialer(store, ami, clock)
    scenario_runs(fake, store, clock)
    assert await dialer.run_once() == ["retry-outside"]
    await settle(dialer)
    statuses = {job_id: j.status for job_id, j in store.jobs.items()}
    assert statuses == {"tomorrow": "pending", "closed": "expired", "closing": "expired", "retry-outside": "expired"}
    assert store.jobs["retry-outside"].attempts == 1  # busy; the 5 min retry would fall after the window
    assert [a.get("Channel") for a in fake.actions("Originate")] == ["Local/2000@callees/n"]
    clock.advance(14 * 3600)
    assert await dialer.run_once() == ["tomorrow"]
    await settle(dialer)
    assert store.jobs["tomorrow"].status == "done"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", "5000@callees/n\r\nApplication: System"),
        ("number", "5000&6000"),
        ("scenario", "debt?job=other"),
        ("id", "x y"),
    ],
)
async def test_unsendable_job_fails_without_touching_the_wire(
    store: MemoryJobStore, fake: FakeAmi, ami: AmiClient, clock: FixedClock, field: str, value: str
) -> None:
    """d-header-injection.txt: numbers ^[0-9*#+]{1,32}$, ids and slugs a strict charset; rejected, not cleaned."""
    bad = job("bad", "5000")
    setattr(bad, field, value)
    store.add(bad)
    if field == "id":
        store.jobs = {value: bad}
    dialer = make_dialer(store, ami, clock)
    await dialer.run_once()
    await settle(dialer)
    assert (bad.status, bad.attempts, bad.outcome) == ("failed", 1, "failed")
    assert not fake.actions("Originate")
    assert "invalid" in dialer.reports[0].detail


async def test_a_session_closed_for_garbage_mid_originate_still_records_the_attempt(
    fake: FakeAmi, ami: AmiClient, store: MemoryJobStore, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The peer sends a message that is not AMI while the Originate waits for its Response: the client drops
    the session, but the Originate was written and the callee may be ringing. The attempt is still recorded
    (found after the reconnect), never left locked to be dialled again uncounted."""
    originate = FakeAmi._originate

    def garbage_first(self: FakeAmi, session: Any, headers: list[tuple[str, str]], action_id: str | None) -> None:
        session.writer.write(b"this is not AMI\r\n\r\n")
        originate(self, session, headers, action_id)

    monkeypatch.setattr(FakeAmi, "_originate", garbage_first)
    store.add(job("garbled", "1123"))
    dialer = make_dialer(store, ami, clock)
    assert await dialer.run_once() == ["garbled"]
    await settle(dialer)
    stored = store.jobs["garbled"]
    assert len(fake.actions("Originate")) == 1
    assert stored.attempts == 1 and stored.status != "dialing" and stored.locked_by is None
    assert ami.reconnects >= 1


async def test_an_unexpected_originate_error_counts_as_a_failed_attempt(
    store: MemoryJobStore, clock: FixedClock
) -> None:
    """Whatever else goes wrong inside originate, the attempt counts, so max_attempts still bounds the calls."""

    class Broken:
        connected = True

        async def originate(self, request: Any) -> Any:
            raise RuntimeError("a bug")

    store.add(job("broken", "1123", max_attempts=2))
    dialer = make_dialer(store, Broken(), clock)  # type: ignore[arg-type]
    for _ in range(3):
        await dialer.run_once()
        await settle(dialer)
        clock.advance(3600)
    stored = store.jobs["broken"]
    assert (stored.status, stored.attempts, stored.outcome) == ("failed", 2, "failed")
    assert dialer.reports[0].detail == "outcome unknown: RuntimeError: a bug"


async def test_no_claims_while_ami_is_down(fake: FakeAmi, store: MemoryJobStore, clock: FixedClock) -> None:
    """f2-asterisk-restart.txt: while Asterisk is away, jobs stay pending (no lock, no attempt)."""
    client = AmiClient(AmiSettings("127.0.0.1", fake.port, "probe", "probe", reconnect_initial=0.05))
    await client.start()
    store.add(job("wait", "1123"))
    scenario_runs(fake, store, clock)
    dialer = make_dialer(store, client, clock)
    await fake.stop_asterisk()
    while client.connected:
        await asyncio.sleep(0.001)
    assert await dialer.run_once() == []
    assert store.jobs["wait"].status == "pending"
    await fake.start_asterisk()
    await client.wait_connected(5)
    assert await dialer.run_once() == ["wait"]
    await settle(dialer)
    assert store.jobs["wait"].status == "done"
    await client.close()


async def test_restart_mid_call_counts_a_failed_attempt_and_retries(
    fake: FakeAmi, store: MemoryJobStore, clock: FixedClock
) -> None:
    """f2-asterisk-restart.txt: the ringing call dies with Asterisk; after the reconnect the channel is gone,
    so the attempt is recorded as failed and the job comes back after the failed interval."""
    fake.time_scale = 1.0
    client = AmiClient(AmiSettings("127.0.0.1", fake.port, "probe", "probe", reconnect_initial=0.05))
    await client.start()
    store.add(job("dies", "3000"))
    dialer = make_dialer(store, client, clock)
    await dialer.run_once()
    while not fake.actions("Originate"):
        await asyncio.sleep(0.001)
    await fake.stop_asterisk()
    await fake.start_asterisk()
    await settle(dialer)
    stored = store.jobs["dies"]
    assert (stored.status, stored.outcome, stored.due) == ("pending", "failed", T0 + timedelta(minutes=10))
    assert dialer.reports[0].detail == "outcome unknown: call not found after reconnect"
    await client.close()


async def test_database_store_on_sqlite(fake: FakeAmi, ami: AmiClient, clock: FixedClock, tmp_path: Path) -> None:
    """The adapter over persistence.callbacks: attempts logged with the ChannelId as call id, retry, done."""
    url = f"sqlite:///{tmp_path / 'dialer.sqlite3'}"
    upgrade(url)
    database = Database(url)
    publish(database, "debt")  # the dialer rings callees only into a published scenario
    try:
        with database.session() as session:
            busy = callbacks.create_job(
                session,
                number="2000",
                scenario="debt",
                due=T0,
                max_attempts=2,
                variables={"amount": "12.50"},
                origin_call_id="call-7",
            ).id
            answered = callbacks.create_job(session, number="1123", scenario="debt", due=T0).id
            # Not dialable as written (the space): a possible phone all the same, so it reaches the Originate's check.
            bad = callbacks.create_job(session, number="600 111 222", scenario="debt", due=T0).id
        store = DatabaseJobStore(database)
        scenario_runs(fake, store, clock)
        dialer = make_dialer(store, ami, clock)
        assert sorted(await dialer.run_once()) == sorted([busy, answered, bad])
        await settle(dialer)
        clock.advance(300)
        assert await dialer.run_once() == [busy]
        await settle(dialer)
        with database.session() as session:
            jobs = {j: callbacks.get_job(session, job_id=j) for j in (busy, answered, bad)}
            assert {j: (row.status, row.attempts) for j, row in jobs.items()} == {
                busy: ("failed", 2),
                answered: ("done", 1),
                bad: ("failed", 1),
            }
            attempts = callbacks.list_attempts(session, job_id=busy)
            assert [(a.outcome, a.call_id) for a in attempts] == [("busy", f"cb-{busy}-1"), ("busy", f"cb-{busy}-2")]
        # job ids are UUIDs: they pass the strict charset and reach Asterisk unchanged
        assert {a.get("ChannelId") for a in fake.actions("Originate")} == {
            f"cb-{busy}-1",
            f"cb-{busy}-2",
            f"cb-{answered}-1",
        }
        # What the FastAGI side reads when "debt?job=<id>" arrives (and no job is made up for an unknown id)
        assert await store.reach("no-such-job", at=T0) is None
    finally:
        database.dispose()


@pytest.mark.postgres
async def test_two_nodes_share_jobs_on_postgresql(fake: FakeAmi, clock: FixedClock) -> None:
    """Two dialer nodes on one PostgreSQL database: SKIP LOCKED hands each due job to exactly one node."""
    clients = [AmiClient(AmiSettings("127.0.0.1", fake.port, "probe", "probe"), node_id=name) for name in ("n1", "n2")]
    with pg.throwaway_database("ivrgraph_dialer") as url:
        upgrade(url)
        database = Database(url)
        publish(database, "debt")  # the dialer rings callees only into a published scenario
        try:
            with database.session() as session:
                # Eight callees who all answer like 5000 (c5x.txt): one number is never rung twice at once.
                ids = {callbacks.create_job(session, number=f"5000{n}", scenario="debt", due=T0).id for n in range(8)}
            scenario_runs(fake, DatabaseJobStore(database), clock)
            for client in clients:
                await client.start()
            dialers = [
                make_dialer(DatabaseJobStore(database), client, clock, node_id=client_name, max_lines=5)
                for client, client_name in zip(clients, ("node-1", "node-2"), strict=True)
            ]
            started = await asyncio.gather(*(dialer.run_once() for dialer in dialers))
            for dialer in dialers:
                await settle(dialer)
            assert sorted(started[0] + started[1]) == sorted(ids)  # every job once, none twice
            assert started[0] and started[1]  # 8 jobs, 5 lines each: both nodes had to work
            with database.session() as session:
                assert {callbacks.get_job(session, job_id=j).status for j in ids} == {"done"}
            assert len(fake.actions("Originate")) == 8
        finally:
            for client in clients:
                await client.close()
            database.dispose()


async def test_started_dialer_dials_and_stops(fake: FakeAmi, store: MemoryJobStore, clock: FixedClock) -> None:
    """How a host runs it: start_dialer logs in (c1x.txt callee answers), stop() logs off (a-login.txt)."""
    store.add(job("hosted", "1123"))
    settings = DialerSettings(context="outbound-ivr", channel_template="Local/{number}@callees/n", poll_interval=0.01)
    running = await start_dialer(
        store=store, ami=AmiSettings("127.0.0.1", fake.port, "probe", "probe"), settings=settings, clock=clock
    )
    async with asyncio.timeout(5):
        while store.jobs["hosted"].status != "done":
            await asyncio.sleep(0.01)
    await running.stop()
    assert fake.actions("Logoff")


async def test_a_dialer_that_gave_up_shows_in_the_metrics(
    fake: FakeAmi, store: MemoryJobStore, clock: FixedClock
) -> None:
    """b-login-wrong-secret.txt on a reconnect (the secret changed while Asterisk was down): the dialer stops for
    good, by design, and said so only in the log (review of 2026-12-05, second day). A scrape now shows it."""
    from agi_server.metrics import AgiMetrics

    fake.auth_failure_delay = 0.05
    settings = DialerSettings(context="outbound-ivr", channel_template="Local/{number}@callees/n", poll_interval=0.01)
    ami = AmiSettings("127.0.0.1", fake.port, "probe", "probe", reconnect_initial=0.02)
    running = await start_dialer(store=store, ami=ami, settings=settings, clock=clock)
    metrics = AgiMetrics()
    metrics.watch_dialer(running)

    def figures() -> dict[str, float]:
        lines = metrics.exposition().decode().splitlines()
        return {name: float(value) for name, value in (line.split() for line in lines if line.startswith(
            ("ivrgraph_ami_connected", "ivrgraph_dialer_stopped", "ivrgraph_dialer_active_lines")))}  # fmt: skip

    assert figures() == {"ivrgraph_ami_connected": 1, "ivrgraph_dialer_stopped": 0, "ivrgraph_dialer_active_lines": 0}
    await fake.stop_asterisk()
    fake.secret = "rotated"
    await fake.start_asterisk()
    async with asyncio.timeout(5):
        while not running.gave_up:
            await asyncio.sleep(0.01)
    assert figures()["ivrgraph_ami_connected"] == 0 and figures()["ivrgraph_dialer_stopped"] == 1
    await running.stop()


async def test_callback_resolver_marks_the_job_reached(store: MemoryJobStore, clock: FixedClock) -> None:
    """outbound-agi.txt: agi_network_script 'debt?job=<id>' -> the job is done at once and its variables
    become trusted inputs; the record links the call that scheduled it."""
    store.add(job("job-7", "1123", variables={"amount": "12.50"}, origin_call_id="call-1", status="dialing"))
    resolve = callback_resolver(store, clock)
    assert await resolve("debt", {"job": "job-7"}) == ResolvedInputs(
        variables={
            "amount": "12.50",
            "callback_job_id": "job-7",
            "origin_call_id": "call-1",
            "callback_number": "1123",
        },
        job_id="job-7",
        origin_call_id="call-1",
        dialed_number="1123",
    )
    assert (store.jobs["job-7"].status, store.jobs["job-7"].outcome) == ("done", "answered")
    # The dialer's late report (its AMI session lost the answer) does not reopen it.
    status = await store.record_attempt(
        job_id="job-7", outcome=DialOutcome.FAILED, at=T0, retry_after=timedelta(minutes=10), call_id="cb-job-7-1"
    )
    assert status == "done"
    assert await resolve("debt", {"job": "nope"}) is None
    assert await resolve("debt", {"job": "job-7\rX-Injected: no"}) is None  # d4: a raw CR would arrive here untouched
    assert await resolve("debt", {}) is None


def test_dialer_settings_from_environment() -> None:
    """The dialplan context and channel template are deployment settings (README section 8: outbound-ivr)."""
    env = {"IVRGRAPH_DIAL_CHANNEL": "PJSIP/{number}@carrier", "IVRGRAPH_DIAL_MAX_LINES": "30"}
    settings = DialerSettings.from_environ(env)
    assert (settings.channel_template, settings.max_lines, settings.context) == (
        "PJSIP/{number}@carrier",
        30,
        "ivrgraph-outbound",
    )


@pytest.mark.parametrize(
    "template", ["PJSIP/600@trunk", "PJSIP/{num}@trunk", "PJSIP/{number}@{trunk}", "PJSIP/{number}@trunk,g", "{number}",
                 "PJSIP/{number}@trunk\n"],
)  # fmt: skip
def test_a_channel_template_that_cannot_dial_the_callee_stops_the_node_at_start(template: str) -> None:
    """Review of 2026-12-05: without {number} every callback rang the same line, and another {field} failed each
    attempt only when it was made, after the job had been claimed."""
    with pytest.raises(SettingError, match=r"^IVRGRAPH_DIAL_CHANNEL=.*expected a dial string with \{number\} in it"):
        DialerSettings.from_environ({"IVRGRAPH_DIAL_CHANNEL": template})
    for good in ("Local/{number}@from-internal/n", "SIP/carrier/{number}", "PJSIP/+{number}@carrier-1"):
        assert DialerSettings.from_environ({"IVRGRAPH_DIAL_CHANNEL": good}).channel_template == good


def test_each_node_dials_under_its_own_name_by_default() -> None:
    """Review of 2026-12-05: every node's dialer was called "ivrgraph" unless IVRGRAPH_DIAL_NODE_ID said otherwise,
    so nodes sharing a database could not tell their claims on a job apart (a node whose lease ran out took over
    another's claim). The node's --node-id (its host name by default) names it now; the variable still wins."""
    assert DialerSettings.from_environ({}, node_id="ivr2").node_id == "ivr2"
    assert DialerSettings.from_environ({"IVRGRAPH_DIAL_NODE_ID": "dialer-a"}, node_id="ivr2").node_id == "dialer-a"
    assert DialerSettings.from_environ({"IVRGRAPH_DIAL_NODE_ID": " "}, node_id="ivr2").node_id == "ivr2"
    # Over the 100 characters of a job's locked_by, every claim failed on PostgreSQL and nothing was dialled.
    with pytest.raises(SettingError, match=r"^IVRGRAPH_DIAL_NODE_ID: 'x{101}' is not a node name"):
        DialerSettings.from_environ({"IVRGRAPH_DIAL_NODE_ID": "x" * 101})


@pytest.mark.parametrize(
    ("outcomes", "window_end"),
    [
        (["busy", "no_answer", "answered"], None),
        (["failed", "failed", "failed"], None),
        (["busy", "busy"], T0 + timedelta(minutes=7)),
    ],
)
async def test_memory_store_follows_the_database_rules(
    tmp_path: Path, outcomes: list[str], window_end: datetime | None
) -> None:
    """The in-memory store used by the unit tests moves jobs exactly like persistence.callbacks does."""
    url = f"sqlite:///{tmp_path / 'rules.sqlite3'}"
    upgrade(url)
    database = Database(url)
    publish(database, "debt")  # the dialer rings callees only into a published scenario
    try:
        with database.session() as session:
            job_id = callbacks.create_job(session, number="2000", scenario="debt", due=T0, window_end=window_end).id
        memory = MemoryJobStore()
        memory.add(job(job_id, "2000", window_end=window_end))
        stores: list[JobStore] = [memory, DatabaseJobStore(database)]
        at = T0
        for outcome in outcomes:
            claimed = [await store.claim_due(now=at, limit=5, node_id="n") for store in stores]
            assert [[j.id for j in c] for c in claimed] in ([[job_id], [job_id]], [[], []])
            if not claimed[0]:
                break
            statuses = [
                await store.record_attempt(
                    job_id=job_id,
                    outcome=DialOutcome(outcome),
                    at=at,
                    retry_after=timedelta(minutes=5),
                    call_id="c",
                )
                for store in stores
            ]
            assert statuses[0] == statuses[1]
            at += timedelta(minutes=5)
        with database.session() as session:
            row = callbacks.get_job(session, job_id=job_id)
            assert (row.status, row.attempts, row.due) == (
                memory.jobs[job_id].status,
                memory.jobs[job_id].attempts,
                memory.jobs[job_id].due,
            )
    finally:
        database.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with migrated_database(request.param, tmp_path, "callback", "debt", "callback-connect") as database:
        yield database


async def test_callee_reached_while_ami_is_down_is_never_called_twice(
    database: Database, fake: FakeAmi, clock: FixedClock
) -> None:
    """f1-drop-reconnect.txt with c1x.txt's callee: the AMI session drops right after the Originate and stays
    down until the call is over, so the client never learns it was answered ("outcome unknown", failed). The
    callee's FastAGI call (outbound-agi.txt: "<scenario>?job=<id>") reached our server meanwhile over real TCP:
    the job is done at once, the late failed report does not reopen it, no second Originate ever goes out, and
    the callback's call record links the call that scheduled it."""
    fake.time_scale = 0.1  # c1x: Up after 0.1 s, hung up after 0.7 s
    with database.session() as session:
        job_id = callbacks.create_job(
            session,
            number="1123",
            scenario="callback-connect",
            due=T0,
            variables={"ticket": "T-42"},
            origin_call_id="origin-call-1",
        ).id
    store = DatabaseJobStore(database)
    agi = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0),
        source=folder_source(EXAMPLES),
        registry=default_registry(),
        services=Services(),
        write_batch=CallRecordWriter(database),
        resolve_inputs=callback_resolver(store, clock),
    )
    await agi.start()
    client = AmiClient(AmiSettings("127.0.0.1", fake.port, "probe", "probe", reconnect_initial=0.05), node_id="t")
    await client.start()
    try:
        dialer = make_dialer(store, client, clock)
        assert await dialer.run_once() == [job_id]
        async with asyncio.timeout(5):
            while not fake.actions("Originate"):
                await asyncio.sleep(0.001)
        await fake.partition()
        async with asyncio.timeout(5):
            while fake.calls[0].state != "Up":
                await asyncio.sleep(0.005)
        # Asterisk runs the outbound context: AGI(agi://ivr-host/${IVR_SCENARIO}?job=${JOB_ID})
        script = f"callback-connect?job={job_id}"
        callee = FakeAsterisk("127.0.0.1", agi.port, env=default_env(script), hold=1.0)
        await callee.run(timeout=10)
        with database.session() as session:
            assert callbacks.get_job(session, job_id=job_id).status == "done"  # before the dialer knows anything
        async with asyncio.timeout(5):
            while not fake.calls[0].ended:
                await asyncio.sleep(0.01)
        await fake.heal()
        await settle(dialer)
        assert [(r.outcome, r.status) for r in dialer.reports] == [(DialOutcome.FAILED, "done")]
        clock.advance(3600)  # long past the failed retry interval
        assert await dialer.run_once() == []
        assert len(fake.actions("Originate")) == 1
        await agi.stop(deadline=2.0)
        with database.session() as session:
            job = callbacks.get_job(session, job_id=job_id)
            assert (job.status, job.outcome, job.attempts) == ("done", "answered", 1)
            assert [a.outcome for a in callbacks.list_attempts(session, job_id=job_id)] == ["failed"]
            (record,), _ = list_calls(session, filters=CallFilter(scenario="callback-connect"), limit=10)
            assert (record.callback_job_id, record.origin_call_id) == (job_id, "origin-call-1")
            assert record.variables["ticket"] == "T-42"
    finally:
        await client.close()
        await agi.stop(deadline=1.0)


async def test_shutdown_while_ringing_records_an_attempt(
    store: MemoryJobStore, ami: AmiClient, clock: FixedClock, fake: FakeAmi
) -> None:
    """c3x.txt (3000 rings unanswered): shutdown's deadline comes while it rings. The call is hung up (AMI Hangup),
    and the attempt is logged uncounted, the job back to pending at once, instead of staying locked as `dialing`
    until its lease ends and then being dialled again uncounted (tests/agi_server/test_shutdown_mid_campaign.py)."""
    store.add(job("ringing", "3000"))
    dialer = make_dialer(store, ami, clock)
    assert await dialer.run_once() == ["ringing"]
    await dialer.drain(timeout=0.05)  # the deadline: 3000 rings for 0.3 s at this time scale
    assert dialer.active_lines == 1
    await dialer.let_go()
    stored = store.jobs["ringing"]
    assert (stored.status, stored.attempts, stored.locked_by, stored.due) == ("pending", 0, None, T0)
    assert stored.attempt_log == [(T0, "cancelled", "cb-ringing-1")]
    assert dialer.reports[-1].detail == "hung up unanswered as the node stopped (Failure (Reason 0))"
    assert [action.get("Channel") for action in fake.actions("Hangup")] == [fake.calls[0].channel]
    assert dialer.active_lines == 0


class BlinkingStore(MemoryJobStore):
    """The database fails the first `failures` writes of attempts and arrivals, then answers again."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def _blink(self) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the database is restarting")

    async def record_attempt(self, **values: Any) -> str:
        self._blink()
        return await super().record_attempt(**values)

    async def reach(self, job_id: str, *, at: datetime, scenario: str | None = None) -> Any:
        self._blink()
        return await super().reach(job_id, at=at, scenario=scenario)


async def test_an_answered_attempt_is_recorded_through_a_database_blip(
    fake: FakeAmi, ami: AmiClient, clock: FixedClock
) -> None:
    """Review of 2026-12-05: recording failed once, the attempt was skipped and the job stayed locked as
    `dialing`; when its lease ran out it was claimed again and the callee, who had answered, was called again."""
    store = BlinkingStore(failures=2)
    store.add(job("blip", "1123"))
    scenario_runs(fake, store, clock)
    dialer = make_dialer(store, ami, clock, record_retry_delays=(0.01, 0.01, 0.01))
    assert await dialer.run_once() == ["blip"]
    await settle(dialer)
    stored = store.jobs["blip"]
    assert (stored.status, stored.outcome, stored.attempts, stored.locked_by) == ("done", "answered", 1, None)


async def test_the_callee_gets_the_jobs_variables_through_a_database_blip(clock: FixedClock) -> None:
    store = BlinkingStore(failures=2)
    store.add(job("blip", "1123", variables={"debt": "120"}))
    resolved = await callback_resolver(store, clock)("debt", {"job": "blip"})
    assert resolved is not None and resolved.variables["debt"] == "120"
    assert store.jobs["blip"].status == "done"


async def test_a_call_to_another_scenario_neither_closes_the_job_nor_reads_it(
    clock: FixedClock, tmp_path: Path
) -> None:
    """Review of 2026-12-05: any scenario's "?job=<id>" marked the job reached (it was never dialled again) and
    read its variables (a debt amount, a name) into a call that had nothing to do with it."""
    memory = MemoryJobStore()
    memory.add(job("job-8", "1123", variables={"amount": "12.50"}, status="dialing"))
    url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    upgrade(url)
    database = Database(url)
    try:
        with database.session() as session:
            stored = callbacks.create_job(session, number="1123", scenario="debt", due=T0, variables={"amount": "9"})
        for store, job_id in ((memory, "job-8"), (DatabaseJobStore(database), stored.id)):
            resolve = callback_resolver(store, clock)
            assert await resolve("promo", {"job": job_id}) is None
            resolved = await resolve("debt", {"job": job_id})
            assert resolved is not None and resolved.job_id == job_id
        with database.session() as session:
            assert callbacks.get_job(session, job_id=stored.id).status == "done"  # reached by its own scenario only
    finally:
        database.dispose()
    assert memory.jobs["job-8"].status == "done"


@pytest.mark.parametrize("number", ["3000", "1123"])  # still ringing (c3x.txt) / answered (c1x.txt)
async def test_shutdown_keeps_its_deadline_while_the_database_fails(
    ami: AmiClient, clock: FixedClock, number: str
) -> None:
    """Review of 2026-12-05: with the database failing, a ringing call cut off at shutdown ran the recording's
    whole retry schedule (~3 min), and an answered one held its line for the callee's whole conversation (up to
    2 h): stop() overran its deadline either way."""
    store = BlinkingStore(failures=1000)
    store.add(job("late", number))
    dialer = make_dialer(store, ami, clock, record_retry_delays=(5.0, 5.0))
    assert await dialer.run_once() == ["late"]
    await asyncio.sleep(0.05)  # ringing, or answered and retrying its record
    started = asyncio.get_running_loop().time()
    await dialer.drain(timeout=0.2)
    await dialer.let_go(timeout=1.0)
    assert asyncio.get_running_loop().time() - started < 1.5
    assert dialer.active_lines == 0


async def test_the_memory_store_moves_a_retry_to_the_next_opening_as_the_database_does() -> None:
    """The in-process store keeps persistence.callbacks' rules (tests/persistence/test_callbacks.py)."""
    memory = MemoryJobStore()
    hours = {"hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "21:00"}],
             "timezone": "Europe/Madrid", "holidays": []}  # fmt: skip
    friday = datetime.fromisoformat("2026-11-27T20:50:00+01:00")
    memory.add(job("late", "1123", due=friday, window_end=friday.replace(hour=21, minute=0), allowed_hours=hours))
    memory.add(job("bare", "1124", due=friday, window_end=friday.replace(hour=21, minute=0)))
    await memory.claim_due(now=friday, limit=5, node_id="n")
    for job_id in ("late", "bare"):
        await memory.record_attempt(
            job_id=job_id, outcome=DialOutcome.NO_ANSWER, at=friday, retry_after=timedelta(minutes=15), call_id="c"
        )
    moved = memory.jobs["late"]
    assert (moved.status, moved.due) == ("pending", datetime.fromisoformat("2026-11-30T09:00:00+01:00"))  # Monday
    assert memory.jobs["bare"].status == "expired"


async def test_a_callback_call_knows_the_number_it_rang(store: MemoryJobStore) -> None:
    """On an originated call the channel's CallerID is the dialer's, not the callee's: callback-connect schedules
    its next try to `callback_number`, which the job gives (review, 2026-12-05: it promised a call it could
    not make)."""
    midday = FixedClock(datetime.fromisoformat("2026-11-23T12:00:00+01:00"))
    store.add(job("job-9", "+34600111222", scenario="callback-connect", status="dialing"))
    scheduler = RecordingScheduler()
    agi = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0),
        source=folder_source(EXAMPLES),
        registry=default_registry(),
        services=Services(clock=midday, scheduler=scheduler),
        resolve_inputs=callback_resolver(store, midday),
    )
    await agi.start()
    try:
        env = default_env("callback-connect?job=job-9", agi_callerid="5550100")  # the dialer's CallerID
        await FakeAsterisk("127.0.0.1", agi.port, env=env, script=CallerScript(far_end=["busy"])).run(timeout=10)
    finally:
        await agi.stop(deadline=2.0)
    (request,) = scheduler.requests
    assert (request.number, request.scenario, dict(request.variables)) == (
        "+34600111222",
        "callback-connect",
        {"callback_round": 1, "department": ""},  # the department rides along: the next round rings it again
    )


async def test_an_answer_no_scenario_reached_is_retried_instead_of_counting_it_done(
    database: Database, fake: FakeAmi, ami: AmiClient, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    """c1x-noagi.txt: the callee answers, the dialplan's AGI() finds no FastAGI server (AGISTATUS=FAILURE) and
    hangs up. AMI said answered, but the callee heard nothing: that attempt's outcome is `unreached` and the log
    tells the operator what to check. Not done, and no longer failed for good either: the dialer cannot tell this
    from a node that could not load the job (SRE review), so it is a failed attempt, due again after the failed
    interval (tests/agi_server/test_callback_job_unavailable.py). A callee whose AGI connected (c1x.txt) is done."""
    with database.session() as session:
        silent = callbacks.create_job(session, number="1124", scenario="debt", due=T0).id
        heard = callbacks.create_job(session, number="1123", scenario="debt", due=T0).id
    for store in (DatabaseJobStore(database), MemoryJobStore()):
        if isinstance(store, MemoryJobStore):
            store.add(job(silent, "1124"))
            store.add(job(heard, "1123"))
        scenario_runs(fake, store, clock)
        dialer = make_dialer(store, ami, clock)
        with caplog.at_level("WARNING", logger="agi_server.dialer"):
            assert sorted(await dialer.run_once()) == sorted([silent, heard])
            await settle(dialer)
        unreached = [report for report in dialer.reports if report.outcome is DialOutcome.UNREACHED]
        assert [(r.job_id, r.attempt, r.channel_id, r.status) for r in unreached] == [
            (silent, 1, f"cb-{silent}-1", "pending")
        ]
        assert "check that dialplan context 'outbound-ivr' runs AGI(" in caplog.text
        if isinstance(store, MemoryJobStore):
            outcomes = {j.id: (j.status, j.outcome, j.attempt_log) for j in store.jobs.values()}
        else:
            with database.session() as session:
                outcomes = {
                    j: (
                        row.status,
                        row.outcome,
                        [(a.at, a.outcome, a.call_id) for a in callbacks.list_attempts(session, job_id=j)],
                    )
                    for j in (silent, heard)
                    for row in [callbacks.get_job(session, job_id=j)]
                }
        assert outcomes == {
            silent: ("pending", "unreached", [(T0, "unreached", f"cb-{silent}-1")]),
            heard: ("done", "answered", [(T0, "answered", f"cb-{heard}-1")]),
        }
        assert fake.fastagi_errors == []
    assert len(fake.actions("Originate")) == 4  # each store dialled each callee once, the retry not yet due


# ---------------------------------------------------------------------------------------------------------------
# Review of 2026-12-05: a database outage within the dialer's own retry limits got the callee dialled twice.


@dataclass
class SharedJob:
    """One due job in the store two dialer nodes share, and a look at its stored state."""

    store: JobStore
    job_id: str
    state: Callable[[], tuple[str, str | None, int, list[str]]]  # status, locked by, attempts, attempts' call ids


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_job(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[timedelta], SharedJob]]:
    """`shared_job(lease)`: in memory, or in a real database through DatabaseJobStore (SQLite, PostgreSQL)."""
    with contextlib.ExitStack() as stack:

        def make(lease: timedelta) -> SharedJob:
            if request.param == "memory":
                memory = MemoryJobStore(lease=lease)
                stored = memory.add(job("j1", "2000", max_attempts=5))

                def memory_state() -> tuple[str, str | None, int, list[str]]:
                    return stored.status, stored.locked_by, stored.attempts, [call for _, _, call in stored.attempt_log]

                return SharedJob(memory, "j1", memory_state)
            if request.param == "sqlite":
                url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
            else:
                url = stack.enter_context(pg.throwaway_database("ivrgraph_lease"))
            upgrade(url)
            database = Database(url)
            publish(database, "debt")  # the dialer rings callees only into a published scenario
            stack.callback(database.dispose)
            with database.session() as session:
                job_id = callbacks.create_job(session, number="2000", scenario="debt", due=T0, max_attempts=5).id

            def database_state() -> tuple[str, str | None, int, list[str]]:
                with database.session() as session:
                    row = callbacks.get_job(session, job_id=job_id)
                    calls = [a.call_id or "" for a in callbacks.list_attempts(session, job_id=job_id)]
                    return row.status, row.locked_by, row.attempts, calls

            return SharedJob(DatabaseJobStore(database, lease=lease), job_id, database_state)

        yield make


class Ringer:
    """An Originator whose calls ring `ring` seconds of the test's clock (or until `gate` opens), then busy."""

    connected = True

    def __init__(self, clock: FixedClock, ring: float = 40.0, gate: asyncio.Event | None = None) -> None:
        self.clock, self.ring, self.gate = clock, ring, gate
        self.dials: list[str] = []

    async def originate(self, request: OriginateRequest) -> OriginateResult:
        self.dials.append(request.variables["JOB_ID"])
        if self.gate is not None:
            await self.gate.wait()
        self.clock.advance(self.ring)
        return OriginateResult(DialOutcome.BUSY, "busy")

    async def wait_ended(self, channel_id: str, *, limit: float) -> bool:
        return True


class Unreachable:
    """The store as seen from a node cut off from the database: its first `failures` writes of an attempt fail
    after the PostgreSQL connect timeout (10 s of the test's clock); `tries` holds when each ended."""

    def __init__(self, store: JobStore, clock: FixedClock, failures: int) -> None:
        self.store, self.clock, self.failures = store, clock, failures
        self.tries: list[datetime] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    async def record_attempt(self, **values: Any) -> str:
        if self.failures:
            self.failures -= 1
            self.clock.advance(10)
            self.tries.append(self.clock.now())
            raise ConnectionError("connection timeout expired")
        return await self.store.record_attempt(**values)


def pauses_on_the_clock(monkeypatch: pytest.MonkeyPatch, clock: FixedClock, meanwhile: Dialer) -> list[list[str]]:
    """The dialer's pauses between tries pass on the test's clock, and `meanwhile` (another node, whose database
    works) polls in each; returns what it started in each poll."""
    real_sleep = asyncio.sleep
    polls: list[list[str]] = []

    class ClockedAsyncio:
        def __getattr__(self, name: str) -> Any:
            return getattr(asyncio, name)

        @staticmethod
        async def sleep(delay: float) -> None:
            clock.advance(delay)
            await real_sleep(0)
            polls.append(await meanwhile.run_once())

    monkeypatch.setattr(dialer_module, "asyncio", ClockedAsyncio())
    return polls


def node(store: Any, ami: Any, clock: FixedClock, name: str, **overrides: Any) -> Dialer:
    return Dialer(store=store, ami=ami, clock=clock, settings=DialerSettings(node_id=name, **overrides))


async def test_a_database_outage_within_the_retry_schedule_gets_the_callee_dialled_once(
    shared_job: Callable[[timedelta], SharedJob], clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review of 2026-12-05: the default schedule paused 188.5 s "well inside the 5-minute lease", but each try
    against an unreachable PostgreSQL also waits 10 s to connect, and the ring comes first: at 318.5 s node B
    claimed the job and dialled the callee again while node A was still retrying."""
    shared = shared_job(timedelta(minutes=5))  # DatabaseJobStore's lease
    ami = Ringer(clock)
    node_b = node(shared.store, ami, clock, "b")
    polls = pauses_on_the_clock(monkeypatch, clock, node_b)
    unreachable = Unreachable(shared.store, clock, failures=len(DialerSettings().record_retry_delays))
    node_a = node(unreachable, ami, clock, "a")
    assert await node_a.run_once() == [shared.job_id]
    await node_a.drain(timeout=5)
    await node_b.drain(timeout=5)
    assert ami.dials == [shared.job_id], f"node B started {polls}"
    assert shared.state() == ("pending", None, 1, [f"cb-{shared.job_id}-1"])
    assert unreachable.tries[-1] < T0 + timedelta(minutes=5)


def test_the_default_recording_schedule_fits_the_lease_after_a_ring() -> None:
    """Worst case: the ring (its timeout and AMI's wait for the OriginateResponse), then every try taking its
    whole `record_try_limit`, and every pause between them."""
    settings = DialerSettings()
    ring = settings.ring_timeout.total_seconds() + AmiSettings("h", 5038, "u", "p").action_timeout
    delays = settings.record_retry_delays
    tries = (len(delays) + 1) * settings.record_try_limit
    assert ring + tries + sum(delays) < callbacks.DEFAULT_LEASE.total_seconds()


async def test_a_longer_outage_stops_the_retries_before_the_lease_ends(
    shared_job: Callable[[timedelta], SharedJob], clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However the pauses are set, no try starts that could not end (`record_try_limit`) before the lease does:
    recording past it is too late, node B may have claimed the job and dialled it meanwhile."""
    shared = shared_job(timedelta(minutes=5))
    ami = Ringer(clock)
    node_b = node(shared.store, ami, clock, "b")
    polls = pauses_on_the_clock(monkeypatch, clock, node_b)
    unreachable = Unreachable(shared.store, clock, failures=1000)
    node_a = node(unreachable, ami, clock, "a", record_retry_delays=(60.0,) * 9)
    assert await node_a.run_once() == [shared.job_id]
    await node_a.drain(timeout=5)
    # The ring ended at 40 s; tries ended at 50, 120, 190 and 260 s; one at 320 s would end after the lease.
    assert unreachable.tries == [T0 + timedelta(seconds=s) for s in (50, 120, 190, 260)]
    assert ami.dials == [shared.job_id] and polls == [[], [], []]
    assert shared.state() == ("dialing", "a", 0, [])  # left to its lease, as when the node dies


async def test_a_node_never_gives_back_a_job_it_is_still_dialling(
    shared_job: Callable[[timedelta], SharedJob], clock: FixedClock
) -> None:
    """Review of 2026-12-05: the job's lease ran out while node A's call still rang; A's next pass claimed it
    again and released it (pending), and node B dialled the callee a second time."""
    shared = shared_job(timedelta(minutes=1))
    ringing = asyncio.Event()
    ami = Ringer(clock, ring=0, gate=ringing)
    node_a, node_b = node(shared.store, ami, clock, "a"), node(shared.store, ami, clock, "b")
    assert await node_a.run_once() == [shared.job_id]
    await asyncio.sleep(0.01)
    clock.advance(120)
    assert await node_a.run_once() == []  # its own job, claimed again: the lease renewed, not given back
    assert shared.state()[:2] == ("dialing", "a")
    assert await node_b.run_once() == []
    ringing.set()
    await node_a.drain(timeout=5)
    await node_b.drain(timeout=5)
    assert ami.dials == [shared.job_id]
    assert shared.state() == ("pending", None, 1, [f"cb-{shared.job_id}-1"])


async def test_a_late_record_leaves_the_job_to_the_node_that_claimed_it_since(
    shared_job: Callable[[timedelta], SharedJob], clock: FixedClock
) -> None:
    """Review of 2026-12-05: node A's write reached the database only after its lease ran out and node B had
    claimed the job and was dialling it; the write cleared B's lock and put the job back to pending. The late
    attempt is logged and counted, and the job stays B's until B records its own."""
    shared = shared_job(timedelta(minutes=5))
    partition, b_ringing = asyncio.Event(), asyncio.Event()

    class Partitioned:
        def __getattr__(self, name: str) -> Any:
            return getattr(shared.store, name)

        async def record_attempt(self, **values: Any) -> str:
            await partition.wait()  # the write hangs until the network comes back
            return await shared.store.record_attempt(**values)

    node_a = node(Partitioned(), Ringer(clock), clock, "a")
    node_b = node(shared.store, Ringer(clock, gate=b_ringing), clock, "b")
    assert await node_a.run_once() == [shared.job_id]
    await asyncio.sleep(0.01)
    clock.advance(300)  # A's lease has run out: B takes the job
    assert await node_b.run_once() == [shared.job_id]
    partition.set()
    await node_a.drain(timeout=5)
    assert shared.state() == ("dialing", "b", 1, [f"cb-{shared.job_id}-1"])
    assert node_a.reports[-1].status == "dialing"
    b_ringing.set()
    await node_b.drain(timeout=5)
    # B's dial is numbered past A's (counted lost when B took the job over, then replaced by A's late record)
    assert shared.state() == ("pending", None, 2, [f"cb-{shared.job_id}-1", f"cb-{shared.job_id}-2"])
