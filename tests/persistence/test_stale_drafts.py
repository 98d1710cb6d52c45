"""A draft is named by its revision and by when its scenario was created: saves and publishes that name another
draft than the stored one are `StaleRevision`, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pytest

from blocks import default_registry
from persistence import publishing, scenarios
from persistence.db import Database
from persistence.errors import StaleRevision
from persistence.publishing import publish
from tests.persistence import documents


def _create(database: Database, slug: str, text: str) -> datetime:
    with database.session() as session:
        return scenarios.create_scenario(session, slug=slug, document=documents.greeting(text), actor="ana").created_at


def _save(database: Database, slug: str, revision: int, text: str, **pin: Any) -> int:
    with database.session() as session:
        document = documents.greeting(text)
        return scenarios.save_draft(
            session, slug=slug, revision=revision, document=document, actor="ana", **pin
        ).draft_revision


def _recreate(database: Database, slug: str, text: str) -> datetime:
    with database.session() as session:
        scenarios.delete_scenario(session, slug=slug)
    return _create(database, slug, text)


def _versions(database: Database, slug: str) -> list[str]:
    with database.session() as session:
        return [v.document["nodes"][1]["config"]["text"] for v in scenarios.list_versions(session, slug=slug)]


async def _publish(database: Database, slug: str, **pin: Any) -> int:
    with database.session() as session:
        outcome = await publish(session, slug=slug, message="m", actor="pat", registry=default_registry(), **pin)
        return outcome.version.number


def _text(document: Mapping[str, Any]) -> str:
    return str(document["nodes"][1]["config"]["text"])


def test_a_save_naming_a_deleted_scenario_is_stale_though_its_successor_is_at_that_revision(database: Database) -> None:
    opened = _create(database, "sales", "old")
    reborn = _recreate(database, "sales", "Bob's")
    assert reborn != opened

    with pytest.raises(StaleRevision) as caught:
        _save(database, "sales", 1, "Ana's old tab", scenario_created_at=opened)

    assert caught.value.current_revision == 1 and _text(caught.value.document) == "Bob's"
    assert caught.value.scenario_created_at == reborn
    with database.session() as session:
        assert _text(scenarios.get_scenario(session, slug="sales").draft_document) == "Bob's"
    # Naming the scenario there is now saves over it; naming no scenario is the revision check alone, as before.
    assert _save(database, "sales", 1, "mine", scenario_created_at=reborn) == 2
    assert _save(database, "sales", 2, "anyone") == 3


def test_the_creation_stamp_read_back_is_the_one_a_save_compares(database: Database) -> None:
    """What the API hands out is the value read from the database: it must compare equal in the save's WHERE."""
    _create(database, "stamp", "x")
    with database.session() as session:
        stored = scenarios.get_scenario(session, slug="stamp").created_at
    assert _save(database, "stamp", 1, "y", scenario_created_at=stored) == 2


async def test_publish_naming_a_revision_the_draft_has_moved_on_from_stores_nothing(database: Database) -> None:
    _create(database, "pin", "one")
    assert _save(database, "pin", 1, "Ana's reviewed") == 2
    assert _save(database, "pin", 2, "Bob WIP") == 3

    with pytest.raises(StaleRevision) as caught:
        await _publish(database, "pin", revision=2)

    assert caught.value.current_revision == 3 and _text(caught.value.document) == "Bob WIP"
    assert _versions(database, "pin") == []
    assert await _publish(database, "pin", revision=3) == 1
    assert _versions(database, "pin") == ["Bob WIP"]


async def test_publish_naming_a_deleted_scenario_stores_nothing_in_its_successor(database: Database) -> None:
    opened = _create(database, "again", "old")
    reborn = _recreate(database, "again", "new")
    with pytest.raises(StaleRevision):
        await _publish(database, "again", revision=1, scenario_created_at=opened)
    assert _versions(database, "again") == []
    assert await _publish(database, "again", revision=1, scenario_created_at=reborn) == 1


async def test_a_save_landing_while_a_pinned_publish_is_checked_never_goes_live_under_the_publish(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bob's save lands while Ana's publish of revision 2 runs its checks. PostgreSQL's row lock makes the save
    wait, so revision 2 is published and Bob's save follows it; SQLite has no row lock, so the save lands first
    and the publish, checking the draft again after its own write, is refused. Never is Bob's text version 1,
    nor a version stored while the draft says otherwise."""
    _create(database, "racing", "one")
    assert _save(database, "racing", 1, "Ana's reviewed") == 2
    bob_saved = threading.Event()
    real_check = publishing.check_document

    def save_for_bob() -> None:
        _save(database, "racing", 2, "Bob WIP")
        bob_saved.set()

    async def check_while_bob_saves(session: Any, **kwargs: Any) -> Any:
        bob = threading.Thread(target=save_for_bob, daemon=True)
        bob.start()
        bob.join(timeout=2)  # PostgreSQL: blocked on the publish's row lock until it commits
        return await real_check(session, **kwargs)

    monkeypatch.setattr(publishing, "check_document", check_while_bob_saves)
    postgres = database.is_postgres
    if postgres:
        assert await _publish(database, "racing", revision=2) == 1
        assert bob_saved.wait(timeout=30)
        assert _versions(database, "racing") == ["Ana's reviewed"]
    else:
        with pytest.raises(StaleRevision) as caught:
            await _publish(database, "racing", revision=2)
        assert caught.value.current_revision == 3
        assert _versions(database, "racing") == []
    with database.session() as session:
        assert _text(scenarios.get_scenario(session, slug="racing").draft_document) == "Bob WIP"
