"""Start: where every call enters the scenario. Answers the line and exposes the channel facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from graph_engine.block import BlockType, ExitRule
from graph_engine.context import BlockContext
from graph_engine.document import CHANNEL_FACTS


class StartBlock(BlockType):
    type = "start"
    title = "Start"
    translations: ClassVar[dict[str, dict[str, str]]] = {
        "es": {"title": "Inicio"},
        "ru": {"title": "Начало"},
    }
    category = "Flow"
    safe_in_test_call = True  # answers through the channel only
    icon = "play"
    description = (
        "Where the call enters. Answers the line and makes the channel facts available as variables: "
        + ", ".join(CHANNEL_FACTS)
        + "."
    )
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "answer": {
                "type": "boolean",
                "default": True,
                "title": "Answer the call",
                "description": "Turn off only for flows that must not be billed before a decision.",
            }
        },
        "additionalProperties": False,
    }
    exit_rules: ClassVar[list[ExitRule]] = [{"name": "next", "label": "Next"}]
    unwired_meaning: ClassVar[dict[str, str]] = {"*": "the call is answered and immediately hung up"}

    def variables_written(self, config: Mapping[str, Any]) -> set[str]:
        return set(CHANNEL_FACTS)

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        if config.get("answer", True):
            # A call that came here by Go To Scenario is answered already: another ANSWER is a wasted round trip.
            if ctx.flags.answered:
                ctx.note("already_answered")
            else:
                await ctx.answer()
                ctx.note("answered")
        return "next"
