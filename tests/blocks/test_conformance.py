"""One conformance test over every registered block, built-in or plugin: what the designer and engine rely on."""

from __future__ import annotations

import inspect

import pytest
from jsonschema import Draft202012Validator

from blocks import default_registry
from graph_engine.block import RESERVED_EXITS, BlockType

BLOCKS = sorted(default_registry(), key=lambda block: block.type)


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.type)
def test_block_contract(block: BlockType):
    Draft202012Validator.check_schema(block.config_schema)
    assert block.config_schema["type"] == "object"
    assert inspect.iscoroutinefunction(block.run)
    entry = block.describe()
    assert entry["title"] and entry["category"] and entry["version"] >= 1
    assert "error" in entry["implicit_exits"]
    assert entry["waits_for_caller"] == ("hangup" in entry["implicit_exits"])
    for exit_name in entry["default_exits"]:
        assert exit_name not in ("error", "hangup")
    # exit rules use only the documented keys, so the designer's interpreter of them stays in step
    for rule in block.exit_rules:
        assert set(rule) <= {"name", "label", "if", "each", "name_from"}
        assert ("name" in rule) != ("each" in rule)
    if not block.terminal:
        assert block.exit_rules


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.type)
def test_properties_have_titles_or_descriptions_for_the_form(block: BlockType):
    for name, spec in block.config_schema.get("properties", {}).items():
        assert "title" in spec or "description" in spec or "$ref" in spec or "oneOf" in spec, f"{block.type}.{name}"


def test_reserved_exit_names_are_the_documented_ones():
    assert RESERVED_EXITS == ("next", "timeout", "invalid", "error", "hangup")
