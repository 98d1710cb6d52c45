"""`ivrgraph agi`: the parser, and `run_agi` serving the examples folder until asked to stop."""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import sys
from pathlib import Path

import pytest

from agi_server.cli import add_parser, run_agi, scenario_source
from agi_server.server import AgiServer, AgiServerConfig
from graph_engine.services import Services
from tests.agi_server.conftest import EXAMPLES, MemoryRecords, call
from tests.fakes.asterisk import FakeAsterisk, default_env


def test_parser() -> None:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["agi", "--host", "127.0.0.1", "--port", "4600", "--allow", "10.0.0.0/8"])
    assert (args.host, args.port, args.allow) == ("127.0.0.1", 4600, ["10.0.0.0/8"])
    assert set(scenario_source(argparse.Namespace(scenarios=str(EXAMPLES))).slugs()) >= {"inbound-hotline"}  # type: ignore[attr-defined]


def test_dial_options_are_checked() -> None:
    from agi_server.channel import ChannelSettings

    with pytest.raises(ValueError):
        ChannelSettings(dial_options="gM(x)")


async def test_run_agi_serves_every_example_by_slug(records: MemoryRecords) -> None:
    source = scenario_source(argparse.Namespace(scenarios=str(EXAMPLES)))
    stop = asyncio.Event()
    started: asyncio.Future[AgiServer] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        run_agi(
            AgiServerConfig(port=0),
            source=source,
            services=Services(),
            write_batch=records.write_batch,
            stop=stop,
            ready=started.set_result,
        )
    )
    server = await started
    slugs = source.slugs()  # type: ignore[attr-defined]
    for slug in slugs:
        await call(server, slug, time_scale=0.001)
    stop.set()
    await task
    assert sorted(r.scenario for r in records.records) == sorted(slugs)
    assert all(r.outcome != "unknown_scenario" and r.trace["steps"] for r in records.records)


async def test_sigterm_lets_the_call_in_flight_end_cleanly(tmp_path: Path) -> None:
    """`ivrgraph agi` under SIGTERM: stops accepting, cancels the call at the deadline, half-closes, exits 0."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ivrgraph.cli",
        "agi",
        "--port",
        str(port),
        "--scenarios",
        str(EXAMPLES),
        "--shutdown-deadline",
        "0.5",
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    while b"FastAGI listening" not in await asyncio.wait_for(process.stderr.readline(), 20):
        pass
    fake = FakeAsterisk("127.0.0.1", port, env=default_env("callback-connect"), default_media_seconds=30.0, hold=10)
    running = asyncio.create_task(fake.run(timeout=20))
    while not fake.call.commands or not fake.call.commands[-1].startswith("STREAM FILE"):
        await asyncio.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    returncode = await asyncio.wait_for(process.wait(), 10)
    logs = (await process.stderr.read()).decode()
    call = await running
    assert returncode == 0, logs
    assert call.server_half_closed and call.interrupted == 1  # our close stopped the prompt, as on a real line
    assert "1 calls cancelled at the deadline" in logs
