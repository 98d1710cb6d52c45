"""A scenario test passes only for the call it describes: every key and transfer outcome it gives is used, it expects
something, a call that failed fails it unless it expects that, its moment has a UTC offset, and its caller has no
number unless it gives one.

QA review: `keys: ["2", "5", "5", "5"]` with two `transfers` passed for a call that took one key and one transfer;
a test with no `expect` passed; a call that failed (a Callback's error exit not wired) passed a test that checked
only what was said; `"at": "2026-11-23T18:30:00"` was read as UTC; and tests called from "+34600000000" where the
API's and the designer's test calls have no caller ID.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from graph_engine import scenario_tests
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_test_format import EXPECTATIONS
from graph_engine.scenario_tests import run_scenario_tests
from graph_engine.scripted import ScriptedChannel
from graph_engine.simulation import SimulationInput, simulate
from tests.conftest import make_document


def operator_menu() -> dict[str, Any]:
    """Press 2 for the operator (a Transfer; busy -> sorry), anything else ends the call."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "menu",
                "type": "ivr",
                "config": {
                    "prompt": {"text": "Pulse 2 para hablar con un operador"},
                    "options": [{"key": "2", "label": "operator"}],
                    "max_tries": 1,
                },
            },
            {"id": "operator", "type": "transfer", "config": {"target": "200"}},
            {"id": "sorry", "type": "say_phrase", "config": {"text": "Lo sentimos."}},
            {"id": "bye", "type": "hangup"},
        ],
        [
            ("start", "next", "menu"),
            ("menu", "2", "operator"),
            ("menu", "max_tries", "bye"),
            ("operator", "busy", "sorry"),
            ("sorry", "next", "bye"),
        ],
    )


async def run_one(registry: BlockRegistry, document: dict[str, Any], **test: Any) -> scenario_tests.TestOutcome:
    (outcome,) = await run_scenario_tests(document, [{"name": "t", **test}], registry)
    return outcome


async def test_keys_and_transfer_outcomes_the_call_never_used_fail_the_test(registry: BlockRegistry) -> None:
    """The review's test: one key and one transfer taken, three keys and a transfer outcome left over."""
    outcome = await run_one(
        registry,
        operator_menu(),
        keys=["2", "5", "5", "5"],
        transfers=["busy", "answered"],
        expect={"visits": ["operator", "sorry"]},
    )

    assert outcome.failures == [
        "keys: 3 of the 4 keys were never used ('5', '5', '5'): the call listened once; give the keys it takes",
        "transfers: 1 of the 2 transfer outcomes was never used ('answered'): a Transfer dialled once",
    ]


async def test_the_same_test_giving_what_the_call_takes_passes(registry: BlockRegistry) -> None:
    outcome = await run_one(
        registry, operator_menu(), keys=["2"], transfers=["busy"], expect={"visits": ["operator", "sorry"]}
    )

    assert (outcome.passed, outcome.failures) == (True, [])


async def test_timed_keys_pressed_after_the_call_ended_fail_the_test(registry: BlockRegistry) -> None:
    outcome = await run_one(registry, operator_menu(), timed_keys=[[1, "7"], [600, "2"]], expect={"outcome": "hung_up"})

    assert outcome.failures == ["timed_keys: 1 of the 2 keys was never pressed ('2' at 600 s): the call had ended"]


async def test_keys_left_when_the_caller_hangs_up_at_hangup_at_are_fine(registry: BlockRegistry) -> None:
    """A test of "the caller hangs up during the menu" may keep the keys of the whole call: `hangup_at` cuts it."""
    outcome = await run_one(
        registry,
        operator_menu(),
        keys=["2"],
        transfers=["busy"],
        hangup_at=1,
        expect={"outcome": "caller_hangup", "not_visits": ["operator"]},
    )

    assert (outcome.passed, outcome.failures) == (True, [])


async def test_keys_after_the_callers_hangup_key_are_refused_before_the_call(registry: BlockRegistry) -> None:
    outcome = await run_one(registry, operator_menu(), keys=["hangup", "2", "5"], expect={"outcome": "caller_hangup"})
    timed = await run_one(
        registry, operator_menu(), timed_keys=[[1, "hangup"], [3, "2"]], expect={"outcome": "caller_hangup"}
    )

    assert outcome.failures == [
        "keys: the caller hangs up at keys[0], so the 2 key(s) after it ('2', '5') could never be pressed"
    ]
    assert timed.failures == [
        "timed_keys: the caller hangs up at 1 s, so the 1 key(s) after it ('2' at 3 s) could never be pressed"
    ]
    assert outcome.story == timed.story == []


EXPECTS = "a test must expect something: " + ", ".join(EXPECTATIONS)


@pytest.mark.parametrize(
    ("test", "said"),
    [
        ({"keys": ["2"]}, f'{EXPECTS}; it has no expect, such as "expect": {{"outcome": "hung_up"}}'),
        ({"keys": ["2"], "expect": {}}, f"{EXPECTS}; its expect is empty"),
    ],
)
async def test_a_test_that_expects_nothing_is_refused(registry: BlockRegistry, test: dict[str, Any], said: str) -> None:
    outcome = await run_one(registry, operator_menu(), **test)

    assert (outcome.passed, outcome.failures, outcome.story) == (False, [said], [])


def unwired_callback() -> dict[str, Any]:
    """A Callback whose `error` exit leads nowhere: with the scheduler down, the call fails there."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "hello", "type": "say_phrase", "config": {"text": "Hola"}},
            {"id": "later", "type": "callback", "config": {"delay_minutes": 30, "scenario": "follow-up"}},
            {"id": "bye", "type": "hangup"},
        ],
        [("start", "next", "hello"), ("hello", "next", "later"), ("later", "scheduled", "bye")],
    )


FAILED = "block 'later' (callback) took its error exit, which leads nowhere: the callback scheduler is unavailable"


async def test_a_call_that_failed_fails_a_test_that_does_not_expect_it(registry: BlockRegistry) -> None:
    quiet = await run_one(
        registry, unwired_callback(), caller_id="+34600111222", scheduler="fail", expect={"said": ["Hola"]}
    )
    other = await run_one(
        registry, unwired_callback(), caller_id="+34600111222", scheduler="fail", expect={"outcome": "hung_up"}
    )
    expected = await run_one(
        registry,
        unwired_callback(),
        caller_id="+34600111222",
        scheduler="fail",
        expect={"outcome": "failed", "said": ["Hola"]},
    )

    assert quiet.failures == [
        f'the call failed: {FAILED}; a test of a call that fails says so: expect.outcome "failed"'
    ]
    assert other.failures == [f"outcome was failed ({FAILED}), expected hung_up"]
    assert (expected.passed, expected.failures) == (True, [])


@pytest.mark.parametrize("at", ["2026-11-23T18:30:00", "2026-11-23"])
async def test_a_moment_without_its_utc_offset_is_refused(registry: BlockRegistry, at: str) -> None:
    outcome = await run_one(registry, operator_menu(), at=at, expect={"outcome": "hung_up"})

    assert outcome.failures == [f'at needs a UTC offset, e.g. 2026-11-23T18:30:00+01:00; it is a string: "{at}"']
    assert outcome.story == []


async def test_a_simulation_refuses_a_moment_without_its_offset_rather_than_read_it_as_utc(
    registry: BlockRegistry,
) -> None:
    with pytest.raises(ValueError, match=r"needs a UTC offset, e\.g\. 2026-11-23T18:30:00\+01:00"):
        await simulate(operator_menu(), registry, SimulationInput(at=datetime(2026, 11, 23, 18, 30)))


async def test_a_test_call_has_no_caller_id_unless_the_test_gives_one(registry: BlockRegistry) -> None:
    withheld = await run_one(registry, operator_menu(), expect={"variables": {"caller_id": ""}})
    given = await run_one(
        registry, operator_menu(), caller_id="+34600111222", expect={"variables": {"caller_id": "+34600111222"}}
    )

    assert (withheld.passed, withheld.failures) == (True, [])
    assert (given.passed, given.failures) == (True, [])


def test_a_transfer_outcome_that_is_none_is_refused_before_the_call() -> None:
    """It was read when the Transfer dialled, and failed the block: `ValueError: 'bussy' is not a valid ...`."""
    with pytest.raises(ValueError, match=r"transfers\[1\]: 'bussy' is no transfer outcome; they are answered, busy, "):
        ScriptedChannel(transfers=["busy", "bussy"])


async def test_a_simulation_given_a_transfer_outcome_that_is_none_does_not_run(registry: BlockRegistry) -> None:
    """As `ivrgraph simulate --transfers bussy` gives it (the CLI passes them as typed): no call to misread."""
    with pytest.raises(ValueError, match=r"transfers\[0\]: 'bussy' is no transfer outcome"):
        await simulate(operator_menu(), registry, SimulationInput(keys=["2"], transfers=["bussy"]))
