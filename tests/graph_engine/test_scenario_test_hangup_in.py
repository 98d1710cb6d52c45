"""`hangup_in`: the caller hangs up in a given block, once the test's keys are pressed.

QA review: a real call whose caller hung up during debt-reminder's "Pay menu" could not be saved as a test. A
`"hangup"` key is taken by the next prompt that plays, the greeting before the menu; `hangup_at` counts channel
operations, which a recorded call does not note. `hangup_in` names the block, as the record does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from graph_engine import scenario_tests
from graph_engine.registry import BlockRegistry
from graph_engine.scenario_tests import run_scenario_tests
from tests.conftest import make_document

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def greeted_menu() -> dict[str, Any]:
    """A greeting, then a menu (1: thanks; two tries), its hangup exit noting the hangup for the reports."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "greet", "type": "say_phrase", "config": {"text": "Hola"}},
            {
                "id": "menu",
                "type": "ivr",
                "label": "Pay menu",
                "config": {"prompt": {"text": "Pulse 1"}, "options": [{"key": "1", "label": "pay"}], "max_tries": 2},
            },
            {"id": "thanks", "type": "say_phrase", "config": {"text": "Gracias"}},
            {"id": "bye", "type": "hangup"},
            {"id": "noted", "type": "set_variable", "config": {"name": "result", "value": "hung_up_in_menu"}},
        ],
        [
            ("start", "next", "greet"),
            ("greet", "next", "menu"),
            ("menu", "1", "thanks"),
            ("menu", "max_tries", "bye"),
            ("menu", "hangup", "noted"),
            ("thanks", "next", "bye"),
        ],
    )


async def run_one(registry: BlockRegistry, document: dict[str, Any], **test: Any) -> scenario_tests.TestOutcome:
    (outcome,) = await run_scenario_tests(document, [{"name": "t", **test}], registry)
    return outcome


async def test_the_caller_hangs_up_in_the_menu_not_in_the_greeting_before_it(registry: BlockRegistry) -> None:
    document = greeted_menu()
    outcome = await run_one(
        registry,
        document,
        hangup_in="menu",
        expect={"path": ["start", "greet", "menu", "noted"], "outcome": "caller_hangup"},
    )
    assert outcome.passed, outcome.failures
    assert outcome.steps[2] == {"scenario": None, "node": "menu", "exit": "hangup"}
    # The `hangup` key, by contrast, is taken by the greeting.
    by_key = await run_one(registry, document, keys=["hangup"], expect={"path": ["start", "greet", "menu", "noted"]})
    assert not by_key.passed


async def test_the_hangup_comes_after_the_keys_pressed_in_that_block(registry: BlockRegistry) -> None:
    """A wrong key at the menu, then the caller hangs up in its second try: the test's keys are pressed first."""
    outcome = await run_one(
        registry,
        greeted_menu(),
        keys=["5"],
        hangup_in="menu",
        expect={"path": ["start", "greet", "menu", "noted"], "outcome": "caller_hangup"},
    )
    assert outcome.passed, outcome.failures
    menu = outcome.call.steps[2] if outcome.call else None
    assert menu is not None and [e["kind"] for e in menu.events if e["kind"] in ("invalid", "no_input")] == ["invalid"]


async def test_a_block_the_call_never_reaches_with_its_keys_pressed_fails_the_test(registry: BlockRegistry) -> None:
    outcome = await run_one(registry, greeted_menu(), keys=["1"], hangup_in="menu", expect={"outcome": "caller_hangup"})
    assert not outcome.passed
    assert any("hangup_in" in failure and "'menu'" in failure for failure in outcome.failures), outcome.failures


async def test_an_unknown_block_or_a_wrong_shape_is_refused(registry: BlockRegistry) -> None:
    unknown = await run_one(registry, greeted_menu(), hangup_in="menú", expect={"outcome": "caller_hangup"})
    assert not unknown.passed
    assert any("hangup_in" in failure and "did you mean 'menu'" in failure for failure in unknown.failures)
    assert unknown.call is None
    wrong = await run_one(registry, greeted_menu(), hangup_in=3, expect={"outcome": "caller_hangup"})
    assert not wrong.passed and any("hangup_in" in failure for failure in wrong.failures)
    both = await run_one(registry, greeted_menu(), hangup_in="menu", hangup_at=2, expect={"outcome": "caller_hangup"})
    assert not both.passed and any("hangup_at" in failure and "hangup_in" in failure for failure in both.failures)


async def test_debt_reminder_hung_up_in_its_pay_menu(registry: BlockRegistry) -> None:
    """The review's call: greeted, told the debt, and gone during "Pay menu"."""
    document = json.loads((EXAMPLES / "debt-reminder.json").read_text(encoding="utf-8"))
    outcome = await run_one(
        registry,
        document,
        caller_id="+34600111222",
        variables={"contact": {"name": "Ana"}, "debt_amount": 120.5, "callback_number": "+34600111222"},
        hangup_in="menu",
        expect={"path": ["start", "greet", "debt", "menu"], "outcome": "caller_hangup"},
    )
    assert outcome.passed, outcome.failures
