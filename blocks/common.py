"""Schema pieces and helpers the built-in blocks share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph_engine.block import MEDIA_NAME_PATTERN, TemplateField
from graph_engine.sql_params import parse_query

IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
KEYS = "0123456789*#"

VARIABLE_NAME: dict[str, Any] = {
    "type": "string",
    "pattern": IDENTIFIER_PATTERN,
    "x-ui": {"widget": "variable"},
}

LANGUAGE: dict[str, Any] = {
    "type": "string",
    "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
    "title": "Language",
    "description": "Leave empty to use the scenario's language.",
}

AUDIO_NAME: dict[str, Any] = {
    "type": "string",
    "pattern": MEDIA_NAME_PATTERN,
    "title": "Audio",
    "description": "A recorded audio asset (or an Asterisk sound such as vm-press).",
    "x-ui": {"widget": "audio"},
}

# What a phrase spoken through TTS is configured with (Say Phrase and every spoken prompt). `spoken` tells the
# designer the caller hears this template (Listen, and Insert variable writes a date through spoken_date); the
# blocks say the same to validation with TemplateField(spoken=True), and tests/blocks/test_spoken_fields.py keeps
# the two in step.
SPOKEN_TEXT: dict[str, Any] = {
    "text": {
        "type": "string",
        "minLength": 1,
        "maxLength": 2000,
        "title": "Text to say",
        "x-ui": {"widget": "template", "spoken": True},
    },
    "language": LANGUAGE,
    "voice": {"type": "string", "maxLength": 100, "title": "Voice"},
}

# A prompt is either a recorded asset or a phrase spoken through TTS.
PROMPT: dict[str, Any] = {
    "type": "object",
    "title": "Prompt",
    "oneOf": [
        {
            "title": "Recorded audio",
            "type": "object",
            "required": ["audio"],
            "properties": {"audio": AUDIO_NAME},
            "additionalProperties": False,
        },
        {
            "title": "Spoken text",
            "type": "object",
            "required": ["text"],
            "properties": SPOKEN_TEXT,
            "additionalProperties": False,
        },
    ],
}


def prompt_templates(config: Mapping[str, Any], *fields: str) -> list[TemplateField]:
    """The spoken-text templates inside the named prompt fields of a config."""
    found = []
    for name in fields:
        prompt = config.get(name)
        if isinstance(prompt, Mapping) and isinstance(prompt.get("text"), str):
            found.append(TemplateField((name, "text"), prompt["text"], spoken=True))
    return found


def sql_parameters(query: str) -> list[str]:
    """Bind parameter names (`:caller_id`) in a query, in order, as the database layer binds them (outside
    quotes and comments, PostgreSQL `::casts` apart: graph_engine.sql_params)."""
    return list(parse_query(query).names)


def parse_clock(text: str) -> tuple[int, int]:
    """'09:30' -> (9, 30)."""
    hours, minutes = text.split(":")
    return int(hours), int(minutes)


# A time of day, stored as HH:MM and nothing else. The description is the hint under the field and what a refusal
# of another form says (`'9:00' does not match the form this field takes: 24-hour HH:MM, ...`); the designer's
# `clock_time` widget reads 9:00, 18.00 or 1800 as people type them and stores HH:MM (designer_ui/src/lib/clockTime.ts).
CLOCK_TIME: dict[str, Any] = {
    "type": "string",
    "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
    "description": "24-hour HH:MM, e.g. 09:00 or 18:30; midnight is 00:00.",
    "x-ui": {"widget": "clock_time"},
}
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
