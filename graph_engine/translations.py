"""What a block's `translations` may say, checked as its plugin registers (graph_engine/block.py, docs/blocks.md).

Per language, a flat map of text keys to their text, so a plugin's annotation stays `Mapping[str, Mapping[str, str]]`
and the catalog carries the map as it is:

    title, description                    the block's own
    fields.<name>.title                   a config field's title, as the form labels it
    fields.<name>.description             its help under the field
    fields.<name>.enum.<value>            the name of one of its choices (`enum`, or a list's `items.enum`)
    exits.<name>                          an exit's label on the canvas (`error` and the other reserved ones too)
    issues.<code>                         a `check` problem's message; `{param}` is filled from its `params`

Unchecked, a misspelt key (`titel`, a field renamed since) would be dropped without a word, and a text that is not
a string would reach the designer, which draws them as text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from graph_engine.block import DESIGNER_LANGUAGES, BlockType

_BLOCK_TEXTS: Final = ("title", "description")
_FIELD_TEXTS: Final = ("title", "description")
_ISSUE_CODE: Final = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_KEYS: Final = (
    "`title`, `description`, `fields.<name>.title`, `fields.<name>.description`, `fields.<name>.enum.<value>`, "
    "`exits.<name>` or `issues.<code>`"
)


def translations_problem(block: BlockType) -> str | None:
    """What is wrong with `block.translations`, or None."""
    translations: Any = block.translations
    if not isinstance(translations, Mapping):
        return 'translations must map a language code to the block\'s texts in it ({"es": {"title": "..."}})'
    languages = ", ".join(DESIGNER_LANGUAGES)
    for language, texts in translations.items():
        if language not in DESIGNER_LANGUAGES:
            return f"translations[{language!r}]: the designer has no such language (it speaks {languages})"
        if not isinstance(texts, Mapping):
            return f"translations[{language!r}] must map text keys ({_KEYS}) to their text in that language"
        for key, text in texts.items():
            where = f"translations[{language!r}][{key!r}]"
            if not isinstance(key, str):
                return f"{where}: a text key is a string ({_KEYS})"
            problem = _key_problem(block, key)
            if problem is not None:
                return f"{where}: {problem}"
            if not isinstance(text, str):
                return f"{where} must be a string, not {type(text).__name__}"
            if key != "description" and not key.endswith(".description") and not text.strip():
                return f"{where} is empty: leave it out to show the English text"
    return None


def _key_problem(block: BlockType, key: str) -> str | None:
    """Why `key` names nothing of the block the designer could show, or None."""
    if key in _BLOCK_TEXTS:
        return None
    kind, _, rest = key.partition(".")
    if kind == "fields":
        return _field_key_problem(block, rest)
    if kind == "exits":
        exits = _fixed_exits(block)
        if rest not in exits:
            return f"the block has no exit {rest!r} to label (its exits: {', '.join(sorted(exits))})"
        return None
    if kind == "issues":
        if not _ISSUE_CODE.match(rest):
            return "an issue code is snake_case, as the block's `check` gives it (`issues.after_too_late`)"
        return None
    return f"not a text the designer shows: the keys are {_KEYS}"


def _field_key_problem(block: BlockType, rest: str) -> str | None:
    name, _, text = rest.partition(".")
    fields = _fields(block.config_schema)
    if name not in fields:
        known = ", ".join(sorted(fields)) or "none"
        return f"config_schema has no field {name!r} (its fields: {known})"
    if text in _FIELD_TEXTS:
        return None
    if text.startswith("enum."):
        value = text.removeprefix("enum.")
        choices = _choices(fields[name])
        if value not in choices:
            listed = ", ".join(choices) or "none: it has no `enum`"
            return f"field {name!r} has no choice {value!r} (its choices: {listed})"
        return None
    return f"a field's texts are `title`, `description` and `enum.<value>`, not {text!r}"


def _fields(schema: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The config's fields by name: its properties and those of its `oneOf`/`anyOf` branches (as the form draws
    them, designer_ui/src/lib/uischema.ts)."""
    fields: dict[str, Mapping[str, Any]] = dict(schema.get("properties", {}))
    for key in ("oneOf", "anyOf"):
        for branch in schema.get(key, []):
            if isinstance(branch, Mapping):
                fields.update(branch.get("properties", {}))
    return fields


def _choices(field: Mapping[str, Any]) -> list[str]:
    """A field's choices as the designer keys their names: each value as text (`true`, `2`, `dentist`)."""
    items = field.get("items")
    values = field.get("enum", items.get("enum", []) if isinstance(items, Mapping) else [])
    return [_as_text(value) for value in values if value is not None]


def _as_text(value: Any) -> str:
    """A value as JavaScript's String() writes it, the key the designer looks a choice's name up by."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fixed_exits(block: BlockType) -> set[str]:
    """The exits a plugin can label: those its rules name (not those named by the analyst's list items) and the
    ones every block has (`error`, and `hangup` for a block that waits for the caller)."""
    named = {str(rule["name"]) for rule in block.exit_rules if "name" in rule and "each" not in rule}
    return named | set(block.implicit_exits())
