"""A block's config is the published scenario's, shared by every call: blocks get it read-only.

One parsed scenario serves every call on a server. A block that wrote into its config would change what the next
caller hears, so the configs are frozen once, when the document is parsed, and a write raises TypeError (the
block's error exit) instead of leaking.
"""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ScriptedChannel
from tests.conftest import make_document


class RendersInPlace(BlockType):
    """Renders its template into its own config: the mistake the frozen config turns into an error exit."""

    type = "renders_in_place"
    title = "Renders In Place"
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {"text": {"type": "string"}}}

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        config["text"] = ctx.render(config["text"])  # type: ignore[index]
        await ctx.play(await ctx.speech(config["text"]))
        return "next"


class AppendsToItsList(BlockType):
    """Adds to a list inside its config: nested values are read-only too."""

    type = "appends"
    title = "Appends"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {"seen": {"type": "array", "items": {"type": "object"}}},
    }

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        config["seen"].append({"caller": ctx.get("caller_id")})
        config["seen"][0]["caller"] = ctx.get("caller_id")
        return "next"


class RendersACopy(BlockType):
    """The right way: work on a copy. Copies are the plugin's own, and mutable."""

    type = "renders_a_copy"
    title = "Renders A Copy"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {"prompt": {"type": "object", "properties": {"text": {"type": "string"}}}},
    }

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        mine = copy.deepcopy(config)
        mine["prompt"]["text"] = ctx.render(mine["prompt"]["text"])
        shallow = dict(config)
        shallow["extra"] = True
        await ctx.play(await ctx.speech(mine["prompt"]["text"]))
        return "next"


class Greeting(BlockType):
    """Version 2 renamed `message` to `text`; its migrate returns a new dict, which is frozen like a parsed one."""

    type = "greeting"
    title = "Greeting"
    version = 2
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {"text": {"type": "string"}}}

    def migrate(self, from_version: int, config: Mapping[str, Any]) -> dict[str, Any]:
        upgraded = dict(config)
        upgraded["text"] = upgraded.pop("message", "")
        return upgraded

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        config["text"] = ctx.render(config["text"])  # type: ignore[index]
        await ctx.play(await ctx.speech(config["text"]))
        return "next"


def _registry(*blocks: type[BlockType]) -> BlockRegistry:
    from blocks import default_registry

    registry = BlockRegistry.of(blocks)
    registry.register(type(default_registry().get("start")), origin="builtin")
    return registry


def _one_block(block_type: str, config: dict[str, Any], version: int = 1) -> dict[str, Any]:
    return make_document(
        [{"id": "start", "type": "start"}, {"id": "b", "type": block_type, "version": version, "config": config}],
        [("start", "next", "b")],
        variables=[{"name": "name", "default": ""}],
    )


async def test_a_block_writing_its_config_takes_error_and_the_next_caller_hears_their_own_name():
    scenario = parse_document(_one_block("renders_in_place", {"text": "Hola {{ name }}"}))
    registry = _registry(RendersInPlace)
    first = await run_call(scenario, ScriptedChannel(), registry, inputs={"name": "Ana"})
    second = await run_call(scenario, ScriptedChannel(), registry, inputs={"name": "Luis"})
    for result in (first, second):
        assert result.steps[1].exit == "error"
        assert "TypeError" in (result.steps[1].error or "")
        assert "read-only" in (result.steps[1].error or "")
    assert scenario.nodes["b"].config == {"text": "Hola {{ name }}"}


async def test_values_inside_the_config_are_read_only_too():
    scenario = parse_document(_one_block("appends", {"seen": [{"caller": "nobody"}]}))
    result = await run_call(scenario, ScriptedChannel(), _registry(AppendsToItsList))
    assert result.steps[1].exit == "error"
    assert "TypeError" in (result.steps[1].error or "")
    assert scenario.nodes["b"].config == {"seen": [{"caller": "nobody"}]}


async def test_a_copy_of_the_config_is_the_blocks_own():
    scenario = parse_document(_one_block("renders_a_copy", {"prompt": {"text": "Hola {{ name }}"}}))
    registry = _registry(RendersACopy)
    first = await run_call(scenario, ScriptedChannel(), registry, inputs={"name": "Ana"})
    second = await run_call(scenario, ScriptedChannel(), registry, inputs={"name": "Luis"})
    assert [r.steps[1].prompts[0]["text"] for r in (first, second)] == ["Hola Ana", "Hola Luis"]
    assert scenario.nodes["b"].config == {"prompt": {"text": "Hola {{ name }}"}}


async def test_a_migrated_config_is_read_only_like_a_parsed_one():
    scenario = parse_document(_one_block("greeting", {"message": "Hola {{ name }}"}, version=1))
    registry = _registry(Greeting)
    first = await run_call(scenario, ScriptedChannel(), registry, inputs={"name": "Ana"})
    assert first.steps[1].exit == "error"
    assert "read-only" in (first.steps[1].error or "")


def test_a_frozen_config_reads_serializes_and_validates_as_the_json_it_came_from():
    raw = {"prompt": {"text": "Hola"}, "options": [{"key": "1", "label": "ventas"}], "mode": "menu"}
    config = parse_document(_one_block("ivr", copy.deepcopy(raw))).nodes["b"].config
    assert config == raw
    assert isinstance(config, Mapping)
    assert json.loads(json.dumps(config)) == raw
    assert pickle.loads(pickle.dumps(config)) == raw
    with pytest.raises(TypeError):
        pickle.loads(pickle.dumps(config))["mode"] = "capture"  # type: ignore[index]
    thawed = copy.deepcopy(config)
    thawed["options"].append({"key": "2"})
    thawed["options"][0]["key"] = "9"
    assert config == raw  # the copy is independent
    assert copy.copy(config) == raw and type(copy.copy(config)) is dict


@pytest.mark.parametrize(
    "write",
    [
        lambda c: c.__setitem__("mode", "capture"),
        lambda c: c.__delitem__("mode"),
        lambda c: c.pop("mode"),
        lambda c: c.popitem(),
        lambda c: c.setdefault("new", 1),
        lambda c: c.update(mode="capture"),
        lambda c: c.clear(),
        lambda c: c.__ior__({"mode": "capture"}),
        lambda c: c["options"].append({}),
        lambda c: c["options"].extend([{}]),
        lambda c: c["options"].insert(0, {}),
        lambda c: c["options"].pop(),
        lambda c: c["options"].remove(c["options"][0]),
        lambda c: c["options"].clear(),
        lambda c: c["options"].sort(),
        lambda c: c["options"].reverse(),
        lambda c: c["options"].__setitem__(0, {}),
        lambda c: c["options"].__delitem__(0),
        lambda c: c["options"].__iadd__([{}]),
        lambda c: c["options"].__imul__(2),
        lambda c: c["options"][0].__setitem__("key", "2"),
    ],
)
def test_every_way_of_writing_a_config_raises_type_error(write):
    raw = {"prompt": {"text": "Hola"}, "options": [{"key": "1"}], "mode": "menu"}
    config = parse_document(_one_block("ivr", copy.deepcopy(raw))).nodes["b"].config
    with pytest.raises(TypeError, match="read-only"):
        write(config)
    assert config == raw
