"""A plugin that cannot work is refused as it loads, with the plugin named and what is wrong with it.

Whatever registers must keep working afterwards: validation of every scenario that uses the block, the catalog
(`GET /api/blocks`, `ivrgraph blocks --json`, the designer's palette) and calls through it. So the config schema's
`$ref`s must resolve, the exit rules must be written in the exit-rule language, and the catalog entry must be JSON.
"""

from __future__ import annotations

import datetime
import sys
import types
from collections.abc import Iterator, Mapping
from importlib.metadata import EntryPoint, entry_points
from typing import Any, ClassVar

import pytest

from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.errors import BlockRegistrationError
from graph_engine.registry import ENTRY_POINT_GROUP, BlockRegistry, load_registry
from graph_engine.validation import validate
from tests.conftest import ROOT, make_document

BUILTINS = [e for e in entry_points(group=ENTRY_POINT_GROUP) if e.dist is not None and e.dist.name == "ivrgraph"]
MODULE = "acme_registration_blocks"


class Plugin(BlockType):
    type = "acme_plugin"
    title = "Acme Plugin"

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "next"


class FancyMessage(Plugin):
    type = "message"  # the built-in Message block's type
    title = "Fancy Message"


class OtherFancyMessage(FancyMessage):
    title = "Other Fancy Message"


class FancyWidget(Plugin):
    type = "acme_widget"
    title = "Fancy Widget"


class OtherFancyWidget(Plugin):
    type = "acme_widget"
    title = "Other Fancy Widget"


@pytest.fixture(autouse=True)
def plugin_module() -> Iterator[None]:
    """The classes above as an importable module, so entry points can name them like an installed plugin's."""
    module = types.ModuleType(MODULE)
    for name, value in list(globals().items()):
        if isinstance(value, type) and issubclass(value, BlockType):
            setattr(module, name, value)
    sys.modules[MODULE] = module
    yield
    del sys.modules[MODULE]


def _plugin(name: str, class_name: str) -> EntryPoint:
    return EntryPoint(name=name, value=f"{MODULE}:{class_name}", group=ENTRY_POINT_GROUP)


def _refused(block_class: type[BlockType]) -> BlockRegistrationError:
    with pytest.raises(BlockRegistrationError) as caught:
        BlockRegistry().register(block_class, origin="acme-plugin")
    assert caught.value.plugin == "acme-plugin"
    return caught.value


# -- clashing type names -------------------------------------------------------------------------------


@pytest.mark.parametrize("plugin_first", [True, False])
def test_a_plugin_taking_a_builtin_type_name_is_the_one_named_broken(plugin_first):
    """entry_points() lists distributions in sys.path order, so a plugin installed in an earlier site directory
    (`pip install --user`, PYTHONPATH, a venv over system packages) comes before the built-ins."""
    clash = _plugin("fancy_message", "FancyMessage")
    with pytest.raises(BlockRegistrationError) as caught:
        load_registry([clash, *BUILTINS] if plugin_first else [*BUILTINS, clash])
    assert caught.value.plugin == f"fancy_message = {MODULE}:FancyMessage"
    assert "built-in" in caught.value.reason
    assert "message = blocks.builtin.message:MessageBlock" in caught.value.reason  # the built-in it clashes with


def test_two_plugins_with_the_same_type_name_are_both_named():
    first, second = _plugin("widget", "FancyWidget"), _plugin("other_widget", "OtherFancyWidget")
    with pytest.raises(BlockRegistrationError) as caught:
        load_registry([*BUILTINS, first, second])
    message = str(caught.value)
    assert f"{MODULE}:FancyWidget" in message and f"{MODULE}:OtherFancyWidget" in message
    assert "built-in" not in message


def test_a_builtin_registered_after_a_plugin_with_its_name_still_blames_the_plugin():
    from blocks.builtin.message import MessageBlock

    registry = BlockRegistry()
    registry.register(FancyMessage, origin="acme-fancy")
    with pytest.raises(BlockRegistrationError) as caught:
        registry.register(MessageBlock, origin="message (from ivrgraph)", builtin=True)
    assert caught.value.plugin == "acme-fancy"
    assert "message (from ivrgraph)" in caught.value.reason


# -- config schemas ---------------------------------------------------------------------------------------


class UnresolvableRef(Plugin):
    type = "acme_ref"
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {"phone": {"$ref": "#/$defs/phone"}}}


class RemoteRef(Plugin):
    type = "acme_remote_ref"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {"phone": {"$ref": "https://example.com/schemas/phone.json"}},
    }


class ResolvableRefs(Plugin):
    """`$ref`s into its own `$defs`, nested, and a property that happens to be called "$ref": all fine."""

    type = "acme_refs_ok"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "$defs": {"phone": {"type": "string", "pattern": "^[0-9]+$"}, "phones": {"items": {"$ref": "#/$defs/phone"}}},
        "properties": {
            "phone": {"$ref": "#/$defs/phone"},
            "others": {"type": "array", "$ref": "#/$defs/phones"},
            "$ref": {"type": "string", "default": "#/nowhere"},
        },
    }


def test_a_config_schema_ref_that_does_not_resolve_is_refused():
    error = _refused(UnresolvableRef)
    assert "#/$defs/phone" in error.reason
    assert "properties.phone" in error.reason  # where in config_schema


@pytest.mark.parametrize(
    ("schema", "where"),
    [
        ({"type": "object", "properties": {"x": {"type": "strng"}}}, "config_schema.properties.x.type: 'strng'"),
        ({"type": "object", "allOf": [{}, {"minLength": -1}]}, "config_schema.allOf[1].minLength: -1"),
        ({"type": "objct"}, "config_schema.type: 'objct'"),
    ],
)
def test_an_invalid_config_schema_is_refused_with_the_place_named(schema, where):
    """As an unresolvable `$ref` is: a schema of fifty properties says which one to fix."""
    block_class = type("BadSchema", (Plugin,), {"type": "acme_bad_schema", "config_schema": schema})
    reason = _refused(block_class).reason
    assert reason.startswith(f"config_schema is not a valid JSON Schema: {where}")


def test_a_config_schema_ref_to_another_document_is_refused():
    """Validation would fetch it over the network at every check, or fail: a plugin ships its schema whole."""
    assert "https://example.com/schemas/phone.json" in _refused(RemoteRef).reason


def test_config_schema_refs_that_resolve_register_and_validate():
    from blocks import default_registry

    registry = BlockRegistry.of([ResolvableRefs])
    registry.register(type(default_registry().get("start")), origin="builtin")
    doc = make_document(
        [{"id": "start", "type": "start"}, {"id": "r", "type": "acme_refs_ok", "config": {"phone": "x1"}}],
        [("start", "next", "r")],
    )
    assert [i.code for i in validate(doc, registry) if i.severity == "error"] == ["config"]


class EachWithoutNameFrom(Plugin):
    """The designer (lib/exits.ts) would default `name_from` to "name"; the engine needs it said."""

    type = "acme_each"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {"options": {"type": "array", "items": {"type": "object"}}},
    }
    exit_rules: ClassVar[list[dict[str, Any]]] = [{"each": "options"}]


class TimeDefault(Plugin):
    type = "acme_opens"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {"at": {"type": "string", "default": datetime.time(9, 0)}},
    }


class NotANumberDefault(Plugin):
    type = "acme_nan"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {"ratio": {"type": "number", "default": float("nan")}},
    }


def test_a_config_schema_that_is_not_json_is_refused_with_the_value_named():
    error = _refused(TimeDefault)
    assert "config_schema.properties.at.default" in error.reason
    assert "time" in error.reason


def test_a_config_schema_default_of_nan_is_refused():
    """Python writes NaN, JSON has no such value: the catalog response (allow_nan=False) fails."""
    assert "config_schema.properties.ratio.default" in _refused(NotANumberDefault).reason


# -- exit rules ------------------------------------------------------------------------------------------

_OPTIONS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "mode": {"enum": ["a", "b"], "default": "a"},
        "options": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
    },
}


def _with_rules(*rules: Any) -> type[BlockType]:
    return type("Rules", (Plugin,), {"type": "acme_rules", "config_schema": _OPTIONS, "exit_rules": list(rules)})


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"each": "options"}, "name_from"),
        ({"label": "Next"}, "name"),
        ({"name": ""}, "name"),
        ({"name": 3}, "name"),
        ({"name": "next", "if": "mode == 'a'"}, "if"),
        ({"name": "next", "each": "options", "name_from": "name"}, "'name' was unexpected"),
        ({"name": "next", "lable": "Next"}, "lable"),
        ("next", "object"),
        ({"each": "optoins", "name_from": "name"}, "'optoins'"),
        ({"name": "next", "if": {"mood": "a"}}, "'mood'"),
    ],
)
def test_exit_rules_outside_the_exit_rule_language_are_refused(rule, problem):
    error = _refused(_with_rules({"name": "other"}, rule))
    assert "exit_rules[1]" in error.reason
    assert problem in error.reason
    assert "docs/blocks.md" in error.reason


def test_exit_rules_in_the_exit_rule_language_register():
    rules = _with_rules(
        {"each": "options", "name_from": "name", "label_from": "name", "if": {"mode": "a"}},
        {"name": "next", "label": "Next", "if": {"mode": "b"}},
        {"name": "max_tries"},
    )
    block = BlockRegistry().register(rules, origin="acme-plugin")
    assert block.exits({"options": [{"name": "x"}]}) == ["x", "max_tries"]


async def test_the_each_rule_without_name_from_no_longer_reaches_calls():
    """Before, it registered; validation then said only "its settings could not be checked" and every call through
    the node took `error` with KeyError('name_from')."""
    with pytest.raises(BlockRegistrationError, match="name_from") as caught:
        load_registry([*BUILTINS, _plugin("acme_each", "EachWithoutNameFrom")])
    assert caught.value.plugin == f"acme_each = {MODULE}:EachWithoutNameFrom"


# -- the plugin author's page --------------------------------------------------------------------------


def test_the_page_the_block_api_points_plugin_authors_to_exists_and_covers_the_api():
    page = (ROOT / "docs" / "blocks.md").read_text(encoding="utf-8")
    block_source = (ROOT / "graph_engine" / "block.py").read_text(encoding="utf-8")
    assert "docs/blocks.md" in block_source
    for attribute in ("type", "version", "title", "category", "icon", "description", "config_schema", "exit_rules",
                      "unwired_meaning", "unwired_ok", "waits_for_caller", "terminal"):  # fmt: skip
        assert f"`{attribute}`" in page, attribute
    for method in ("run", "migrate", "templates", "variables_written", "variables_written_on", "variables_read",
                   "jump_target", "check", "exits", "exit_label"):  # fmt: skip
        assert f"`{method}(" in page, method
    for name in ("each", "name_from", "if", "x-ui", "read-only", "Test calls"):
        assert name in page, name
