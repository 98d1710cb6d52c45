"""Phone numbers as people and trunks write them: one cleaning rule, and the forms one phone is stored in.

A call list's cell, the callbacks API and the call register's search read a number as people type it
("+34 600-12-34-56", "(600) 123 456"); trunks write the international prefix as "+" or as "00", so "0034600..." and
"+34600..." ring the same phone. The number dialled stays as it was written: these forms are for comparing.
"""

from __future__ import annotations

import re
from typing import Final

_NUMBER: Final = re.compile(r"\+?[0-9]{2,20}")
# What people type between a number's digits.
_TYPED_BY_PEOPLE: Final = str.maketrans("", "", " -().\u00a0/")


def phone_number(value: object) -> str | None:
    """The dialable number in a cell as people type it ("+34 600-12-34-56", "(600) 123 456"), or None."""
    if isinstance(value, bool) or isinstance(value, float):
        return None
    number = str(value).translate(_TYPED_BY_PEOPLE)
    return number if _NUMBER.fullmatch(number) else None


def one_form(number: str) -> str:
    """The number as one phone is compared: its international prefix written "+" (0034... is +34...)."""
    return "+" + number[2:] if number.startswith("00") else number


def written_forms(number: str) -> set[str]:
    """The ways a row may hold `number`: with its international prefix as "+" or as "00"."""
    if number.startswith("00"):
        return {number, "+" + number[2:]}
    if number.startswith("+"):
        return {number, "00" + number[1:]}
    return {number}
