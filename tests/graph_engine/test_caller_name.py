# ruff: noqa: RUF001  -- the clients' names are Cyrillic on purpose
"""The caller name a Transfer shows: any text cleaned into one short line of display text, never refused."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agi_server.protocol import MAX_COMMAND_BYTES, encode_command
from graph_engine.caller_name import MAX_CALLER_NAME_CHARS, shown_caller_name


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Иванов Иван Иванович", "Иванов Иван Иванович"),  # Cyrillic kept as it is
        ('ООО "Ромашка" (VIP), отдел №2', 'ООО "Ромашка" (VIP), отдел №2'),  # punctuation is display text
        ("${SHELL(rm -rf /)}", "${SHELL(rm -rf /)}"),  # text to Asterisk's SET VARIABLE, never evaluated
        ("Ivanov\nHANGUP", "Ivanov HANGUP"),  # a line break reads as a space, and cannot end a command
        ("  Ivanov\r\n\t Ivan \x00\x1b[31m ", "Ivanov Ivan [31m"),  # controls and runs of blanks
        ("Ivanov\u2028Ivan\u0085Petrovich", "Ivanov Ivan Petrovich"),  # Unicode line separators too
        ("\u202eвонавИ", "вонавИ"),  # a right-to-left override would make the screen show another name
        ("Ива\u200bнов\ufeff", "Иванов"),  # zero-width characters
        ("Ива\ud800нов", "Иванов"),  # a lone surrogate (not encodable as UTF-8) from a broken source
        ("\u0418\u0306о", "Йо"),  # NFC: и + combining breve is one letter, as the operator's screen shows it
        ("", ""),
        (" \n\t ", ""),  # nothing to show: no name is set
    ],
)
def test_a_name_is_cleaned_not_refused(text: str, shown: str) -> None:
    assert shown_caller_name(text) == shown


def test_a_long_name_is_cut_without_a_trailing_blank() -> None:
    name = "Константинопольский " * 5
    assert shown_caller_name(name) == name[:MAX_CALLER_NAME_CHARS].rstrip()
    assert len(shown_caller_name("Я" * 500)) == MAX_CALLER_NAME_CHARS


@given(st.text())
def test_any_text_becomes_one_short_line_that_fits_an_agi_command(text: str) -> None:
    name = shown_caller_name(text)
    assert len(name) <= MAX_CALLER_NAME_CHARS and name == name.strip()
    assert not any(unicodedata.category(char)[0] == "C" or char in "\u2028\u2029" for char in name)
    assert shown_caller_name(name) == name
    # encode_command raises on CR, LF or NUL and on a line over the cap: neither can happen
    assert len(encode_command("SET VARIABLE", "CALLERID(name)", name)) < MAX_COMMAND_BYTES
