from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import select

from blocks import default_registry
from persistence import audio, audit, scenarios
from persistence.db import Database
from persistence.errors import InUse, PublishBlocked
from persistence.models import AudioAsset, Scenario, ScenarioVersion
from persistence.publishing import PlayedAsset, PublishHub, publish
from persistence.scenario_source import DatabaseScenarios, VersionPoller
from tests.persistence import documents


async def _publish(database: Database, slug: str, message: str = "go", **kwargs: object) -> object:
    with database.session() as session:
        return await publish(session, slug=slug, message=message, actor="pat", registry=default_registry(), **kwargs)


def _create(database: Database, slug: str, document: dict[str, object]) -> None:
    with database.session() as session:
        scenarios.create_scenario(session, slug=slug, document=document, actor="ana")


async def test_publish_stores_numbered_immutable_versions_with_a_diff(database: Database) -> None:
    _create(database, "hello", documents.greeting("Hello"))
    first = await _publish(database, "hello", "first")
    assert first.version.number == 1  # type: ignore[attr-defined]
    assert [b.id for b in first.diff.blocks_added] == ["start", "hello", "bye"]  # type: ignore[attr-defined]
    with database.session() as session:
        scenarios.save_draft(session, slug="hello", revision=1, document=documents.greeting("Hi there"), actor="ana")
    second = await _publish(database, "hello", "second")
    assert second.version.number == 2  # type: ignore[attr-defined]
    assert [(p.node, p.field) for p in second.diff.prompts_changed] == [("hello", "text")]  # type: ignore[attr-defined]
    with database.session() as session:
        versions = scenarios.list_versions(session, slug="hello")
        assert [(v.number, v.message, v.created_by) for v in versions] == [(2, "second", "pat"), (1, "first", "pat")]
        assert versions[1].document["nodes"][1]["config"]["text"] == "Hello"  # version 1 did not change
        assert scenarios.get_scenario(session, slug="hello").latest_version == 2
        events = audit.list_events(session, target="scenario:hello")
        assert [(e.action, e.details["version"]) for e in events] == [("publish", 2), ("publish", 1)]


async def test_validation_errors_block_publishing_and_store_nothing(database: Database) -> None:
    _create(database, "wip", documents.unknown_block())
    with pytest.raises(PublishBlocked) as caught:
        await _publish(database, "wip")
    assert "unknown_type" in {p["code"] for p in caught.value.problems}
    with database.session() as session:
        assert scenarios.list_versions(session, slug="wip") == []


async def test_a_failing_scenario_test_blocks_publishing(database: Database) -> None:
    tests = [{"name": "greets", "expect": {"said": ["Hello"]}}, {"name": "says bye", "expect": {"said": ["Bye"]}}]
    _create(database, "tested", documents.greeting("Hello", tests=tests))
    with pytest.raises(PublishBlocked) as caught:
        await _publish(database, "tested")
    assert [(t["name"], t["passed"]) for t in caught.value.tests] == [("greets", True), ("says bye", False)]


async def test_rollback_publishes_an_old_document_as_a_new_version(database: Database) -> None:
    _create(database, "menu", documents.menu(["1", "2"]))
    await _publish(database, "menu")
    with database.session() as session:
        scenarios.save_draft(session, slug="menu", revision=1, document=documents.menu(["1", "3"]), actor="ana")
    await _publish(database, "menu")
    with database.session() as session:
        old = scenarios.get_version(session, slug="menu", number=1).document
    rolled = await _publish(database, "menu", "back", document=old, action="rollback")
    assert rolled.version.number == 3  # type: ignore[attr-defined]
    keys = rolled.diff.keys_changed  # type: ignore[attr-defined]
    assert [(k.node, k.added, k.removed) for k in keys] == [("menu", ["2"], ["3"])]


async def test_other_nodes_see_publishes_through_the_version_stamp(database: Database) -> None:
    seen: list[tuple[str, int]] = []
    source = DatabaseScenarios(database)
    poller = VersionPoller(source, lambda p: seen.append((p.slug, p.number)))
    assert await poller.poll_once() == []  # first look: nothing is published yet
    _create(database, "a", documents.greeting())
    _create(database, "b", documents.greeting())
    await _publish(database, "a")
    await _publish(database, "b")
    await _publish(database, "a")
    await poller.poll_once()
    assert sorted(seen) == [("a", 2), ("b", 1)]  # only the newest version of each
    assert await poller.poll_once() == []
    scenario = await source.load("a")
    assert scenario is not None and scenario.nodes["hello"].config["text"] == "Hello"
    assert await source.load("nope") is None


def test_hub_tells_every_listener_even_when_one_fails() -> None:
    hub = PublishHub()
    heard: list[str] = []

    def broken(_published: scenarios.Published) -> None:
        raise RuntimeError("boom")

    hub.subscribe(broken)
    unsubscribe = hub.subscribe(lambda p: heard.append(p.slug))
    hub.announce(scenarios.Published("x", 1, {}, 1))
    unsubscribe()
    hub.announce(scenarios.Published("y", 1, {}, 2))
    assert heard == ["x"]


async def test_a_deleted_scenario_leaves_the_call_servers_and_its_successor_goes_live(database: Database) -> None:
    """Review, 2026-12-04: a deleted scenario kept answering calls, and after it was created again its v1 lost to
    the deleted v2 still cached. This process hears of the delete through the hub (as `ivrgraph serve` wires it);
    another node through its poller, even when the slug was deleted, created and published between two polls."""
    from agi_server.node import DatabaseRuntime  # the FastAGI side of a node, over the same database

    def newest(slug: str) -> scenarios.Published:
        with database.session() as session:
            found = scenarios.published(session, slug=slug)
        assert found is not None
        return found

    hub = PublishHub()
    here, there = DatabaseRuntime(database, poll_seconds=60), DatabaseRuntime(database, poll_seconds=60)
    hub.subscribe(here.publish)
    hub.subscribe_withdrawals(here.withdraw)
    await there.poller.poll_once()  # its first look: nothing published yet
    _create(database, "sales", documents.greeting())
    await _publish(database, "sales")
    await _publish(database, "sales")
    for node in (here, there):
        cached = await node.source.get("sales")
        assert cached is not None and cached.version == 2

    with database.session() as session:  # what DELETE /api/scenarios/sales does, then tells the hub
        scenarios.delete_scenario(session, slug="sales")
    hub.withdraw("sales")
    await asyncio.sleep(0)  # the runtime swaps on its own loop
    assert await here.source.get("sales") is None

    again = documents.greeting()
    again["nodes"][1]["config"]["text"] = "Hello again"
    _create(database, "sales", again)
    await _publish(database, "sales")
    hub.announce(newest("sales"))
    await asyncio.sleep(0)
    for node in (here, there):
        await node.poller.poll_once()
        live = await node.source.get("sales")
        assert live is not None and live.version == 1
        assert live.scenario.nodes["hello"].config["text"] == "Hello again"
    for node in (here, there):
        node.close()


async def test_another_node_drops_a_deleted_scenario_at_its_next_poll(database: Database) -> None:
    from agi_server.node import DatabaseRuntime

    node = DatabaseRuntime(database, poll_seconds=60)
    await node.poller.poll_once()
    _create(database, "promo", documents.greeting())
    await _publish(database, "promo")
    assert await node.source.get("promo") is not None
    with database.session() as session:
        scenarios.delete_scenario(session, slug="promo")
    await node.poller.poll_once()
    assert "promo" not in node.source.slugs()
    node.close()


async def _polled_after_publishing(database: Database, *slugs: str) -> tuple[VersionPoller, list[tuple[str, int]]]:
    """A poller, and what it reported, after each of `slugs` was created and published once, then polled."""
    seen: list[tuple[str, int]] = []
    poller = VersionPoller(DatabaseScenarios(database), lambda p: seen.append((p.slug, p.number)))
    for slug in slugs:
        _create(database, slug, documents.greeting())
    for slug in slugs:
        await _publish(database, slug)
    await poller.poll_once()
    return poller, seen


async def test_the_version_stamp_moves_after_the_newest_version_was_deleted(database: Database) -> None:
    """Review, 2026-12-04: SQLite handed a deleted newest row id to the next version, so the stamp stood still
    and other nodes never heard of that publish (migration 0002: AUTOINCREMENT)."""
    poller, seen = await _polled_after_publishing(database, "main", "promo")
    assert sorted(seen) == [("main", 1), ("promo", 1)]  # the first look reports everything published
    with database.session() as session:
        scenarios.delete_scenario(session, slug="promo")
    await _publish(database, "main")
    await poller.poll_once()
    assert sorted(seen) == [("main", 1), ("main", 2), ("promo", 1)]


async def test_a_publish_that_commits_after_a_later_one_is_still_seen(database: Database) -> None:
    """Review of 2026-12-05 on PostgreSQL: version ids are handed out at insert and seen at commit, so A's v2
    (id 3) committing after B's v2 (id 4) had been polled was never seen by the other nodes, who kept A's v1.
    Here A's version row is inserted (its id taken), B publishes and is polled, then A commits."""
    if not database.is_postgres:
        pytest.skip("SQLite has one writer: a publish cannot commit while another holds its version row")
    poller, seen = await _polled_after_publishing(database, "a", "b")
    a_v2 = database.sessions()  # A's publish: its version row inserted first, committed last
    a_v2.begin()
    a_scenario = a_v2.scalar(select(Scenario).where(Scenario.slug == "a"))
    assert a_scenario is not None
    late = ScenarioVersion(
        scenario_id=a_scenario.id, number=2, document=documents.greeting(), message="late", validation_summary={}
    )
    a_v2.add(late)
    a_v2.flush()  # the row has its id now
    a_scenario.latest_version = 2
    await _publish(database, "b")
    await poller.poll_once()
    a_v2.commit()
    a_v2.close()
    await poller.poll_once()
    assert seen == [("a", 1), ("b", 1), ("b", 2), ("a", 2)]


async def test_a_node_holds_every_published_scenario_from_its_first_poll(database: Database) -> None:
    """So a scenario this node has not answered yet still answers while the database is away (review of
    2026-12-05: it failed with no prompt, or the caller heard silence while the lookup hung)."""
    from agi_server.node import DatabaseRuntime

    _create(database, "promo", documents.greeting())
    await _publish(database, "promo")
    node = DatabaseRuntime(database, poll_seconds=60)
    await node.poller.poll_once()
    assert node.source.slugs() == ["promo"]
    node.close()


async def test_a_scenario_created_again_at_the_same_version_number_is_seen(database: Database) -> None:
    """Review of 2026-12-05: on SQLite a scenario deleted and created again under its slug between two polls got
    the same row id back, so at version 1 again it read as unchanged and other nodes kept the deleted one."""
    poller, _ = await _polled_after_publishing(database, "menu")
    with database.session() as session:
        scenarios.delete_scenario(session, slug="menu")
    again = documents.greeting()
    again["nodes"][1]["config"]["text"] = "Hello again"
    _create(database, "menu", again)
    await _publish(database, "menu")
    reported = await poller.poll_once()
    assert [(published.slug, published.number) for published in reported] == [("menu", 1)]
    assert reported[0].document["nodes"][1]["config"]["text"] == "Hello again"


def _playing(media_name: str) -> dict[str, object]:
    document = documents.greeting()
    document["nodes"][1] = {"id": "hello", "type": "message", "config": {"audio": media_name}}
    return document


def _asset(database: Database, asset_id: str) -> str:
    with database.session() as session:
        asset = audio.create_asset(session, asset_id=asset_id, name=asset_id, language="es",
                                   media_name=f"assets/{asset_id}", duration_ms=1000, format="wav")  # fmt: skip
        return asset.media_name


async def test_a_recording_deleted_before_the_version_is_stored_blocks_the_publish(database: Database) -> None:
    """Review, 2026-12-05: a recording deleted while a publish spoke its phrases was published all the same."""
    media_name = _asset(database, "a" * 32)
    _create(database, "plays", _playing(media_name))
    played = [PlayedAsset(media_name, "hello", "$.nodes[1].config.audio")]
    with database.session() as session:  # the analyst's delete, done while the publish was busy elsewhere
        session.delete(session.get(AudioAsset, "a" * 32))
    with pytest.raises(PublishBlocked) as blocked:
        await _publish(database, "plays", recordings=played)
    assert [(p["code"], p["node"], p["path"]) for p in blocked.value.problems] == [
        ("audio_missing", "hello", "$.nodes[1].config.audio")
    ]
    with database.session() as session:
        assert scenarios.get_scenario(session, slug="plays").latest_version is None


async def test_a_delete_waits_for_a_publish_holding_its_recording_and_is_refused(database: Database) -> None:
    media_name = _asset(database, "b" * 32)
    _create(database, "holds", _playing(media_name))
    played = [PlayedAsset(media_name, "hello", "$.nodes[1].config.audio")]
    outcome: dict[str, object] = {}

    def delete() -> None:
        try:
            with database.session() as session:
                audio.delete_asset(session, asset_id="b" * 32)
            outcome["deleted"] = True
        except InUse as refused:
            outcome["refused"] = refused.referred_by

    with database.session() as session:  # the publish's transaction, still open when the delete comes
        await publish(session, slug="holds", message="go", actor="pat", registry=default_registry(), recordings=played)
        deleting = threading.Thread(target=delete)
        deleting.start()
        await asyncio.sleep(0.5)
        assert deleting.is_alive()  # waits for the publish's commit...
    deleting.join(10)
    assert outcome == {"refused": ["scenario holds"]}  # ...and then finds the version that plays it
