"""Equality of JSON values as JSON has it, for documents, configs and tests compared across saves and versions."""

from __future__ import annotations

import json
from typing import Any


def same_json(first: Any, second: Any) -> bool:
    """Whether two JSON values are one: equal as JSON, key order aside. Not Python's `==`, for which `true`, `1`
    and `1.0` are equal, and so `{"equals": 1}` and `{"equals": true}`: a Switch case changed from one to the
    other routes calls elsewhere, and it is an edit to save, a change to publish and a line in the diff."""
    return first is second or canonical_json(first) == canonical_json(second)


def canonical_json(value: Any) -> str:
    """`value` written one way only: keys sorted, no spaces, text as is."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
