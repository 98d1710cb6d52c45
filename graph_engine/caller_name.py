"""The caller name a Transfer shows the person it rings: any text (a CRM's, a caller's) made safe to set and show.

A name is display text, not a command: it is never refused, only cleaned. What comes out has no control character
(a line feed would end an AGI command line and start another), no invisible formatting character (a right-to-left
override would make "Ivanov" display as something else on the operator's screen), no run of blanks, and at most
`MAX_CALLER_NAME_CHARS` characters; letters of any script (Cyrillic) are kept as they are. Quotes, backslashes,
commas, parentheses and `${...}` stay too: the channel passes the name as one quoted argument of
`SET VARIABLE "CALLERID(name)"`, which Asterisk stores without reading it (see `agi_server.channel`).
"""

from __future__ import annotations

import unicodedata
from typing import Final

# Longer than a phone's display or an operator panel shows (20-40), short enough for any caller ID transport.
MAX_CALLER_NAME_CHARS: Final = 50
# Unicode categories that become a blank (a line or paragraph break) and those dropped (control characters are
# handled with the blanks: "Ivanov\nIvan" reads "Ivanov Ivan"): format characters such as bidi overrides and
# zero-width joiners, lone surrogates (not UTF-8 at all), private-use and unassigned code points.
_BREAKS: Final = frozenset({"Cc", "Zl", "Zp"})
_DROPPED: Final = frozenset({"Cf", "Cs", "Co", "Cn"})


def shown_caller_name(text: str) -> str:
    """`text` as it can be set as a caller name: "" when nothing shows. Applying it twice changes nothing more."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFC", text):  # "й" as one character, so a cut cannot split it from its mark
        category = unicodedata.category(char)
        if category in _BREAKS:
            kept.append(" ")
        elif category not in _DROPPED:
            kept.append(char)
    name = " ".join("".join(kept).split())
    return name[:MAX_CALLER_NAME_CHARS].rstrip()
