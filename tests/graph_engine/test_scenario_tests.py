"""Scenario tests: what a callback was scheduled with (due moment, number, scenario, carried variables) is checkable."""

from __future__ import annotations

from typing import Any

import pytest

from graph_engine.scenario_tests import run_scenario_tests
from tests.conftest import make_document

# At 20:50 a callback wanted 30 minutes later falls after the 09:00-21:00 hours: it is due at 09:00 the next day.
EVENING = "2026-11-23T20:50:00+01:00"
NEXT_MORNING = "2026-11-24T09:00:00+01:00"


def callback_document() -> dict[str, Any]:
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "later",
                "type": "callback",
                "config": {
                    "delay_minutes": 30,
                    "timezone": "Europe/Madrid",
                    "window": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "21:00"}],
                    "scenario": "follow-up",
                    "variables": ["round", "ticket"],
                },
            },
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "later"), ("later", "scheduled", "bye"), ("later", "rejected", "bye")],
        variables=[{"name": "round", "type": "integer", "default": 1}, {"name": "ticket", "type": "object"}],
    )


async def failures_of(registry, expect: dict[str, Any], **inputs: Any) -> list[str]:
    test = {"name": "t", "caller_id": "+34600111222", "at": EVENING, "variables": {"ticket": {"id": 7}}}
    (outcome,) = await run_scenario_tests(callback_document(), [{**test, **inputs, "expect": expect}], registry)
    return outcome.failures


async def test_what_the_callback_was_scheduled_with_passes(registry):
    expect = {
        "callbacks": 1,
        "scheduled": [
            {
                "number": "+34600111222",
                "scenario": "follow-up",
                "due": "2026-11-24T08:00:00+00:00",  # the same instant, written in UTC
                "due_not_before": NEXT_MORNING,
                "due_not_after": "2026-11-24T21:00:00+01:00",
                "variables": {"round": 1, "ticket": {"id": 7}},
                "carried": ["ticket", "round"],
            }
        ],
    }
    assert await failures_of(registry, expect) == []


@pytest.mark.parametrize(
    ("expected", "failure"),
    [
        ({"due": "2026-11-23T21:20:00+01:00"}, "due 2026-11-24T09:00:00+01:00 is not 2026-11-23T21:20:00+01:00 (due)"),
        ({"due_not_before": "2026-11-24T10:00:00+01:00"}, "is before 2026-11-24T10:00:00+01:00 (due_not_before)"),
        ({"due_not_after": "2026-11-23T21:00:00+01:00"}, "is after 2026-11-23T21:00:00+01:00 (due_not_after)"),
        ({"number": "+34911000000"}, "number was '+34600111222', expected '+34911000000'"),
        ({"scenario": "other"}, "scenario was 'follow-up', expected 'other'"),
        ({"variables": {"round": 2}}, "carries round=1, expected 2"),
        ({"variables": {"department": "1"}}, "does not carry 'department' (carries ['round', 'ticket'])"),
        ({"carried": ["round"]}, "carries ['round', 'ticket'], expected exactly ['round']"),
        ({"due": "2026-11-24T09:00:00"}, "due '2026-11-24T09:00:00' is not an ISO 8601 date-time with an offset"),
        ({"due_not_before": "tomorrow"}, "due_not_before 'tomorrow' is not an ISO 8601 date-time with an offset"),
        ({"due_not_befor": NEXT_MORNING}, "unknown expectation 'due_not_befor' (did you mean 'due_not_before'?)"),
    ],
)
async def test_each_callback_expectation_fails_in_words(registry, expected, failure):
    failures = await failures_of(registry, {"scheduled": [expected]})
    assert len(failures) == 1
    assert failures[0].startswith("callback 1: ")
    assert failure in failures[0]


async def test_scheduled_counts_the_callbacks(registry):
    assert await failures_of(registry, {"scheduled": []}) == ["1 callback(s) scheduled, expect.scheduled describes 0"]
    assert await failures_of(registry, {"scheduled": [{}, {}]}) == [
        "1 callback(s) scheduled, expect.scheduled describes 2"
    ]
    none = await failures_of(registry, {"scheduled": [{"due": NEXT_MORNING}]}, caller_id="anonymous")
    assert none == ["0 callback(s) scheduled, expect.scheduled describes 1"]


async def test_a_malformed_scheduled_expectation_fails_rather_than_raising(registry):
    assert await failures_of(registry, {"scheduled": {"due": NEXT_MORNING}}) == [
        "expect.scheduled must be a list of objects, one per callback"
    ]
    assert await failures_of(registry, {"scheduled": [{"variables": ["round"], "carried": "round"}]}) == [
        "callback 1: variables must be an object: name -> value carried",
        "callback 1: carried must be a list of variable names",
    ]


async def test_a_count_alone_still_works(registry):
    assert await failures_of(registry, {"callbacks": 1}) == []
    assert await failures_of(registry, {"callbacks": 0}) == ["1 callback(s) scheduled, expected 0"]


async def test_a_misspelt_expectation_fails_instead_of_checking_nothing(registry):
    assert await failures_of(registry, {"not_visit": ["later"], "callbacks": 1}) == [
        "unknown expectation 'not_visit' (did you mean 'not_visits'?)"
    ]


async def test_an_outcome_lists_the_blocks_it_went_through_with_their_scenario(registry):
    """What a coverage report counts and the canvas draws: each step's node and exit, and for the steps a Go To
    Scenario ran elsewhere, that scenario's slug (both scenarios here have a `start` and a `bye`)."""
    menu = make_document(
        [{"id": "start", "type": "start"}, {"id": "go", "type": "goto_scenario", "config": {"scenario": "billing"}}],
        [("start", "next", "go")],
    )
    billing = make_document(
        [{"id": "start", "type": "start"}, {"id": "bye", "type": "hangup"}], [("start", "next", "bye")], name="Billing"
    )
    test = {"name": "t", "expect": {"path": ["start", "go", "billing:start", "billing:bye"]}}
    [outcome] = await run_scenario_tests(menu, [test], registry, scenarios={"billing": billing})
    assert outcome.passed, outcome.failures
    assert outcome.steps == [
        {"scenario": None, "node": "start", "exit": "next"},
        {"scenario": None, "node": "go", "exit": "goto"},
        {"scenario": "billing", "node": "start", "exit": "next"},
        {"scenario": "billing", "node": "bye", "exit": "hangup"},
    ]
    assert outcome.as_dict()["steps"] == outcome.steps
