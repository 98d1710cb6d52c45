"""Sensitive values: what a call's record shows of a variable the scenario declares `sensitive` (a PIN, an account
number, a date of birth), and which voice engines send a phrase's text out of the installation.

The call itself uses the real value (an SQL block binds the real PIN, a prompt says it); everything recorded of it
(the trace's keys, `variables_changed`, the final variables, the prompt text, the events) shows `mask(value)`: no
digit of it, only how long it was, which is what an analyst needs to see that "the PIN was too short". Masks are
built from the length alone, so nothing computed from a mask (a template rendered again over masks, for the trace)
can carry the value back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

# Voice engines that send the text they speak to an outside service (gTTS: Google's online translate TTS), so a
# phrase with a caller's data leaves the installation. voice/engines names them; tests/graph_engine checks the two
# agree. Local engines (espeak-ng) speak on the node.
ONLINE_TTS_ENGINES: Final = frozenset({"gtts"})

# Variables every call has that say nothing about the caller: reading them in an online engine's phrase is fine.
NOT_PERSONAL: Final = frozenset({"call_id", "channel", "channel_language", "dialed_number", "language"})

# The shortest text `scrub` replaces inside free text (an error message): a shorter one would garble the message
# (every "1" in it) for a value that hides nothing worth hiding.
_SHORTEST_SCRUBBED: Final = 3

HIDDEN: Final = "[hidden]"


def mask(value: Any) -> Any:
    """What the record shows of a sensitive value: `[hidden: 4 characters]` for text or a number (the length of its
    text), `[hidden: 2 items]` / `[hidden: 3 fields]` for a list or an object, `[hidden]` for a yes/no. None stays
    None: "not set" holds nothing of the caller's and tells an analyst the step never got the value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return HIDDEN
    if isinstance(value, str | int | float):
        return _counted(len(value if isinstance(value, str) else str(value)), "character")
    if isinstance(value, Mapping):
        return _counted(len(value), "field")
    if isinstance(value, list | tuple):
        return _counted(len(value), "item")
    return HIDDEN


def _counted(count: int, unit: str) -> str:
    return f"[hidden: {count} {unit}{'' if count == 1 else 's'}]"


def masked_variables(variables: Mapping[str, Any], sensitive: Iterable[str]) -> dict[str, Any]:
    """A copy of `variables` with the value of each name in `sensitive` masked."""
    shown = dict(variables)
    for name in sensitive:
        if name in shown:
            shown[name] = mask(shown[name])
    return shown


def scrub(text: str, variables: Mapping[str, Any], sensitive: Iterable[str]) -> str:
    """`text` (an error message, which may quote what it failed on) with the text of each sensitive value in it
    replaced by its mask. Values shorter than three characters are left: see `_SHORTEST_SCRUBBED`."""
    for name in sensitive:
        value = variables.get(name)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            continue
        written = value if isinstance(value, str) else str(value)
        if len(written) >= _SHORTEST_SCRUBBED and written in text:
            text = text.replace(written, str(mask(value)))
    return text
