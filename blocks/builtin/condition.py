"""Condition: evaluates an expression and branches `true` or `false`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from graph_engine.block import BlockType, ExitRule, TemplateField
from graph_engine.context import BlockContext
from graph_engine.templates import names_read


class ConditionBlock(BlockType):
    type = "condition"
    title = "Condition"
    translations: ClassVar[dict[str, dict[str, str]]] = {
        "es": {"title": "Condición"},
        "ru": {"title": "Условие"},
    }
    category = "Flow"
    safe_in_test_call = True  # reads the call's variables only
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
    exit_rules: ClassVar[list[ExitRule]] = [
        {"name": "true", "label": "True"},
        {"name": "false", "label": "False"},
    ]

    def templates(self, config: Mapping[str, Any]) -> list[TemplateField]:
        source = str(config.get("expression", ""))
        # Left empty, the field is the schema's problem (required, minLength): a syntax error too would be noise.
        return [TemplateField(("expression",), source, expression=True)] if source else []

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        expression = str(config["expression"])
        value = ctx.evaluate(expression)
        # What the expression saw, so the call's story says why it branched, not only where; a sensitive value
        # (a PIN checked) as its mask.
        read = values_read(expression, ctx.variables)
        if ctx.reads_sensitive(expression, expression=True):
            read = {
                name: ctx.shown(name, ctx.variables[name]) if ctx.is_sensitive(name) else shown
                for name, shown in read.items()
            }
        ctx.note("condition", value=bool(value), expression=expression[:200], read=read)
        return "true" if value else "false"


_MAX_NAMES = 5
_MAX_TEXT = 60


def values_read(expression: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The variables `expression` reads, in the order it names them, each as the trace keeps it (text over 60
    characters cut, a list or object as its text)."""
    names = sorted((name for name in names_read(expression, expression=True) if name in variables), key=expression.find)
    return {name: _shown(variables[name]) for name in names[:_MAX_NAMES]}


def _shown(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."
