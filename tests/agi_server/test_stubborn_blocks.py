"""Plugin blocks that misbehave in a live call, over real TCP (fake Asterisk -> AgiServer -> interpreter): one that
catches the CancelledError stopping it and sleeps on (the caller's hangup, its max_seconds or the shutdown cannot end
it, so the call is given up on, recorded and closed, the block left running), and one that returns an exit it does
not declare (a WARNING in the node's log)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from agi_server.scenarios import CachedScenarioSource, PublishedScenario, SourceLoader
from agi_server.server import AgiServer, AgiServerConfig
from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.document import parse_document
from graph_engine.registry import BlockRegistry
from graph_engine.services import Services
from persistence import calls
from persistence.calls import CallRecordWriter
from persistence.db import Database
from persistence.migrate import upgrade
from tests.agi_server.conftest import MemoryRecords, StartServer, call, exposition_samples, registry_with
from tests.conftest import make_document
from tests.fakes.asterisk import CallerScript, parse_args
from tests.fakes.hanging_blocks import SwallowsCancellation, cancel_until_gone

GIVEN_UP = "ignored its cancellation"


class SaysMaybe(BlockType):
    """Returns an exit it does not declare: a plugin's bug."""

    type = "acme_says_maybe"
    title = "Says maybe"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "maybe"


class ReturnsNothing(BlockType):
    """Forgets its return statement."""

    type = "acme_returns_nothing"
    title = "Returns nothing"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return None  # type: ignore[return-value]  # the plugin's bug under test


def _registry() -> BlockRegistry:
    return registry_with(SwallowsCancellation, SaysMaybe, ReturnsNothing)


def _source(block_type: str, *, config: Mapping[str, Any] | None = None) -> CachedScenarioSource:
    nodes = [
        {"id": "start", "type": "start"},
        {"id": "p", "type": block_type, "config": dict(config or {})},
        {"id": "sorry", "type": "say_phrase", "config": {"text": "Lo sentimos"}},
    ]
    source = CachedScenarioSource()
    doc = make_document(nodes, [("start", "next", "p"), ("p", "error", "sorry")])
    source.publish(PublishedScenario("s", 1, parse_document(doc)))
    return source


async def _wait_for_no_calls(server: AgiServer, within: float) -> float:
    started = time.monotonic()
    while server.active_calls and time.monotonic() - started < within:
        await asyncio.sleep(0.02)
    return time.monotonic() - started


@pytest.fixture(autouse=True)
async def _let_the_blocks_go() -> AsyncIterator[None]:
    """A block that swallows cancellations outlives its call by design, and the test's event loop, which cancels
    what is left once, would wait for it for ever: cancelled here until it lets one through (after the servers
    stopped: this fixture is set up first, so torn down last)."""
    yield
    await cancel_until_gone(200)


async def test_a_caller_hangup_during_a_block_that_swallows_its_cancellation_ends_the_call(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """The review's plugin: the caller hung up after a second, the block logged that it ignored the cancel, and the
    call stayed for ever, unrecorded. Now it is cancelled again at each patrol round and given up on after three."""
    caplog.set_level(logging.WARNING)
    server = await start_server(source=_source("acme.swallows_cancel"), registry=_registry())
    started = time.monotonic()
    fake = await call(server, "s", CallerScript(hangup_after=0.3), hold=10.0, timeout=15)
    took = time.monotonic() - started
    assert fake.hung_up_at is not None
    assert took < 4.5, f"the call held its session for {took:.1f} s after the caller hung up"
    assert fake.server_half_closed  # closed the usual way: Asterisk's channel goes on by ${AGISTATUS}
    assert await _wait_for_no_calls(server, 1.0) < 1.0, "the call kept its place under max_calls"
    async with asyncio.timeout(3.0):  # written by the writer (a batch a second), not by the shutdown
        while not records.records:
            await asyncio.sleep(0.05)
    # What an operator's alert sees: one call given up on, its block still running in the background.
    samples = exposition_samples(server.metrics.exposition().decode())
    assert samples['ivrgraph_agi_errors_total{kind="abandoned_block"}'] == 1
    assert samples["ivrgraph_agi_abandoned_blocks"] == 1
    stopping = time.monotonic()
    await server.stop(deadline=1.0)
    samples = exposition_samples(server.metrics.exposition().decode())
    assert samples["ivrgraph_agi_abandoned_blocks"] == 0  # the stop's cancellations ended it at last
    # The stop cancels the block given up on again each second: it swallows two more (5 in all) and ends, so that
    # the process may exit.
    assert time.monotonic() - stopping < 3.0
    assert not [r for r in caplog.records if "still running" in r.getMessage()]
    [record] = records.records
    assert record.outcome == "failed"
    assert record.error is not None
    assert "block 'p' (acme.swallows_cancel) ignored its cancellation (3 times: the caller hung up" in record.error
    assert [(s["node"], s["exit"]) for s in record.trace["steps"]] == [("start", "next"), ("p", "error")]
    assert record.trace["steps"][1]["error"] == record.error
    assert [parse_args(line)[0] for line in fake.commands] == ["ANSWER"]  # nothing said to a dead channel
    [line] = [r for r in caplog.records if r.levelno == logging.ERROR]
    message = line.getMessage()
    assert message.startswith(f"call_id={record.call_id} {record.error} (plugin ")
    assert "acme.swallows_cancel" in message and "tests.fakes.hanging_blocks:SwallowsCancellation" in message
    assert "may still be running in the background" in message


async def test_a_block_past_its_max_seconds_that_swallows_its_cancellation_is_given_up_on(
    start_server: StartServer, records: MemoryRecords, caplog: pytest.LogCaptureFixture
) -> None:
    """No hangup: the patrol stops it past its max_seconds (0.2 s), twice more, then gives up on the call, whose
    error route is not taken (the block never ended); Asterisk gets its channel back."""
    caplog.set_level(logging.WARNING)
    server = await start_server(source=_source("acme.swallows_cancel"), registry=_registry())
    started = time.monotonic()
    fake = await call(server, "s", hold=10.0, timeout=15)
    took = time.monotonic() - started
    assert fake.hung_up_at is None and fake.server_half_closed
    assert took < 6.5, took  # stopped at the second patrol round past its limit, given up on three rounds later
    await server.stop(deadline=1.0)
    [record] = records.records
    assert record.outcome == "failed" and record.error is not None
    assert "block 'p' (acme.swallows_cancel) ignored its cancellation (3 times: " in record.error
    assert "max_seconds" in record.error
    assert [(s["node"], s["exit"]) for s in record.trace["steps"]] == [("start", "next"), ("p", "error")]
    assert [parse_args(line)[0] for line in fake.commands] == ["ANSWER"]  # not the error route: the block never ended
    [line] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert line.getMessage().startswith(f"call_id={record.call_id} {record.error} (plugin ")


async def test_a_call_whose_block_swallows_the_shutdowns_cancellation_is_still_recorded(tmp_path: Path) -> None:
    """SIGTERM with the block in flight: the call is cancelled at the deadline, again at each second of the wait for
    cancelled calls, and then given up on. The stop ends within its bounds (deadline + 5 s + the records) and the
    call is in the register, with its steps, in a SQLite database as `ivrgraph serve` writes it."""
    url = f"sqlite:///{tmp_path / 'calls.db'}"
    upgrade(url)
    database = Database(url)
    source = _source("acme.swallows_cancel", config={"times": 10})  # more than the 6 cancellations of the stop
    server = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0),
        source=source,
        registry=_registry(),
        services=Services(scenarios=SourceLoader(source)),
        write_batch=CallRecordWriter(database),
    )
    await server.start()
    calling = asyncio.create_task(call(server, "s", hold=15.0, timeout=20))
    try:
        await asyncio.sleep(0.5)  # in the block
        assert server.active_calls == 1
        started = time.monotonic()
        await asyncio.wait_for(server.stop(deadline=0.3), 10.0)
        took = time.monotonic() - started
        with database.session() as session:
            stored, _ = calls.list_calls(session, filters=calls.CallFilter())
            assert len(stored) == 1, "the call is not in the register"
            assert stored[0].outcome == "failed"
            assert stored[0].error is not None
            assert "block 'p' (acme.swallows_cancel) ignored its cancellation (server shutdown)" in stored[0].error
            trace = calls.get_call(session, call_id=stored[0].id).trace
            assert [(s["node"], s["exit"]) for s in trace["steps"]] == [("start", "next"), ("p", "error")]
        assert 5.0 <= took < 7.0, took
        await asyncio.wait({calling}, timeout=2.0)
        assert calling.done(), "the session is still open: Asterisk waits for the script"
        assert [parse_args(line)[0] for line in calling.result().commands] == ["ANSWER"]
    finally:
        calling.cancel()
        if not server._stopping:
            await server.stop(deadline=0.1)
        database.dispose()


@pytest.mark.parametrize(("block_type", "returned"), [("acme_says_maybe", "'maybe'"), ("acme_returns_nothing", "None")])
async def test_a_block_returning_an_exit_it_does_not_declare_is_logged(
    start_server: StartServer,
    records: MemoryRecords,
    caplog: pytest.LogCaptureFixture,
    block_type: str,
    returned: str,
) -> None:
    """A plugin's bug the developer watching the node's log must see, once per step, without a traceback; the call
    takes the block's error exit as before."""
    caplog.set_level(logging.INFO)
    server = await start_server(source=_source(block_type), registry=_registry())
    await call(server, "s", hold=2.0, timeout=10)
    await server.stop(deadline=1.0)
    [record] = records.records
    assert [(s["node"], s["exit"]) for s in record.trace["steps"]] == [
        ("start", "next"),
        ("p", "error"),
        ("sorry", "next"),
    ]
    assert record.trace["steps"][1]["error"] == f"block returned exit {returned}, which it does not declare"
    lines = [r for r in caplog.records if "which it does not declare" in r.getMessage()]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    [line] = lines
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert line.getMessage().startswith(f"call_id={record.call_id} block p ({block_type}, plugin ")
    assert f"returned exit {returned}" in line.getMessage()
