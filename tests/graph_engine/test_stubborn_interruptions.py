"""A block that catches the CancelledError of its interruption (`CallRun.interrupt`) and carries on: the host
interrupts it again (`interrupt_again`), and may give up on the walk (`abandon`), whose result then stays as it was
given, whatever the block does later."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar

import pytest

from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.document import parse_document
from graph_engine.errors import CallerHangup, EngineError
from graph_engine.interpreter import CallRun
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ScriptedChannel
from graph_engine.trace import CallOutcome
from tests.conftest import make_document
from tests.fakes.hanging_blocks import SwallowsCancellation, cancel_until_gone


class CatchesAndReturns(BlockType):
    """Catches its interruption and returns `next` all the same."""

    type = "catches_and_returns"
    title = "Catches and returns"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            pass
        return "next"


class Waits(BlockType):
    type = "waits"
    title = "Waits"
    started: ClassVar[asyncio.Event | None] = None

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        if Waits.started is not None:
            Waits.started.set()
        await asyncio.sleep(3600)
        return "next"


@pytest.fixture(autouse=True)
async def _let_the_blocks_go() -> AsyncIterator[None]:
    """A walk left running by a failing test, its block swallowing cancellations: the test's event loop, which
    cancels what is left once, would wait for it for ever. Cancelled here until it lets one through."""
    yield
    await cancel_until_gone(50)


def _run(registry: BlockRegistry, *types: str, times: int = 5) -> CallRun:
    nodes: list[dict[str, Any]] = [{"id": "start", "type": "start"}]
    edges = []
    for index, block_type in enumerate(types):
        config = {"times": times} if block_type == SwallowsCancellation.type else {}
        nodes.append({"id": f"b{index}", "type": block_type, "config": config})
        edges.append((nodes[-2]["id"], "next", f"b{index}"))
    nodes.append({"id": "after", "type": "set_variable", "config": {"assignments": [{"variable": "v", "value": "x"}]}})
    edges += [(nodes[-2]["id"], "next", "after"), (nodes[-2]["id"], "error", "after")]
    extended = BlockRegistry.of([SwallowsCancellation, CatchesAndReturns, Waits])
    for block in registry:
        extended.register(type(block), origin="builtin")
    doc = make_document(nodes, edges, variables=[{"name": "v", "default": ""}])
    return CallRun(parse_document(doc), channel=ScriptedChannel(), registry=extended)


async def _walking(run: CallRun) -> asyncio.Task[int]:
    """The walk in a task of its own, which reports its cancellation count once the walk is over."""

    async def walk() -> int:
        await run.run()
        task = asyncio.current_task()
        assert task is not None
        return task.cancelling()

    task = asyncio.ensure_future(walk())
    await asyncio.sleep(0.02)  # in the block
    return task


async def _ended(task: asyncio.Task[int]) -> int:
    """The walk's result once it ended, within 2 s (not asyncio.wait_for, which would wait for ever for a walk
    whose block swallows the cancellation of its timeout)."""
    await asyncio.wait({task}, timeout=2.0)
    assert task.done(), "the walk did not end"
    return task.result()


async def test_a_block_that_swallows_its_interruption_is_interrupted_again_until_it_stops(registry) -> None:
    run = _run(registry, SwallowsCancellation.type, times=2)
    task = await _walking(run)
    assert run.interrupt(CallerHangup("the caller hung up"))
    await asyncio.sleep(0.02)
    assert not task.done() and run.interruptions == 1  # swallowed
    assert not run.interrupt(CallerHangup("again")), "interrupt itself stays refused while one is pending"
    assert run.interrupt_again()
    await asyncio.sleep(0.02)
    assert not task.done() and run.interruptions == 2  # swallowed again
    assert run.interrupt_again()
    cancelling = await _ended(task)
    assert cancelling == 0, "the walk's task is left cancelling"
    result = run.result()
    assert result.outcome is CallOutcome.CALLER_HANGUP and result.hangup_node == "b0"
    assert result.steps[1].exit == "hangup"
    assert run.interruptions == 0 and not run.interrupt_again()


async def test_interrupting_again_is_the_hosts_to_refuse_while_it_cancels_the_walk_itself(registry) -> None:
    run = _run(registry, SwallowsCancellation.type, times=1)
    task = await _walking(run)
    assert run.interrupt(EngineError("too long"))
    await asyncio.sleep(0.02)
    task.cancel()  # the host's shutdown, on top of it
    assert not run.interrupt_again()
    await asyncio.wait({task}, timeout=2.0)
    assert task.cancelled()


async def test_an_abandoned_walk_keeps_the_result_given_and_takes_no_further_step(registry) -> None:
    run = _run(registry, SwallowsCancellation.type, times=1)
    channel = run.channel
    assert isinstance(channel, ScriptedChannel)
    task = await _walking(run)
    assert run.interrupt(EngineError("block 'b0' ran past its time"))
    await asyncio.sleep(0.02)
    result = run.abandon()
    error = (
        "block 'b0' (acme.swallows_cancel) ignored its cancellation (block 'b0' ran past its time); the call was "
        "given up on"
    )
    assert (result.outcome, result.error) == (CallOutcome.FAILED, error)
    assert [(step.node, step.exit, step.error) for step in result.steps] == [
        ("start", "next", None),
        ("b0", "error", error),
    ]
    events = len(channel.events)
    assert run.interrupt_again()  # the block lets this one through: it takes its error exit...
    await _ended(task)
    assert run.steps[1].exit == "error" and len(run.steps) == 2, "...and the walk ends there"
    assert run.variables["v"] == "" and len(channel.events) == events  # nothing ran, nothing was said after
    assert result.steps[1].error == error and result.path == ["start", "b0"]  # the result given stays as it was


async def test_the_hosts_reason_names_what_the_block_ignored(registry) -> None:
    run = _run(registry, SwallowsCancellation.type, times=1)
    task = await _walking(run)
    result = run.abandon("server shutdown")
    assert result.error == (
        "block 'b0' (acme.swallows_cancel) ignored its cancellation (server shutdown); the call was given up on"
    )
    for _ in range(2):  # it swallows the first
        task.cancel()
        await asyncio.sleep(0.02)
    assert task.cancelled()


async def test_an_interruption_the_block_caught_is_not_delivered_to_the_next_block(registry) -> None:
    """It returned `next` after catching it: the interruption is over, and the next block's is its own (it was
    refused as still pending, and a host interrupting again would have cancelled the next block with it)."""
    Waits.started = asyncio.Event()
    run = _run(registry, CatchesAndReturns.type, Waits.type)
    task = await _walking(run)
    assert run.interrupt(EngineError("block 'b0' ran past its time"))
    await asyncio.wait_for(Waits.started.wait(), 2.0)
    assert run.steps[1].exit == "next"
    assert run.interruptions == 0 and not run.interrupt_again()
    assert run.interrupt(CallerHangup("the caller hung up"))
    assert await _ended(task) == 0
    assert [(step.node, step.exit) for step in run.steps] == [("start", "next"), ("b0", "next"), ("b1", "hangup")]
