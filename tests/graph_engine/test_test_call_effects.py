"""A test call (designer's Test call, `ivrgraph test`, scenario tests, POST .../simulate) never performs a plugin
block's outside effects: it runs the block's `simulate`, which runs `run` only for a block that declares itself
safe in a test call and otherwise skips it, saying so in the trace and taking the block's test-call exit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from blocks.builtin.hangup import HangUpBlock
from blocks.builtin.start import StartBlock
from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_tests import run_scenario_tests
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import Services
from graph_engine.simulation import simulate
from tests.conftest import BUILTIN_BLOCK_TYPES, make_document

# What the plugins below did outside the call, as (block type, config) pairs; a test call must add nothing.
OUTSIDE: list[tuple[str, dict[str, Any]]] = []


@pytest.fixture(autouse=True)
def _nothing_done_outside() -> None:
    OUTSIDE.clear()


class _ActsOutside(BlockType):
    title = "Acts outside"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        OUTSIDE.append((self.type, dict(config)))
        return self.exits(config)[-1]


class CreateTicket(_ActsOutside):
    """A plugin written before test calls skipped anything: it says nothing about them."""

    type = "create_ticket"
    exit_rules: ClassVar[list[dict[str, Any]]] = [{"name": "created"}, {"name": "failed"}]


class ChargeCard(_ActsOutside):
    type = "charge_card"
    exit_rules: ClassVar[list[dict[str, Any]]] = [{"name": "charged"}, {"name": "declined"}]
    test_call_exit = "declined"


class NotifyTeam(_ActsOutside):
    """Every exit depends on the config: there is no exit a skipped run could stand for."""

    type = "notify_team"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {"outcomes": {"type": "array", "items": {"type": "object"}, "default": [{"name": "done"}]}},
    }
    exit_rules: ClassVar[list[dict[str, Any]]] = [{"each": "outcomes", "name_from": "name"}]


class WrongTestCallExit(_ActsOutside):
    type = "wrong_test_call_exit"
    exit_rules: ClassVar[list[dict[str, Any]]] = [{"name": "sent"}]
    test_call_exit = "delivered"


class CancelOrder(_ActsOutside):
    type = "cancel_order"
    exit_rules: ClassVar[list[dict[str, Any]]] = [{"name": "cancelled"}]
    test_call_exit = "error"


class Checksum(BlockType):
    """Pure arithmetic on the call's variables: its author marks it safe to run in a test call."""

    type = "checksum"
    title = "Checksum"
    safe_in_test_call = True
    seen_simulated: ClassVar[list[bool]] = []

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        self.seen_simulated.append(ctx.simulated)
        ctx.set("checksum", sum(int(d) for d in str(ctx.get("caller_id", "")) if d.isdigit()) % 10)
        return "next"


class LookUpCrm(_ActsOutside):
    """Shows what it would ask the CRM in a test call, without asking."""

    type = "look_up_crm"
    exit_rules: ClassVar[list[dict[str, Any]]] = [{"name": "found"}, {"name": "not_found"}]

    async def simulate(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        assert ctx.simulated and ctx.services.simulated
        ctx.note("test_call", summary=f"not looked up in a test call: would look up {ctx.get('caller_id')}")
        return "not_found"


PLUGINS = (CreateTicket, ChargeCard, NotifyTeam, WrongTestCallExit, CancelOrder, Checksum, LookUpCrm)


@pytest.fixture(scope="module")
def plugins() -> BlockRegistry:
    return BlockRegistry.of([StartBlock, HangUpBlock, *PLUGINS])


def _through(block_type: str, config: dict[str, Any] | None = None, *, error_to: str | None = None) -> dict[str, Any]:
    """Start -> the block -> a Hang Up on each of its exits."""
    block = next(p for p in PLUGINS if p.type == block_type)()
    exits = block.exits(config or {})
    nodes = [{"id": "start", "type": "start"}, {"id": "it", "type": block_type, "config": config or {}}]
    edges = [("start", "next", "it")]
    for name in exits:
        nodes.append({"id": f"end_{name}", "type": "hangup"})
        edges.append(("it", name, f"end_{name}"))
    if error_to:
        nodes.append({"id": error_to, "type": "hangup"})
        edges.append(("it", "error", error_to))
    return make_document(nodes, edges)


async def test_a_plugin_that_says_nothing_is_skipped_and_takes_its_first_exit(plugins):
    simulation = await simulate(_through("create_ticket", {"queue": "billing"}), plugins)

    assert OUTSIDE == []
    step = simulation.result.steps[1]
    assert (step.exit, step.error) == ("created", None)
    assert step.events == [
        {"kind": "test_call", "summary": "skipped in a test call: this block acts outside the call", "skipped": True}
    ]
    assert simulation.story[1].endswith(
        'Acts outside "it": skipped in a test call: this block acts outside the call -> created'
    )
    assert [s.node for s in simulation.result.steps] == ["start", "it", "end_created"]


async def test_the_exit_a_plugin_names_for_test_calls_is_taken(plugins):
    simulation = await simulate(_through("charge_card"), plugins)

    assert OUTSIDE == []
    assert simulation.result.steps[1].exit == "declined"


async def test_a_plugin_with_no_exit_to_stand_for_a_skipped_run_takes_error_saying_why(plugins):
    simulation = await simulate(_through("notify_team", error_to="oops"), plugins)

    assert OUTSIDE == []
    step = simulation.result.steps[1]
    assert step.exit == "error"
    assert step.error is not None and "no exit that is always there" in step.error and "test_call_exit" in step.error
    assert [s.node for s in simulation.result.steps] == ["start", "it", "oops"]


async def test_a_test_call_exit_the_block_does_not_have_takes_error_saying_why(plugins):
    simulation = await simulate(_through("wrong_test_call_exit", error_to="oops"), plugins)

    assert OUTSIDE == []
    step = simulation.result.steps[1]
    assert step.exit == "error"
    assert step.error is not None and "'delivered'" in step.error


async def test_a_plugin_whose_test_call_exit_is_error_fails_the_step_saying_it_was_skipped(plugins):
    simulation = await simulate(_through("cancel_order", error_to="oops"), plugins)

    assert OUTSIDE == []
    step = simulation.result.steps[1]
    assert (step.exit, step.error) == ("error", "skipped in a test call: this block acts outside the call")
    assert [s.node for s in simulation.result.steps] == ["start", "it", "oops"]


async def test_a_plugin_safe_in_a_test_call_runs_knowing_the_call_is_simulated(plugins):
    Checksum.seen_simulated.clear()
    doc = make_document([{"id": "start", "type": "start"}, {"id": "it", "type": "checksum"}], [("start", "next", "it")])

    simulation = await simulate(doc, plugins)
    real = await run_call(parse_document(doc), ScriptedChannel(), plugins, facts={"caller_id": "+34600000000"})

    assert simulation.result.steps[1].exit == "next" and simulation.result.steps[1].events == []
    assert simulation.result.variables["checksum"] == 3
    assert real.variables["checksum"] == 3
    assert Checksum.seen_simulated == [True, False]


async def test_a_plugin_may_tell_what_it_would_do(plugins):
    doc = make_document(
        [{"id": "start", "type": "start"}, {"id": "it", "type": "look_up_crm"}, {"id": "end", "type": "hangup"}],
        [("start", "next", "it"), ("it", "not_found", "end")],
    )

    simulation = await simulate(doc, plugins)

    assert OUTSIDE == []
    assert simulation.result.steps[1].exit == "not_found"
    assert '"it": not looked up in a test call: would look up +34600000000 -> not_found' in simulation.story[1]


async def test_a_real_call_runs_the_plugin(plugins):
    result = await run_call(parse_document(_through("create_ticket", {"queue": "billing"})), ScriptedChannel(), plugins)

    assert OUTSIDE == [("create_ticket", {"queue": "billing"})]
    assert result.steps[1].exit == "failed"


async def test_scenario_tests_skip_the_plugin_too(plugins):
    document = _through("create_ticket")
    outcomes = await run_scenario_tests(
        document, [{"name": "ticket", "expect": {"path": ["start", "it", "end_created"]}}], plugins
    )

    assert OUTSIDE == []
    assert [(o.passed, o.failures) for o in outcomes] == [(True, [])]


def test_every_built_in_block_is_safe_in_a_test_call_and_says_so_in_the_catalog(registry):
    for type_name in BUILTIN_BLOCK_TYPES:
        block = registry.get(type_name)
        assert block is not None and block.safe_in_test_call, type_name
        assert block.describe()["safe_in_test_call"] is True
    assert CreateTicket().describe()["safe_in_test_call"] is False


def test_services_say_a_call_is_real_unless_a_test_call_says_otherwise():
    assert Services().simulated is False
