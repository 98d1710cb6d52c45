"""A forced exit (`exits`) and the variables its block guarantees on it (`variables_written_on`).

QA review: a ticket plugin declares that `ticket_id` is set when it leaves by `duplicate`, and validation trusts it;
a test forcing `{"ticket": "duplicate"}` failed half-way through its call (`block 'dup' (say_phrase) ... unknown
variable: 'ticket_id' is undefined`), and only an undocumented `variables` made it pass. A test now gives them with
the exit (`{"exit": "duplicate", "set": {...}}`) or in its variables, or is refused before its call, naming them.
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
from graph_engine.scenario_tests import run_scenario_tests
from tests.conftest import make_document


class OpenTicket(BlockType):
    """A plugin's block: opens a ticket in a help desk a test call must not reach. On `duplicate` (the caller has
    one open already) it sets that ticket's id and URL; its `simulate` always takes `opened`."""

    type = "open_ticket"
    title = "Open Ticket"
    category = "Connect"
    exit_rules: ClassVar[list[dict[str, Any]]] = [
        {"name": "opened", "label": "Opened"},
        {"name": "duplicate", "label": "Already open"},
        {"name": "refused", "label": "Refused"},
    ]

    def variables_written(self, config: Mapping[str, Any]) -> set[str]:
        return {"ticket_id", "ticket_url"}

    def variables_written_on(self, config: Mapping[str, Any], exit_name: str) -> set[str]:
        return set() if exit_name == "refused" else super().variables_written_on(config, exit_name)

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        raise AssertionError("a test call never runs a plugin's run")

    async def simulate(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        ctx.set("ticket_id", "T-NEW")
        ctx.set("ticket_url", "https://desk.example/T-NEW")
        return "opened"


@pytest.fixture
def helpdesk() -> BlockRegistry:
    """The built-in blocks and the help desk plugin's (a registry of its own: the default one is shared)."""
    registry = BlockRegistry.of([OpenTicket])
    for block in default_registry():
        registry.register(type(block), origin="builtin")
    return registry


def support_line() -> dict[str, Any]:
    """Start -> Open Ticket; `duplicate` reads the ticket's id to the caller, `opened` and `refused` hang up."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "ticket", "type": "open_ticket", "label": "Ticket"},
            {"id": "dup", "type": "say_phrase", "config": {"text": "Ya tiene la incidencia {{ ticket_id }}"}},
            {"id": "bye", "type": "hangup"},
        ],
        [
            ("start", "next", "ticket"),
            ("ticket", "opened", "bye"),
            ("ticket", "duplicate", "dup"),
            ("ticket", "refused", "bye"),
            ("dup", "next", "bye"),
        ],
    )


PATH = ["start", "ticket", "dup", "bye"]


async def outcome_of(registry: BlockRegistry, **test: Any) -> scenario_tests.TestOutcome:
    (outcome,) = await run_scenario_tests(support_line(), [{"name": "t", **test}], registry)
    return outcome


async def test_a_forced_exit_whose_variables_the_test_does_not_give_is_refused_before_its_call(
    helpdesk: BlockRegistry,
) -> None:
    """The review's case: it failed half-way, in the block after, with `'ticket_id' is undefined`."""
    outcome = await outcome_of(helpdesk, exits={"ticket": "duplicate"}, expect={"said": ["T-9"]})

    assert outcome.failures == [
        "exits: node 'ticket' (Open Ticket) sets ticket_id, ticket_url when it leaves by 'duplicate', and a forced "
        'exit runs nothing to set them: give their values with the exit, {"ticket": {"exit": "duplicate", "set": '
        '{"ticket_id": ..., "ticket_url": ...}}}, or in the test\'s variables'
    ]
    assert (outcome.passed, outcome.story, outcome.steps) == (False, [], [])  # no half-run call


async def test_the_exits_set_gives_the_variables_as_the_block_leaves(helpdesk: BlockRegistry) -> None:
    sets = {"ticket_id": "T-9", "ticket_url": "https://desk.example/T-9"}
    outcome = await outcome_of(
        helpdesk,
        exits={"ticket": {"exit": "duplicate", "set": sets}},
        expect={"path": PATH, "said": ["Ya tiene la incidencia T-9"], "variables": sets},
    )

    assert (outcome.passed, outcome.failures) == (True, [])
    assert (
        "not run in a test call: the test forces its 'duplicate' exit; ticket_id = 'T-9'; ticket_url = "
        "'https://desk.example/T-9' -> duplicate" in outcome.story[1]
    )


async def test_what_the_test_gives_in_its_variables_counts_too(helpdesk: BlockRegistry) -> None:
    """The plain form stays: a test that gives the variables in `variables` runs as before."""
    outcome = await outcome_of(
        helpdesk,
        variables={"ticket_id": "T-9", "ticket_url": "u"},
        exits={"ticket": "duplicate"},
        expect={"path": PATH, "said": ["T-9"]},
    )

    assert (outcome.passed, outcome.failures) == (True, [])


async def test_only_what_neither_gives_is_named(helpdesk: BlockRegistry) -> None:
    outcome = await outcome_of(
        helpdesk,
        variables={"ticket_url": "u"},
        exits={"ticket": {"exit": "duplicate", "set": {"note": "x"}}},
        expect={"path": PATH},
    )

    assert outcome.failures == [
        "exits: node 'ticket' (Open Ticket) sets ticket_id when it leaves by 'duplicate', and a forced exit runs "
        'nothing to set it: give its value with the exit, {"ticket": {"exit": "duplicate", "set": {"ticket_id": '
        "...}}}, or in the test's variables"
    ]


async def test_an_exit_that_guarantees_nothing_needs_nothing(helpdesk: BlockRegistry) -> None:
    refused = await outcome_of(helpdesk, exits={"ticket": "refused"}, expect={"path": ["start", "ticket", "bye"]})
    error = await outcome_of(helpdesk, exits={"ticket": "error"}, expect={"outcome": "failed"})

    assert (refused.passed, refused.failures) == (True, [])
    assert (error.passed, error.failures) == (True, [])


async def test_the_variables_are_set_as_the_block_leaves_not_when_the_call_starts(helpdesk: BlockRegistry) -> None:
    """A block before it that sets the same variable does not undo what the forced exit sets."""
    document = support_line()
    document["nodes"].insert(
        1, {"id": "old", "type": "set_variable", "config": {"assignments": [{"variable": "ticket_id", "value": "OLD"}]}}
    )
    document["edges"][0]["target"] = "old"
    document["edges"].append({"id": "e_old", "source": "old", "exit": "next", "target": "ticket"})
    test = {
        "name": "t",
        "exits": {"ticket": {"exit": "duplicate", "set": {"ticket_id": "T-9", "ticket_url": "u"}}},
        "expect": {"path": ["start", "old", *PATH[1:]], "said": ["T-9"], "variables": {"ticket_id": "T-9"}},
    }

    (outcome,) = await run_scenario_tests(document, [test], helpdesk)

    assert (outcome.passed, outcome.failures) == (True, [])


@pytest.mark.parametrize(
    ("forced", "said"),
    [
        (
            {"exit": "duplicate", "sett": {"ticket_id": "T-9"}},
            "exits.ticket: unknown key 'sett' (did you mean 'set'?); a forced exit's keys are exit, set",
        ),
        (
            {"set": {"ticket_id": "T-9"}},
            'exits.ticket must say the exit it takes, such as {"exit": "duplicate", "set": {"ticket_id": "T-9"}}',
        ),
        (
            {"exit": 2},
            'exits.ticket.exit must be the name of the exit it takes, such as "duplicate"; it is a number: 2',
        ),
        (
            {"exit": "duplicate", "set": ["ticket_id"]},
            'exits.ticket.set must be an object: variable name -> value, such as {"ticket_id": "T-9"}; it is a '
            'list: ["ticket_id"]',
        ),
        (
            ["duplicate"],
            'exits.ticket must be an exit\'s name such as "failed", or the exit and the variables it sets, such as '
            '{"exit": "duplicate", "set": {"ticket_id": "T-9"}}; it is a list: ["duplicate"]',
        ),
    ],
)
async def test_a_forced_exit_of_the_wrong_shape_is_refused_naming_what_is_wrong(
    helpdesk: BlockRegistry, forced: object, said: str
) -> None:
    outcome = await outcome_of(helpdesk, exits={"ticket": forced}, expect={"path": PATH})

    assert (outcome.passed, outcome.failures, outcome.story) == (False, [said], [])


async def test_an_unknown_exit_in_the_object_form_is_refused_as_in_the_plain_one(helpdesk: BlockRegistry) -> None:
    outcome = await outcome_of(
        helpdesk, exits={"ticket": {"exit": "duplicat", "set": {"ticket_id": "T-9"}}}, expect={"path": PATH}
    )

    assert outcome.failures == [
        "exits: node 'ticket' (Open Ticket) has no exit 'duplicat' (did you mean 'duplicate'?); its exits are "
        "opened, duplicate, refused, error"
    ]
