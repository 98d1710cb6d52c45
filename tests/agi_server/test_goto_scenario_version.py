"""A real call that continues in another scenario (Go To Scenario) records the published version of that scenario it
ran, over TCP from the fake Asterisk into the server; a later publish of the target changes what the next call
records, not what an earlier one did."""

from __future__ import annotations

from typing import Any

from agi_server.scenarios import CachedScenarioSource, PublishedScenario, SourceLoader
from graph_engine.document import parse_document
from tests.agi_server.conftest import MemoryRecords, StartServer, call, flush
from tests.conftest import make_document

ENTRY = make_document(
    [{"id": "start", "type": "start"}, {"id": "go", "type": "goto_scenario", "config": {"scenario": "billing"}}],
    [("start", "next", "go")],
    name="Entry",
)


def _billing(text: str) -> dict[str, Any]:
    return make_document(
        [{"id": "start", "type": "start"}, {"id": "hi", "type": "say_phrase", "config": {"text": text}},
         {"id": "bye", "type": "hangup"}],
        [("start", "next", "hi"), ("hi", "next", "bye")],
        name="Billing",
    )  # fmt: skip


def _goto_versions(trace: dict[str, Any]) -> list[Any]:
    return [event["version"] for step in trace["steps"] for event in step["events"] if event["kind"] == "goto_scenario"]


async def test_a_call_records_the_version_of_the_scenario_it_went_to(
    start_server: StartServer, records: MemoryRecords
) -> None:
    source = CachedScenarioSource()
    source.publish(PublishedScenario("entry", 2, parse_document(ENTRY), stamp=1))
    source.publish(PublishedScenario("billing", 3, parse_document(_billing("Version three")), stamp=2))
    server = await start_server(source=source)
    await call(server, "entry")
    source.publish(PublishedScenario("billing", 4, parse_document(_billing("Version four")), stamp=3))
    await call(server, "entry")
    await flush(server)

    first, second = sorted(records.records, key=lambda record: record.started_at)
    assert (first.version, second.version) == (2, 2)  # the entry scenario's own version, as before
    assert _goto_versions(first.trace) == [3]  # what the first call ran, after billing was republished
    assert _goto_versions(second.trace) == [4]
    said = [p["text"] for step in first.trace["steps"] if step["scenario"] == "Billing" for p in step["prompts"]]
    assert said == ["Version three"]


async def test_the_engine_loader_hands_out_the_scenario_and_version_the_cache_holds_together() -> None:
    source = CachedScenarioSource()
    published = PublishedScenario("billing", 5, parse_document(_billing("Hi")))
    source.publish(published)
    loaded = await SourceLoader(source).load_version("billing")
    assert loaded is not None and (loaded.scenario, loaded.version) == (published.scenario, 5)
    assert await SourceLoader(source).load_version("nowhere") is None
