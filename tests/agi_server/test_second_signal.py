"""A second SIGTERM (or SIGINT) while a node drains brings the shutdown deadline forward to now.

SRE review: the second signal was ignored (`add_signal_handler(signum, stop.set)`), so with `--shutdown-deadline 120`
an operator's only way out was SIGKILL, which loses the call records still in memory. Meanwhile the metrics port's
/readyz answered 200 ready although the FastAGI listener was closed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from agi_server.cli import SAME_SIGNAL_WITHIN, run_agi, run_database_agi
from agi_server.scenarios import folder_source
from agi_server.server import AgiServer, AgiServerConfig
from graph_engine.services import Services
from persistence import callbacks
from persistence.db import Database
from persistence.migrate import upgrade
from tests.agi_server.conftest import EXAMPLES, MemoryRecords, exposition_samples
from tests.conftest import free_port
from tests.fakes.ami import FakeAmi
from tests.fakes.asterisk import FakeAsterisk, FakeCall, default_env
from tests.persistence import published

ALREADY_STOPPING = "already stopping: 1 calls left; cancelling them now"
# Past `agi_server.cli.SAME_SIGNAL_WITHIN`: a second signal sooner is the first one again
# (tests/agi_server/test_shutdown_mid_campaign.py).
A_SECOND_SIGNAL_LATER = SAME_SIGNAL_WITHIN + 0.2


async def _get(port: int, path: str) -> httpx.Response:
    # The metrics server answers from a thread of its own; the request must not hold up this loop's node.
    return await asyncio.to_thread(httpx.get, f"http://127.0.0.1:{port}{path}", timeout=5)


def _raise_sigterm() -> None:
    """SIGTERM to this process, which the node under test handles on this loop (`stop_on_signals`): never the
    default action, which would end the test run."""
    assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN, None)
    signal.raise_signal(signal.SIGTERM)


async def _until_playing(fake: FakeAsterisk, running: asyncio.Task[FakeCall]) -> None:
    async with asyncio.timeout(10):
        while not any(command.startswith("STREAM FILE") for command in fake.call.commands):
            assert not running.done(), running.result()
            await asyncio.sleep(0.02)


async def test_a_second_sigterm_cancels_the_calls_left_now_and_keeps_their_records(
    records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """A node with a 120 s deadline and a call playing a minute-long prompt: the first SIGTERM closes the listener
    (/readyz 503 stopping, `ivrgraph_agi_stopping` 1) and waits; the second ends the drain at once, the call
    cancelled and recorded as at the deadline."""
    caplog.set_level(logging.INFO, logger="agi_server")
    metrics_port = free_port()
    stop = asyncio.Event()
    started: asyncio.Future[AgiServer] = asyncio.get_running_loop().create_future()
    node = asyncio.create_task(
        run_agi(
            AgiServerConfig(port=0, shutdown_deadline=120),
            source=folder_source(EXAMPLES),
            services=Services(),
            write_batch=records.write_batch,
            metrics_port=metrics_port,
            stop=stop,
            ready=started.set_result,
        )
    )
    server = await started
    fake = FakeAsterisk("127.0.0.1", server.port, env=default_env("callback-connect"), default_media_seconds=60.0)
    running = asyncio.create_task(fake.run(timeout=30))
    await _until_playing(fake, running)
    assert (await _get(metrics_port, "/readyz")).json() == {"status": "ready"}
    assert exposition_samples((await _get(metrics_port, "/metrics")).text)["ivrgraph_agi_stopping"] == 0

    _raise_sigterm()
    async with asyncio.timeout(5):
        while (ready := await _get(metrics_port, "/readyz")).status_code == 200:
            await asyncio.sleep(0.02)
    assert (ready.status_code, ready.json()) == (503, {"status": "stopping"})
    assert exposition_samples((await _get(metrics_port, "/metrics")).text)["ivrgraph_agi_stopping"] == 1
    await asyncio.sleep(A_SECOND_SIGNAL_LATER)
    assert not node.done() and records.records == []  # the call holds the drain: 120 s to go

    _raise_sigterm()
    async with asyncio.timeout(8):  # CANCELLED_CALLS_WAIT at most, not the deadline
        await node
    call = await running
    assert call.server_half_closed
    [record] = records.records
    assert (record.outcome, record.error) == ("failed", "server shutdown")
    said = [r.getMessage() for r in caplog.records]
    assert ALREADY_STOPPING in said
    assert "FastAGI stopped; 1 calls cancelled at the deadline" in said
    assert [r.levelno for r in caplog.records if r.getMessage() == ALREADY_STOPPING] == [logging.WARNING]


async def test_ivrgraph_agi_under_a_second_sigterm_stops_now(tmp_path: Path) -> None:
    """The process, as an operator meets it: SIGTERM, then SIGTERM again during a 120 s drain."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "ivrgraph.cli", "agi", "--port", str(port), "--scenarios", str(EXAMPLES)),
        *("--shutdown-deadline", "120"),
        stderr=asyncio.subprocess.PIPE,
    )
    stderr = process.stderr
    assert stderr is not None
    said: list[bytes] = []

    async def until_said(words: bytes) -> None:
        while words not in (line := await asyncio.wait_for(stderr.readline(), 20)):
            assert line, b"".join(said).decode(errors="replace")
            said.append(line)
        said.append(line)

    try:
        await until_said(b"FastAGI listening")
        fake = FakeAsterisk("127.0.0.1", port, env=default_env("callback-connect"), default_media_seconds=60.0)
        running = asyncio.create_task(fake.run(timeout=30))
        await _until_playing(fake, running)
        process.send_signal(signal.SIGTERM)
        await until_said(b"stopping FastAGI")
        await asyncio.sleep(A_SECOND_SIGNAL_LATER)
        assert process.returncode is None
        process.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(process.wait(), 10)
        call = await running
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    logs = b"".join(said).decode() + (await stderr.read()).decode()
    assert returncode == 0, logs
    assert ALREADY_STOPPING in logs
    assert "call cancelled at the shutdown deadline" in logs and "1 calls cancelled at the deadline" in logs
    assert call.server_half_closed


async def test_a_second_sigterm_lets_the_callbacks_being_dialled_go_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database node dialling a callee that rings for 30 s (fake AMI, c3x.txt), with a 60 s deadline: the second
    SIGTERM hangs the call up (AMI Hangup), records the attempt uncounted (the job keeps its place and its attempts)
    and the node exits, instead of waiting for the ringing to end."""
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    upgrade(url)
    database = Database(url)
    published.publish(database, "greet")  # the dialer rings callees only into a published scenario
    with database.session() as session:
        job_id = callbacks.create_job(session, number="3000", scenario="greet", due=datetime.now(UTC)).id
    fake = FakeAmi()
    await fake.start()
    for name, value in {
        "IVRGRAPH_AMI_HOST": "127.0.0.1",
        "IVRGRAPH_AMI_PORT": str(fake.port),
        "IVRGRAPH_AMI_USERNAME": "probe",
        "IVRGRAPH_AMI_SECRET": "probe",
        "IVRGRAPH_DIAL_CONTEXT": "outbound-ivr",
        "IVRGRAPH_DIAL_CHANNEL": "Local/{number}@callees/n",
        "IVRGRAPH_MEDIA_ROOT": str(tmp_path / "media"),
    }.items():
        monkeypatch.setenv(name, value)
    started: asyncio.Future[AgiServer] = asyncio.get_running_loop().create_future()
    config = AgiServerConfig(port=0, shutdown_deadline=60)
    node = asyncio.create_task(run_database_agi(config, database_url=url, ready=started.set_result))
    try:
        await asyncio.wait({started, node}, return_when=asyncio.FIRST_COMPLETED)
        assert not node.done(), node.exception()
        async with asyncio.timeout(10):
            while not fake.actions("Originate"):
                await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        _raise_sigterm()
        await asyncio.sleep(A_SECOND_SIGNAL_LATER)
        assert not node.done()  # the ringing call holds the drain
        _raise_sigterm()
        await asyncio.wait({node}, timeout=8)  # not the ringing's 30 s
        assert node.done()
        node.result()
        with database.session() as session:
            job = callbacks.get_job(session, job_id=job_id)
            attempts = callbacks.list_attempts(session, job_id=job_id)
    finally:
        if not node.done():  # the test failed: its node must not outlive it, nor its AMI session hold the fake's close
            node.cancel()
            await asyncio.wait({node}, timeout=10)
            await fake.drop_connections()
        await fake.close()
        database.dispose()
    assert (job.status, job.attempts) == ("pending", 0)
    assert [attempt.outcome for attempt in attempts] == ["cancelled"]
    assert len(fake.actions("Hangup")) == 1
