"""`expect.variables` names variables the scenario has: a misspelt one is refused with the one it likely stands for,
as a misspelt node is (QA review: `{"resutl": null}` passed whatever the call did, a variable never set being None).

Known: the channel facts, the variables declared, those any block may write (on a path the call did not take too:
`{"paid_at": null}` says a call did not get there), those the test gives, and those its forced exits set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from blocks import default_registry
from graph_engine import scenario_tests
from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_test_failures import FailureCode
from graph_engine.scenario_tests import run_scenario_tests
from tests.conftest import make_document


class OpenTicket(BlockType):
    """A plugin's block, forced in a test: it sets `ticket_id` as it leaves."""

    type = "open_ticket"
    title = "Open ticket"
    category = "Connect"
    exit_rules: ClassVar[list[dict[str, Any]]] = [{"name": "opened", "label": "Opened"}]

    def variables_written(self, config: Mapping[str, Any]) -> set[str]:
        return set()  # said by the plugin only on the call: the test's forced exit gives it

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        raise AssertionError("a test call never runs a plugin's run")


class Unsayable(BlockType):
    """A plugin whose variables cannot be known: its code fails when asked."""

    type = "unsayable"
    title = "Unsayable"
    category = "Connect"
    exit_rules: ClassVar[list[dict[str, Any]]] = [{"name": "next", "label": "Next"}]

    def variables_written(self, config: Mapping[str, Any]) -> set[str]:
        raise RuntimeError("plugin bug")

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "next"


@pytest.fixture(scope="module")
def registry() -> BlockRegistry:
    registry = BlockRegistry.of([OpenTicket, Unsayable])
    for block in default_registry():
        registry.register(type(block), origin="builtin")
    return registry


def paying(*extra_nodes: dict[str, Any]) -> dict[str, Any]:
    """1 pays (sets `paid_at`), anything else hangs up; declares `result`."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "menu",
                "type": "ivr",
                "config": {"prompt": {"text": "Pulse 1"}, "options": [{"key": "1"}], "max_tries": 1},
            },
            {"id": "pay", "type": "set_variable", "config": {"assignments": [{"variable": "paid_at", "value": "now"}]}},
            {"id": "bye", "type": "hangup"},
            *extra_nodes,
        ],
        [("start", "next", "menu"), ("menu", "1", "pay"), ("pay", "next", "bye"), ("menu", "max_tries", "bye")],
        variables=[{"name": "result", "type": "string", "default": "none"}],
    )


async def outcome(
    registry: BlockRegistry, test: dict[str, Any], document: dict[str, Any] | None = None
) -> scenario_tests.TestOutcome:
    [found] = await run_scenario_tests(document or paying(), [{"name": "t", "keys": ["-"], **test}], registry)
    return found


async def test_a_misspelt_variable_is_refused_with_the_one_meant(registry: BlockRegistry) -> None:
    found = await outcome(registry, {"expect": {"variables": {"resutl": None}}})
    assert not found.passed
    [failure] = found.failure_details
    assert failure.code is FailureCode.UNKNOWN_VARIABLE
    assert failure.text == "expect.variables: unknown variable 'resutl' (did you mean 'result'?)"
    assert failure.params == {"field": "expect.variables", "variable": "resutl", "meant": "result"}


async def test_a_variable_with_nothing_like_it_is_refused_all_the_same(registry: BlockRegistry) -> None:
    found = await outcome(registry, {"expect": {"variables": {"zzz": None}}})
    assert [(f.code, f.params["meant"]) for f in found.failure_details] == [(FailureCode.UNKNOWN_VARIABLE, None)]


async def test_variables_the_scenario_has_are_checked_as_before(registry: BlockRegistry) -> None:
    # Declared, a channel fact, and one a block writes on a path this call did not take.
    expect = {"result": "none", "caller_id": "", "paid_at": None}
    assert (await outcome(registry, {"expect": {"variables": expect}})).passed
    mismatch = await outcome(registry, {"expect": {"variables": {"paid_at": "now"}}})
    assert [f.code for f in mismatch.failure_details] == [FailureCode.VARIABLE_MISMATCH]


async def test_variables_the_test_gives_or_its_forced_exits_set_are_known(registry: BlockRegistry) -> None:
    ticket = {"id": "ticket", "type": "open_ticket"}
    document = paying(ticket)
    document["edges"] = [edge for edge in document["edges"] if edge["source"] != "start"]
    document["edges"] += [
        {"id": "s", "source": "start", "exit": "next", "target": "ticket"},
        {"id": "t", "source": "ticket", "exit": "opened", "target": "menu"},
    ]
    test = {
        "variables": {"customer": "C-1"},
        "exits": {"ticket": {"exit": "opened", "set": {"ticket_id": "T-9"}}},
        "expect": {"variables": {"customer": "C-1", "ticket_id": "T-9"}},
    }
    found = await outcome(registry, test, document)
    assert found.passed, found.failures


async def test_no_variable_is_refused_when_a_block_cannot_say_what_it_writes(registry: BlockRegistry) -> None:
    document = paying({"id": "odd", "type": "unsayable"})
    found = await outcome(registry, {"expect": {"variables": {"resutl": None}}}, document)
    assert found.passed, found.failures  # as before: nothing known to refuse it against
