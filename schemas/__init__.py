"""The scenario document format: one JSON Schema that the API, the engine and the designer all validate against."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any, Final

SCENARIO_FORMAT = "ivrgraph.scenario/1"

# The keyword that marks what a person types or picks (the scenario's name, a variable's name...), and the rules of
# its content, which such a field breaks while it is being typed ("es-" on the way to "es-ES").
TYPED: Final = "x-typed"
CONTENT_RULES: Final = ("minLength", "maxLength", "pattern", "enum")


@cache
def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of a scenario document."""
    text = resources.files(__package__).joinpath("scenario.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def draft_schema() -> dict[str, Any]:
    """The scenario schema without the content rules of the fields marked `x-typed`: the shape a draft must have
    to be saved. The engine and the designer can load any document it accepts; the rules it leaves out are
    reported by validation, and block publishing."""
    shape: dict[str, Any] = _without_content_rules(scenario_schema())
    return shape


def _without_content_rules(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_without_content_rules(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    typed = schema.get(TYPED) is True
    return {key: _without_content_rules(value) for key, value in schema.items() if not (typed and key in CONTENT_RULES)}
