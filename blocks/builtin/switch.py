"""Switch: evaluates a value and takes the exit of the first case it equals, else `default`.

"Equals" across the types a case can hold (`_matches`): a number equals a number of the same value or a text
that reads as it, one way only, as a Condition's `==` reads it (graph_engine.number_text: "1" is 1, so keys match
numeric cases; "12,5" is 12.5; "1.000", one or a thousand, is neither; a number with a fraction as it is written,
so the case "19.99" takes a DECIMAL column's 19.99). A case true or false (or the text "true" or "false", as the
designer's form writes a case) equals true or false, the texts "true" or "false", and the whole number 1 or 0: a
yes/no as MariaDB and SQLite give it (EXISTS, a comparison, TRUE in a query; PostgreSQL gives true), as a
Condition's `vip == true` reads it; never another number, nor the text "1". A value true or false still takes no
numeric case: a case 1 is a number, and true is no number (review, 2026-12-05). An empty value (null) equals no
case; anything else compares as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from graph_engine.block import RESERVED_EXITS, BlockType, ExitRule, TemplateField
from graph_engine.context import BlockContext
from graph_engine.document import Node, Scenario
from graph_engine.issues import Issue, error, node_params
from graph_engine.number_text import compare, is_number
from graph_engine.sensitive import mask


class SwitchBlock(BlockType):
    type = "switch"
    title = "Switch"
    translations: ClassVar[dict[str, dict[str, str]]] = {
        "es": {"title": "Según valor"},
        "ru": {"title": "Выбор по значению"},
    }
    category = "Flow"
    safe_in_test_call = True  # reads the call's variables only
    icon = "split"
    description = "Routes by a value: one exit per case, and default for anything else."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["value", "cases"],
        "properties": {
            "value": {
                "type": "string",
                "minLength": 1,
                "maxLength": 1000,
                "title": "Value",
                "description": "An expression, e.g. customer_tier or language.",
                "x-ui": {"widget": "expression"},
            },
            "cases": {
                "type": "array",
                "title": "Cases",
                "maxItems": 50,
                "items": {
                    "type": "object",
                    "required": ["exit", "equals"],
                    "properties": {
                        "exit": {"type": "string", "pattern": "^[A-Za-z0-9_]{1,32}$", "title": "Exit name"},
                        "equals": {"type": ["string", "number", "boolean"], "title": "When the value is"},
                    },
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    }
    exit_rules: ClassVar[list[ExitRule]] = [
        {"each": "cases", "name_from": "exit"},
        {"name": "default", "label": "Default"},
    ]

    def templates(self, config: Mapping[str, Any]) -> list[TemplateField]:
        source = str(config.get("value", ""))
        # Left empty, the field is the schema's problem (required, minLength): a syntax error too would be noise.
        return [TemplateField(("value",), source, expression=True)] if source else []

    def check(self, node: Node, scenario: Scenario) -> list[Issue]:
        issues = []
        seen: list[str] = []
        for index, case in enumerate(node.config.get("cases", [])):
            name = case.get("exit")
            if name in seen or name == "default" or (name in RESERVED_EXITS):
                issues.append(
                    error(
                        "bad_case_name",
                        f'Switch "{node.title}": case exit "{name}" is used twice or is a reserved name',
                        node=node.id,
                        path=f"$.config.cases[{index}].exit",
                        params={**node_params(node.type, self.title, node.title), "exit": str(name)},
                    )
                )
            seen.append(name)
        return issues

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        value = ctx.evaluate(str(config["value"]))
        # The value the trace notes: its mask when it was made of a sensitive variable.
        noted = str(mask(value) if ctx.reads_sensitive(str(config["value"]), expression=True) else value)[:100]
        for case in config.get("cases", []):
            if _matches(value, case["equals"]):
                ctx.note("switch", value=noted, case=case["exit"])
                return str(case["exit"])
        ctx.note("switch", value=noted, case="default")
        return "default"


_FLAG_WORDS: dict[str, int] = {"true": 1, "false": 0}


def _matches(value: Any, expected: Any) -> bool:
    """Whether a Switch case holding `expected` (text, number or boolean) takes `value` (see the module doc).
    Python's own == said True equals 1 and str() said None equals "None" (review, 2026-12-05)."""
    if value is None:
        return False
    if isinstance(value, bool) or isinstance(expected, bool):
        if isinstance(value, bool) and isinstance(expected, bool):
            return value is expected
        if isinstance(expected, bool) and isinstance(value, int):  # a database's yes/no, 1 or 0; True took no 1 case
            return value == int(expected)
        flag, text = (value, expected) if isinstance(value, bool) else (expected, value)
        return isinstance(text, str) and text.strip().lower() == ("true" if flag else "false")
    if type(value) is int and isinstance(expected, str) and (word := expected.strip().lower()) in _FLAG_WORDS:
        # A case "true" or "false" as the designer's form writes it (text: it shows the case as a text field) meets
        # a database's yes/no, 1 or 0, as a case true or false does.
        return value == _FLAG_WORDS[word]
    if is_number(value) or is_number(expected):  # a Decimal too: what a database gives for NUMERIC
        return bool(compare(value, "eq", expected))
    return str(value) == str(expected)
