"""Simulated calls: the production engine walking a scenario on the scripted channel, with a settable clock,
data-source rows and scheduler. The CLI, the API's test call and scenario tests all come through here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph_engine.document import Scenario, parse_document
from graph_engine.errors import SchedulerError
from graph_engine.interpreter import DEFAULT_STEP_LIMIT, run_call
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ChannelEvent, ScriptedChannel
from graph_engine.services import (
    CallbackReceipt,
    CallbackRequest,
    FixedClock,
    LoadedScenario,
    RecordingScheduler,
    Services,
    StaticDataSources,
)
from graph_engine.story import tell
from graph_engine.trace import CallResult

DEFAULT_MOMENT = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # a Monday morning


@dataclass(slots=True)
class SimulationInput:
    keys: list[str] = field(default_factory=list)  # see graph_engine.scripted for the token language
    timed_keys: list[tuple[float, str]] | None = None  # or keys at moments of the call (seconds from its start)
    caller_id: str = "+34600000000"
    caller_name: str = ""
    dialed_number: str = ""
    at: datetime | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    data_rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    transfers: list[str] = field(default_factory=list)  # outcome of each Transfer in turn: answered, busy...
    hangup_at: int | None = None  # the caller hangs up when channel operation N starts
    scheduler_fails: bool = False
    scenarios: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # slug -> document, for Go To Scenario
    # slug -> the published version its document in `scenarios` is; a slug not here is a draft, with no version.
    scenario_versions: dict[str, int] = field(default_factory=dict)
    step_limit: int = DEFAULT_STEP_LIMIT


@dataclass(slots=True)
class SimulationResult:
    result: CallResult
    story: list[str]
    channel_events: list[ChannelEvent]
    callbacks: list[CallbackRequest]
    queries: list[tuple[str, str, dict[str, Any]]]

    def said(self) -> list[str]:
        """Every spoken text, in order."""
        return [p["text"] for step in self.result.steps for p in step.prompts if "text" in p]

    def as_dict(self) -> dict[str, Any]:
        return {
            "result": self.result.as_dict(),
            "story": self.story,
            "callbacks": [
                {
                    "number": c.number,
                    "due": c.due.isoformat(),
                    "scenario": c.scenario,
                    "variables": dict(c.variables),
                }
                for c in self.callbacks
            ],
        }


class _FailingScheduler:
    async def schedule(self, request: CallbackRequest) -> CallbackReceipt:
        raise SchedulerError("the callback scheduler is unavailable")


class _DocumentScenarios:
    def __init__(self, documents: Mapping[str, Mapping[str, Any]], versions: Mapping[str, int]) -> None:
        self._documents = documents
        self._versions = versions

    async def load(self, slug: str) -> Scenario | None:
        document = self._documents.get(slug)
        return parse_document(document) if document is not None else None

    async def load_version(self, slug: str) -> LoadedScenario | None:
        scenario = await self.load(slug)
        return LoadedScenario(scenario, self._versions.get(slug)) if scenario is not None else None


async def simulate(
    document: Mapping[str, Any] | Scenario, registry: BlockRegistry, inputs: SimulationInput | None = None
) -> SimulationResult:
    """Run one simulated call. Raises `DocumentError` only when the document's structure is broken."""
    inputs = inputs or SimulationInput()
    scenario = document if isinstance(document, Scenario) else parse_document(document)
    at = inputs.at or DEFAULT_MOMENT
    clock = FixedClock(at if at.tzinfo else at.replace(tzinfo=UTC))
    recorder = RecordingScheduler()
    data = StaticDataSources(inputs.data_rows)
    services = Services(
        clock=clock,
        data_sources=data,
        scheduler=_FailingScheduler() if inputs.scheduler_fails else recorder,
        scenarios=_DocumentScenarios(inputs.scenarios, inputs.scenario_versions),
    )
    channel = ScriptedChannel(
        inputs.keys,
        transfers=inputs.transfers,
        hangup_at=inputs.hangup_at,
        clock=clock,
        timed_keys=inputs.timed_keys,
    )
    facts = {
        "caller_id": inputs.caller_id,
        "caller_name": inputs.caller_name,
        "dialed_number": inputs.dialed_number,
        "channel": "Simulated/1",
    }
    result = await run_call(
        scenario,
        channel,
        registry,
        services,
        call_id="simulated",
        facts=facts,
        inputs=inputs.variables,
        step_limit=inputs.step_limit,
    )
    return SimulationResult(
        result=result,
        story=tell(result, scenario, registry),
        channel_events=channel.events,
        callbacks=recorder.requests,
        queries=data.queries,
    )
