"""The Callback block tells its scheduler which callback job the asking call belongs to (a campaign's client is
promised a callback: the host files it with the campaign), and says in the trace when the request joined a
callback already waiting for the number."""

from __future__ import annotations

from typing import Any

from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import CallbackReceipt, CallbackRequest, Services
from graph_engine.simulation import SimulationInput, simulate
from graph_engine.story import tell
from tests.conftest import make_document

TWO_CALLBACKS = make_document(
    [
        {"id": "start", "type": "start"},
        {"id": "first", "type": "callback", "config": {"scenario": "sales", "number": "600111222"}},
        {"id": "second", "type": "callback", "config": {"scenario": "sales", "number": "600111222"}},
    ],
    [("start", "next", "first"), ("first", "scheduled", "second")],
)


async def test_the_request_names_the_job_the_call_was_placed_for(registry: BlockRegistry) -> None:
    placed = await simulate(TWO_CALLBACKS, registry, SimulationInput(variables={"callback_job_id": "job-7"}))
    inbound = await simulate(TWO_CALLBACKS, registry, SimulationInput())
    # The second Callback names the job the first one scheduled, which the host filed where job-7 is.
    assert [r.origin_job_id for r in placed.callbacks] == ["job-7", "sim-1"]
    assert [r.origin_job_id for r in inbound.callbacks] == [None, "sim-1"]


class JoiningScheduler:
    """Every request after the first joins the first one's job."""

    def __init__(self) -> None:
        self.requests: list[CallbackRequest] = []

    async def schedule(self, request: CallbackRequest) -> CallbackReceipt:
        self.requests.append(request)
        return CallbackReceipt(job_id="job-1", merged=len(self.requests) > 1)


async def test_a_request_that_joined_a_waiting_callback_says_so_in_the_trace_and_story(
    registry: BlockRegistry,
) -> None:
    scenario = parse_document(TWO_CALLBACKS)
    result = await run_call(scenario, ScriptedChannel(), registry, Services(scheduler=JoiningScheduler()), call_id="c1")
    events: list[dict[str, Any]] = [
        e for step in result.steps for e in step.events if e["kind"] == "callback_scheduled"
    ]
    assert [e.get("merged") for e in events] == [None, True]
    assert result.variables["callback_job_id"] == "job-1"
    story = tell(result, scenario, registry)
    assert sum("joined the callback already waiting" in line for line in story) == 1
