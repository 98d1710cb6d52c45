"""Message: a caller's interrupt key kept in a variable the scenario declares sensitive is noted masked, as an IVR
notes a PIN's keys; the call itself goes on with the real key."""

from __future__ import annotations

import json
from typing import Any

from graph_engine.registry import BlockRegistry
from graph_engine.simulation import SimulationInput, simulate
from tests.conftest import make_document

SECRET_KEY = "7"


def vote(*, sensitive: bool) -> dict[str, Any]:
    """A message the caller interrupts with their answer, kept in `answer`, and a branch on it."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {
                "id": "ask",
                "type": "message",
                "label": "Ask",
                "config": {"audio": "question", "interrupt_keys": "0123456789", "key_variable": "answer"},
            },
            {"id": "check", "type": "condition", "config": {"expression": f"answer == '{SECRET_KEY}'"}},
            {"id": "yes", "type": "hangup"},
            {"id": "no", "type": "hangup"},
        ],
        [("start", "next", "ask"), ("ask", "next", "check"), ("check", "true", "yes"), ("check", "false", "no")],
        variables=[{"name": "answer", "sensitive": sensitive}],
    )


async def test_an_interrupt_key_kept_in_a_sensitive_variable_is_noted_masked(registry: BlockRegistry) -> None:
    sim = await simulate(vote(sensitive=True), registry, SimulationInput(keys=[f"!{SECRET_KEY}"]))

    steps = {step.node: step for step in sim.result.steps}
    assert steps["check"].exit == "true"  # the call used the real key
    assert steps["ask"].keys == "[hidden: 1 character]"
    assert steps["ask"].variables_changed == {"answer": "[hidden: 1 character]"}
    assert sim.result.variables["answer"] == "[hidden: 1 character]"
    recorded = json.dumps([step.keys for step in sim.result.steps]) + json.dumps(
        [step.variables_changed for step in sim.result.steps]
    )
    assert SECRET_KEY not in recorded
    [told] = [line for line in sim.story if 'Message "Ask"' in line]
    assert "caller pressed [hidden: 1 character]" in told and SECRET_KEY not in told


async def test_an_interrupt_key_kept_in_another_variable_is_noted_as_pressed(registry: BlockRegistry) -> None:
    sim = await simulate(vote(sensitive=False), registry, SimulationInput(keys=[f"!{SECRET_KEY}"]))

    steps = {step.node: step for step in sim.result.steps}
    assert steps["ask"].keys == SECRET_KEY
    assert steps["ask"].variables_changed == {"answer": SECRET_KEY}


async def test_a_message_nobody_interrupts_notes_no_key(registry: BlockRegistry) -> None:
    sim = await simulate(vote(sensitive=True), registry, SimulationInput(keys=[]))

    steps = {step.node: step for step in sim.result.steps}
    assert steps["ask"].keys == ""
    assert steps["check"].exit == "false"
