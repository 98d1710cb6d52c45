"""A phrase the caller hears is said so twice: to validation by the block's `templates()` (`TemplateField(spoken=True)`:
the online-TTS and `date_spoken_raw` warnings) and to the designer by the field's schema (`"x-ui": {"widget":
"template", "spoken": true}`: the Listen button, and Insert variable writing a date through spoken_date). These tests
keep the two in step for the installed blocks (the built-in ones and the example SMS plugin), and check that a
template nobody hears (an SMS, a Set Variable value) is not warned of as a date said as it is stored."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import pytest

from blocks import default_registry
from graph_engine.block import BlockType, TemplateField
from graph_engine.validation import validate
from tests.conftest import make_document

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
# The catalog the designer's unit tests draw forms from (widgets.spoken.test.ts counts its Listen buttons).
DESIGNER_CATALOG = ROOT / "designer_ui" / "src" / "lib" / "fixtures" / "catalog.json"
# The blocks of this repository: the built-in ones and the example plugin (examples/plugins/ivrgraph-sms), not
# whatever else a developer's environment has installed.
OURS = ("(from ivrgraph)", "(from ivrgraph-sms)")
# How many choices of each oneOf/anyOf and enum the sample configs walk through (a prompt: audio, then text).
CHOICES = 3

SchemaPlace = tuple[str | int, ...]  # keys from a block's config_schema down to a field's schema


def _our_blocks() -> list[BlockType]:
    registry = default_registry()
    return [
        block
        for entry in registry.catalog()
        if entry["plugin"].endswith(OURS) and (block := registry.get(entry["type"])) is not None
    ]


BLOCKS = {block.type: block for block in _our_blocks()}


def _says_spoken(field_schema: Mapping[str, Any]) -> bool:
    hint = field_schema.get("x-ui")
    return isinstance(hint, Mapping) and hint.get("spoken") is True


# -- configs that reach every template field ---------------------------------------------------------------------


def _sample(schema: Mapping[str, Any], choice: int) -> Any:
    """A config shaped by `schema`, taking choice `choice` (or the last) of each oneOf and enum: every property
    filled, every list with one item, so a block's `templates()` lists every template field of that shape."""
    for key in ("oneOf", "anyOf"):
        if key in schema:
            branches = schema[key]
            return _sample(branches[min(choice, len(branches) - 1)], choice)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][min(choice, len(schema["enum"]) - 1)]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: _sample(child, choice) for name, child in schema.get("properties", {}).items()}
    if kind == "array":
        return [_sample(schema.get("items", {}), choice)]
    if kind in ("number", "integer"):
        return schema.get("default", schema.get("minimum", 1))
    if kind == "boolean":
        return True
    return "Hola {{ caller_id }}"


def _example_configs(block_type: str) -> Iterator[Mapping[str, Any]]:
    """The configs the example scenarios give this block: real ones besides the samples."""
    for path in sorted(EXAMPLES.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for node in document.get("nodes", []):
            if node.get("type") == block_type:
                yield node.get("config", {})


def _configs(block: BlockType) -> list[Mapping[str, Any]]:
    return [_sample(block.config_schema, choice) for choice in range(CHOICES)] + list(_example_configs(block.type))


# -- where a template field's schema is ----------------------------------------------------------------------------


def _place_of(schema: Mapping[str, Any], path: tuple[str | int, ...]) -> SchemaPlace:
    """Where the schema of the config field at `path` is: through `properties` and `items`, and through the one
    branch of a oneOf/anyOf that has the property (a prompt's `text` is in its spoken-text branch)."""
    place: list[str | int] = []
    node = schema
    for part in path:
        for key in ("oneOf", "anyOf"):
            if key in node and isinstance(part, str):
                [index] = [i for i, branch in enumerate(node[key]) if part in branch.get("properties", {})]
                node = node[key][index]
                place += [key, index]
        if isinstance(part, int):
            node = node["items"]
            place.append("items")
        else:
            node = node["properties"][part]
            place += ["properties", part]
    return tuple(place)


def _schema_at(schema: Mapping[str, Any], place: SchemaPlace) -> Mapping[str, Any]:
    node: Any = schema
    for key in place:
        node = node[key]
    return cast(Mapping[str, Any], node)


def _places_said_spoken(schema: Mapping[str, Any], place: SchemaPlace = ()) -> Iterator[SchemaPlace]:
    """Every place in `schema` whose field says `"x-ui": {"spoken": true}`."""
    if _says_spoken(schema):
        yield place
    for name, child in schema.get("properties", {}).items():
        yield from _places_said_spoken(child, (*place, "properties", name))
    for key in ("oneOf", "anyOf"):
        for index, branch in enumerate(schema.get(key, [])):
            yield from _places_said_spoken(branch, (*place, key, index))
    if isinstance(schema.get("items"), Mapping):
        yield from _places_said_spoken(schema["items"], (*place, "items"))


def _template_fields(block: BlockType) -> Iterator[tuple[TemplateField, SchemaPlace]]:
    for config in _configs(block):
        for field in block.templates(config):
            yield field, _place_of(block.config_schema, field.path)


# -- the two sayings agree ---------------------------------------------------------------------------------------


def test_the_blocks_that_speak_are_found() -> None:
    """The tests below look at these blocks; a phrase is spoken in Say Phrase and in the IVR's three prompts."""
    assert {"say_phrase", "ivr", "set_variable", "transfer", "callback", "send_sms"} <= set(BLOCKS)
    spoken = {(block.type, place) for block in BLOCKS.values() for place in _places_said_spoken(block.config_schema)}
    assert {block_type for block_type, _ in spoken} == {"say_phrase", "ivr"}
    assert len(spoken) == 4


@pytest.mark.parametrize("block_type", sorted(BLOCKS))
def test_a_template_field_is_spoken_for_validation_exactly_where_its_schema_says_so(block_type: str) -> None:
    block = BLOCKS[block_type]
    for field, place in _template_fields(block):
        said = _says_spoken(_schema_at(block.config_schema, place))
        assert field.spoken == said, (
            f"{block_type}: the template at {field.path} is {'' if field.spoken else 'not '}spoken=True in "
            f"templates(), but its schema {'says' if said else 'does not say'} x-ui spoken"
        )


@pytest.mark.parametrize("block_type", sorted(BLOCKS))
def test_every_field_its_schema_says_spoken_is_a_spoken_template(block_type: str) -> None:
    block = BLOCKS[block_type]
    spoken_templates = {place for field, place in _template_fields(block) if field.spoken}
    for place in _places_said_spoken(block.config_schema):
        assert place in spoken_templates, f"{block_type}: {place} says x-ui spoken, but templates() never marks it"
        assert _schema_at(block.config_schema, place)["x-ui"].get("widget") == "template", (
            f"{block_type}: {place} says x-ui spoken without the template widget, where the designer offers Listen"
        )


def test_the_designer_tests_catalog_says_spoken_where_the_blocks_do() -> None:
    for entry in json.loads(DESIGNER_CATALOG.read_text(encoding="utf-8")):
        block = BLOCKS[entry["type"]]
        assert set(_places_said_spoken(entry["config_schema"])) == set(_places_said_spoken(block.config_schema)), (
            f"{entry['type']}: designer_ui/src/lib/fixtures/catalog.json and the block disagree on x-ui spoken"
        )


# -- a date said as stored is only a problem where it is said ----------------------------------------------------


def _date_warnings(node: dict[str, Any]) -> list[str]:
    document = make_document(
        [{"id": "start", "type": "start"}, node], [], variables=[{"name": "fecha", "type": "date"}]
    )
    return [issue.path for issue in validate(document, default_registry()) if issue.code == "date_spoken_raw"]


def test_a_date_in_an_sms_or_a_set_variable_value_is_not_warned_of_as_spoken() -> None:
    text = "Su cita es el {{ fecha }}."
    sms = {"id": "sms", "type": "send_sms", "config": {"to": "{{ caller_id }}", "text": text}}
    keep = {"id": "keep", "type": "set_variable", "config": {"assignments": [{"variable": "aviso", "value": text}]}}
    assert _date_warnings(sms) == []
    assert _date_warnings(keep) == []
    # The same text said to the caller is warned of: the check runs, and passes these by.
    say = {"id": "say", "type": "say_phrase", "config": {"text": text}}
    assert _date_warnings(say) == ["$.nodes[1].config.text"]
