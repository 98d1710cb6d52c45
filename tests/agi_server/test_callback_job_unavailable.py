"""A callback whose callee's FastAGI call lands on a node that cannot load the job.

SRE review, three nodes, one of them cut off from the database: the callee's call reached that node, its input
resolver failed, and the node played the whole scenario without the job's variables (debt-reminder said "Hola
cliente", then failed a template on the missing amount); the record named no job, so neither the job nor the
campaign report found the call; and the dialing node closed the job `unreached` for good, its log pointing at the
dialplan. 12 of 30 jobs were lost. Now the node runs nothing without the job, records the failed call under the
job and tells the dialplan IVRGRAPH_STATUS=JOB_UNAVAILABLE; its lookup, given up on, marks nothing reached after
all; and the dialer counts the attempt as a failed one and dials the job again.

Over real TCP: the fake Asterisk (tests/fakes/asterisk.py) calls the FastAGI server, the fake AMI
(tests/fakes/ami.py) replays c1x.txt, whose callee answers and whose dialplan runs AGI(), and starts that fake
Asterisk call when the capture shows AGI() connecting.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from agi_server import callback_arrivals
from agi_server.ami import AmiClient
from agi_server.ami_protocol import DialOutcome
from agi_server.callback_arrivals import CallbackArrivals, callback_resolver
from agi_server.dial_jobs import CallbackContext
from agi_server.job_stores import DatabaseJobStore, MemoryJob, MemoryJobStore
from agi_server.scenarios import folder_source
from agi_server.server import STATUS_VARIABLE, AgiServer, AgiServerConfig
from blocks import default_registry
from graph_engine.services import FixedClock, Services
from persistence import callbacks
from persistence.calls import CallFilter, CallRecordWriter, list_calls
from persistence.db import Database
from tests.agi_server.conftest import EXAMPLES, MemoryRecords, StartServer
from tests.agi_server.test_dialer import T0, make_dialer, settle
from tests.conftest import until
from tests.fakes.ami import FakeAmi, FakeCall
from tests.fakes.asterisk import CallerScript, FakeAsterisk, default_env, parse_args
from tests.fakes.asterisk import FakeCall as AgiTranscript
from tests.persistence.published import migrated_database

SCENARIO = "debt-reminder"
# Commands that play or ask something of the callee: none may reach a callee whose job could not be loaded.
_SCENARIO_VERBS = ("ANSWER", "STREAM FILE", "GET DATA", "SAY", "EXEC", "WAIT FOR DIGIT", "CONTROL STREAM FILE")


class CutOff:
    """The job store as a node cut off from the database sees it: `reach` fails while `cut` (as the driver fails
    a connect), or hangs while `frozen` (a connect that waits for its timeout); `cancelled` counts the hanging
    lookups the FastAGI server gave up on."""

    def __init__(self, store: CallbackArrivals) -> None:
        self.store = store
        self.cut = True
        self.frozen = False
        self.cancelled = 0

    async def reach(self, job_id: str, *, at: datetime, scenario: str | None = None) -> CallbackContext | None:
        if self.frozen:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
        if self.cut:
            raise OperationalError("SELECT callback_jobs", {}, ConnectionRefusedError("connection refused"))
        return await self.store.reach(job_id, at=at, scenario=scenario)


@pytest.fixture(autouse=True)
def quick_reach_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """`_reach` tries a failing store again for 1.7 s; a hundredth of it here."""
    monkeypatch.setattr(callback_arrivals, "_REACH_RETRY_DELAYS", (0.002, 0.005, 0.01))


def _played(transcript: AgiTranscript) -> list[str]:
    return [line for line in transcript.commands if line.upper().startswith(_SCENARIO_VERBS)]


# ---------------------------------------------------------------------------------------------------------------
# The node that takes the callee's call


@pytest.mark.parametrize("failure", ["raises", "times_out"])
async def test_a_callback_whose_job_cannot_be_loaded_runs_no_scenario_and_is_recorded_under_its_job(
    failure: str, start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """The resolver fails (the database refuses the connection, after `_reach`'s retries) or does not answer
    within `resolve_timeout`: no prompt is played, the dialplan is told IVRGRAPH_STATUS=JOB_UNAVAILABLE and the
    session closes (neither answer nor hangup: the dialplan decides, examples/asterisk/extensions.conf), and the
    record is failed under the job the request names. A lookup given up on is cancelled."""
    clock = FixedClock(T0)
    memory = MemoryJobStore()
    cut_off = CutOff(memory)
    cut_off.frozen = failure == "times_out"
    server = await start_server(resolve_inputs=callback_resolver(cut_off, clock), resolve_timeout=0.3)
    env = default_env(f"{SCENARIO}?job=job-7", agi_callerid="5550100", agi_extension="s")
    with caplog.at_level(logging.INFO, logger="agi_server"):
        callee = await FakeAsterisk("127.0.0.1", server.port, env=env).run(timeout=10)
        await server.stop(deadline=1.0)
    assert [parse_args(line) for line in callee.commands] == [["SET", "VARIABLE", STATUS_VARIABLE, "JOB_UNAVAILABLE"]]
    assert callee.variables[STATUS_VARIABLE] == "JOB_UNAVAILABLE" and callee.server_half_closed
    (record,) = records.records
    cause = "OperationalError" if failure == "raises" else "no answer within 0.3 s"
    assert (record.outcome, record.job_id, record.error) == (
        "failed",
        "job-7",
        f"callback job 'job-7' could not be loaded: {cause}",
    )
    assert record.version is not None and not record.trace.get("steps")
    assert server.metrics.errors.labels("inputs")._value.get() == 1
    (line,) = [
        r.getMessage() for r in caplog.records if r.levelname == "ERROR" and "could not be loaded" in r.getMessage()
    ]
    assert f"call_id={record.call_id} callback job 'job-7' could not be loaded (" in line
    assert "IVRGRAPH_STATUS=JOB_UNAVAILABLE" in line
    assert cut_off.cancelled == (1 if failure == "times_out" else 0)


async def test_a_job_the_store_does_not_have_still_runs_on_the_agi_inputs_and_says_so(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """Not found is not "could not look up": a job id the store answers it does not have (a test call, a deleted
    job) runs the scenario on the call's AGI inputs, as before, and the warning now says so."""
    clock = FixedClock(T0)
    server = await start_server(resolve_inputs=callback_resolver(MemoryJobStore(), clock))
    env = default_env(f"{SCENARIO}?job=job-404", agi_callerid="5550100", agi_extension="s")
    with caplog.at_level(logging.WARNING, logger="agi_server.callback_arrivals"):
        callee = await FakeAsterisk("127.0.0.1", server.port, env=env, script=CallerScript(keys=["1"])).run(timeout=10)
        await server.stop(deadline=1.0)
    assert _played(callee) and STATUS_VARIABLE not in callee.variables
    (record,) = records.records
    assert record.job_id is None
    assert "names callback job 'job-404', which the store says is not one of its jobs" in caplog.text
    assert "the call runs on its AGI inputs, without a job's variables" in caplog.text


class Slow:
    """The job store answering slowly (a database under load): `reach` marks the job reached after `delay` seconds;
    `lookups` are the tasks that asked."""

    def __init__(self, store: CallbackArrivals, delay: float) -> None:
        self.store, self.delay = store, delay
        self.lookups: list[asyncio.Task[Any]] = []

    async def reach(self, job_id: str, *, at: datetime, scenario: str | None = None) -> CallbackContext | None:
        task = asyncio.current_task()
        assert task is not None
        self.lookups.append(task)
        await asyncio.sleep(self.delay)
        return await self.store.reach(job_id, at=at, scenario=scenario)


async def test_a_callback_cut_off_by_the_shutdown_while_its_job_is_looked_up_leaves_the_job_to_dial_again(
    start_server: StartServer, records: MemoryRecords
) -> None:
    """The shutdown deadline (or a second SIGTERM) cancels a callee's call while its job is still being looked up.
    The lookup was left running: it outlived `stop`, then marked the job reached (in the product a worker thread's
    committed transaction), so the dialer's settling at the hangup found the job delivered and never dialled it
    again, though the callee heard nothing; and the record named no job. Now the lookup is cancelled with its call
    (`DatabaseJobStore.reach` then rolls back), the record is under the job, and the job is dialled again.
    The callee's side: the env block, the server's SET VARIABLE (200 result=1), its half-close, then Asterisk's
    final HANGUP and EOF (basic.txt's ending)."""
    clock = FixedClock(T0)
    memory = MemoryJobStore()
    memory.add(MemoryJob("job-7", "5550100", SCENARIO, T0, status="dialing", locked_by="n1", lock_until=T0))
    # The dialer saw the callee answer (c1x.txt): the job is done, answered, until its hangup is settled.
    await memory.record_attempt(
        job_id="job-7", outcome=DialOutcome.ANSWERED, at=T0, retry_after=timedelta(0), call_id="cb-job-7-1"
    )
    slow = Slow(memory, delay=0.5)
    server = await start_server(resolve_inputs=callback_resolver(slow, clock))
    env = default_env(f"{SCENARIO}?job=job-7", agi_callerid="5550100", agi_extension="s")
    calling = asyncio.ensure_future(FakeAsterisk("127.0.0.1", server.port, env=env, hold=3.0).run(timeout=10))
    await until(lambda: slow.lookups)
    await server.stop(deadline=0.1)
    assert all(lookup.done() for lookup in slow.lookups), "the job's lookup outlived the server's stop"
    callee = await calling
    assert [parse_args(line) for line in callee.commands] == [["SET", "VARIABLE", STATUS_VARIABLE, "STOPPING"]]
    (record,) = records.records
    assert (record.outcome, record.error, record.job_id) == ("failed", "server shutdown", "job-7")
    await asyncio.sleep(0.6)  # past the store's answer, had the lookup run on
    assert memory.jobs["job-7"].reached_at is None
    # The dialer, as the callee hangs up (`Dialer._settle_answer`): no scenario reached them, the job is due again.
    retry = T0 + timedelta(minutes=10)
    status = await memory.settle_answer(job_id="job-7", call_id="cb-job-7-1", at=T0, retry_after=timedelta(minutes=10))
    assert (status, memory.jobs["job-7"].due, memory.jobs["job-7"].outcome) == ("pending", retry, "unreached")


# ---------------------------------------------------------------------------------------------------------------
# Both ends over a real database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with migrated_database(request.param, tmp_path, "job_unavailable", SCENARIO) as database:
        yield database


def _job(database: Database, **values: Any) -> str:
    variables = {"contact": {"name": "Ana"}, "debt_amount": 120.5}
    with database.session() as session:
        return callbacks.create_job(session, scenario=SCENARIO, due=T0, variables=variables, **values).id


async def test_a_lookup_the_node_gave_up_on_marks_nothing_reached(
    database: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The FastAGI server cancels a lookup that did not answer in time, and the call runs nothing; but the
    transaction goes on in its worker thread. Committed, it marked the job reached: done, never dialled again,
    though its callee heard nothing. It rolls back now."""
    job_id = _job(database, number="1123")
    mark_reached = callbacks.mark_reached

    def slow(session: Any, **values: Any) -> Any:
        time.sleep(0.3)  # a database answering slowly: the server's resolve_timeout passes meanwhile
        return mark_reached(session, **values)

    monkeypatch.setattr(callbacks, "mark_reached", slow)
    store = DatabaseJobStore(database)
    lookup = asyncio.ensure_future(store.reach(job_id, at=T0, scenario=SCENARIO))
    await asyncio.sleep(0.05)
    lookup.cancel()
    with caplog.at_level(logging.WARNING, logger="agi_server.job_stores"):
        await asyncio.sleep(0.6)  # the worker thread ends meanwhile
    with database.session() as session:
        job = callbacks.get_job(session, job_id=job_id)
        assert (job.status, job.reached_at) == ("pending", None)
    assert f"callback job {job_id}: its call stopped waiting for it before it was marked reached" in caplog.text


def _callee_calls(fake: FakeAmi, server: AgiServer, transcripts: list[AgiTranscript]) -> None:
    """When a capture shows the dialplan's AGI() connecting, Asterisk calls `server` as the example outbound
    context does (AGI(agi://node/${IVR_SCENARIO}?job=${JOB_ID})); the callee presses 1 when asked."""

    async def agi(call: FakeCall) -> None:
        script = f"{call.variables['IVR_SCENARIO']}?job={call.variables['JOB_ID']}"
        env = default_env(script, agi_callerid="5550100", agi_extension="s", agi_context="ivrgraph-outbound")
        asterisk = FakeAsterisk("127.0.0.1", server.port, env=env, script=CallerScript(keys=["1"]))
        transcripts.append(await asterisk.run(timeout=10))

    fake.on_fastagi = agi


def _stored(database: Database, job_id: str) -> tuple[str, str | None, int, datetime, list[tuple[str, str | None]]]:
    with database.session() as session:
        job = callbacks.get_job(session, job_id=job_id)
        attempts = [(a.outcome, a.call_id) for a in callbacks.list_attempts(session, job_id=job_id)]
        return job.status, job.outcome, job.attempts, job.due, attempts


async def test_an_answer_the_callees_node_could_not_serve_is_dialled_again(
    database: Database, fake: FakeAmi, ami: AmiClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The SRE review's call, end to end: the dialer rings 1123 (c1x.txt: answers, AGI() connects), the callee's
    FastAGI call lands on a node cut off from the database. No scenario plays; that node's record (once in the
    database) is the failed call under the job; the dialer, finding the job not reached at the hangup, counts a
    failed attempt (`unreached`) and dials it again after the failed interval, instead of closing it for good.
    Reached the second time, with the database back, the callee hears the scenario and the job is done."""
    clock = FixedClock(T0)
    job_id = _job(database, number="1123", max_attempts=3)
    cut_off = CutOff(DatabaseJobStore(database))
    node = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0),
        source=folder_source(EXAMPLES),
        registry=default_registry(),
        services=Services(),
        write_batch=CallRecordWriter(database),
        resolve_inputs=callback_resolver(cut_off, clock),
    )
    await node.start()
    transcripts: list[AgiTranscript] = []
    _callee_calls(fake, node, transcripts)
    try:
        dialer = make_dialer(DatabaseJobStore(database), ami, clock)
        with caplog.at_level(logging.INFO, logger="agi_server"):
            assert await dialer.run_once() == [job_id]
            await settle(dialer)
        assert fake.fastagi_errors == []
        (first,) = transcripts
        assert _played(first) == [] and first.variables[STATUS_VARIABLE] == "JOB_UNAVAILABLE"
        retry = T0 + timedelta(minutes=10)  # the failed interval (IVRGRAPH_DIAL_RETRY_FAILED)
        assert _stored(database, job_id) == ("pending", "unreached", 1, retry, [("unreached", f"cb-{job_id}-1")])
        # The answer as recorded, then what it came to at the hangup.
        assert [(r.outcome, r.status) for r in dialer.reports] == [
            (DialOutcome.ANSWERED, "done"),
            (DialOutcome.UNREACHED, "pending"),
        ]
        (advice,) = [r.getMessage() for r in caplog.records if "heard no scenario" in r.getMessage()]
        assert "check that dialplan context 'outbound-ivr' runs AGI()" in advice  # one cause...
        assert "or the node that took the call could not load the job" in advice  # ...or the other
        assert advice.endswith("the job is dialled again after the failed interval (IVRGRAPH_DIAL_RETRY_FAILED)")

        cut_off.cut = False  # the node reaches the database again
        clock.advance(599)
        assert await dialer.run_once() == []  # not before the retry interval
        clock.advance(1)
        assert await dialer.run_once() == [job_id]
        await settle(dialer)
        second = transcripts[1]
        assert _played(second) and STATUS_VARIABLE not in second.variables
        assert _stored(database, job_id)[:3] == ("done", "answered", 2)
        assert _stored(database, job_id)[4] == [("unreached", f"cb-{job_id}-1"), ("answered", f"cb-{job_id}-2")]
    finally:
        await node.stop(deadline=1.0)
    with database.session() as session:
        calls, _ = list_calls(session, filters=CallFilter(callback_job_id=job_id), limit=10)
    # Both at the node's clock's one moment (Services' fixed clock): told apart by their outcomes.
    assert sorted((call.outcome, call.callback_job_id) for call in calls) == [("failed", job_id), ("hung_up", job_id)]
    (failed,) = [call for call in calls if call.outcome == "failed"]
    assert failed.error == f"callback job {job_id!r} could not be loaded: OperationalError"


async def test_an_unreached_answer_on_the_last_attempt_ends_the_job_failed(
    database: Database, fake: FakeAmi, ami: AmiClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Retried on the job's own rules: with its attempts used up, the unreached answer ends it failed, outcome
    unreached, as a dialplan that never runs AGI() ends each of its jobs after `max_attempts` calls."""
    clock = FixedClock(T0)
    job_id = _job(database, number="1123", max_attempts=1)
    cut_off = CutOff(DatabaseJobStore(database))
    node = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0),
        source=folder_source(EXAMPLES),
        registry=default_registry(),
        services=Services(),
        resolve_inputs=callback_resolver(cut_off, clock),
    )
    await node.start()
    transcripts: list[AgiTranscript] = []
    _callee_calls(fake, node, transcripts)
    try:
        dialer = make_dialer(DatabaseJobStore(database), ami, clock)
        with caplog.at_level(logging.INFO, logger="agi_server"):
            assert await dialer.run_once() == [job_id]
            await settle(dialer)
    finally:
        await node.stop(deadline=1.0)
    (only,) = transcripts
    assert _played(only) == [] and only.variables[STATUS_VARIABLE] == "JOB_UNAVAILABLE"
    assert _stored(database, job_id) == ("failed", "unreached", 1, T0, [("unreached", f"cb-{job_id}-1")])
    assert [(r.outcome, r.status) for r in dialer.reports] == [
        (DialOutcome.ANSWERED, "done"),
        (DialOutcome.UNREACHED, "failed"),
    ]
    (advice,) = [r.getMessage() for r in caplog.records if "heard no scenario" in r.getMessage()]
    assert advice.endswith("the job has used up its attempts and failed, outcome unreached")
    clock.advance(3600)
    assert await dialer.run_once() == []
