"""A plugin whose config schema marks a field secret (`writeOnly`, `format: password`) registers, with a WARNING
naming the plugin and the field: a scenario's config is shown in plain text to every signed-in user (review of a
plugin storing its booking API key in the config; docs/blocks.md, "Secrets"). Not refused: a plugin installed with
such a field would stop loading on upgrade, and every scenario using its block with it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from blocks import default_registry
from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.registry import BlockRegistry
from graph_engine.secret_fields import secret_fields

ORIGIN = "acme.appointment_slot = acme_slot:AppointmentSlotBlock (from acme-slot)"


class _SlotWithKey(BlockType):
    type = "acme.appointment_slot"
    title = "Appointment reminder slot"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "service": {"type": "string", "default": "dentist"},
            "api_key": {"type": "string", "title": "API key", "writeOnly": True, "format": "password"},
            "accounts": {"type": "array", "items": {"$ref": "#/$defs/account"}},
        },
        "$defs": {
            "account": {
                "type": "object",
                "properties": {"user": {"type": "string"}, "pin": {"type": "string", "format": "password"}},
            }
        },
        "additionalProperties": False,
    }

    async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
        return "next"


def test_secret_fields_are_found_wherever_the_schema_declares_them() -> None:
    assert secret_fields(_SlotWithKey.config_schema) == [
        "config_schema.properties.api_key",
        "config_schema.$defs.account.properties.pin",
    ]
    # Data that merely looks like the keywords is not a field.
    assert secret_fields({"type": "object", "default": {"writeOnly": True}, "x-ui": {"format": "password"}}) == []


def test_a_plugin_with_a_secret_field_registers_with_a_warning_naming_it(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="graph_engine.registry"):
        block = BlockRegistry().register(_SlotWithKey, origin=ORIGIN)
    assert block.type == "acme.appointment_slot"  # registered: refusing would break installed plugins
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2, warnings
    assert all(ORIGIN in message for message in warnings)
    assert "config_schema.properties.api_key" in warnings[0]
    assert "config_schema.$defs.account.properties.pin" in warnings[1]
    assert "viewers" in warnings[0] and "environment" in warnings[0] and "docs/blocks.md" in warnings[0]


def test_no_builtin_block_declares_a_secret_field() -> None:
    assert {block.type: secret_fields(block.config_schema) for block in default_registry()} == {
        block.type: [] for block in default_registry()
    }
