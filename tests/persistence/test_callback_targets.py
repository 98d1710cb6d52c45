"""A Callback block schedules a call back only into a scenario with a published version: the real scheduler on a
real database refuses one never published, unknown or deleted (the block takes its error exit, the step saying
why), so no job rings the client into the FastAGI server's "unknown scenario" message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from graph_engine.document import parse_document
from graph_engine.interpreter import run_call
from graph_engine.registry import BlockRegistry
from graph_engine.scripted import ScriptedChannel
from graph_engine.services import FixedClock, Services
from graph_engine.trace import CallResult
from persistence import callbacks, scenarios
from persistence.db import Database
from tests.conftest import make_document
from tests.persistence import documents
from tests.persistence.published import publish

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, inside the block's default hours (09:00-21:00 UTC)


def _calling_back_into(target: str) -> dict[str, object]:
    """Start -> Callback into `target` -> a goodbye on each exit, so the exit taken shows in the trace."""
    return make_document(
        [
            {"id": "start", "type": "start"},
            {"id": "offer", "type": "callback", "config": {"scenario": target, "number": "+34600111222"}},
            {"id": "booked", "type": "say_phrase", "config": {"text": "We will call you"}},
            {"id": "sorry", "type": "say_phrase", "config": {"text": "Sorry"}},
        ],
        [("start", "next", "offer"), ("offer", "scheduled", "booked"), ("offer", "error", "sorry")],
    )


async def _call(database: Database, registry: BlockRegistry, target: str) -> CallResult:
    clock = FixedClock(T0)
    services = Services(clock=clock, scheduler=callbacks.DatabaseCallbackScheduler(database, now=clock.now))
    scenario = parse_document(_calling_back_into(target))
    return await run_call(scenario, ScriptedChannel([], clock=clock), registry, services, call_id="c1")


def _jobs(database: Database) -> list[tuple[str, str]]:
    with database.session() as session:
        return [(job.scenario, job.status) for job in callbacks.list_jobs(session)]


def _draft_only(database: Database, slug: str) -> None:
    with database.session() as session:
        scenarios.create_scenario(session, slug=slug, document=documents.greeting(), actor="ana")


def _deleted(database: Database, slug: str) -> None:
    publish(database, slug)
    with database.session() as session:
        scenarios.delete_scenario(session, slug=slug)


@pytest.mark.parametrize(
    ("make", "target"),
    [(_draft_only, "draft-only"), (None, "nowhere"), (_deleted, "retired")],
    ids=["draft_only", "unknown", "deleted"],
)
async def test_a_callback_into_a_scenario_not_published_takes_the_error_exit_and_stores_no_job(
    database: Database, registry: BlockRegistry, make: Callable[[Database, str], None] | None, target: str
) -> None:
    if make is not None:
        make(database, target)
    result = await _call(database, registry, target)
    (offer,) = [step for step in result.steps if step.node == "offer"]
    assert offer.exit == "error"
    assert offer.error == f"the callback cannot be scheduled: {target!r} is not published"
    assert [step.node for step in result.steps] == ["start", "offer", "sorry"]
    assert "callback_job_id" not in result.variables
    assert _jobs(database) == []


async def test_a_callback_into_a_published_scenario_is_scheduled(database: Database, registry: BlockRegistry) -> None:
    publish(database, "callback-connect")
    result = await _call(database, registry, "callback-connect")
    (offer,) = [step for step in result.steps if step.node == "offer"]
    assert (offer.exit, offer.error) == ("scheduled", None)
    assert _jobs(database) == [("callback-connect", "pending")]
    assert result.variables["callback_job_id"]
