"""A template a block renders after setting variables itself (`TemplateField.written_before`): validation counts
those as set in that field, so a block that looks something up and then speaks it (`{{ slot_time }}`) is not
warned on every scenario using it; and an `undefined_variable` warning points at the field that reads the name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from blocks import default_registry
from graph_engine.block import BlockType, ExitRule, TemplateField
from graph_engine.context import BlockContext
from graph_engine.issues import Issue
from graph_engine.registry import BlockRegistry
from graph_engine.validation import validate
from tests.conftest import make_document


class _SlotBlock(BlockType):
    """The reviewer's plugin, cut down: sets `slot_time` on `ok`, then speaks `text`; `note` is rendered first."""

    type = "test.slot"
    title = "Slot"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {"text": {"type": "string"}, "note": {"type": "string"}},
        "additionalProperties": False,
    }
    exit_rules: ClassVar[list[ExitRule]] = [{"name": "ok", "label": "Slot found"}, {"name": "no_slot"}]
    declare_written_before: ClassVar[bool] = True

    def templates(self, config: Mapping[str, Any]) -> list[TemplateField]:
        after = frozenset({"slot_time"}) if self.declare_written_before else frozenset()
        return [
            TemplateField(("note",), str(config.get("note", ""))),
            TemplateField(("text",), str(config.get("text", "")), spoken=True, written_before=after),
        ]

    def variables_written_on(self, config: Mapping[str, Any], exit_name: str) -> set[str]:
        return {"slot_time"} if exit_name == "ok" else set()

    def variables_written(self, config: Mapping[str, Any]) -> set[str]:
        return {"slot_time"}

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        ctx.set("slot_time", "10:30")
        return "ok"


class _UndeclaredSlotBlock(_SlotBlock):
    type = "test.slot_undeclared"
    declare_written_before = False


@pytest.fixture(scope="module")
def registry() -> BlockRegistry:
    return BlockRegistry.of([*(type(block) for block in default_registry()), _SlotBlock, _UndeclaredSlotBlock])


def _undefined(doc: dict[str, Any], registry: BlockRegistry) -> list[Issue]:
    return [issue for issue in validate(doc, registry) if issue.code == "undefined_variable"]


def _slot_flow(block_type: str, config: dict[str, Any]) -> dict[str, Any]:
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "slot", "type": block_type, "label": "Find slot", "config": config},
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "slot"), ("slot", "ok", "bye"), ("slot", "no_slot", "bye")],
    )


def test_a_field_rendered_after_the_blocks_own_write_reads_it_without_a_warning(registry: BlockRegistry) -> None:
    doc = _slot_flow("test.slot", {"text": "Your appointment is at {{ slot_time }}"})
    assert _undefined(doc, registry) == []


def test_without_the_declaration_the_warning_stays_and_names_the_field(registry: BlockRegistry) -> None:
    doc = _slot_flow("test.slot_undeclared", {"text": "Your appointment is at {{ slot_time }}"})
    (issue,) = _undefined(doc, registry)
    assert (issue.node, issue.path) == ("slot", "$.nodes[1].config.text")
    assert issue.params["variable"] == "slot_time"


def test_the_declaration_covers_only_its_field_and_only_the_names_it_gives(registry: BlockRegistry) -> None:
    # `note` is rendered before the lookup: slot_time is unset there; `client` is set by nothing at all.
    doc = _slot_flow("test.slot", {"note": "Looking after {{ slot_time }}", "text": "{{ slot_time }} {{ client }}"})
    found = sorted((issue.params["variable"], issue.path) for issue in _undefined(doc, registry))
    assert found == [("slot_time", "$.nodes[1].config.note")]
    never = [(i.params["variable"], i.path) for i in validate(doc, registry) if i.code == "unknown_variable"]
    assert never == [("client", "$.nodes[1].config.text")]


def test_a_later_block_still_learns_the_variable_is_unset_on_the_exit_that_does_not_set_it(
    registry: BlockRegistry,
) -> None:
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "slot", "type": "test.slot", "label": "Find slot", "config": {"text": "At {{ slot_time }}"}},
            {"id": "say", "type": "say_phrase", "label": "Repeat", "config": {"text": "Again: {{ slot_time }}"}},
        ],
        [("start", "next", "slot"), ("slot", "ok", "say"), ("slot", "no_slot", "say")],
    )
    (issue,) = _undefined(doc, registry)
    assert (issue.node, issue.path) == ("say", "$.nodes[2].config.text")
    assert issue.params["exit"] == "no_slot"


def test_set_variable_reads_what_its_earlier_assignments_set_but_not_its_later_ones(registry: BlockRegistry) -> None:
    assignments = [
        {"variable": "greeting", "value": "Hello {{ name }}"},  # name is set by the next assignment: unset here
        {"variable": "name", "value": "Ana"},
        {"variable": "line", "value": "{{ greeting }}, {{ name }}"},  # both set above, in this block
    ]
    doc = make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "set", "type": "set_variable", "config": {"assignments": assignments}},
        ],
        [("start", "next", "set")],
    )
    (issue,) = _undefined(doc, registry)
    assert (issue.params["variable"], issue.path) == ("name", "$.nodes[1].config.assignments[0].value")


def test_a_variable_read_outside_any_template_is_placed_at_the_field_that_names_it(registry: BlockRegistry) -> None:
    """An SQL block's `:client_id` is no template: it was placed at the config as a whole, and is now at the query
    that names it (an Oktell administrator's review: the field named)."""
    lookup = {
        "id": "lookup",
        "type": "sql",
        "config": {"source": "crm", "query": "SELECT 1 FROM c WHERE id = :client_id", "columns": {}},
    }
    ask = {"id": "ask", "type": "ivr", "config": {"mode": "capture", "prompt": {"text": "x"}, "variable": "client_id"}}
    doc = make_document(
        [{"id": "start", "type": "start"}, lookup, ask],
        [("start", "next", "lookup"), ("lookup", "not_found", "ask"), ("ask", "next", "lookup")],
    )
    (issue,) = _undefined(doc, registry)
    assert (issue.params["variable"], issue.path) == ("client_id", "$.nodes[1].config.query")
