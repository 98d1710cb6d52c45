"""Set Variable: assigns values (templates or expressions) to variables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from blocks.common import VARIABLE_NAME
from graph_engine.block import BlockType, TemplateField
from graph_engine.context import BlockContext


class SetVariableBlock(BlockType):
    type = "set_variable"
    title = "Set Variable"
    translations: ClassVar[dict[str, dict[str, str]]] = {
        "es": {"title": "Asignar variable"},
        "ru": {"title": "Задать переменную"},
    }
    category = "Data"
    safe_in_test_call = True  # sets the call's variables only
    icon = "variable"
    description = "Sets variables, from text with {{ placeholders }} or from an expression."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["assignments"],
        "properties": {
            "assignments": {
                "type": "array",
                "minItems": 1,
                "maxItems": 50,
                "title": "Assignments",
                "items": {
                    "type": "object",
                    "required": ["variable", "value"],
                    "properties": {
                        "variable": {**VARIABLE_NAME, "title": "Variable"},
                        "value": {"type": "string", "maxLength": 2000, "title": "Value"},
                        "mode": {
                            "enum": ["text", "expression"],
                            "default": "text",
                            "title": "Value is",
                            "description": "text: {{ placeholders }} are filled in; expression: computed (numbers, "
                            "lists, true/false).",
                        },
                    },
                    "additionalProperties": False,
                },
            }
        },
        "additionalProperties": False,
    }

    def templates(self, config: Mapping[str, Any]) -> list[TemplateField]:
        # The assignments run in order (`run`): each may read what the ones before it set.
        fields: list[TemplateField] = []
        assigned: set[str] = set()
        for index, item in enumerate(config.get("assignments", [])):
            source, expression = str(item.get("value", "")), item.get("mode") == "expression"
            fields.append(
                TemplateField(("assignments", index, "value"), source, expression, written_before=frozenset(assigned))
            )
            if isinstance(item.get("variable"), str):
                assigned.add(item["variable"])
        return fields

    def variables_written(self, config: Mapping[str, Any]) -> set[str]:
        return {item["variable"] for item in config.get("assignments", []) if "variable" in item}

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        for item in config["assignments"]:
            source = str(item["value"])
            expression = item.get("mode") == "expression"
            value = ctx.evaluate(source) if expression else ctx.render(source)
            # A value made of a sensitive one (the last digits of an account) is as sensitive; a yes/no is a
            # decision, which an analyst needs to see, not the value.
            derived = not isinstance(value, bool) and ctx.reads_sensitive(source, expression=expression)
            ctx.set(str(item["variable"]), value, sensitive=derived)
        return "next"
