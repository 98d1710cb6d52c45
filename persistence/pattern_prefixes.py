"""Whether some text a regular expression matches in full begins with given text: a number plan's pattern asked
whether "60011" is the start of one of its numbers (`phone_numbers.impossible_number`).

Python's `re` matches whole texts or their beginnings, never "could this text go on to match"; libphonenumber's
patterns are simple (digits, classes, groups, alternatives, counted repeats), so they are walked here over the
parse `re` itself makes of them (`re._parser`, Python 3.11+). A pattern whose walk reaches anything else (a
look-around, a back-reference) answers None: not known, and the caller assumes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

try:  # Not public API: a Python whose `re` keeps its parser elsewhere answers "not known" (None), never fails.
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - every Python this project supports has them
    sre = _parser = None


class _Unsupported(Exception):
    """The pattern holds what this walk does not follow."""


def begins_a_match(pattern: str, text: str) -> bool | None:
    """Whether a text `pattern` matches in full starts with `text` (`text` itself included); None for a pattern
    this walk does not follow."""
    if _parser is None:
        return None
    try:
        items = _parsed(pattern)
        return any(end == len(text) for end in _ends(items, 0, text))
    except _Unsupported:
        return None


@lru_cache(maxsize=512)
def _parsed(pattern: str) -> tuple[Any, ...]:
    return tuple(_parser.parse(pattern))


def _ends(items: Sequence[Any], pos: int, text: str) -> Iterator[int]:
    """Where `text` may stand after `items` matched from `pos`; its end as soon as it is used up partway, as what
    is left of the pattern then only has to match something (every part of a number plan's pattern can)."""
    if pos == len(text) or not items:
        yield pos
        return
    (op, arg), rest = items[0], items[1:]
    for after in _item_ends(op, arg, pos, text):
        yield from _ends(rest, after, text)


def _item_ends(op: Any, arg: Any, pos: int, text: str) -> Iterator[int]:
    if op is sre.LITERAL:
        if text[pos] == chr(arg):
            yield pos + 1
    elif op is sre.IN:
        if _in_class(arg, text[pos]):
            yield pos + 1
    elif op is sre.BRANCH:
        for branch in arg[1]:
            yield from _ends(tuple(branch), pos, text)
    elif op is sre.SUBPATTERN:
        yield from _ends(tuple(arg[3]), pos, text)
    elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, high, body = arg
        yield from _repeats(tuple(body), low, high, 0, pos, text)
    else:
        raise _Unsupported(op)


def _repeats(body: tuple[Any, ...], low: int, high: int, done: int, pos: int, text: str) -> Iterator[int]:
    """Where `text` may stand after `body` matched `low` to `high` times (`done` so far) from `pos`."""
    if pos == len(text) or done >= low:
        yield pos
    if pos == len(text) or (high != sre.MAXREPEAT and done >= high):
        return
    for after in _ends(body, pos, text):
        if after > pos:  # a body that matched nothing would repeat forever
            yield from _repeats(body, low, high, done + 1, after, text)


def _in_class(members: Sequence[Any], char: str) -> bool:
    found, negated = False, False
    for op, arg in members:
        if op is sre.NEGATE:
            negated = True
        elif op is sre.LITERAL:
            found = found or char == chr(arg)
        elif op is sre.RANGE:
            found = found or arg[0] <= ord(char) <= arg[1]
        elif op is sre.CATEGORY and arg is sre.CATEGORY_DIGIT:
            found = found or char.isdecimal()
        else:
            raise _Unsupported(op)
    return found != negated
