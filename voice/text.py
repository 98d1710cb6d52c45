"""What is spoken: the normal form of a phrase, and whether it says anything at all."""

from __future__ import annotations

import unicodedata


def normalize_text(text: str) -> str:
    """The form of a phrase that is spoken and hashed: NFC, whitespace collapsed, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def speakable(text: str) -> bool:
    """True when the text has a letter or a digit; punctuation alone says nothing."""
    return any(ch.isalnum() for ch in text)
