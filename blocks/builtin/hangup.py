"""Hang Up: ends the call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from graph_engine.block import BlockType, ExitRule
from graph_engine.context import BlockContext


class HangUpBlock(BlockType):
    type = "hangup"
    title = "Hang Up"
    translations: ClassVar[dict[str, dict[str, str]]] = {
        "es": {"title": "Colgar"},
        "ru": {"title": "Завершить"},
    }
    category = "Flow"
    safe_in_test_call = True  # hangs up through the channel only
    icon = "phone-off"
    description = "Ends the call."
    terminal = True
    exit_rules: ClassVar[list[ExitRule]] = []
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "result": {
                "type": "string",
                "maxLength": 64,
                "title": "Result to record",
                "description": "Stored in the call's `result` variable: one of the call results the scenario "
                "declares, which reports show by its label.",
                # The designer offers the scenario's declared results here (docs/blocks.md, `x-ui`).
                "x-ui": {"widget": "result"},
            }
        },
        "additionalProperties": False,
    }

    def variables_written(self, config: Mapping[str, Any]) -> set[str]:
        return {"result"} if config.get("result") else set()

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        if config.get("result"):
            ctx.set("result", str(config["result"]))
        await ctx.end_call()
        return "hangup"
