"""Go To Scenario records which published version of the other scenario the call continued in: after that scenario
is republished, the steps the call took there can still be shown on the version they ran on."""

from __future__ import annotations

from typing import Any

from graph_engine.document import Scenario, parse_document
from graph_engine.interpreter import run_call
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import LoadedScenario, Services
from graph_engine.simulation import SimulationInput, simulate
from graph_engine.trace import CallOutcome, CallResult
from tests.conftest import make_document

ENTRY = make_document(
    [{"id": "start", "type": "start"}, {"id": "go", "type": "goto_scenario", "config": {"scenario": "billing"}}],
    [("start", "next", "go")],
    name="Entry",
)
TARGET = make_document(
    [{"id": "start", "type": "start"}, {"id": "hi", "type": "say_phrase", "config": {"text": "Billing"}},
     {"id": "bye", "type": "hangup"}],
    [("start", "next", "hi"), ("hi", "next", "bye")],
    name="Billing",
)  # fmt: skip


class PublishedVersions:
    """A host's loader that knows which published version it hands out, as the FastAGI server's does."""

    def __init__(self, version: int) -> None:
        self.target = parse_document(TARGET)
        self.version = version

    async def load(self, slug: str) -> Scenario | None:
        return self.target if slug == "billing" else None

    async def load_version(self, slug: str) -> LoadedScenario | None:
        return LoadedScenario(self.target, self.version) if slug == "billing" else None


class ScenariosOnly:
    """A loader written before versions were recorded (a plugin's, a test's): it only finds scenarios."""

    async def load(self, slug: str) -> Scenario | None:
        return parse_document(TARGET) if slug == "billing" else None


async def _call(registry: BlockRegistry, loader: Any) -> CallResult:
    return await run_call(parse_document(ENTRY), ScriptedChannel(), registry, Services(scenarios=loader))


def _goto_events(result: CallResult) -> list[dict[str, Any]]:
    return [event for step in result.steps for event in step.events if event["kind"] == "goto_scenario"]


async def test_the_goto_event_names_the_published_version_the_call_continued_in(registry: BlockRegistry) -> None:
    result = await _call(registry, PublishedVersions(7))
    assert result.outcome is CallOutcome.HUNG_UP, result.error
    assert _goto_events(result) == [{"kind": "goto_scenario", "scenario": "billing", "version": 7}]
    # The steps after that event are the ones taken in it: the trace marks them as the other scenario's.
    went = next(step.index for step in result.steps if step.node == "go")
    assert [step.scenario for step in result.steps[went + 1 :]] == ["Billing"] * 3
    assert result.as_dict()["steps"][went]["events"][0]["version"] == 7


async def test_a_loader_that_knows_no_versions_still_continues_the_call_and_records_none(
    registry: BlockRegistry,
) -> None:
    result = await _call(registry, ScenariosOnly())
    assert result.outcome is CallOutcome.HUNG_UP, result.error
    assert _goto_events(result) == [{"kind": "goto_scenario", "scenario": "billing", "version": None}]


async def test_a_simulation_records_the_version_of_a_published_target_and_none_for_a_draft(
    registry: BlockRegistry,
) -> None:
    published = await simulate(
        ENTRY, registry, SimulationInput(scenarios={"billing": TARGET}, scenario_versions={"billing": 4})
    )
    draft = await simulate(ENTRY, registry, SimulationInput(scenarios={"billing": TARGET}))
    assert _goto_events(published.result)[0]["version"] == 4
    assert _goto_events(draft.result)[0]["version"] is None  # a draft has no version: none is made up
    assert published.said() == draft.said() == ["Billing"]
