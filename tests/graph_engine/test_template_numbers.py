"""Number text against a number in a condition: digits the caller typed ("1200") compared with a number (1200), as
Twilio Studio's Greater Than and our Switch do (review of a migration from Studio: `guess > points` failed in the
call with Python's words, "'>' not supported between instances of 'str' and 'int'")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from blocks.builtin.switch import _matches as switch_matches
from graph_engine.errors import TemplateError
from graph_engine.templates import evaluate, render


@pytest.mark.parametrize(
    ("expression", "variables", "expected"),
    [
        ("guess > points", {"guess": "1200", "points": 1200}, False),
        ("guess >= points", {"guess": "1200", "points": 1200}, True),
        ("guess < points", {"guess": "999", "points": 1200}, True),
        ("points <= guess", {"guess": "1201", "points": 1200}, True),
        ("guess > 12", {"guess": "12,5"}, True),  # a decimal comma, as es and ru write it
        ("guess > 12.4", {"guess": "12.5"}, True),
        ("guess > limit", {"guess": "-3", "limit": Decimal("-4")}, True),
        ("0 < guess < 10", {"guess": "5"}, True),
        ("guess == 1200", {"guess": "1200"}, True),
        ("guess != 1200", {"guess": "1200"}, False),
        ("1200 == guess", {"guess": " 1200 "}, True),
        ("guess == 1201", {"guess": "1200"}, False),
        ("debt == 1000", {"debt": "1,000"}, False),  # reads two ways: equals neither, as in a Switch
        ("debt != 1", {"debt": "1.000"}, True),
        ("guess == 1", {"guess": "abc"}, False),  # text that is no number equals no number, as in a Switch
        ("guess != 1", {"guess": "abc"}, True),
        ("guess > '9'", {"guess": "10"}, False),  # two texts compare as text, as ever
        ("guess == '1200'", {"guess": "1200"}, True),
        ("flag == 1", {"flag": True}, True),  # Python's yes/no is not number text: unchanged
    ],
)
def test_number_text_compares_with_a_number_as_the_number_it_reads(expression, variables, expected):
    assert evaluate(expression, variables) is expected


def test_a_template_compares_the_same_way():
    assert render("{% if guess > points %}more{% else %}not more{% endif %}", {"guess": "1300", "points": 1200}) == (
        "more"
    )


@pytest.mark.parametrize(
    ("expression", "variables", "reason", "value"),
    [
        ("guess > 5", {"guess": "abc"}, "not_a_number", "'abc'"),
        ("guess > 5", {"guess": None}, "not_a_number", "None"),
        ("5 <= guess", {"guess": ""}, "not_a_number", "''"),
        # One dot or comma before three digits reads two ways: refused as number() and money() refuse it.
        ("debt > 10", {"debt": "1.000"}, "ambiguous_number", "'1.000'"),
        ("debt <= 1000", {"debt": "1,000"}, "ambiguous_number", "'1,000'"),
    ],
)
def test_text_that_is_no_number_or_reads_two_ways_is_a_named_failure(expression, variables, reason, value):
    with pytest.raises(TemplateError) as caught:
        evaluate(expression, variables)
    assert caught.value.code == "template_failed"
    assert {k: caught.value.params.get(k) for k in ("part", "reason", "value")} == {
        "part": "expression",
        "reason": reason,
        "value": value,
    }
    assert "not supported between" not in str(caught.value)


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("1", 1),
        ("1", 2),
        ("2.5", 2.5),
        ("12,5", 12.5),
        (" 7 ", 7),
        ("abc", 1),
        ("0", 0),
        ("1.000", 1),
        ("1.000", 1000),
        ("-2", -2),
    ],
)
def test_equality_agrees_with_the_switch_block(value: Any, number: Any):
    assert evaluate("value == number", {"value": value, "number": number}) is switch_matches(value, number)


def test_huge_number_text_is_still_compared_quickly():
    assert evaluate("guess > 5", {"guess": "9" * 50_000}) is True
