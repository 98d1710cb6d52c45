"""The registry checks every block as it loads and names the broken plugin."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import EntryPoint
from typing import Any, ClassVar

import pytest

from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.errors import BlockRegistrationError
from graph_engine.registry import ENTRY_POINT_GROUP, BlockRegistry, load_registry
from tests.conftest import BUILTIN_BLOCK_TYPES


class Good(BlockType):
    type = "good"
    title = "Good"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "next"


class SyncRun(Good):
    type = "sync_run"

    def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:  # type: ignore[override]
        return "next"


class BadSchema(Good):
    type = "bad_schema"
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {"x": {"type": "nonsense"}}}


class NoExits(Good):
    type = "no_exits"
    exit_rules: ClassVar[list[dict[str, Any]]] = []


class DeclaresError(Good):
    type = "declares_error"
    exit_rules: ClassVar[list[dict[str, Any]]] = [{"name": "error"}]


class NotABlock:
    type = "plain"


@pytest.mark.parametrize(
    ("block_class", "reason"),
    [
        (SyncRun, "coroutine"),
        (BadSchema, "not a valid JSON Schema"),
        (NoExits, "declares no exit"),
        (DeclaresError, "must not declare the `error` exit"),
        (NotABlock, "subclass"),
    ],
)
def test_broken_blocks_are_refused_with_the_plugin_named(block_class, reason):
    with pytest.raises(BlockRegistrationError) as caught:
        BlockRegistry().register(block_class, origin="acme-plugin")
    assert "acme-plugin" in str(caught.value)
    assert reason in str(caught.value)


def test_duplicate_type_names_both_origins():
    registry = BlockRegistry()
    registry.register(Good, origin="first")
    with pytest.raises(BlockRegistrationError, match="already registered by first"):
        registry.register(Good, origin="second")


def test_entry_point_that_cannot_import_names_itself():
    broken = EntryPoint(name="sms", value="no_such_module:Block", group=ENTRY_POINT_GROUP)
    with pytest.raises(BlockRegistrationError, match="sms = no_such_module:Block"):
        load_registry([broken])


def test_builtins_load_through_the_entry_point_group(registry):
    builtins = set(BUILTIN_BLOCK_TYPES)
    assert builtins <= {block.type for block in registry}
    assert all("=" in (registry.origin(name) or "") for name in builtins)  # came from an entry point


def test_catalog_entries_carry_schema_and_exits(registry):
    ivr = next(entry for entry in registry.catalog() if entry["type"] == "ivr")
    assert ivr["config_schema"]["properties"]["options"]["type"] == "array"
    assert ivr["implicit_exits"] == ["error", "hangup"]
    assert ivr["default_exits"] == ["max_tries"]


class Greeting(BlockType):
    """Version 2 renamed `message` to `text`; version-1 nodes are migrated, never rejected."""

    type = "greeting"
    title = "Greeting"
    version = 2
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["text"],
        "properties": {"text": {"type": "string", "title": "Text"}},
        "additionalProperties": False,
    }

    def migrate(self, from_version: int, config: Mapping[str, Any]) -> dict[str, Any]:
        upgraded = dict(config)
        if from_version < 2 and "message" in upgraded:
            upgraded["text"] = upgraded.pop("message")
        return upgraded

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        await ctx.play(await ctx.speech(config["text"]))
        return "next"


async def test_old_block_versions_are_migrated_for_validation_and_running(registry):
    from graph_engine.document import parse_document
    from graph_engine.interpreter import run_call
    from graph_engine.scripted import ScriptedChannel
    from graph_engine.validation import validate
    from tests.conftest import make_document

    extended = BlockRegistry.of([Greeting])
    extended.register(type(registry.get("start")), origin="builtin")
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "g", "type": "greeting", "version": 1, "config": {"message": "hola"}},
        ],
        [("start", "next", "g")],
    )
    assert [i.code for i in validate(doc, extended)] == ["unwired_exit"]
    result = await run_call(parse_document(doc), ScriptedChannel(), extended)
    assert result.steps[1].prompts[0]["text"] == "hola"
    doc["nodes"][1]["version"] = 3
    assert "block_version" in [i.code for i in validate(doc, extended)]
