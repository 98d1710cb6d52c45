"""A block's `translations` beyond its title and description (graph_engine/translations.py): its config fields'
titles, help and choice names, its exits' labels and its own `check` problems, in the designer's languages. Checked
as the plugin registers: a field, choice or exit the block does not have is refused, naming the plugin, rather than
silently never shown.

Review (plugin developer): registering `{"es": {"fields.after.title": ..., "exits.ok": ...}}` was refused ("only
`title` and `description` are translated"), so in Spanish or Russian a plugin's form stayed half English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from graph_engine.block import BlockType
from graph_engine.context import BlockContext
from graph_engine.errors import BlockRegistrationError
from graph_engine.registry import BlockRegistry

ORIGIN = "acme.appointment_slot = acme_slot:AppointmentSlotBlock (from acme-slot)"


def _slot(translations: Any) -> type[BlockType]:
    """The reviewer's block, cut to what translations can name: fields with and without choices, three exits."""

    class SlotBlock(BlockType):
        type = "acme.appointment_slot"
        title = "Appointment reminder slot"
        waits_for_caller = True
        config_schema: ClassVar[dict[str, Any]] = {
            "type": "object",
            "properties": {
                "after": {"type": "string", "title": "Earliest time", "description": "24-hour HH:MM"},
                "service": {"type": "string", "title": "Service", "enum": ["dentist", "doctor"]},
                "days": {"type": "array", "uniqueItems": True, "items": {"enum": ["mon", "tue"]}},
                "retries": {"type": "integer", "enum": [1, 2]},
                "slots": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
            },
        }
        exit_rules: ClassVar[list[dict[str, Any]]] = [
            {"name": "ok", "label": "Slot found"},
            {"name": "no_slot", "label": "No slot"},
            {"each": "slots", "name_from": "name"},
        ]

        async def run(self, ctx: BlockContext, config: Mapping[str, Any]) -> str:
            return "ok"

    SlotBlock.translations = translations  # type: ignore[misc]  # what a plugin may have written, checked or not
    return SlotBlock


def _refusal(translations: Any) -> str:
    with pytest.raises(BlockRegistrationError) as caught:
        BlockRegistry().register(_slot(translations), origin=ORIGIN)
    assert caught.value.plugin == ORIGIN
    return str(caught.value)


SPANISH = {
    "title": "Hueco de cita",
    "fields.after.title": "Hora más temprana",
    "fields.after.description": "HH:MM de 24 horas",
    "fields.service.title": "Servicio",
    "fields.service.enum.dentist": "Dentista",
    "fields.days.enum.mon": "lunes",
    "fields.retries.enum.2": "Dos",
    "exits.ok": "Hueco encontrado",
    "exits.error": "Fallo de la API",
    "exits.hangup": "Colgó",
    "issues.acme_after_too_late": "La hora más temprana debe ser anterior a las 20:00",
}


def test_field_choice_exit_and_issue_texts_register_and_reach_the_catalog_as_given() -> None:
    registry = BlockRegistry()
    registry.register(_slot({"es": SPANISH, "ru": {"exits.no_slot": "Нет слота"}}), origin=ORIGIN)

    [entry] = registry.catalog()
    assert entry["translations"] == {"es": SPANISH, "ru": {"exits.no_slot": "Нет слота"}}
    assert entry["config_schema"]["properties"]["after"]["title"] == "Earliest time"  # English as before


@pytest.mark.parametrize(
    ("texts", "problem"),
    [
        (
            {"fields.aftr.title": "Hora"},
            "translations['es']['fields.aftr.title']: config_schema has no field 'aftr' "
            "(its fields: after, days, retries, service, slots)",
        ),
        (
            {"fields.after.label": "Hora"},
            "translations['es']['fields.after.label']: a field's texts are `title`, `description` and `enum.<value>`",
        ),
        (
            {"fields.service.enum.nurse": "Enfermera"},
            "translations['es']['fields.service.enum.nurse']: field 'service' has no choice 'nurse' "
            "(its choices: dentist, doctor)",
        ),
        (
            {"fields.after.enum.09:00": "Nueve"},
            "translations['es']['fields.after.enum.09:00']: field 'after' has no choice '09:00' (its choices: none",
        ),
        (
            {"exits.slot_found": "Hueco"},
            "translations['es']['exits.slot_found']: the block has no exit 'slot_found' to label "
            "(its exits: error, hangup, no_slot, ok)",
        ),
        ({"issues.Too Late": "Tarde"}, "translations['es']['issues.Too Late']: an issue code is snake_case"),
        ({"subtitle": "Hueco"}, "translations['es']['subtitle']: not a text the designer shows: the keys are"),
        ({"exits.ok": "  "}, "translations['es']['exits.ok'] is empty: leave it out to show the English text"),
        ({"fields.after.title": 3}, "translations['es']['fields.after.title'] must be a string, not int"),
    ],
)
def test_texts_for_what_the_block_does_not_have_are_refused_naming_the_plugin(texts: Any, problem: str) -> None:
    refusal = _refusal({"es": texts})
    assert ORIGIN in refusal
    assert problem in refusal


def test_an_empty_description_is_allowed_it_hides_the_english_help() -> None:
    BlockRegistry().register(_slot({"ru": {"fields.after.description": ""}}), origin=ORIGIN)


def test_the_example_sms_plugin_translates_its_form_and_exits(registry: BlockRegistry) -> None:
    """The worked example of docs/blocks.md: every field's title and every exit in Spanish and Russian."""
    entry = next(entry for entry in registry.catalog() if entry["type"] == "send_sms")
    fields = set(entry["config_schema"]["properties"])
    exits = {rule["name"] for rule in entry["exit_rules"]}
    for language in ("es", "ru"):
        texts = entry["translations"][language]
        assert {f"fields.{name}.title" for name in fields} <= set(texts)
        assert {f"exits.{name}" for name in exits} <= set(texts)
    assert entry["translations"]["es"]["exits.sent"] == "Enviado"
    assert entry["translations"]["ru"]["fields.text.title"] == "Текст"
