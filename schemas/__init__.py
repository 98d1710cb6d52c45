"""The scenario document format: one JSON Schema that the API, the engine and the designer all validate against."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

SCENARIO_FORMAT = "ivrgraph.scenario/1"


@cache
def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of a scenario document."""
    text = resources.files(__package__).joinpath("scenario.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
