"""What a node says about itself on its metrics port: the release it runs, the scenario versions it holds, and
whether it stops (SRE review: a node could not say which versions it served, and /readyz answered 200 ready while
the node drained with its listener closed)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest

from agi_server.cli import run_agi
from agi_server.metrics import AgiMetrics, package_version
from agi_server.scenarios import PublishedScenario, folder_source
from agi_server.server import AgiServer, AgiServerConfig
from blocks import default_registry
from graph_engine.services import Services
from persistence import scenarios
from persistence.db import Database
from persistence.migrate import head_revision, upgrade
from persistence.publishing import publish
from tests.agi_server.conftest import EXAMPLES, database_node, exposition_samples
from tests.conftest import example_slugs, free_port
from tests.persistence import documents


async def _get(port: int, path: str) -> httpx.Response:
    # The metrics server answers from a thread of its own; the request must not hold up this loop's node.
    return await asyncio.to_thread(httpx.get, f"http://127.0.0.1:{port}{path}", timeout=5)


async def _versions(port: int) -> dict[str, float]:
    """scenario -> the `ivrgraph_scenario_published_version` a scrape reads."""
    samples = exposition_samples((await _get(port, "/metrics")).text)
    prefix = 'ivrgraph_scenario_published_version{scenario="'
    return {name[len(prefix) : -2]: value for name, value in samples.items() if name.startswith(prefix)}


async def _until_versions(port: int, wanted: dict[str, float], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while (await _versions(port)) != wanted:
            await asyncio.sleep(0.05)


async def test_a_node_names_its_release_and_the_version_it_holds_of_each_scenario() -> None:
    """`ivrgraph agi --scenarios`: every file is version 1; a version swapped in shows at the next scrape, and a
    scenario withdrawn leaves the list (no series left behind for it)."""
    source = folder_source(EXAMPLES)
    metrics_port = free_port()
    stop = asyncio.Event()
    started: asyncio.Future[AgiServer] = asyncio.get_running_loop().create_future()
    node = asyncio.create_task(
        run_agi(
            AgiServerConfig(port=0),
            source=source,
            services=Services(),
            metrics_port=metrics_port,
            stop=stop,
            ready=started.set_result,
        )
    )
    try:
        await started
        samples = exposition_samples((await _get(metrics_port, "/metrics")).text)
        assert samples[f'ivrgraph_build_info{{schema="",version="{package_version()}"}}'] == 1
        assert package_version() != "unknown"  # the package is installed in the test environment
        slugs = example_slugs()
        assert await _versions(metrics_port) == dict.fromkeys(slugs, 1)

        first, second = slugs[0], slugs[1]
        held = await source.get(first)
        assert held is not None
        source.publish(PublishedScenario(first, 2, held.scenario, stamp=1))
        source.withdraw(second)
        expected = {**dict.fromkeys(slugs, 1.0), first: 2.0}
        del expected[second]
        assert await _versions(metrics_port) == expected
    finally:
        stop.set()
        await node


async def test_a_database_node_names_its_schema_and_follows_publishes_and_deletions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ivrgraph agi` on a database: the schema revision its code runs on, and each scenario's published version as
    its poller brings it in; a scenario deleted (through another node) leaves the list within a poll interval."""
    for name in [name for name in os.environ if name.startswith("IVRGRAPH_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("IVRGRAPH_MEDIA_ROOT", str(tmp_path / "media"))
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    upgrade(url)
    database = Database(url)
    registry = default_registry()
    with database.session() as session:
        scenarios.create_scenario(session, slug="hello", document=documents.greeting("Hello"), actor="ana")
        scenarios.create_scenario(session, slug="bye", document=documents.greeting("Bye"), actor="ana")
    for slug in ("hello", "bye"):
        with database.session() as session:
            await publish(session, slug=slug, message="v1", actor="ana", registry=registry)
    metrics_port = free_port()
    try:
        async with database_node(url, poll_seconds=0.1, metrics_port=metrics_port):
            samples = exposition_samples((await _get(metrics_port, "/metrics")).text)
            assert samples[f'ivrgraph_build_info{{schema="{head_revision()}",version="{package_version()}"}}'] == 1
            assert await _versions(metrics_port) == {"bye": 1, "hello": 1}
            with database.session() as session:
                scenarios.save_draft(session, slug="hello", revision=1, document=documents.greeting("Hi"), actor="ana")
            with database.session() as session:
                await publish(session, slug="hello", message="v2", actor="ana", registry=registry)
            await _until_versions(metrics_port, {"bye": 1, "hello": 2})
            with database.session() as session:
                scenarios.delete_scenario(session, slug="bye")
            await _until_versions(metrics_port, {"hello": 2})
    finally:
        database.dispose()


async def test_readyz_says_stopping_once_the_node_stops_whatever_its_versions() -> None:
    """Stopping comes first: a balancer must stop sending calls to a node whose listener is closed, stale or not."""
    metrics = AgiMetrics()
    port = free_port()
    metrics.serve(port)
    ready = await _get(port, "/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert exposition_samples((await _get(port, "/metrics")).text)["ivrgraph_agi_stopping"] == 0
    metrics.node_stopping()
    ready = await _get(port, "/readyz")
    assert (ready.status_code, ready.json()) == (503, {"status": "stopping"})
    assert exposition_samples((await _get(port, "/metrics")).text)["ivrgraph_agi_stopping"] == 1
    health = await _get(port, "/healthz")  # the process still answers: no reason to restart it
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
