"""Liquid (Twilio Studio's and Shopify's template language) written where Jinja is read: how Jinja writes it, for
a failure's "did you mean" (review of a migration from Studio: `{{ caller_name | default: 'friend' | upcase }}` got
only Jinja's "expected token 'end of print statement', got ':'").

Read from the text, not parsed: it is asked only of a template that did not compile, and the template engine
offers the Jinja form only when that form compiles.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from typing import Final

# One value a Liquid filter takes or is applied to: a name with its fields or items, a number, a quoted text, or a
# bracketed expression (what an earlier rewrite made of `n | plus: 1`).
_OPERAND: Final = r"""(?:[A-Za-z_][\w.]*(?:\[[^\[\]]*\])*|-?\d+(?:\.\d+)?|'[^']*'|"[^"]*"|\([^()]*\))"""
_AFTER_NOTHING: Final = r"(?<![\w.\])'\"])"  # the operand starts there: not the tail of `money(x)` or `a.b`

# Liquid's filters with another name in Jinja (capitalize, escape, join, first, last... are the same in both).
RENAMED: Final = {"upcase": "upper", "downcase": "lower", "size": "length", "strip": "trim"}
# Liquid's arithmetic and joining filters, an operator in Jinja.
_INFIX: Final = {"plus": "+", "minus": "-", "times": "*", "divided_by": "/", "modulo": "%", "append": "~"}
_TAGS: Final = {"assign": "set", "elsif": "elif"}

_ARITHMETIC: Final = re.compile(rf"{_AFTER_NOTHING}({_OPERAND})\s*\|\s*({'|'.join(_INFIX)})\s*:\s*({_OPERAND})")
_PREPEND: Final = re.compile(rf"{_AFTER_NOTHING}({_OPERAND})\s*\|\s*prepend\s*:\s*({_OPERAND})")
_DATE: Final = re.compile(rf"{_AFTER_NOTHING}({_OPERAND})\s*\|\s*date\b(?:\s*:\s*{_OPERAND})?")
_WITH_ARGUMENTS: Final = re.compile(rf"\|\s*([A-Za-z_]\w*)\s*:\s*({_OPERAND}(?:\s*,\s*{_OPERAND})*)")
_FILTER_NAME: Final = re.compile(r"\|\s*([A-Za-z_]\w*)\b(?!\s*[(:])")
_TAG: Final = re.compile(r"(\{%-?\s*)(assign|elsif)\b")
# Each `{{ }}` and `{% %}` of a template (`places`): what a hint rewrites (the text around is the phrase).
_CLOSERS: Final = {"{{": "}}", "{%": "%}"}
# A longer place is not read: a rewrite reads it again per filter rewritten, and a Liquid line is short.
_LONGEST_PLACE: Final = 1000


def jinja_form(source: str, filters: Collection[str], *, expression: bool) -> tuple[str, str] | None:
    """The first `{{ }}` or `{% %}` of the template `source` (the whole of it for an expression) written with Liquid's
    filters or tags, and the same written as Jinja: ("{{ name | upcase }}", "{{ name | upper }}"). `filters` are the
    names Jinja knows, which are never renamed. None when nothing in it is written as Liquid writes it."""
    found = [source] if expression else [source[start:end] for start, end in places(source)]
    for place in found:
        if len(place) > _LONGEST_PLACE:
            continue
        jinja = _as_jinja(place, filters)
        if jinja != place:
            return place, jinja
    return None


def places(source: str) -> Iterator[tuple[int, int]]:
    """Where each `{{ }}` and `{% %}` of `source` starts and ends, left to right, each closed by the first closer
    after it: in one pass (security review, 2026-12: a regular expression rescanned to the end from each unclosed
    `{{`, 24 s for 40,000 of them). Once an opener finds no closer, no later one of its kind can either."""
    upcoming = {opener: source.find(opener) for opener in _CLOSERS}  # -1: none left
    while live := [(at, opener) for opener, at in upcoming.items() if at >= 0]:
        start, opener = min(live)
        close = source.find(_CLOSERS[opener], start + 2)
        if close < 0:
            upcoming[opener] = -1
            continue
        end = close + 2
        yield start, end
        for other, at in upcoming.items():
            if 0 <= at < end:
                upcoming[other] = source.find(other, end)


def _as_jinja(text: str, filters: Collection[str]) -> str:
    text = _TAG.sub(lambda m: m.group(1) + _TAGS[m.group(2)], text)
    if "date" not in filters:  # Liquid's strftime formats have no equal: the engine says dates in the call's language
        text = _repeated(_DATE, lambda m: f"spoken_date({m.group(1)}, language)", text)
    text = _repeated(_ARITHMETIC, lambda m: f"({m.group(1)} {_INFIX[m.group(2)]} {m.group(3)})", text)
    text = _repeated(_PREPEND, lambda m: f"({m.group(2)} ~ {m.group(1)})", text)

    def called(match: re.Match[str]) -> str:
        name = RENAMED.get(match.group(1), match.group(1)) if match.group(1) not in filters else match.group(1)
        return f"| {name}({match.group(2)})" if name in filters else match.group(0)

    text = _WITH_ARGUMENTS.sub(called, text)

    def renamed(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"| {RENAMED[name]}" if name in RENAMED and name not in filters else match.group(0)

    return _FILTER_NAME.sub(renamed, text)


def _repeated(pattern: re.Pattern[str], rewrite: Callable[[re.Match[str]], str], text: str) -> str:
    """`text` rewritten by `pattern` until it no longer matches: `n | plus: 1 | times: 2` is `((n + 1) * 2)`. A
    rewrite removes a `|`, so it ends."""
    while True:
        rewritten = pattern.sub(rewrite, text, count=1)
        if rewritten == text:
            return text
        text = rewritten
