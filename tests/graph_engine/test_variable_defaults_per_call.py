"""A list or object a scenario declares as a variable's default is each call's own.

One parsed scenario serves every call on a server. Review, 2026-12 (/tmp/sim/shared_default.py): a plugin block that
appended to a list variable in place changed the default itself, so three calls said "1 item", "2 items", "3 items"
and every call's record ended with the same ['pizza', 'pizza', 'pizza']. Blocks change variables (`ctx.set`, or a
value of their own call changed in place), unlike their config, which is read-only: so a call starts with a copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.document import Scenario, parse_document
from graph_engine.interpreter import run_call
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import Services
from tests.conftest import make_document


class AddsToTheCart(BlockType):
    """The reviewer's plugin: adds to the call's list and its object in place, then sets them back."""

    type = "acme.add_item"
    title = "Add item"
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {"item": {"type": "string"}}}

    def variables_written(self, config: Mapping[str, Any]) -> set[str]:
        return {"items", "cart"}

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        items = ctx.get("items")
        items.append(config["item"])
        ctx.set("items", items)
        cart = ctx.get("cart")
        cart["lines"].append({"item": config["item"]})
        cart["total"] += 1
        ctx.set("cart", cart)
        await ctx.play(await ctx.speech("You have {{ items | length }} items"))
        return "next"


DEFAULTS = [
    {"name": "items", "type": "list", "default": []},
    {"name": "cart", "type": "object", "default": {"lines": [], "total": 0}},
]


def _registry() -> BlockRegistry:
    from blocks import default_registry  # read, never changed: it is the process's shared one

    builtin = default_registry()
    registry = BlockRegistry.of([AddsToTheCart])
    for name in ("start", "goto_scenario"):
        registry.register(type(builtin.get(name)), origin="builtin", builtin=True)
    return registry


def _cart(**extra: Any) -> dict[str, Any]:
    return make_document(
        [{"id": "start", "type": "start"}, {"id": "add", "type": "acme.add_item", "config": {"item": "pizza"}}],
        [("start", "next", "add")],
        variables=DEFAULTS,
        **extra,
    )


async def test_each_call_starts_with_its_own_list_and_object() -> None:
    scenario = parse_document(_cart())
    registry = _registry()
    results = [await run_call(scenario, ScriptedChannel(), registry, call_id=f"c{n}") for n in range(3)]
    assert [r.steps[1].exit for r in results] == ["next"] * 3
    assert [r.steps[1].prompts[0]["text"] for r in results] == ["You have 1 items"] * 3
    for result in results:  # each record keeps what its own call did
        assert result.variables["items"] == ["pizza"]
        assert result.variables["cart"] == {"lines": [{"item": "pizza"}], "total": 1}
    assert results[0].variables["items"] is not results[1].variables["items"]
    # The scenario's defaults are as the document declared them.
    assert scenario.fresh_variables()["items"] == [] and scenario.fresh_variables()["cart"] == {"lines": [], "total": 0}
    assert [v.default for v in scenario.variables] == [[], {"lines": [], "total": 0}]


async def test_a_fresh_call_copies_only_what_can_change() -> None:
    scenario = parse_document(_cart(language="es"))
    first, second = scenario.fresh_variables(), scenario.fresh_variables()
    assert first == second
    assert first["items"] is not second["items"] and first["cart"]["lines"] is not second["cart"]["lines"]
    first["items"].append("x")
    first["cart"]["lines"].append("x")
    assert scenario.fresh_variables()["items"] == [] and scenario.fresh_variables()["cart"]["lines"] == []
    assert first["language"] == "es"


class Loads:
    """A host's loader handing out one parsed scenario to every call, as the FastAGI server's does."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario

    async def load(self, slug: str) -> Scenario | None:
        return self.scenario if slug == "cart" else None


async def test_a_scenario_entered_by_go_to_scenario_starts_with_its_own_copy() -> None:
    """`_take_on`: the entered scenario's defaults, for the variables the call does not have yet."""
    entry = parse_document(
        make_document(
            [{"id": "start", "type": "start"}, {"id": "go", "type": "goto_scenario", "config": {"scenario": "cart"}}],
            [("start", "next", "go")],
            name="Entry",
        )
    )
    services = Services(scenarios=Loads(parse_document(_cart())))
    registry = _registry()
    results = [await run_call(entry, ScriptedChannel(), registry, services, call_id=f"c{n}") for n in range(3)]
    assert [r.variables["items"] for r in results] == [["pizza"]] * 3
    assert [r.variables["cart"]["total"] for r in results] == [1, 1, 1]
