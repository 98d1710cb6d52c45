"""The call register over the fake Asterisk: a caller who hangs up while a Transfer rings or queues is
`abandoned_waiting`, apart from one who left the IVR menu, and one who talked to the operator is `transferred`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from agi_server.scenarios import CachedScenarioSource, PublishedScenario, SourceLoader
from agi_server.server import AgiServer, AgiServerConfig
from blocks import default_registry
from graph_engine.document import parse_document
from graph_engine.services import Services
from persistence import calls
from persistence.calls import CallFilter, CallRecordWriter
from persistence.db import Database
from persistence.migrate import upgrade
from persistence.models import CallRecord
from tests.agi_server.conftest import call
from tests.fakes.asterisk import CallerScript, default_env

Stored = Callable[..., Awaitable[CallRecord]]


def _transfer_then_thanks(target: str) -> dict[str, Any]:
    """Start -> Transfer to `target`, whose `answered` and `no_answer` exits thank the caller (a flow that goes on
    after the operator, so a caller who hangs up talking to them ends as a caller hangup, not as the transfer's
    end; and one that speaks to a caller nobody answered, in the IVR again)."""
    nodes = [
        {"id": "start", "type": "start", "version": 1, "config": {}},
        {"id": "sales", "type": "transfer", "version": 1, "config": {"target": target, "timeout": 20}},
        {"id": "thanks", "type": "say_phrase", "version": 1, "config": {"text": "Gracias"}},
    ]
    edges = [
        {"id": "e1", "source": "start", "exit": "next", "target": "sales"},
        {"id": "e2", "source": "sales", "exit": "answered", "target": "thanks"},
        {"id": "e3", "source": "sales", "exit": "no_answer", "target": "thanks"},
    ]
    return {"format": "ivrgraph.scenario/1", "name": "Sales", "nodes": nodes, "edges": edges}


@pytest.fixture
async def stored(tmp_path: Path) -> AsyncIterator[Stored]:
    """Run one call through a FastAGI server writing to SQLite as `ivrgraph serve` does; return its record."""
    url = f"sqlite:///{tmp_path / 'calls.db'}"
    upgrade(url)
    database = Database(url)
    source = CachedScenarioSource()
    for slug, target in (("dial", "PJSIP/100"), ("queue", "queue:sales")):
        source.publish(PublishedScenario(slug, 1, parse_document(_transfer_then_thanks(target))))

    async def run(slug: str, caller: CallerScript) -> CallRecord:
        server = AgiServer(
            AgiServerConfig(port=0, shutdown_deadline=2.0),
            source=source,
            registry=default_registry(),
            services=Services(scenarios=SourceLoader(source)),
            write_batch=CallRecordWriter(database),
        )
        await server.start()
        uniqueid = f"pbx1-1795295104.{slug}"
        await call(server, slug, caller, env={**default_env(slug), "agi_uniqueid": uniqueid}, time_scale=0.01)
        await server.stop()
        with database.session() as session:
            (record,), _ = calls.list_calls(session, filters=CallFilter(asterisk_uniqueid=uniqueid))
            session.expunge(record)
        return record

    yield run
    database.dispose()


@pytest.mark.parametrize("slug", ["dial", "queue"])
async def test_a_caller_who_hangs_up_while_the_transfer_rings_abandoned_waiting(stored: Stored, slug: str) -> None:
    """Dial's DIALSTATUS=CANCEL; a queue's ABANDON (ABANDONED=TRUE)."""
    record = await stored(slug, CallerScript(far_end=["cancel"]))
    assert (record.outcome, record.hangup_during, record.last_node) == ("caller_hangup", "transfer", "sales")
    assert record.status == "abandoned_waiting"


@pytest.mark.parametrize("slug", ["dial", "queue"])
async def test_a_caller_who_hangs_up_talking_to_the_operator_was_transferred(stored: Stored, slug: str) -> None:
    """The channel records that hangup as `transfer` too; the Transfer block noted the answer."""
    record = await stored(slug, CallerScript(far_end=["answered"], talk_seconds=3000, hangup_after=1.5))
    assert (record.outcome, record.hangup_during) == ("caller_hangup", "transfer")
    assert record.status == "transferred"


async def test_a_caller_who_hangs_up_in_the_menu_abandoned_in_menu(stored: Stored) -> None:
    """Nobody answered, and the caller hangs up while the flow speaks to them again: they left the IVR."""
    record = await stored("dial", CallerScript(far_end=["no_answer"], hangup_at_command=2))
    assert (record.outcome, record.hangup_during) == ("caller_hangup", "play")
    assert record.status == "abandoned_in_menu"
