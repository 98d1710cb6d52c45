"""Blocks that end other than by returning: a node newer than its block, a plugin's own CancelledError, and a
host interrupting a block busy away from the channel (the caller hung up, or the block ran past its time)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.document import parse_document
from graph_engine.errors import CallerHangup, EngineError
from graph_engine.interpreter import CallRun, run_call
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ScriptedChannel
from graph_engine.simulation import simulate
from graph_engine.trace import CallOutcome
from tests.conftest import make_document


class GreetingV1(BlockType):
    type = "greeting"
    title = "Greeting"
    version = 1
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {"message": {"type": "string"}}}

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        await ctx.play(await ctx.speech(str(config.get("message", ""))))
        return "next"


class CancelsItsOwnTask(BlockType):
    """Gives up on a sub-task the usual asyncio way, which raises CancelledError into `run`."""

    type = "cancels_own"
    title = "Cancels its own task"
    safe_in_test_call: ClassVar[bool] = True  # a test call runs it as a real call would

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        task = asyncio.ensure_future(asyncio.sleep(10))
        task.cancel()
        await task
        return "next"


class WaitsForever(BlockType):
    """Waits on a remote service that never answers."""

    type = "waits_forever"
    title = "Waits forever"
    started: ClassVar[asyncio.Event | None] = None

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        if WaitsForever.started is not None:
            WaitsForever.started.set()
        await asyncio.Event().wait()
        return "next"


def _registry(registry: BlockRegistry, *extra: type[BlockType]) -> BlockRegistry:
    extended = BlockRegistry.of(extra)
    for block in registry:
        if block.type not in extended.types:
            extended.register(type(block), origin="builtin")
    return extended


def _one_block(block_type: str, *, error_to: str | None = None, **node: Any) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = [{"id": "start", "type": "start"}, {"id": "p", "type": block_type, **node}]
    edges = [("start", "next", "p")]
    if error_to is not None:
        nodes.append(
            {"id": error_to, "type": "set_variable", "config": {"assignments": [{"variable": "after", "value": "yes"}]}}
        )
        edges.append(("p", "error", error_to))
    return make_document(nodes, edges, variables=[{"name": "after", "default": ""}])


# -- a node written for a newer version of its block -----------------------------------------------------


async def test_a_node_newer_than_its_block_takes_the_error_exit_naming_both_versions(registry):
    doc = _one_block("greeting", error_to="handled", version=2, config={"text": "Bienvenido"})
    result = await run_call(parse_document(doc), ScriptedChannel(), _registry(registry, GreetingV1))
    step = result.steps[1]
    assert step.exit == "error"
    assert step.prompts == []  # the v1 code never ran the v2 config
    assert "version 2" in (step.error or "") and "version 1" in (step.error or ""), step.error
    assert result.path == ["start", "p", "handled"]


async def test_a_node_at_or_below_its_block_version_still_runs(registry):
    doc = _one_block("greeting", version=1, config={"message": "Hola"})
    result = await run_call(parse_document(doc), ScriptedChannel(), _registry(registry, GreetingV1))
    assert result.steps[1].exit == "next"
    assert result.steps[1].prompts[0]["text"] == "Hola"


# -- a CancelledError of the plugin's own ------------------------------------------------------------------


async def test_a_plugins_own_cancelled_error_is_its_failure(registry):
    doc = _one_block("cancels_own", error_to="handled")
    result = await run_call(parse_document(doc), ScriptedChannel(), _registry(registry, CancelsItsOwnTask))
    step = result.steps[1]
    assert step.exit == "error"
    assert "CancelledError" in (step.error or "")
    assert result.path == ["start", "p", "handled"]
    assert result.variables["after"] == "yes"


async def test_a_plugins_own_cancelled_error_unwired_fails_the_call_without_escaping(registry):
    doc = _one_block("cancels_own")
    result = await run_call(parse_document(doc), ScriptedChannel(), _registry(registry, CancelsItsOwnTask))
    assert result.outcome is CallOutcome.FAILED
    assert "CancelledError" in (result.error or "")


async def test_a_plugins_own_cancelled_error_in_a_simulation_is_a_block_failure(registry):
    sim = await simulate(_one_block("cancels_own"), _registry(registry, CancelsItsOwnTask))
    assert sim.result.steps[1].exit == "error"


async def test_cancelling_the_walk_itself_still_cancels_it(registry):
    """The host's cancellation (a shutdown deadline) is not a block failure: it reaches the host."""
    WaitsForever.started = asyncio.Event()
    run = CallRun(
        parse_document(_one_block("waits_forever", error_to="handled")),
        channel=ScriptedChannel(),
        registry=_registry(registry, WaitsForever),
    )
    task = asyncio.ensure_future(run.run())
    await WaitsForever.started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert run.steps[1].exit is None  # the block took no exit: the walk was stopped under it


# -- the host interrupts a block busy away from the channel -------------------------------------------------


async def _interrupted(registry: BlockRegistry, reason: CallerHangup | EngineError, **node: Any) -> CallRun:
    WaitsForever.started = asyncio.Event()
    run = CallRun(
        parse_document(_one_block("waits_forever", **node)),
        channel=ScriptedChannel(),
        registry=_registry(registry, WaitsForever),
    )
    task = asyncio.ensure_future(run.run())
    await WaitsForever.started.wait()
    assert run.interrupt(reason)
    await asyncio.wait_for(task, 2.0)
    return run


async def test_a_caller_hangup_interrupting_a_block_ends_the_call_at_that_block(registry):
    run = await _interrupted(registry, CallerHangup("the caller hung up"), error_to="handled")
    result = run.result()
    assert result.outcome is CallOutcome.CALLER_HANGUP
    assert result.hangup_node == "p"
    assert result.steps[1].exit == "hangup"
    assert result.path == ["start", "p"]  # not the error route
    assert asyncio.current_task() is not None


async def test_a_block_stopped_for_its_time_takes_its_error_exit_with_the_reason(registry):
    run = await _interrupted(registry, EngineError("block 'p' ran past its time"), error_to="handled")
    result = run.result()
    assert result.steps[1].exit == "error"
    assert result.steps[1].error == "block 'p' ran past its time"
    assert result.path == ["start", "p", "handled"]
    assert result.outcome is CallOutcome.ENDED


async def test_the_walks_task_is_not_left_cancelling_after_an_interruption(registry):
    seen: list[int] = []

    async def walk(run: CallRun) -> None:
        await run.run()
        task = asyncio.current_task()
        assert task is not None
        seen.append(task.cancelling())

    WaitsForever.started = asyncio.Event()
    run = CallRun(
        parse_document(_one_block("waits_forever", error_to="handled")),
        channel=ScriptedChannel(),
        registry=_registry(registry, WaitsForever),
    )
    task = asyncio.ensure_future(walk(run))
    await WaitsForever.started.wait()
    assert run.interrupt(EngineError("too long"))
    await asyncio.wait_for(task, 2.0)
    assert seen == [0]  # a later asyncio.timeout() or shutdown in the host works as usual


async def test_interrupt_is_refused_when_no_walk_runs(registry):
    run = CallRun(parse_document(_one_block("greeting")), channel=ScriptedChannel(), registry=registry)
    assert not run.interrupt(CallerHangup("gone"))
