"""Go To Scenario: continues the call in another published scenario, keeping the variables (the other scenario's
own start at their defaults: see `CallRun._take_on`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from graph_engine.block import BlockType, ExitRule
from graph_engine.context import BlockContext
from graph_engine.errors import EngineError
from graph_engine.services import load_scenario


class GoToScenarioBlock(BlockType):
    type = "goto_scenario"
    title = "Go To Scenario"
    translations: ClassVar[dict[str, dict[str, str]]] = {
        "es": {"title": "Ir a escenario"},
        "ru": {"title": "Перейти в сценарий"},
    }
    category = "Flow"
    safe_in_test_call = True  # loads through ctx.services.scenarios: a test call's are the documents it was given
    icon = "external-link"
    description = (
        "Continues the call in another scenario (its published version), keeping the call's variables; "
        "that scenario's own variables start at their defaults, and it speaks its own language unless the call "
        "set another one."
    )
    terminal = True
    exit_rules: ClassVar[list[ExitRule]] = []
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["scenario"],
        "properties": {
            "scenario": {
                "type": "string",
                "pattern": "^[a-z0-9][a-z0-9-]{0,63}$",
                "title": "Scenario",
                "x-ui": {"widget": "scenario"},
            }
        },
        "additionalProperties": False,
    }

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        slug = str(config["scenario"])
        loaded = await load_scenario(ctx.services.scenarios, slug)
        if loaded is None:
            raise EngineError(
                f"scenario {slug!r} is not published", code="scenario_not_published", params={"scenario": slug}
            )
        # The version that runs, beside the slug: the steps that follow this event (those the trace marks with the
        # other scenario) ran on it, which the slug stops telling once the scenario is republished. None when the
        # host has no published version to name (a simulation's draft).
        ctx.note("goto_scenario", scenario=slug, version=loaded.version)
        ctx.continue_in(loaded.scenario)
        return "goto"
