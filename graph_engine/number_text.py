"""Number text (a caller's keys, a column read as text) against a number, in a condition or a Switch case.

`guess > points` with `guess` the keys "1200" and `points` the number 1200 compares 1200 with 1200, as Twilio
Studio's Greater Than does, rather than fail with Python's "'>' not supported between instances of 'str' and 'int'"
(review of a migration from Studio). Equality agrees with the Switch block: "1200" == 1200.

    ordering (<, <=, >, >=)  text that reads as one number compares as it; other text, or none, is a named
                             failure (UnusableValue: not_a_number, ambiguous_number), never a guess
    equality (==, !=)        text that reads as one number equals that number; other text equals no number
    two texts, two numbers   as Python compares them ("10" < "9" as text)

The text's number is exact (a Decimal), and so is an int; a float meets it as the shortest decimal that writes it,
the number its writer typed (10.10 is 10.1, repr's digits), not the binary fraction Python stores
(10.0999999999999996447...). Compared exactly, "10.10" <= 10.10 was false and "19.99" == 19.99 too: a Condition
`debt_amount <= 10.10` sent the AGI input "10.10" down its false exit, and a Switch case "19.99" missed a DECIMAL
column's 19.99. An infinite or NaN float stays as it is.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final

from graph_engine.errors import UnusableValue

# Digits, maybe a sign and one decimal mark, a dot or a comma (es and ru write 12,5). ASCII digits only.
_NUMBER_TEXT: Final = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
# One mark and exactly three digits after one to three ("1.000", "12,000"): thousands in Madrid and Moscow, decimals
# in London. Refused here, by voice.spoken's number() (this rule) and by a call list's check.
_AMBIGUOUS: Final = re.compile(r"[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}")

ORDERING: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "lt": operator.lt,
    "lteq": operator.le,
    "gt": operator.gt,
    "gteq": operator.ge,
}
EQUALITY: Final[dict[str, Callable[[Any, Any], Any]]] = {"eq": operator.eq, "ne": operator.ne}
_SYMBOLS: Final = {"lt": "<", "lteq": "<=", "gt": ">", "gteq": ">=", "eq": "==", "ne": "!="}


class AmbiguousNumber(UnusableValue):
    """Number text that reads two ways ("12.000"): said as it is, where "not a number" would puzzle its writer."""

    def __init__(self, text: str) -> None:
        super().__init__(
            f"ambiguous number {text!r}: thousands in some countries, decimals in others (write it without the mark, "
            "or with more or fewer decimals)",
            reason="ambiguous_number",
            value=text,
        )


def is_ambiguous(text: str) -> bool:
    """Whether `text` reads two ways: one mark and exactly three digits after one to three ("12.000")."""
    return _AMBIGUOUS.fullmatch(text.strip()) is not None


def number_in_text(text: str) -> Decimal:
    """The number `text` reads as, one way only; UnusableValue (not_a_number or ambiguous_number) otherwise."""
    plain = text.strip()
    if is_ambiguous(plain):
        raise AmbiguousNumber(text)
    if not _NUMBER_TEXT.fullmatch(plain):
        raise UnusableValue(f"not a number: {text!r}", reason="not_a_number", value=text)
    return Decimal(plain.replace(",", "."))


def is_number(value: Any) -> bool:
    """A number, not a yes/no (Python's True is 1)."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def compare(left: Any, op: str, right: Any) -> Any:
    """`left <op> right`, op a Jinja comparison (lt, lteq, gt, gteq, eq, ne), text against a number as the module
    doc says."""
    if op in ORDERING:
        if is_number(left) and (right is None or isinstance(right, str)):
            left, right = _as_written(left), _ordered(right, op)
        elif is_number(right) and (left is None or isinstance(left, str)):
            left, right = _ordered(left, op), _as_written(right)
        return ORDERING[op](left, right)
    if is_number(left) and isinstance(right, str):
        left, right = _as_written(left), _equated(right)
    elif is_number(right) and isinstance(left, str):
        left, right = _equated(left), _as_written(right)
    return EQUALITY[op](left, right)


def _as_written(number: Any) -> Any:
    """A finite float as the shortest decimal that writes it (0.3, not 0.299999999999999988898), to meet a
    text's exact number; any other number as it is (an int, a Decimal: already exact)."""
    if isinstance(number, float) and math.isfinite(number):
        return Decimal(repr(number))
    return number


def _ordered(value: str | None, op: str) -> Decimal:
    if value is None:
        message = f"'{_SYMBOLS[op]}' compares a number with an empty value: None"
        raise UnusableValue(message, reason="not_a_number", value=None)
    return number_in_text(value)


def _equated(text: str) -> Decimal | str:
    """The number `text` reads as, else the text itself, which equals no number."""
    try:
        return number_in_text(text)
    except UnusableValue:
        return text
