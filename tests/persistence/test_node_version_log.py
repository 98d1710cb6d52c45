"""A node says in its log, at INFO, each version it takes up and each scenario it drops, once per change: "serving
sales v2 (was v1)", "sales withdrawn". Nodes said nothing when they picked up a version, and which one a node
served when a caller heard the old prompt was not in its log (operations review). The hub's publish and the poll
that finds the same version after it say it once; polls that find nothing new, and calls, say nothing."""

from __future__ import annotations

import asyncio
import logging

import pytest

from agi_server.node import DatabaseRuntime
from blocks import default_registry
from graph_engine.services import SilentTts
from persistence import scenarios
from persistence.db import Database
from persistence.publishing import PublishHub, publish
from tests.persistence import documents


async def _published(database: Database, slug: str) -> scenarios.Published:
    with database.session() as session:
        await publish(session, slug=slug, message="go", actor="pat", registry=default_registry())
    with database.session() as session:
        found = scenarios.published(session, slug=slug)
    assert found is not None
    return found


def _create(database: Database, slug: str) -> None:
    with database.session() as session:
        scenarios.create_scenario(session, slug=slug, document=documents.greeting(), actor="ana")


def _said(caplog: pytest.LogCaptureFixture) -> list[str]:
    said = [r.getMessage() for r in caplog.records if r.name == "agi_server.node" and r.levelno == logging.INFO]
    caplog.clear()
    return said


async def test_the_poller_s_versions_are_said_once_each(database: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="agi_server.node")
    node = DatabaseRuntime(database, poll_seconds=60, tts=SilentTts())
    try:
        _create(database, "sales")
        await _published(database, "sales")
        await node.poller.poll_once()
        assert _said(caplog) == ["serving sales v1"]
        await node.poller.poll_once()
        assert await node.source.get("sales") is not None  # a call's lookup
        assert _said(caplog) == []  # nothing new: nothing said

        await _published(database, "sales")
        await node.poller.poll_once()
        await node.poller.poll_once()
        assert _said(caplog) == ["serving sales v2 (was v1)"]

        with database.session() as session:  # deleted through another node's API
            scenarios.delete_scenario(session, slug="sales")
        await node.poller.poll_once()
        await node.poller.poll_once()
        assert _said(caplog) == ["sales withdrawn"]
    finally:
        node.close()


async def test_the_hub_s_publish_and_the_poll_after_it_say_it_once(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="agi_server.node")
    hub = PublishHub()
    node = DatabaseRuntime(database, poll_seconds=60, tts=SilentTts())
    hub.subscribe(node.publish)
    hub.subscribe_withdrawals(node.withdraw)
    try:
        _create(database, "promo")
        hub.announce(await _published(database, "promo"))
        await asyncio.sleep(0)  # the runtime swaps on its own loop
        await node.poller.poll_once()
        second = await _published(database, "promo")
        hub.announce(second)
        await asyncio.sleep(0)
        await node.poller.poll_once()
        hub.announce(second)  # told twice: said once
        await asyncio.sleep(0)
        assert _said(caplog) == ["serving promo v1", "serving promo v2 (was v1)"]

        with database.session() as session:
            scenarios.delete_scenario(session, slug="promo")
        hub.withdraw("promo")
        await asyncio.sleep(0)
        await node.poller.poll_once()  # the poll finds it gone too: said once
        hub.withdraw("promo")
        await asyncio.sleep(0)
        assert _said(caplog) == ["promo withdrawn"]
    finally:
        node.close()
