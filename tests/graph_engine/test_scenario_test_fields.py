"""A field a scenario test does not know fails that test, named, instead of being ignored.

Review: `{"name": "typo", "kyes": ["1234#"], "expect": {"outcome": "hung_up"}}` passed: `kyes` was ignored, the
call ran with no keys and hung up as expected. Only `expect`'s keys were checked; the test's own inputs were read
with `.get()`. docs/scenario-format.md: "A field the format does not know ... fails the test rather than being
ignored".
"""

from __future__ import annotations

from typing import Any

import pytest

from graph_engine.registry import BlockRegistry
from graph_engine.scenario_tests import TEST_FIELDS, run_scenario_tests
from tests.conftest import make_document

KNOWN = "not run: a test's fields are " + ", ".join(TEST_FIELDS)


def pin_entry() -> dict[str, Any]:
    """Start -> the caller types a PIN (`1234#`) -> hang up; no PIN typed hangs up too, as the review's flow did."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "pin",
                "type": "ivr",
                "label": "PIN",
                "config": {"mode": "capture", "prompt": {"text": "Su PIN, por favor"}, "variable": "pin"},
            },
            {"id": "bye", "type": "hangup", "label": "Bye"},
        ],
        [("start", "next", "pin"), ("pin", "next", "bye"), ("pin", "max_tries", "bye")],
        variables=[{"name": "pin", "type": "string"}],
    )


@pytest.mark.parametrize(
    ("field", "said"),
    [
        ("kyes", "unknown field 'kyes' (did you mean 'keys'?)"),
        ("input", "unknown field 'input'"),  # nothing it is close to: no guess
        ("data", "unknown field 'data' (did you mean 'data_rows'?)"),  # not `at`, though spelt closer
        ("Keys", "unknown field 'Keys' (did you mean 'keys'?)"),
    ],
)
async def test_an_unknown_field_fails_the_test_naming_it_and_the_fields_there_are(
    registry: BlockRegistry, field: str, said: str
) -> None:
    test = {"name": "typo", field: ["1234#"], "expect": {"outcome": "hung_up"}}

    (outcome,) = await run_scenario_tests(pin_entry(), [test], registry)

    assert not outcome.passed
    assert outcome.name == "typo"
    assert outcome.failures == [said, KNOWN]
    assert outcome.story == []  # not run: its result, a call with other inputs than meant, would only mislead


async def test_each_unknown_field_is_named(registry: BlockRegistry) -> None:
    test = {"name": "typos", "kyes": ["1"], "caller": "+34600111222", "expect": {}}

    (outcome,) = await run_scenario_tests(pin_entry(), [test], registry)

    assert outcome.failures == [
        "unknown field 'kyes' (did you mean 'keys'?)",
        "unknown field 'caller' (did you mean 'caller_id'?)",
        KNOWN,
    ]


async def test_the_same_test_spelt_right_runs_and_passes(registry: BlockRegistry) -> None:
    test = {"name": "pin", "keys": ["1234#"], "expect": {"variables": {"pin": "1234"}, "outcome": "hung_up"}}

    (outcome,) = await run_scenario_tests(pin_entry(), [test], registry)

    assert (outcome.passed, outcome.failures) == (True, [])


async def test_every_field_of_the_format_is_known(registry: BlockRegistry) -> None:
    test = {
        "name": "all of them",
        "keys": ["1234#"],
        "caller_id": "+34600111222",
        "caller_name": "Ana",
        "dialed_number": "900",
        "at": "2026-11-23T10:00:00+01:00",
        "variables": {},
        "data_rows": {},
        "transfers": [],
        "hangup_at": None,
        "scheduler": "accept",
        "expect": {"outcome": "hung_up"},
    }
    timed = {"name": "timed", "timed_keys": [[0.5, "1234#"]], "expect": {"outcome": "hung_up"}}

    outcomes = await run_scenario_tests(pin_entry(), [test, timed], registry)

    assert [(outcome.passed, outcome.failures) for outcome in outcomes] == [(True, []), (True, [])]
