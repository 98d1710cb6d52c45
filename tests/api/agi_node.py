"""A FastAGI node beside the API under test, as `ivrgraph serve` runs one: it reads the published versions from the
API's database and writes its call records there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from agi_server.node import as_runtime
from agi_server.scenarios import CachedScenarioSource, PublishedScenario
from agi_server.server import AgiServer, AgiServerConfig
from blocks import default_registry
from graph_engine.services import Services
from persistence.calls import CallRecordWriter
from persistence.db import Database
from persistence.scenario_source import DatabaseScenarios
from tests.api.conftest import Server


@asynccontextmanager
async def serving_node(server: Server, node_id: str | None = None) -> AsyncIterator[AgiServer]:
    """The node, started (named `node_id`, else the default name); stopped when the block ends, every record of its
    calls written by then."""
    database = Database(server.database_url)
    stored = DatabaseScenarios(database)

    async def load(name: str) -> PublishedScenario | None:
        found = await stored.published(name)
        return as_runtime(found) if found is not None else None

    agi = AgiServer(
        AgiServerConfig(port=0, shutdown_deadline=2.0, node_id=node_id or AgiServerConfig().node_id),
        source=CachedScenarioSource(load),
        registry=default_registry(),
        services=Services(),
        write_batch=CallRecordWriter(database),
    )
    await agi.start()
    try:
        yield agi
    finally:
        await agi.stop()
        database.dispose()
