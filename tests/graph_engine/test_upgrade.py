"""Upgrading a document's nodes to their installed blocks' versions (graph_engine.upgrade)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.registry import BlockRegistry
from graph_engine.upgrade import upgrade_document
from graph_engine.validation import validate
from tests.conftest import make_document


class Greeting(BlockType):
    """Version 3: version 2 renamed `message` to `text`, version 3 nests it under `prompt`."""

    type = "greeting"
    title = "Greeting"
    version = 3
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["prompt"],
        "properties": {"prompt": {"type": "object", "properties": {"text": {"type": "string"}}}},
    }

    def migrate(self, from_version: int, config: Mapping[str, Any]) -> dict[str, Any]:
        upgraded = dict(config)
        if from_version < 2 and "message" in upgraded:
            upgraded["text"] = upgraded.pop("message")
        if from_version < 3 and "text" in upgraded:
            upgraded["prompt"] = {"text": upgraded.pop("text")}
        return upgraded

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "next"


class Careless(BlockType):
    """Version 2, whose migrate changes what it is given and answers something that is no JSON."""

    type = "careless"
    title = "Careless"
    version = 2

    def migrate(self, from_version: int, config: Mapping[str, Any]) -> dict[str, Any]:
        config["tags"].append("upgraded")  # type: ignore[index]
        if config.get("answer") == "set":
            return {"tags": {"a", "set"}}
        if config.get("answer") == "raise":
            raise KeyError("old")
        return dict(config)

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "next"


@pytest.fixture
def registry() -> BlockRegistry:
    return BlockRegistry.of([Greeting, Careless])


def document(*nodes: dict[str, Any]) -> dict[str, Any]:
    return make_document(list(nodes), [])


def test_each_old_node_is_migrated_from_its_own_version(registry: BlockRegistry) -> None:
    old = document(
        {"id": "a", "type": "greeting", "config": {"message": "Hola"}},  # no version: 1
        {"id": "b", "type": "greeting", "version": 2, "config": {"text": "Hi"}},
    )
    before = copy.deepcopy(old)
    upgraded = upgrade_document(old, registry)
    assert [(n["version"], n["config"]) for n in upgraded["nodes"]] == [(3, {"prompt": {"text": "Hola"}}),
                                                                        (3, {"prompt": {"text": "Hi"}})]  # fmt: skip
    assert old == before
    assert validate(upgraded, registry) == validate(old, registry)


def test_a_document_with_nothing_to_upgrade_is_handed_back_itself(registry: BlockRegistry) -> None:
    current = document(
        {"id": "a", "type": "greeting", "version": 3, "config": {"prompt": {"text": "Hola"}}},
        {"id": "b", "type": "greeting", "version": 4, "config": {}},  # newer than installed: validation says so
        {"id": "c", "type": "acme.sms", "version": 1, "config": {"to": "600"}},  # not installed
    )
    assert upgrade_document(current, registry) is current
    for not_a_scenario in (None, [], {"nodes": "x"}, {"nodes": [1, {"type": 5}, {"type": "greeting", "version": "1"}]}):
        assert upgrade_document(not_a_scenario, registry) is not_a_scenario


@pytest.mark.parametrize("answer", ["set", "raise"])
def test_a_node_whose_migration_fails_is_left_as_written(registry: BlockRegistry, answer: str) -> None:
    written = document({"id": "a", "type": "careless", "version": 1, "config": {"answer": answer, "tags": ["x"]}})
    before = copy.deepcopy(written)
    assert upgrade_document(written, registry) is written
    assert written == before  # the plugin changed a copy


def test_a_migration_that_changes_its_input_changes_a_copy(registry: BlockRegistry) -> None:
    written = document({"id": "a", "type": "careless", "version": 1, "config": {"tags": ["x"]}})
    upgraded = upgrade_document(written, registry)
    assert upgraded["nodes"][0] == {"id": "a", "type": "careless", "version": 2, "config": {"tags": ["x", "upgraded"]}}
    assert written["nodes"][0]["config"] == {"tags": ["x"]}
