"""The masks of api.personal_data, value by value, and the token lifetime setting (IVRGRAPH_TOKEN_MAX_DAYS)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from api.personal_data import masked_channel, masked_keys, masked_number, masked_trace, masked_value, masked_variables
from api.settings import Settings


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("+34600111256", "+34*******56"),  # the country and the last two digits: length kept
        ("+34 600 111 256", "+34 *** *** *56"),  # separators as written
        ("0034600111256", "***********56"),
        ("600111256", "*******56"),
        ("+3460011", "+*****11"),  # seven digits or fewer: a short code, the last two only
        ("100", "*00"),
        ("12", "**"),
        ("", ""),  # no CallerID stays none
        ("anonymous", "[hidden]"),
        ("sip:ana@example.com", "[hidden]"),
    ],
)
def test_a_number_keeps_its_country_its_last_two_digits_and_its_length(number: str, shown: str) -> None:
    assert masked_number(number) == shown
    assert len(masked_number(number)) == len(number) or shown == "[hidden]"


@pytest.mark.parametrize(
    ("channel", "shown"),
    [
        ("PJSIP/trunk-0000046b", "PJSIP/trunk-0000046b"),  # no number: as Asterisk's log names it
        ("PJSIP/101-00000001", "PJSIP/101-00000001"),  # an extension, and the unique suffix, stay
        ("Local/79161234567@callees-00000012;1", "Local/*********67@callees-00000012;1"),
        ("Local/+34600111256@callees-0000002a;2", "Local/+34*******56@callees-0000002a;2"),
        ("PJSIP/+7 916 123-45-67@trunk", "PJSIP/+7 9** ***-**-67@trunk"),  # as masked_number: +79, then the end
        ("Local/600111256@ctx", "Local/*******56@ctx"),  # a name without its suffix, as a transfer's target
        ("", ""),
    ],
)
def test_a_channel_keeps_its_names_and_suffix_and_masks_the_numbers_in_it(channel: str, shown: str) -> None:
    assert masked_channel(channel) == shown


@pytest.mark.parametrize(
    ("keys", "shown"),
    [
        ("1", "[hidden: 1 character]"),
        ("12#4321#", "[hidden: 2 characters]#[hidden: 4 characters]#"),
        ("#", "#"),
        ("", ""),
        # What the engine masked already (a sensitive variable's entry) stays as it is; the rest is masked.
        ("9[hidden: 4 characters]#", "[hidden: 1 character][hidden: 4 characters]#"),
        ("[hidden: 4 characters]#*0", "[hidden: 4 characters]#[hidden: 2 characters]"),
    ],
)
def test_keys_are_masked_run_by_run_between_terminators(keys: str, shown: str) -> None:
    assert masked_keys(keys) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("4321", "[hidden: 4 characters]"),
        (1532.75, "[hidden: 7 characters]"),
        (True, "[hidden]"),
        ([1, 2], "[hidden: 2 items]"),
        ({"a": 1}, "[hidden: 1 field]"),
        (None, None),  # "not set" tells nothing of the caller
        ("[hidden: 4 characters]", "[hidden: 4 characters]"),  # the engine's mask, not a mask of it
        ("[hidden]", "[hidden]"),
    ],
)
def test_a_value_is_masked_as_the_engine_masks_a_sensitive_one(value: Any, shown: Any) -> None:
    assert masked_value(value) == shown


def test_variables_keep_what_says_nothing_of_the_caller_and_a_rows_columns() -> None:
    variables = {"call_id": "c1", "language": "es", "result": "paid", "caller_id": "+34600111256", "caller_name": "Ana",
                 "pin": "4321", "contact": {"nombre": "Ana", "deuda": -150.5}}  # fmt: skip
    assert masked_variables(variables) == {
        "call_id": "c1", "language": "es", "result": "paid", "caller_id": "+34*******56", "caller_name": "[hidden]",
        "pin": "[hidden: 4 characters]",
        "contact": {"nombre": "[hidden]", "deuda": "[hidden]"},  # a call list's cells: not even their length
    }  # fmt: skip
    # An empty cell, or none, holds nothing of the client's: it stays so.
    assert masked_variables({"contact": {"a": "", "b": None, "c": 1532.75}}) == {
        "contact": {"a": "", "b": None, "c": "[hidden]"}
    }


def test_a_trace_not_as_the_engine_writes_it_is_masked_not_refused() -> None:
    """A record's trace is data from a node, maybe an older one: whatever its shape, nothing in it shows through."""
    odd = {"steps": ["1234", {"keys": 5, "prompts": ["hola"], "events": ["x", {"kind": "k", "value": "v"}]}],
           "variables": "v", "outcome": "ended"}  # fmt: skip
    assert masked_trace(odd) == {
        "steps": ["[hidden: 4 characters]", {"keys": "[hidden: 1 character]", "prompts": ["[hidden: 4 characters]"],
                                               "events": ["[hidden: 1 character]",
                                                          {"kind": "k", "value": "[hidden: 1 character]"}]}],
        "variables": "[hidden: 1 character]", "outcome": "ended",
    }  # fmt: skip
    assert masked_trace({}) == {}


def test_a_phrase_asterisk_could_not_play_is_masked_as_its_prompt_and_a_recording_is_not() -> None:
    # Security review of 2026-12-07: the failure event named the phrase's audio (`tts/<hash of its text>`), which a
    # user reading masked data could match offline against each debt a template may say.
    failed = {"kind": "failure", "code": "media_not_played"}
    said = {"steps": [{"node": "debt", "events": [{**failed, "media": "ivrgraph/tts/63cc9091aa0e45d1"}]}]}
    played = {"steps": [{"node": "hello", "events": [{**failed, "media": "ivrgraph/assets/welcome-es"}]}]}
    assert masked_trace(said)["steps"][0]["events"] == [{**failed, "media": "[hidden]"}]
    assert masked_trace(played)["steps"][0]["events"] == [{**failed, "media": "ivrgraph/assets/welcome-es"}]


def test_the_longest_a_token_works_is_read_from_the_environment() -> None:
    url = {"IVRGRAPH_DATABASE_URL": "sqlite:///x.sqlite3"}
    assert Settings.from_env(url).token_max_lifetime == timedelta(days=90)
    assert Settings.from_env({**url, "IVRGRAPH_TOKEN_MAX_DAYS": " 30 "}).token_max_lifetime == timedelta(days=30)
    assert Settings.from_env({**url, "IVRGRAPH_TOKEN_MAX_DAYS": "0"}).token_max_lifetime is None  # no limit
    for bad in ("-1", "ninety", "1.5", "99999"):
        with pytest.raises(ValueError, match="IVRGRAPH_TOKEN_MAX_DAYS"):
            Settings.from_env({**url, "IVRGRAPH_TOKEN_MAX_DAYS": bad})
