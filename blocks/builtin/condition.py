"""Condition: evaluates an expression and branches `true` or `false`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from graph_engine.block import BlockType, TemplateField
from graph_engine.context import BlockContext


class ConditionBlock(BlockType):
    type = "condition"
    title = "Condition"
    category = "Flow"
    icon = "git-branch"
    description = "Branches on an expression, e.g. caller_id in vip_numbers, or debt_amount > 100."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["expression"],
        "properties": {
            "expression": {
                "type": "string",
                "minLength": 1,
                "maxLength": 1000,
                "title": "Expression",
                "x-ui": {"widget": "expression"},
            }
        },
        "additionalProperties": False,
    }
    exit_rules: ClassVar[list[dict[str, Any]]] = [
        {"name": "true", "label": "True"},
        {"name": "false", "label": "False"},
    ]

    def templates(self, config: Mapping[str, Any]) -> list[TemplateField]:
        return [TemplateField(("expression",), str(config.get("expression", "")), expression=True)]

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        value = ctx.evaluate(str(config["expression"]))
        ctx.note("condition", value=bool(value))
        return "true" if value else "false"
