"""Config fields a block's schema marks as secret (`"writeOnly": true`, `"format": "password"`), found as the block
registers so that its plugin is told (graph_engine.registry logs a WARNING naming it and each field).

A scenario's config is not a place for a secret: it is stored in plain text in every draft and published version,
and the API hands it to every signed-in user, viewers included (the draft, `/export`, `/versions`, a call's
version, publish diffs). The two keywords only mask the field in the designer's form, which reads as if the value
were protected. Registration warns rather than refuses: a plugin installed with such a field would otherwise stop
loading on upgrade, and with it every scenario using its block; the warning names what to change instead
(docs/blocks.md, "Secrets").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

# Keywords whose value is data, not a schema (a "format" key inside a default is not a schema's format).
_DATA_KEYWORDS: Final = frozenset({"default", "const", "enum", "examples"})


def secret_fields(schema: Mapping[str, Any]) -> list[str]:
    """Where `schema` (a block's config_schema) marks a field as secret, as schema locations in document order:
    `config_schema.properties.api_key`, `config_schema.$defs.account.properties.password`."""
    found: list[str] = []
    _walk(schema, "config_schema", found)
    return found


def _walk(schema: Any, where: str, found: list[str]) -> None:
    if isinstance(schema, list):  # allOf, anyOf, oneOf, prefixItems
        for index, item in enumerate(schema):
            _walk(item, f"{where}[{index}]", found)
        return
    if not isinstance(schema, Mapping):
        return
    if schema.get("writeOnly") is True or schema.get("format") == "password":
        found.append(where)
    for key, value in schema.items():
        if not isinstance(key, str) or key in _DATA_KEYWORDS or key.startswith("x-"):
            continue
        if isinstance(value, Mapping) and key in ("properties", "patternProperties", "$defs", "definitions"):
            for name, child in value.items():
                _walk(child, f"{where}.{key}.{name}", found)
        else:
            _walk(value, f"{where}.{key}", found)
