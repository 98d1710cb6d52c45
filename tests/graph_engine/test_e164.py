"""The `e164` filter: a phone number as the trunk sends it (+34..., 0034..., 34..., a national number) written one
way, +<country code><number>, so a lookup finds a caller however the number arrived."""

from __future__ import annotations

from typing import Any

import pytest

from graph_engine import templates
from graph_engine.errors import TemplateError

SPAIN = "{{ caller_id | e164('34', 9) }}"


@pytest.mark.parametrize(
    "caller_id",
    [
        "+34600999888",
        "0034600999888",
        "34600999888",
        "600999888",
        " +34 600 99 98 88 ",
        "0034-600-999-888",
        34600999888,
    ],
)
def test_every_way_a_spanish_number_arrives_is_written_alike(caller_id: Any) -> None:
    assert templates.render(SPAIN, {"caller_id": caller_id}) == "+34600999888"


def test_a_number_from_abroad_keeps_its_own_country_code() -> None:
    assert templates.render(SPAIN, {"caller_id": "+447700900123"}) == "+447700900123"
    assert templates.render(SPAIN, {"caller_id": "00447700900123"}) == "+447700900123"


@pytest.mark.parametrize(
    ("source", "caller_id", "written"),
    [
        ("{{ caller_id | e164('33', 9) }}", "0612345678", "+33612345678"),  # France: national with trunk prefix 0
        ("{{ caller_id | e164(33, 9) }}", "612345678", "+33612345678"),  # a number is a country code too
        ("{{ caller_id | e164('7', 10, '8') }}", "89161234567", "+79161234567"),  # Russia: trunk prefix 8
        ("{{ caller_id | e164('7', 10, '8') }}", "79161234567", "+79161234567"),
        ("{{ caller_id | e164('1', 10, '1') }}", "12125550123", "+12125550123"),  # NANP: 1 is both
    ],
)
def test_other_countries_say_their_code_length_and_trunk_prefix(source: str, caller_id: str, written: str) -> None:
    assert templates.render(source, {"caller_id": caller_id}) == written


@pytest.mark.parametrize(
    ("source", "caller_id", "written"),
    [
        # NANP: 011 is the international prefix, and 00 is nothing of the kind there.
        ("{{ caller_id | e164('1', 10, '1', '011') }}", "011447700900123", "+447700900123"),
        ("{{ caller_id | e164('1', 10, '1', '011') }}", "(212) 555-0123", "+12125550123"),
        ("{{ caller_id | e164('1', 10, '1', '011') }}", "1 212 555 0123", "+12125550123"),
        ("{{ caller_id | e164('1', 10, '1', '011') }}", "+12125550123", "+12125550123"),
        ("{{ caller_id | e164('1', 10, '1', '011') }}", "00447700900123", ""),
        ("{{ caller_id | e164('61', 9, '0', '0011') }}", "0011447700900123", "+447700900123"),  # Australia
        ("{{ caller_id | e164('61', 9, '0', '0011') }}", "0412345678", "+61412345678"),
        ("{{ caller_id | e164('7', 10, '8', '810') }}", "81049301234567", "+49301234567"),  # Russia's old prefix
        ("{{ caller_id | e164('7', 10, '8', '810') }}", "89161234567", "+79161234567"),
    ],
)
def test_a_country_whose_international_prefix_is_not_00_says_it(source: str, caller_id: str, written: str) -> None:
    assert templates.render(source, {"caller_id": caller_id}) == written


@pytest.mark.parametrize(
    "caller_id",
    [
        "",  # withheld
        None,
        "anonymous",
        "Restricted",
        "60099988",  # a digit short for Spain
        "3460099988",
        "6009998881",  # a digit long
        "+34",  # too short to be anyone's
        "+3460099988812345",  # longer than E.164's 15 digits
        "+34+600999888",
        True,
        6.0099988e8,  # not text nor a whole number: its digits cannot be trusted
    ],
)
def test_what_is_not_a_number_it_can_read_is_blank(caller_id: Any) -> None:
    """Blank, not the text as it came: a lookup must never take an unreadable number for an employee's."""
    assert templates.render(SPAIN, {"caller_id": caller_id}) == ""


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("{{ caller_id | e164('+34', 9) }}", "country code"),
        ("{{ caller_id | e164('0', 9) }}", "country code"),
        ("{{ caller_id | e164('1234', 9) }}", "country code"),
        ("{{ caller_id | e164('34', '9') }}", "national number length"),
        ("{{ caller_id | e164('34', 2) }}", "national number length"),
        ("{{ caller_id | e164('34', 9, 'x') }}", "trunk prefix"),
        ("{{ caller_id | e164('1', 10, '1', '') }}", "international prefix"),
        ("{{ caller_id | e164('1', 10, '1', '+') }}", "international prefix"),
        ("{{ caller_id | e164('1', 10, '1', '01111') }}", "international prefix"),
    ],
)
def test_a_wrong_rule_is_an_error_not_a_silent_blank(source: str, problem: str) -> None:
    with pytest.raises(TemplateError, match=problem):
        templates.render(source, {"caller_id": "600999888"})


def test_it_is_a_known_filter_and_takes_the_uncounted_path() -> None:
    assert templates.template_syntax_error(SPAIN) is None
    assert templates.names_read(SPAIN) == {"caller_id"}
    assert not isinstance(templates._compiled_template(SPAIN), templates._Program)


def test_an_expression_can_use_it_too() -> None:
    assert templates.evaluate("caller_id | e164('34', 9) == '+34600999888'", {"caller_id": "0034600999888"}) is True
