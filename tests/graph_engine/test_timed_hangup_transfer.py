"""A simulated caller's timed hangup is not lost while a Transfer rings or talks.

The real line (agi_server/channel.py, ../shared/asterisk/ transcripts of Dial): a caller who hangs up while the
transfer rings ends the call there (DIALSTATUS=CANCEL, the channel gone); one who hangs up while talking ends the
bridge, and the call with it. Before, a timed hangup whose moment fell in a Transfer was dropped as a lost key and
the simulated caller stayed on the line for the rest of the scenario."""

from __future__ import annotations

from graph_engine.simulation import SimulationInput, simulate
from tests.conftest import make_document

# Start answers; the Transfer rings PJSIP/200 for up to 20 s; once answered the caller talks for 30 s, then hears
# a survey prompt (the wired "answered" exit); "busy" plays an apology.
DOCUMENT = make_document(
    [
        {"id": "start", "type": "start", "config": {"answer": True}},
        {"id": "agent", "type": "transfer", "config": {"target": "PJSIP/200", "timeout": 20}},
        {"id": "survey", "type": "say_phrase", "config": {"text": "Rate the call"}},
        {"id": "sorry", "type": "say_phrase", "config": {"text": "All agents are busy"}},
    ],
    [("start", "next", "agent"), ("agent", "answered", "survey"), ("agent", "busy", "sorry")],
)


def _ops(simulated) -> list[tuple[str, dict]]:
    return [(event.op, event.detail) for event in simulated.channel_events]


async def test_a_hangup_while_the_transfer_rings_ends_the_call_there(registry):
    simulated = await simulate(DOCUMENT, registry, SimulationInput(transfers=["busy"], timed_keys=[(8.0, "hangup")]))
    assert simulated.result.outcome == "caller_hangup"
    assert simulated.result.hangup_node == "agent"
    assert ("caller_hangup", {"during": "transfer"}) in _ops(simulated)
    assert not [op for op, _ in _ops(simulated) if op == "play"], "the apology played to a caller who was gone"


async def test_a_hangup_while_talking_ends_the_bridge_and_the_call(registry):
    # Answered after 5 s of ringing; the caller hangs up 12 s into the conversation.
    simulated = await simulate(DOCUMENT, registry, SimulationInput(timed_keys=[(17.0, "hangup")]))
    transfer = next(step for step in simulated.result.steps if step.node == "agent")
    assert transfer.exit == "answered"
    notes = [event for event in transfer.events if event.get("kind") == "transfer"]
    assert notes and notes[0]["talk_seconds"] == 12.0
    assert simulated.result.outcome == "caller_hangup"
    assert not [op for op, _ in _ops(simulated) if op == "play"], "the survey played to a caller who was gone"


async def test_keys_pressed_during_a_transfer_go_to_the_other_party(registry):
    simulated = await simulate(DOCUMENT, registry, SimulationInput(transfers=["busy"], timed_keys=[(3.0, "5")]))
    assert ("key_lost", {"key": "5"}) in _ops(simulated)
    assert simulated.result.outcome != "caller_hangup"


async def test_a_hangup_after_the_conversation_ends_at_the_next_prompt(registry):
    # Ringing 5 s, talking 30 s: the survey starts at 35 s, and the caller hangs up during it.
    simulated = await simulate(DOCUMENT, registry, SimulationInput(timed_keys=[(36.0, "hangup")]))
    assert simulated.result.outcome == "caller_hangup"
    assert simulated.result.hangup_node == "survey"
