"""What a template writes that its author most likely did not mean, read from its syntax tree: a date variable
spoken as it is stored (`{{ fecha }}` says "2026-12-15", digit by digit) and a variable's name in single braces
(`Hola {nombre}`, which Jinja leaves as it is written, braces and all). Validation makes warnings of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Final

from jinja2 import nodes

from graph_engine.templates import syntax_tree

# A declared variable type whose values a phrase must not say as they are stored, and the template helper that says
# them as people do (voice.spoken). A number reads well enough as digits, and whether it is an amount, a count or a
# phone number only the analyst knows: only dates, whose ISO text no voice reads as a date, are here. A type added
# here needs words of its own: validation's warning (`date_spoken_raw`) speaks of dates.
SPOKEN_FORMS: Final[Mapping[str, str]] = {"date": "spoken_date"}

# `{name}` or `{ contact.name }` in a template's text: one pair of braces around a name, maybe with its fields (not
# two: `{{ name }}` is text only inside `{% raw %}`, written so on purpose).
_SINGLE_BRACED: Final = re.compile(r"(?<!\{)\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}(?!\})")


def spoken_form(name: str, helper: str) -> str:
    """What a phrase writes to say variable `name` through `helper`, in the call's language."""
    return f"{{{{ {helper}({name}, language) }}}}"


def said_as_stored(source: str, typed: Mapping[str, str]) -> list[str]:
    """The variables of `typed` (name -> declared type, those with a spoken form) that the template `source` writes
    out as they are, in the order it first does: `{{ fecha }}`, `{{ fecha | default('') }}`, `{{ fecha ~ '.' }}`,
    `{{ fecha if fecha }}`. Not those it hands to a helper (`spoken_date(fecha, language)`) or reads a field of
    (`fecha.day`). Empty when the template does not parse (validation says so on its own)."""
    tree = syntax_tree(source) if typed and "{" in source else None
    if tree is None:
        return []
    found: dict[str, None] = {}
    for output in tree.find_all(nodes.Output):
        for child in output.nodes:
            found |= dict.fromkeys(name for name in _written_as_is(child) if name in typed)
    return list(found)


def _written_as_is(node: nodes.Node) -> Iterator[str]:
    """The names whose value `node`, one `{{ }}` of a template, writes out unchanged (filters keep it text)."""
    if isinstance(node, nodes.Name):
        yield node.name
    elif isinstance(node, nodes.Filter) and node.node is not None:
        yield from _written_as_is(node.node)
    elif isinstance(node, nodes.CondExpr):
        yield from _written_as_is(node.expr1)
        if node.expr2 is not None:
            yield from _written_as_is(node.expr2)
    elif isinstance(node, nodes.Concat):
        for part in node.nodes:
            yield from _written_as_is(part)


def single_braced(source: str, known: frozenset[str]) -> list[tuple[str, str]]:
    """Each `{name}` in the text of the template `source` (outside its `{{ }}` and `{% %}`) whose name, or the
    variable before its first dot, is in `known`, as (what is written, the name): ("{nombre}", "nombre"), once each,
    in order. `press {1}` and `{ "a": 1 }` name no variable; text inside `{{ '{nombre}' }}` is a value, not text.
    Empty when the template does not parse."""
    tree = syntax_tree(source) if "{" in source else None
    if tree is None:
        return []
    found: dict[str, tuple[str, str]] = {}
    for data in tree.find_all(nodes.TemplateData):
        for match in _SINGLE_BRACED.finditer(data.data):
            name = match.group(1)
            if name.split(".", 1)[0] in known:
                found.setdefault(match.group(0), (match.group(0), name))
    return list(found.values())
