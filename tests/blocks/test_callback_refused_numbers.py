"""A test call (the designer's Test call, the tests run at publish and `ivrgraph test`) refuses a number to call back
as a live call does (tests/agi_server/test_refused_callback_numbers.py): an emergency number, or, with
IVRGRAPH_DEFAULT_COUNTRY=ES, a number no Spanish phone has. The Callback block takes its `rejected` exit, its step
saying why, and nothing is scheduled; a refusal is no failure of the call."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from graph_engine.registry import BlockRegistry
from graph_engine.scenario_tests import run_scenario_tests
from graph_engine.simulation import SimulationInput, simulate
from persistence import callbacks
from tests.conftest import make_document

AT = "2026-11-23T12:00:00+01:00"  # a Monday noon in Madrid: inside the default callback hours
MONDAY_NOON = datetime.fromisoformat(AT)


pytestmark = pytest.mark.usefixtures("in_spain")  # every test reads numbers as in Spain


def _calls_back() -> dict[str, Any]:
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "later", "type": "callback", "config": {"timezone": "Europe/Madrid", "scenario": "follow-up"}},
            {"id": "promise", "type": "say_phrase", "config": {"text": "Le llamaremos."}},
            {"id": "sorry", "type": "say_phrase", "config": {"text": "No podemos devolverle la llamada."}},
            {"id": "bye", "type": "hangup"},
        ],
        [
            ("start", "next", "later"),
            ("later", "scheduled", "promise"),
            ("later", "rejected", "sorry"),
            ("later", "error", "bye"),
            ("promise", "next", "bye"),
            ("sorry", "next", "bye"),
        ],
    )


REFUSED = [
    ("112", "emergency number"),
    ("123", "impossible number (too_short)"),  # an extension
    ("1234567", "impossible number (too_short)"),  # cut short
    ("+34112", "impossible number (too_short)"),
    ("+346001234567890", "impossible number (too_long)"),
]


@pytest.mark.parametrize(("caller_id", "reason"), REFUSED)
@pytest.mark.parametrize("targets", [None, frozenset({"follow-up"})])
async def test_a_test_call_rejects_a_number_the_live_scheduler_refuses(
    registry: BlockRegistry, caller_id: str, reason: str, targets: frozenset[str] | None
) -> None:
    """With the host's refusal, whether or not the test call knows the published scenarios (`ivrgraph simulate`
    and `ivrgraph test` do not)."""
    inputs = SimulationInput(
        caller_id=caller_id,
        at=MONDAY_NOON,
        callback_targets=targets,
        refused_number=callbacks.refused_number,
    )
    sim = await simulate(_calls_back(), registry, inputs)
    later = sim.result.steps[1]
    assert (later.node, later.exit, later.error) == ("later", "rejected", None)
    assert later.events == [{"kind": "callback_rejected", "reason": reason, "number": caller_id}]
    assert sim.result.path == ["start", "later", "sorry", "bye"]
    assert str(sim.result.outcome) == "hung_up"
    assert sim.callbacks == []
    assert f"callback refused ({reason}) -> rejected" in sim.story[1]


async def test_a_real_number_is_scheduled_in_a_test_call(registry: BlockRegistry) -> None:
    inputs = SimulationInput(caller_id="600123456", at=MONDAY_NOON, refused_number=callbacks.refused_number)
    sim = await simulate(_calls_back(), registry, inputs)
    assert sim.result.path == ["start", "later", "promise", "bye"]
    assert [request.number for request in sim.callbacks] == ["600123456"]


async def test_scenario_tests_reject_as_a_live_call_does(registry: BlockRegistry) -> None:
    """The tests run at publish and by `ivrgraph test` are given the host's refusal too."""
    tests = [
        {"name": f"from {caller}", "caller_id": caller, "at": AT,
         "expect": {"path": ["start", "later", "sorry", "bye"], "callbacks": 0}}
        for caller, _ in REFUSED
    ]  # fmt: skip
    tests.append({"caller_id": "600123456", "at": AT, "expect": {"visits": ["promise"], "callbacks": 1}})
    outcomes = await run_scenario_tests(
        _calls_back(),
        tests,
        registry,
        callback_targets=frozenset({"follow-up"}),
        refused_number=callbacks.refused_number,
    )
    assert [(outcome.name, outcome.failures) for outcome in outcomes if not outcome.passed] == []
