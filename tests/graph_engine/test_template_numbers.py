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


@pytest.mark.parametrize(
    ("expression", "variables", "expected"),
    [
        # A number with a fraction meets number text as it is written, not as the binary fraction a float keeps:
        # "10.10" <= 10.10 was false (10.1 is 10.0999999999999996447... as a float), so a debt of 10.10 given as an
        # AGI input took the Condition's other exit.
        ("debt_amount <= 10.10", {"debt_amount": "10.10"}, True),
        ("debt_amount <= 10.10", {"debt_amount": "10,10"}, True),
        ("debt_amount > 10.10", {"debt_amount": "10.10"}, False),
        ("10.10 >= debt_amount", {"debt_amount": "10.10"}, True),
        ("price == 19.99", {"price": "19.99"}, True),
        ("19.99 == price", {"price": "19.9900"}, True),
        ("price != 19.99", {"price": "19.99"}, False),
        ("x > 0.3", {"x": "0.3"}, False),
        ("x < 0.3", {"x": "0.3"}, False),
        ("x >= limit", {"x": "0.3", "limit": 0.3}, True),  # a float variable: a DECIMAL column's, a JSON input's
        ("x == limit", {"x": "0,3", "limit": 0.3}, True),
        ("x == 0.1 + 0.2", {"x": "0.3"}, False),  # 0.30000000000000004 is what that sum writes
        ("x < 0.1 + 0.2", {"x": "0.3"}, True),
        ("x > 0.29", {"x": "0.3"}, True),
        ("x > limit", {"x": "5", "limit": float("-inf")}, True),
        # Whole numbers stay exact: 2**53 + 1 is no float
        ("x == 9007199254740993", {"x": "9007199254740993"}, True),
        ("x > 9007199254740992", {"x": "9007199254740993"}, True),
    ],
)
def test_a_number_with_a_fraction_meets_number_text_as_it_is_written(expression, variables, expected):
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
        ("19.99", 19.99),
        ("0,3", 0.3),
        ("0.30000000000000004", 0.3),
    ],
)
def test_equality_agrees_with_the_switch_block(value: Any, number: Any):
    assert evaluate("value == number", {"value": value, "number": number}) is switch_matches(value, number)


def test_huge_number_text_is_still_compared_quickly():
    assert evaluate("guess > 5", {"guess": "9" * 50_000}) is True
