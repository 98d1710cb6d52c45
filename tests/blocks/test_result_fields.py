"""A block field that records the call's result says so in its schema, `"x-ui": {"widget": "result"}`: the designer
then offers the scenario's declared results there (review: Hang Up's «Resultado a registrar» was a bare text box, its
help's example `confirmed` a code of no scenario). The designer's test catalog marks the same fields."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from graph_engine.registry import BlockRegistry
from tests.conftest import ROOT

DESIGNER_CATALOG = ROOT / "designer_ui" / "src" / "lib" / "fixtures" / "catalog.json"


def _result_fields(schema: Mapping[str, Any]) -> Iterator[str]:
    for name, field in schema.get("properties", {}).items():
        if field.get("x-ui", {}).get("widget") == "result":
            yield name


def test_hang_ups_result_is_a_result_field_with_no_foreign_example(registry: BlockRegistry) -> None:
    hangup = registry.get("hangup")
    assert hangup is not None
    assert list(_result_fields(hangup.config_schema)) == ["result"]
    assert "e.g." not in hangup.config_schema["properties"]["result"]["description"]


def test_the_designer_tests_catalog_marks_the_result_fields_the_blocks_do(registry: BlockRegistry) -> None:
    for entry in json.loads(DESIGNER_CATALOG.read_text(encoding="utf-8")):
        block = registry.get(entry["type"])
        assert block is not None
        assert list(_result_fields(entry["config_schema"])) == list(_result_fields(block.config_schema)), entry["type"]
        assert entry["config_schema"] == block.config_schema or entry["type"] != "hangup"
