"""Review: a plugin block that never returns (`await asyncio.sleep(3600)` in `run` or `simulate`) hung every test
call for ever: `ivrgraph simulate`, `ivrgraph test` in CI, the designer's Test call and publishing with tests. A
real call's block is stopped past its `max_seconds` by the FastAGI server's patrol (agi_server.walk_patrol.look_at_walk)
and takes its `error` exit; a test call runs the production interpreter, and now does the same, in real (loop)
time, with the same message. The whole test call is bounded as well."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from graph_engine.interpreter import block_time_limit_error
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_tests import run_scenario_tests
from graph_engine.simulation import SimulationInput, simulate
from graph_engine.trace import CallOutcome, new_step
from tests.conftest import make_document
from tests.fakes.hanging_blocks import LIMIT, registry_with_hanging_blocks

# The FastAGI server's words for a block stopped past its limit (agi_server/walk_patrol.py, look_at_walk).
SERVER_WORDS = (
    "block 'h' ({type}) was busy away from the call's channel for over {limit:g} s, its time limit (max_seconds)"
)


@pytest.fixture(scope="module")
def hanging_registry() -> BlockRegistry:
    return registry_with_hanging_blocks()


def _through(block_type: str, *, error_to: str | None = "handled") -> dict[str, Any]:
    """Start -> h (the block) -> on `error`, a Set Variable that says the error route ran."""
    nodes: list[dict[str, Any]] = [{"id": "start", "type": "start"}, {"id": "h", "type": block_type}]
    edges = [("start", "next", "h")]
    if error_to is not None:
        nodes.append(
            {"id": error_to, "type": "set_variable", "config": {"assignments": [{"variable": "after", "value": "yes"}]}}
        )
        edges.append(("h", "error", error_to))
    return make_document(nodes, edges, variables=[{"name": "after", "default": ""}])


async def _timed(document: dict[str, Any], registry: BlockRegistry, **inputs: Any) -> tuple[Any, float]:
    started = time.monotonic()
    # Bounded here too, so that without the fix the test fails instead of hanging the suite.
    simulation = await asyncio.wait_for(simulate(document, registry, SimulationInput(**inputs)), 10)
    return simulation, time.monotonic() - started


@pytest.mark.parametrize("block_type", ["acme.hang", "acme.hang_simulate"])
async def test_a_block_that_never_returns_takes_its_error_exit_at_its_time_limit(
    hanging_registry: BlockRegistry, block_type: str
) -> None:
    simulation, took = await _timed(_through(block_type), hanging_registry)

    step = simulation.result.steps[1]
    assert (step.node, step.exit) == ("h", "error")
    assert step.error == SERVER_WORDS.format(type=block_type, limit=LIMIT)
    assert simulation.result.path == ["start", "h", "handled"]
    assert simulation.result.variables["after"] == "yes"
    assert simulation.result.outcome is CallOutcome.ENDED
    assert LIMIT <= took < 1.0, took


async def test_an_unwired_block_past_its_time_fails_the_test_call(hanging_registry: BlockRegistry) -> None:
    simulation, took = await _timed(_through("acme.hang", error_to=None), hanging_registry)

    assert simulation.result.outcome is CallOutcome.FAILED
    assert "its time limit (max_seconds)" in (simulation.result.error or "")
    assert any("its time limit (max_seconds)" in line for line in simulation.story)
    assert took < 1.0, took


async def test_time_on_the_channel_restarts_the_count(hanging_registry: BlockRegistry) -> None:
    """Off the channel 0.075 s at a time with a 0.3 s limit, 0.9 s in all: a real call lets it run, so does a test
    call."""
    simulation, _ = await _timed(_through("acme.often_on_channel"), hanging_registry)

    assert simulation.result.steps[1].exit == "next", simulation.result.steps[1].error
    assert len([event for event in simulation.channel_events if event.op == "play"]) == 12


async def test_the_message_is_the_servers(hanging_registry: BlockRegistry) -> None:
    step = new_step(1, "h", "acme.hang", "", "2026-01-05T10:00:00+00:00")
    assert str(block_time_limit_error(step, 3.0)) == SERVER_WORDS.format(type="acme.hang", limit=3.0)


async def test_a_block_that_ignores_its_stop_is_ended_by_the_test_calls_time_limit(
    hanging_registry: BlockRegistry,
) -> None:
    simulation, took = await _timed(_through("acme.stubborn"), hanging_registry, real_time_limit=0.8)

    assert simulation.result.outcome is CallOutcome.FAILED
    assert simulation.result.error == "the test call ran for over 0.8 s of real time, its time limit"
    assert simulation.result.path == ["start", "h"]
    assert simulation.result.steps[-1].exit == "error", "the block the limit stopped has an exit, not 'done'"
    assert simulation.result.steps[-1].error == simulation.result.error
    assert 0.8 <= took < 2.0, took


async def test_a_loop_of_slow_blocks_is_ended_by_the_test_calls_time_limit(hanging_registry: BlockRegistry) -> None:
    """Each pass well within the block's limit, and far fewer steps than the step limit in the time allowed."""
    document = make_document(
        [{"id": "start", "type": "start"}, {"id": "h", "type": "acme.nap"}],
        [("start", "next", "h"), ("h", "next", "h")],
    )
    simulation, took = await _timed(document, hanging_registry, real_time_limit=0.5)

    assert simulation.result.outcome is CallOutcome.FAILED
    assert "0.5 s of real time" in (simulation.result.error or "")
    assert 2 < len(simulation.result.steps) < 100
    assert took < 1.5, took


async def test_a_loop_of_quick_blocks_is_ended_by_the_step_limit(hanging_registry: BlockRegistry) -> None:
    document = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "a", "type": "set_variable", "config": {"assignments": [{"variable": "after", "value": "a"}]}},
            {"id": "b", "type": "set_variable", "config": {"assignments": [{"variable": "after", "value": "b"}]}},
        ],
        [("start", "next", "a"), ("a", "next", "b"), ("b", "next", "a")],
        variables=[{"name": "after", "default": ""}],
    )
    simulation, took = await _timed(document, hanging_registry)

    assert simulation.result.outcome is CallOutcome.STEP_LIMIT
    assert took < 2.0, took


async def test_a_scenario_test_through_a_block_that_never_returns_ends(hanging_registry: BlockRegistry) -> None:
    tests = [{"name": "hangs", "expect": {"path": ["start", "h", "handled"], "variables": {"after": "yes"}}}]
    started = time.monotonic()

    [outcome] = await asyncio.wait_for(run_scenario_tests(_through("acme.hang"), tests, hanging_registry), 10)

    assert outcome.passed, outcome.failures
    assert time.monotonic() - started < 1.0


async def test_cancelling_a_test_call_cancels_its_walk(hanging_registry: BlockRegistry) -> None:
    """The host gives up (a client gone, a shutdown): nothing of the test call runs on."""
    before = asyncio.all_tasks()
    call = asyncio.ensure_future(simulate(_through("acme.hang"), hanging_registry))
    await asyncio.sleep(0.05)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    await asyncio.sleep(0)
    assert all(task.done() for task in asyncio.all_tasks() - before - {asyncio.current_task()})
