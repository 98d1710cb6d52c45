"""Go To: continues at another block of this scenario without drawing a long edge across the canvas."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from graph_engine.block import BlockType, ExitRule
from graph_engine.context import BlockContext


class GoToBlock(BlockType):
    type = "goto"
    title = "Go To"
    translations: ClassVar[dict[str, dict[str, str]]] = {
        "es": {"title": "Ir a"},
        "ru": {"title": "Перейти к блоку"},
    }
    category = "Flow"
    safe_in_test_call = True  # moves within the graph only
    icon = "corner-down-right"
    description = "Jumps to another block of this scenario (e.g. back to the main menu)."
    terminal = True
    exit_rules: ClassVar[list[ExitRule]] = []
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["target"],
        "properties": {
            "target": {
                "type": "string",
                "pattern": "^[A-Za-z0-9_.:-]{1,64}$",
                "title": "Block to go to",
                "x-ui": {"widget": "node"},
            }
        },
        "additionalProperties": False,
    }

    def jump_target(self, config: Mapping[str, Any]) -> str | None:
        return str(config["target"]) if config.get("target") else None

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        ctx.jump_to(str(config["target"]))
        return "goto"
