"""A value that is None (a NULL column, a variable set to none) is written as nothing, never as the word "None":
a caller must not hear "Hola None". Only what a template writes out changes; conditions still see None."""

from __future__ import annotations

from typing import Any

import pytest

from graph_engine import templates
from graph_engine.errors import TemplateError

NULL_NAME = {"name": None, "amount": None, "contact": {"name": None}}


@pytest.mark.parametrize(
    ("source", "said"),
    [
        ("Hola {{ name }}.", "Hola ."),  # the fast path of plain substitutions
        ("Hola {{ contact.name }}.", "Hola ."),  # Jinja as compiled
        ("{% if amount is none %}sin deuda{% endif %} {{ name }}.", "sin deuda ."),
        ("{{ name }}{% for c in 'ab' %}{{ c }}{% endfor %}", "ab"),  # counted: each {{ }} through its hook
        ("{% set full = name %}Hola {{ full }}.", "Hola ."),
        ("{{ 'Hola ' ~ name ~ '.' }}", "Hola ."),  # `~` writes text too
        ("{{ name if name else 'cliente' }}", "cliente"),
    ],
)
def test_none_is_written_as_nothing(source: str, said: str) -> None:
    assert templates.render(source, NULL_NAME) == said


def test_a_none_global_is_written_as_nothing_too() -> None:
    templates.register_global("nothing_here", None)
    try:
        assert templates.render("[{{ nothing_here }}]", {}) == "[]"
    finally:
        templates._ENV.globals.pop("nothing_here")


@pytest.mark.parametrize(
    ("expression", "value"),
    [("name", None), ("name is none", True), ("not name", True), ("name == none", True), ("contact.name", None)],
)
def test_conditions_and_expressions_still_see_none(expression: str, value: Any) -> None:
    assert templates.evaluate(expression, NULL_NAME) is value


def test_what_is_not_none_is_written_as_before() -> None:
    values = {"zero": 0, "no": False, "empty": [], "text": "None"}
    assert templates.render("{{ zero }} {{ no }} {{ empty }} {{ text }}", values) == "0 False [] None"
    assert templates.render("{{ zero|abs }} {{ no|string }}", values) == "0 False"


@pytest.mark.parametrize(
    ("source", "refusal"),
    [
        ("{{ money(amount, 'EUR', 'es') }}", "not a number: None"),
        ("{{ number(amount, 'es') }}", "not a number: None"),
        ("{{ spoken_date(amount, 'es') }}", "not a date: None"),
    ],
)
def test_spoken_helpers_given_none_still_refuse(source: str, refusal: str) -> None:
    """The helpers are called before anything is written: None is refused there, and the block takes `error`."""
    with pytest.raises(TemplateError, match=refusal):
        templates.render(source, NULL_NAME)
