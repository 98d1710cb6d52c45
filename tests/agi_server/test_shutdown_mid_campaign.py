"""A node restarted in the middle of a campaign: no callee answers into a node that is gone, nor is rung twice.

Review (an outbound campaign through designer_ui/e2e/fake_pbx.py): on SIGTERM the FastAGI listener closed at once
while the dialer still waited up to the deadline for the calls it was ringing. A client who answered 7 s later was
connected to nothing (the dialplan's AGI() was refused: they heard silence), the attempt was counted as failed of
unknown outcome, and the restarted node rang the same client again. Now the listener stays open while the node's
Originates ring (the callee who answers runs the scenario), a call still ringing at the deadline is hung up through
AMI (an attempt that does not count against the client), and a process group's SIGTERM that reaches the node twice in
a moment is one stop, not a stop cut short.

Real components throughout: `run_database_agi` on SQLite and its real dialer over TCP to the fake AMI
(tests/fakes/ami.py, the captures of ../shared/asterisk/ami/), whose answered callee places its FastAGI call into the
node as the example dialplan's AGI() does (tests/fakes/asterisk.py); SIGTERM through the node's own signal handlers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agi_server.ami import AmiClient, OriginateRequest
from agi_server.ami_protocol import DialOutcome
from agi_server.cli import SAME_SIGNAL_WITHIN, run_agi, run_database_agi
from agi_server.dial_jobs import SHUTDOWN_HANGUP
from agi_server.dialer import HANG_UP_WAIT
from agi_server.scenarios import folder_source
from agi_server.server import AgiServer, AgiServerConfig
from graph_engine.services import Services
from persistence import callbacks
from persistence.calls import CallFilter, list_calls
from persistence.db import Database
from persistence.migrate import upgrade
from tests.agi_server.conftest import EXAMPLES, MemoryRecords
from tests.agi_server.test_second_signal import _raise_sigterm, _until_playing
from tests.conftest import free_port
from tests.fakes.ami import FakeAmi
from tests.fakes.ami import FakeCall as AmiCall
from tests.fakes.asterisk import FakeAsterisk, default_env
from tests.fakes.asterisk import FakeCall as AgiCall
from tests.persistence import published

SCENARIO = "greet"  # a greeting, then the scenario hangs up (tests/persistence/documents.py)
ALREADY_STOPPING = "already stopping"


class Campaign:
    """A database with the scenario published, the fake Asterisk's AMI the node dials through, and each FastAGI call
    an answered callee placed into the node."""

    def __init__(self, tmp_path: Path, fake: FakeAmi, agi_port: int) -> None:
        self.url = f"sqlite:///{tmp_path / 'campaign.sqlite3'}"
        upgrade(self.url)
        self.database = Database(self.url)
        published.publish(self.database, SCENARIO)
        self.fake = fake
        self.agi_port = agi_port
        self.fastagi_calls: list[AgiCall] = []
        fake.on_fastagi = self._callee_runs_agi

    def add_job(self, number: str) -> str:
        with self.database.session() as session:
            return callbacks.create_job(session, number=number, scenario=SCENARIO, due=datetime.now(UTC)).id

    def job(self, job_id: str) -> tuple[str, int, str | None, list[str]]:
        """The job's status, attempts counted, outcome, and the outcome of each attempt logged."""
        with self.database.session() as session:
            job = callbacks.get_job(session, job_id=job_id)
            logged = [attempt.outcome for attempt in callbacks.list_attempts(session, job_id=job_id)]
            return job.status, job.attempts, job.outcome, logged

    async def _callee_runs_agi(self, call: AmiCall) -> None:
        """The answered callee's dialplan runs AGI(agi://node/${IVR_SCENARIO}?job=${JOB_ID}) (outbound-agi.txt); a
        refused connection raises here, and the fake AMI keeps it in `fastagi_errors`."""
        path = f"{call.variables['IVR_SCENARIO']}?job={call.variables['JOB_ID']}"
        env = default_env(
            path,
            request=f"agi://127.0.0.1:{self.agi_port}/{path}",
            channel=call.channel or "Local/1123@callees-00000000;1",
            type="Local",
            uniqueid=call.channel_id,
            context="outbound-ivr",
            extension="s",
        )
        self.fastagi_calls.append(await FakeAsterisk("127.0.0.1", self.agi_port, env=env).run(timeout=15))


@asynccontextmanager
async def fake_asterisk(monkeypatch: pytest.MonkeyPatch, time_scale: float) -> AsyncIterator[FakeAmi]:
    fake = FakeAmi(time_scale=time_scale)
    await fake.start()
    for name, value in {
        "IVRGRAPH_AMI_HOST": "127.0.0.1",
        "IVRGRAPH_AMI_PORT": str(fake.port),
        "IVRGRAPH_AMI_USERNAME": "probe",
        "IVRGRAPH_AMI_SECRET": "probe",
    }.items():
        monkeypatch.setenv(name, value)
    try:
        yield fake
    finally:
        await fake.drop_connections()
        await fake.close()


@asynccontextmanager
async def running_node(
    campaign: Campaign, *, deadline: float, stop: asyncio.Event | None = None
) -> AsyncIterator[asyncio.Task[AgiServer]]:
    """`ivrgraph agi --database` in this process, on the campaign's FastAGI port, until the test is done with it."""
    config = AgiServerConfig(port=campaign.agi_port, shutdown_deadline=deadline)
    started: asyncio.Future[AgiServer] = asyncio.get_running_loop().create_future()
    node = asyncio.create_task(run_database_agi(config, database_url=campaign.url, stop=stop, ready=started.set_result))
    try:
        await asyncio.wait({started, node}, return_when=asyncio.FIRST_COMPLETED)
        assert not node.done(), node.exception()
        yield node
    finally:
        if not node.done():  # the test failed: its node must not outlive it
            node.cancel()
            await asyncio.wait({node}, timeout=10)


async def _until_originated(fake: FakeAmi, count: int = 1) -> None:
    async with asyncio.timeout(10):
        while len(fake.actions("Originate")) < count:
            await asyncio.sleep(0.01)


async def test_a_callee_who_answers_during_the_drain_hears_the_scenario_and_is_not_rung_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialling_env: None, caplog: pytest.LogCaptureFixture
) -> None:
    """SIGTERM while the Originate rings (1123 answers after 1 s, c1x.txt, here 1.5 s): the callee answers within the
    drain, their FastAGI call is taken and the scenario runs to its hangup; the job is done, and the node started
    again does not ring them (another client due then is rung: its first pass ran)."""
    caplog.set_level(logging.INFO, logger="agi_server")
    async with fake_asterisk(monkeypatch, time_scale=1.5) as fake:
        campaign = Campaign(tmp_path, fake, free_port())
        job_id = campaign.add_job("1123")
        try:
            async with running_node(campaign, deadline=4.5) as node:
                await _until_originated(fake)
                _raise_sigterm()
                async with asyncio.timeout(15):
                    await node
            assert fake.fastagi_errors == []  # before: ConnectionRefusedError, the callee heard nothing
            [agi_call] = campaign.fastagi_calls
            assert any(command.startswith("STREAM FILE") for command in agi_call.commands), agi_call.commands
            assert agi_call.commands[-1].startswith("HANGUP"), agi_call.commands  # the scenario ran to its end
            assert campaign.job(job_id) == ("done", 1, "answered", ["answered"])
            with campaign.database.session() as session:
                (record,), _ = list_calls(session, filters=CallFilter(scenario=SCENARIO), limit=5)
            assert (record.callback_job_id, record.outcome) == (job_id, "hung_up")
            said = [r.getMessage() for r in caplog.records]
            assert any(line.startswith("FastAGI keeps listening for the callbacks this node dials") for line in said)

            # The restart: the next client is rung, the one who heard the scenario is not.
            next_client = campaign.add_job("2000")  # busy (c2x.txt)
            stop = asyncio.Event()
            async with running_node(campaign, deadline=2.0, stop=stop) as restarted:
                await _until_originated(fake, 2)
                stop.set()
                async with asyncio.timeout(10):
                    await restarted
        finally:
            campaign.database.dispose()
    dialled = [action.get("ChannelId") for action in fake.actions("Originate")]
    assert dialled == [f"cb-{job_id}-1", f"cb-{next_client}-1"]
    assert campaign.job(job_id)[:2] == ("done", 1)


async def test_a_callee_still_ringing_at_the_deadline_is_hung_up_and_keeps_the_attempt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialling_env: None
) -> None:
    """SIGTERM while 3000 rings (c3x.txt: 30 s, no answer): at the deadline the node hangs the call up (the fake AMI
    got an Action: Hangup naming its channel) before recording it, so nobody can answer into a node that is gone;
    the attempt is logged `cancelled`, not counted, and the job is due again at once (before: counted as failed of
    unknown outcome, the callee still ringing)."""
    async with fake_asterisk(monkeypatch, time_scale=1.0) as fake:
        campaign = Campaign(tmp_path, fake, free_port())
        job_id = campaign.add_job("3000")
        loop = asyncio.get_running_loop()
        try:
            async with running_node(campaign, deadline=1.0) as node:
                await _until_originated(fake)
                _raise_sigterm()
                stopping = loop.time()
                async with asyncio.timeout(15):
                    await node
                took = loop.time() - stopping
            status, attempts, outcome, logged = campaign.job(job_id)
            with campaign.database.session() as session:
                due = callbacks.get_job(session, job_id=job_id).due
        finally:
            campaign.database.dispose()
    [hangup] = fake.actions("Hangup")
    [call] = fake.calls
    assert hangup.get("Channel") == call.channel  # its ";1" leg, named as its events named it
    assert call.hung_up and call.ended and not call.fastagi
    assert (status, attempts, outcome, logged) == ("pending", 0, SHUTDOWN_HANGUP, [SHUTDOWN_HANGUP])
    assert due.replace(tzinfo=UTC) <= datetime.now(UTC)  # due again at once: after the restart, or on another node
    assert took < 1.0 + 2 * HANG_UP_WAIT + 3.0, took  # the deadline, the hang-up, the records: not the 30 s ring


async def test_a_sigterm_repeated_within_a_moment_is_one_stop_and_a_later_one_cuts_it_short(
    records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """`kill -TERM -- -<pgid>` of `make run` reached ivrgraph twice in the same millisecond (from the kill, and from
    make passing it on), and the second cut the drain short at once: `stopping FastAGI: letting calls finish for up
    to 10 s` and `already stopping: 0 calls left; cancelling them now` in one millisecond. Two SIGTERMs 50 ms apart
    are one stop: the call holding a 120 s drain goes on. One 2 s after the first is a deliberate second: cut short."""
    caplog.set_level(logging.INFO, logger="agi_server")
    stop = asyncio.Event()
    started: asyncio.Future[AgiServer] = asyncio.get_running_loop().create_future()
    node = asyncio.create_task(
        run_agi(
            AgiServerConfig(port=0, shutdown_deadline=120),
            source=folder_source(EXAMPLES),
            services=Services(),
            write_batch=records.write_batch,
            stop=stop,
            ready=started.set_result,
        )
    )
    server = await started
    fake = FakeAsterisk("127.0.0.1", server.port, env=default_env("callback-connect"), default_media_seconds=60.0)
    running = asyncio.create_task(fake.run(timeout=30))
    try:
        await _until_playing(fake, running)
        _raise_sigterm()
        await asyncio.sleep(0.05)
        _raise_sigterm()  # the process group's echo of the first
        await asyncio.sleep(2.0 - 0.05)
        assert 2.0 > SAME_SIGNAL_WITHIN
        said = [r.getMessage() for r in caplog.records]
        assert not node.done() and not running.done()  # the call still holds the drain
        assert not any(line.startswith(ALREADY_STOPPING) for line in said), said
        assert sum(line.startswith("SIGTERM again") and "taken as the same one" in line for line in said) == 1
        _raise_sigterm()  # 2 s after the first: a second stop
        async with asyncio.timeout(10):  # the cancelled call's few seconds to close, not the 120 s deadline
            await node
        call = await running
    finally:
        if not node.done():
            node.cancel()
            await asyncio.wait({node}, timeout=10)
    said = [r.getMessage() for r in caplog.records]
    assert said.count("stopping FastAGI: letting calls finish for up to 120 s") == 1
    assert "already stopping: 1 calls left; cancelling them now" in said
    [record] = records.records
    assert (record.outcome, record.error) == ("failed", "server shutdown")
    assert call.server_half_closed


async def test_a_ringing_originate_is_hung_up_by_its_channel_as_asterisk_22_answers_a_hangup(
    fake: FakeAmi, ami: AmiClient
) -> None:
    """What the node sends at its deadline, to the fake's Hangup (no capture holds an Action: Hangup: Asterisk 22's
    documented answers, tests/fakes/ami.py): a ringing call is hung up by the name its events gave it, and ends as a
    callee who rang and never answered does (c7x.txt: Newstate Ringing, then OriginateResponse Failure, Reason 0, read
    as no_answer); a channel gone or never there is "No such channel"."""
    fake.time_scale = 1.0  # 3000 rings 30 s (c3x.txt)
    request = OriginateRequest(channel="Local/3000@callees/n", context="outbound-ivr", channel_id="cb-hang-1")
    ringing = asyncio.create_task(ami.originate(request))
    async with asyncio.timeout(5):
        while not fake.calls or fake.calls[0].channel is None:
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # the events naming the channel reach the client
    assert await ami.hang_up("cb-hang-1") is True
    result = await asyncio.wait_for(ringing, 5)
    assert (result.outcome, result.reason, result.uniqueid) == (DialOutcome.NO_ANSWER, "0", "cb-hang-1")
    [call] = fake.calls
    [hangup] = fake.actions("Hangup")
    assert hangup.get("Channel") == call.channel and call.hung_up and call.ended and not fake.live_legs()
    assert await ami.hang_up("cb-hang-1") is False  # gone: "No such channel"
    answer = await ami.action("Hangup")
    assert (answer.name, answer.get("Message")) == ("Error", "No channel specified")
